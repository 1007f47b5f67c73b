from __future__ import annotations

from datetime import timedelta

import click
from flask import current_app
from flask.cli import AppGroup

from lms.live import notifications

live_cli = AppGroup("live", help="Live sessions.")


@live_cli.command("remind")
@click.option("--hours", default=24, show_default=True, help="Remind of sessions starting within this many hours.")
def remind_command(hours: int) -> None:
    """E-mail each registered participant once before their session (safe to run every few minutes)."""
    sent, failed = notifications.send_reminders(within=timedelta(hours=hours))
    click.echo(f"sent {sent} reminder(s); {failed} failed and will be tried again")
    current_app.logger.info("live reminders: %d sent, %d failed", sent, failed)
