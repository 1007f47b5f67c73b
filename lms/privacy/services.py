"""Everything held about one person, section by section, one query a section (Article 15 GDPR: the
right of access; Article 20: in a structured, machine-readable format).

The sections and their fields are named in English, as a file for other systems; the page shows the
same data with labels in the reader's language (``privacy.labels``).
"""

from __future__ import annotations

import json
from datetime import date, datetime
from decimal import Decimal

from sqlalchemy import delete, select, update

from lms.accounts.models import Organisation, OrganisationMembership, User
from lms.assessment.models import Attempt
from lms.catalog.models import Course, Module, ModuleRevision
from lms.certificates.models import Certificate
from lms.extensions import db
from lms.learning.models import CourseCompletion, Enrolment, ModuleProgress, ModuleTime, VideoProgress
from lms.live.models import LiveSession, SessionRegistration
from lms.lti.models import LtiIdentity, LtiRegistration

FORMAT = "nordlearn-personal-data/1"


def _plain(value):
    if isinstance(value, datetime | date):
        return value.isoformat()
    if isinstance(value, Decimal):
        return float(value)
    if hasattr(value, "value"):  # an enum
        return value.value
    return value


def _rows(statement, names: tuple[str, ...]) -> list[dict]:
    return [{name: _plain(value) for name, value in zip(names, row, strict=True)}
            for row in db.session.execute(statement).all()]


def _module_columns():
    return Course.slug, Module.slug


def export(user: User) -> dict:
    """The person's data: profile, memberships, enrolments, progress, time, attempts, completions,
    certificates, live-session registrations and LTI identities."""
    profile = {name: _plain(getattr(user, name)) for name in
               ("email", "display_name", "country", "preferred_language", "timezone", "role", "created_at")}
    data = {"format": FORMAT, "profile": profile}
    data["memberships"] = _rows(
        select(Organisation.name, OrganisationMembership.status, OrganisationMembership.requested_at,
               OrganisationMembership.decided_at)
        .join(Organisation, Organisation.id == OrganisationMembership.organisation_id)
        .where(OrganisationMembership.user_id == user.id).order_by(OrganisationMembership.id),
        ("organisation", "status", "requested_at", "decided_at"))
    data["enrolments"] = _rows(
        select(Course.slug, Enrolment.source, Enrolment.lti_context_id, Enrolment.created_at)
        .join(Course, Course.id == Enrolment.course_id).where(Enrolment.user_id == user.id).order_by(Enrolment.id),
        ("course", "source", "lti_context_id", "enrolled_at"))
    data["progress"] = _rows(
        select(*_module_columns(), ModuleProgress.status, ModuleProgress.started_at, ModuleProgress.last_seen_at,
               ModuleProgress.completed_at)
        .join(Module, Module.id == ModuleProgress.module_id).join(Course, Course.id == Module.course_id)
        .where(ModuleProgress.user_id == user.id).order_by(ModuleProgress.id),
        ("course", "module", "status", "started_at", "last_seen_at", "completed_at"))
    data["time_on_modules"] = _rows(
        select(*_module_columns(), ModuleTime.seconds, ModuleTime.last_ping_at)
        .join(Module, Module.id == ModuleTime.module_id).join(Course, Course.id == Module.course_id)
        .where(ModuleTime.user_id == user.id).order_by(ModuleTime.id),
        ("course", "module", "seconds", "last_active_at"))
    data["videos_watched"] = _rows(
        select(*_module_columns(), VideoProgress.video, VideoProgress.seconds, VideoProgress.watched)
        .join(Module, Module.id == VideoProgress.module_id).join(Course, Course.id == Module.course_id)
        .where(VideoProgress.user_id == user.id).order_by(VideoProgress.id),
        ("course", "module", "video", "seconds", "ranges"))
    attempts = _rows(
        select(*_module_columns(), Attempt.number, ModuleRevision.language, ModuleRevision.number, Attempt.answers,
               Attempt.points, Attempt.score, Attempt.passed, Attempt.started_at, Attempt.submitted_at)
        .join(Module, Module.id == Attempt.module_id).join(Course, Course.id == Module.course_id)
        .join(ModuleRevision, ModuleRevision.id == Attempt.revision_id)
        .where(Attempt.user_id == user.id).order_by(Attempt.id),
        ("course", "module", "attempt", "text_language", "text_revision", "answers", "points", "score", "passed",
         "started_at", "submitted_at"))
    for attempt in attempts:
        for key in ("answers", "points"):
            attempt[key] = json.loads(attempt[key]) if attempt[key] else None
    data["attempts"] = attempts
    data["course_completions"] = _rows(
        select(Course.slug, CourseCompletion.completed_at, CourseCompletion.version, CourseCompletion.hours,
               CourseCompletion.score, CourseCompletion.seconds_spent)
        .join(Course, Course.id == CourseCompletion.course_id)
        .where(CourseCompletion.user_id == user.id).order_by(CourseCompletion.id),
        ("course", "completed_at", "version", "hours", "score", "seconds_on_modules"))
    data["certificates"] = _rows(
        select(Certificate.code, Course.slug, Certificate.learner_name, Certificate.course_version,
               Certificate.issued_at, Certificate.revoked_at, Certificate.revoked_reason)
        .join(Course, Course.id == Certificate.course_id)
        .where(Certificate.user_id == user.id).order_by(Certificate.id),
        ("code", "course", "name_on_certificate", "version", "issued_at", "revoked_at", "revoked_reason"))
    data["live_session_registrations"] = _rows(
        select(Course.slug, LiveSession.starts_at, SessionRegistration.created_at, SessionRegistration.attended)
        .join(LiveSession, LiveSession.id == SessionRegistration.session_id)
        .join(Course, Course.id == LiveSession.course_id)
        .where(SessionRegistration.user_id == user.id).order_by(SessionRegistration.id),
        ("course", "session_starts_at", "registered_at", "attended"))
    data["lti_identities"] = _rows(
        select(LtiRegistration.name, LtiIdentity.issuer, LtiIdentity.subject, LtiIdentity.name)
        .join(LtiRegistration, LtiRegistration.id == LtiIdentity.registration_id)
        .where(LtiIdentity.user_id == user.id).order_by(LtiIdentity.id),
        ("platform", "issuer", "subject", "name_sent_by_platform"))
    return data


def as_json(data: dict) -> str:
    return json.dumps(data, ensure_ascii=False, indent=2)


ERASED_NAME = "–"  # what pages show where a deleted account's name was


class WrongPassword(Exception):
    pass


def erase(*, user: User, password: str | None, at: datetime, on_request: bool = False) -> None:
    """Delete a person's account: their name, e-mail, password, partner-platform identities and private
    links are erased; their progress, attempts and completions stay, anonymous, so that the figures of
    courses and organisations stay right; their certificates verify as issued to a deleted account.
    The person confirms with their password (an account without one, made by a platform launch, with the
    confirmation alone); an admin does it on request (``on_request``: ``flask users erase``)."""
    from lms.accounts import services as accounts
    from lms.live.models import calendar_token

    if not on_request and user.password_hash is not None and not (password and accounts.authenticate(
            email=user.email or "", password=password)):
        raise WrongPassword()
    accounts.end_all_sessions(user=user)
    db.session.execute(delete(LtiIdentity).where(LtiIdentity.user_id == user.id))
    db.session.execute(update(Certificate).where(Certificate.user_id == user.id).values(learner_name=""))
    for registration in db.session.scalars(select(SessionRegistration).where(SessionRegistration.user_id == user.id)):
        registration.calendar_token = calendar_token()
    user.email, user.password_hash, user.display_name = None, None, ERASED_NAME
    user.preferred_language, user.timezone, user.deleted_at = None, None, at
    db.session.flush()
