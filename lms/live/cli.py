from __future__ import annotations

from datetime import timedelta

import click
from flask import current_app
from flask.cli import AppGroup

from lms.extensions import db
from lms.live import services

live_cli = AppGroup("live", help="Live sessions.")


@live_cli.command("remind")
@click.option("--hours", default=24, show_default=True, help="Remind of sessions starting within this many hours.")
def remind_command(hours: int) -> None:
    """E-mail each registered participant once before their session (safe to run every few minutes)."""
    from lms.live.views import send_reminder

    claimed = services.claim_reminders(within=timedelta(hours=hours))
    db.session.commit()  # claimed: no other run sends these
    sent = 0
    for reminder in claimed:
        if send_reminder(reminder):
            sent += 1
        else:
            services.release_reminder(reminder.registration_id)
            db.session.commit()
    click.echo(f"sent {sent} reminder(s); {len(claimed) - sent} failed and will be tried again")
    current_app.logger.info("live reminders: %d sent", sent)
