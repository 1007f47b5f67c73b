"""Retention: an account nobody used for the retention period is warned by e-mail, then deleted once the
notice has run out; coming back cancels it; admins are kept."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import select

from lms.accounts.models import LoginSession, Role, User
from lms.core.types import utcnow
from lms.extensions import db
from lms.privacy import retention
from lms.privacy.services import ERASED_NAME
from tests.factories import make_user
from tests.mail.test_email import SMTP, inbox, parts  # noqa: F401  (inbox: a fixture)

YEAR = timedelta(days=365)


def idle_since(user: User, moment) -> None:
    user.created_at = moment
    for session in db.session.scalars(select(LoginSession).where(LoginSession.user_id == user.id)):
        session.created_at = moment


@pytest.mark.app_settings(LMS_RETENTION_DAYS=730, LMS_RETENTION_NOTICE_DAYS=30, **SMTP)
def test_an_idle_account_is_warned_then_deleted_and_a_returning_one_is_kept(
        app, inbox):  # noqa: F811 (inbox: the fixture)
    now = utcnow()
    idle = make_user(email="idle@example.fi", language="fi", name="Ilmari Idle")
    back = make_user(email="back@example.se", name="Bo Back")
    admin = make_user(email="admin@example.org", role=Role.ADMIN)
    recent = make_user(email="recent@example.org")
    for user in (idle, back, admin):
        idle_since(user, now - 2 * YEAR - timedelta(days=1))
    db.session.commit()

    report = retention.run(at=now, dry_run=True)
    assert (report.warned, report.deleted) == (2, 0) and inbox.messages == []
    assert db.session.get(User, idle.id).retention_warned_at is None, "a dry run changes nothing"

    assert retention.run(at=now).warned == 2
    db.session.commit()
    assert sorted(m["To"] for m in inbox.messages) == ["back@example.se", "idle@example.fi"]
    finnish = next(m for m in inbox.messages if m["To"] == "idle@example.fi")
    assert finnish["Content-Language"] == "fi" and "Ilmari Idle" in parts(finnish)[0]

    assert retention.run(at=now + timedelta(days=10)).deleted == 0, "the notice has not run out"
    db.session.add(LoginSession(user_id=back.id, token_hash="x" * 64, created_at=now + timedelta(days=20)))
    db.session.commit()
    report = retention.run(at=now + timedelta(days=31))
    db.session.commit()
    assert report.deleted == 1
    assert db.session.get(User, idle.id).display_name == ERASED_NAME
    assert db.session.get(User, back.id).email == "back@example.se", "logging in again cancelled it"
    assert db.session.get(User, back.id).retention_warned_at is None
    assert db.session.get(User, admin.id).email == "admin@example.org"
    assert db.session.get(User, recent.id).retention_warned_at is None


def test_the_command_reports_what_it_did(app, runner):
    make_user(email="a@example.org")
    result = runner.invoke(args=["privacy", "retention", "--dry-run"])
    assert result.exit_code == 0 and "0 warned, 0 deleted (dry run: nothing changed)" in result.output
