"""E-mails about live sessions, in the recipient's language and time zone: the confirmation of a
registration (queued to the worker) and the reminder before the session (sent by ``live remind``)."""

from __future__ import annotations

import logging
from datetime import timedelta

from flask_babel import lazy_gettext as _l

from lms import mail
from lms.catalog.models import Course
from lms.core.urls import external_url
from lms.extensions import db
from lms.jobs import job
from lms.live import services
from lms.live.models import LiveSession, SessionRegistration
from lms.live.times import session_time

log = logging.getLogger(__name__)


def _send(registration: SessionRegistration, template: str, subject) -> None:
    session = db.session.get(LiveSession, registration.session_id)
    course = db.session.get(Course, session.course_id)
    user = registration.user
    language = user.preferred_language or course.default_language
    text = services.text_of(session, language, course.default_language)
    when = session_time(session, services.user_zone(user), mail.language_of(language))
    mail.send(mail.compose(
        to=user.email, template=template, language=language, subject=subject(text.title), name=user.display_name,
        title=text.title, description=text.description, join_url=session.join_url, when=when,
        calendar=external_url("live.calendar", token=registration.calendar_token)))


def _registration(registration_id: int) -> SessionRegistration | None:
    registration = db.session.get(SessionRegistration, registration_id)
    return registration if registration is not None and registration.user.email else None


@job(retries=5, retry_delay=120)
def registered(registration_id: int) -> None:
    """The confirmation of a registration, with the join link and the private calendar link."""
    registration = _registration(registration_id)
    if registration is not None:
        _send(registration, "live_registered", lambda title: _l("You are registered: %(title)s", title=title))


def send_reminders(*, within: timedelta) -> tuple[int, int]:
    """Remind each registered participant once before their session. A reminder counts as sent
    only once the mail server took it; one that fails (a bad address, a session that cannot be
    shown, the server down) is left for the next run and never stops the others.
    Returns (sent, failed). Commits after each reminder."""
    sent = failed = 0
    for registration_id in services.due_reminders(within=within):
        if not services.claim_reminder(registration_id):
            continue  # another run took it a moment ago
        db.session.commit()
        try:
            registration = _registration(registration_id)
            if registration is not None:
                _send(registration, "live_reminder", lambda title: _l("Reminder: %(title)s", title=title))
        except Exception:  # anything: the next reminder must still go out
            db.session.rollback()
            log.exception("live session reminder %s not sent; it will be tried again", registration_id)
            services.release_reminder(registration_id)
            failed += 1
        else:
            services.reminder_sent(registration_id)
            sent += 1
        db.session.commit()
    return sent, failed
