from __future__ import annotations

import click
from flask.cli import AppGroup

from lms.accounts import services as accounts
from lms.core.types import utcnow
from lms.extensions import db
from lms.privacy import services

privacy_cli = AppGroup("privacy", help="People's own data.")


@privacy_cli.command("erase")
@click.argument("email")
@click.option("--yes", is_flag=True, help="Confirm: the account's personal data is erased for good.")
def erase_command(email: str, yes: bool) -> None:
    """Delete the account of EMAIL on the person's request (as their own "Delete my account" does)."""
    user = accounts.find_by_email(email)
    if user is None:
        raise click.ClickException(f"no account with the e-mail address {email}")
    if not yes:
        raise click.ClickException("add --yes to confirm: the name, e-mail address and identities are erased")
    services.erase(user=user, password=None, at=utcnow(), on_request=True)
    db.session.commit()
    click.echo(f"account {user.id} deleted: personal data erased, figures kept anonymous")


@privacy_cli.command("retention")
@click.option("--dry-run", is_flag=True, help="Say what would happen, change nothing.")
def retention_command(dry_run: bool) -> None:
    """Warn accounts inactive for LMS_RETENTION_DAYS less LMS_RETENTION_NOTICE_DAYS, and delete those warned
    at least LMS_RETENTION_NOTICE_DAYS ago and still inactive for LMS_RETENTION_DAYS. Run it daily."""
    from lms.privacy import retention

    report = retention.run(at=utcnow(), dry_run=dry_run)
    if not dry_run:
        db.session.commit()
    click.echo(f"{report.warned} warned, {report.deleted} deleted" + (" (dry run: nothing changed)" if dry_run else ""))
