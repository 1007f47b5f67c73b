from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal

from sqlalchemy import Date, ForeignKey, Numeric, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from lms.core.types import UTCDateTime
from lms.extensions import db


class Certificate(db.Model):
    """A certificate of completion. What it says is copied from the completion, the course and the
    learner's account when it is issued, so that it reads the same for good; revoking it adds the
    date and the reason, and changes nothing else."""

    __tablename__ = "certificates"

    id: Mapped[int] = mapped_column(primary_key=True)
    # 120 random bits, base32 (24 letters and digits): what the verification address carries.
    code: Mapped[str] = mapped_column(String(32), unique=True)
    completion_id: Mapped[int] = mapped_column(ForeignKey("course_completions.id", ondelete="RESTRICT"), unique=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    course_id: Mapped[int] = mapped_column(ForeignKey("courses.id", ondelete="RESTRICT"), index=True)
    learner_name: Mapped[str] = mapped_column(String(200))
    # JSON {language: course title} of every language the course had a title in
    titles: Mapped[str] = mapped_column(Text)
    default_language: Mapped[str] = mapped_column(String(8))
    course_version: Mapped[str] = mapped_column(String(40))
    law_as_at: Mapped[date | None] = mapped_column(Date)
    review_status: Mapped[str] = mapped_column(String(20))
    hours: Mapped[Decimal] = mapped_column(Numeric(6, 2))
    completed_at: Mapped[datetime] = mapped_column(UTCDateTime())
    score: Mapped[Decimal | None] = mapped_column(Numeric(5, 4))
    provider: Mapped[str | None] = mapped_column(String(200))
    partner: Mapped[str | None] = mapped_column(String(200))
    issued_at: Mapped[datetime] = mapped_column(UTCDateTime())
    revoked_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    revoked_reason: Mapped[str | None] = mapped_column(Text)
    revoked_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))


class CredentialKey(db.Model):
    """One of NordLearn's RSA keys for signing Open Badges credentials (RS256). The newest key not
    retired signs; every key, retired ones included, stays published, so that what it signed can
    still be verified."""

    __tablename__ = "credential_keys"

    id: Mapped[int] = mapped_column(primary_key=True)
    kid: Mapped[str] = mapped_column(String(64), unique=True)
    private_pem: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())
    retired_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
