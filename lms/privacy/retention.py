"""Retention: accounts nobody used for ``LMS_RETENTION_DAYS`` are deleted (``privacy.erase``), after an
e-mail ``LMS_RETENTION_NOTICE_DAYS`` before. An account's last activity is its last login or launch, or
its last visit of a module, whichever is later; coming back after the warning cancels it. Admin accounts
are kept. ``flask --app wsgi privacy retention`` runs it, from a scheduler (daily)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from flask import current_app
from sqlalchemy import func, select

from lms.accounts.models import LoginSession, Role, User
from lms.extensions import db
from lms.learning.models import ModuleProgress
from lms.privacy import notifications, services


@dataclass
class Report:
    warned: int = 0
    deleted: int = 0


def _last_activity():
    """(user id, last activity) for every account not deleted, one query."""
    logins = select(LoginSession.user_id, func.max(LoginSession.created_at).label("at")) \
        .group_by(LoginSession.user_id).subquery()
    visits = select(ModuleProgress.user_id, func.max(ModuleProgress.last_seen_at).label("at")) \
        .group_by(ModuleProgress.user_id).subquery()
    return db.session.execute(
        select(User, logins.c.at, visits.c.at)
        .outerjoin(logins, logins.c.user_id == User.id).outerjoin(visits, visits.c.user_id == User.id)
        .where(User.deleted_at.is_(None), User.role != Role.ADMIN)).all()


def run(*, at: datetime, dry_run: bool = False) -> Report:
    config = current_app.config
    keep, notice = timedelta(days=config["LMS_RETENTION_DAYS"]), timedelta(days=config["LMS_RETENTION_NOTICE_DAYS"])
    report = Report()
    for user, login, visit in _last_activity():
        last = max(moment for moment in (user.created_at, login, visit) if moment is not None)
        if user.retention_warned_at is not None and user.retention_warned_at < last:
            user.retention_warned_at = None  # they came back: the warning no longer stands
        if last > at - keep + notice:
            continue
        if user.retention_warned_at is None:
            report.warned += 1
            if not dry_run:
                user.retention_warned_at = at
                if user.email:
                    notifications.retention_warning.queue(user.id, (last + keep).isoformat())
        elif last <= at - keep and user.retention_warned_at <= at - notice:
            report.deleted += 1
            if not dry_run:
                services.erase(user=user, password=None, at=at, on_request=True)
    db.session.flush()
    return report
