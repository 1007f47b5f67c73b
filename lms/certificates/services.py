"""Issuing, finding, verifying and revoking certificates: the rules in one place."""

from __future__ import annotations

import base64
import json
import re
import secrets
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal

from sqlalchemy import select

from lms.accounts import permissions
from lms.accounts.models import User
from lms.catalog.models import Course
from lms.certificates.models import Certificate
from lms.core import errors
from lms.core.types import utcnow
from lms.extensions import db
from lms.i18n.languages import pick
from lms.learning.models import CourseCompletion

CODE_BYTES = 15  # 120 random bits: 24 base32 characters
MAX_REASON = 500
_CODE_RE = re.compile(r"^[A-Z2-7]{24}$")


class CertificateNotFound(errors.NotFound):
    pass


class AlreadyRevoked(Exception):
    pass


class ReasonRequired(ValueError):
    pass


def new_code() -> str:
    return base64.b32encode(secrets.token_bytes(CODE_BYTES)).decode("ascii")


def display_code(code: str) -> str:
    """``ABCD-EFGH-…``: easier to read out and type."""
    return "-".join(code[i:i + 4] for i in range(0, len(code), 4))


def normalise_code(text: str) -> str | None:
    """A code as people type it (lower case, with hyphens or spaces), or None if it cannot be one."""
    cleaned = re.sub(r"[\s-]", "", text or "")[:40].upper()
    return cleaned if _CODE_RE.match(cleaned) else None


def issue(*, user: User, course: Course, completion: CourseCompletion) -> Certificate:
    """The certificate of ``completion`` (once: a completion has one certificate)."""
    existing = db.session.scalar(select(Certificate).where(Certificate.completion_id == completion.id))
    if existing is not None:
        return existing
    certificate = Certificate(
        code=new_code(), completion_id=completion.id, user_id=user.id, course_id=course.id,
        learner_name=user.display_name, titles=json.dumps({t.language: t.title for t in course.texts},
                                                          ensure_ascii=False, sort_keys=True),
        default_language=course.default_language, course_version=completion.version, law_as_at=course.law_as_at,
        review_status=course.review_status, hours=completion.hours, completed_at=completion.completed_at,
        score=completion.score, provider=course.provider, partner=course.partner, issued_at=utcnow())
    db.session.add(certificate)
    db.session.flush()
    return certificate


def on_course_completed(user: User, *, course: Course, completion: CourseCompletion) -> None:
    """learning.course_completed: the certificate is issued in the same transaction."""
    issue(user=user, course=course, completion=completion)


def by_code(code: str) -> Certificate:
    normalised = normalise_code(code)
    certificate = db.session.scalar(select(Certificate).where(Certificate.code == normalised)) if normalised else None
    if certificate is None:
        raise CertificateNotFound(code)
    return certificate


def for_viewer(*, code: str, viewer) -> Certificate:
    """A certificate for its learner and for admins; anyone else gets the public verification page."""
    certificate = by_code(code)
    if not getattr(viewer, "is_authenticated", False) or (
            certificate.user_id != viewer.id and not permissions.is_admin(viewer)):
        raise CertificateNotFound(code)
    return certificate


def title(certificate: Certificate, language: str) -> tuple[str, str]:
    """The course title nearest to ``language`` along the fallback chain, and its language."""
    titles = json.loads(certificate.titles)
    chosen = pick(titles, language, certificate.default_language) or certificate.default_language
    return titles.get(chosen, next(iter(titles.values()), "")), chosen


def of_completions(completion_ids: list[int]) -> dict[int, Certificate]:
    if not completion_ids:
        return {}
    return {c.completion_id: c for c in db.session.scalars(
        select(Certificate).where(Certificate.completion_id.in_(completion_ids)))}


def revoke(*, admin: User, certificate: Certificate, reason: str, at: datetime) -> None:
    """Revoke with a reason: the certificate says so from ``at`` on. No other record changes."""
    if not permissions.is_admin(admin):
        raise CertificateNotFound(certificate.code)
    reason = " ".join((reason or "").split())
    if not reason or len(reason) > MAX_REASON:
        raise ReasonRequired(reason)
    if certificate.revoked_at is not None:
        raise AlreadyRevoked(certificate.code)
    certificate.revoked_at, certificate.revoked_reason, certificate.revoked_by_id = at, reason, admin.id
    db.session.flush()


@dataclass(frozen=True)
class Verification:
    """What the public verification page says, and nothing else."""

    code: str
    valid: bool
    revoked_at: datetime | None
    learner_name: str
    course_title: str
    course_language: str
    version: str
    law_as_at: date | None
    hours: Decimal
    completed_at: datetime
    pending_review: bool


def verification(*, code: str, language: str) -> Verification:
    certificate = by_code(code)
    course_title, course_language = title(certificate, language)
    return Verification(code=certificate.code, valid=certificate.revoked_at is None,
                        revoked_at=certificate.revoked_at, learner_name=certificate.learner_name,
                        course_title=course_title, course_language=course_language,
                        version=certificate.course_version, law_as_at=certificate.law_as_at,
                        hours=certificate.hours, completed_at=certificate.completed_at,
                        pending_review=certificate.review_status != "approved")


def version_certified(*, course: Course, version: str) -> bool:
    """Whether a certificate was issued for ``version`` of ``course`` (its achievement is then published)."""
    return db.session.scalar(select(Certificate.id).where(
        Certificate.course_id == course.id, Certificate.course_version == version).limit(1)) is not None
