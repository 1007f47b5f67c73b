from __future__ import annotations

import secrets
from datetime import datetime

from sqlalchemy import ForeignKey, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from lms.accounts.models import User
from lms.core.types import UTCDateTime, utcnow
from lms.extensions import db


class LiveSession(db.Model):
    """A scheduled live event of a course, held in a video meeting service."""

    __tablename__ = "live_sessions"

    id: Mapped[int] = mapped_column(primary_key=True)
    course_id: Mapped[int] = mapped_column(ForeignKey("courses.id", ondelete="CASCADE"), index=True)
    starts_at: Mapped[datetime] = mapped_column(UTCDateTime())
    ends_at: Mapped[datetime] = mapped_column(UTCDateTime())
    timezone: Mapped[str] = mapped_column(String(64))  # where it is organised, e.g. Europe/Oslo
    capacity: Mapped[int]
    join_url: Mapped[str] = mapped_column(String(500))
    speakers: Mapped[str] = mapped_column(String(500), default="")
    # Attending counts as completing this module, if set.
    module_id: Mapped[int | None] = mapped_column(ForeignKey("modules.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)

    texts: Mapped[list[LiveSessionText]] = relationship(cascade="all, delete-orphan", lazy="selectin",
                                                        order_by="LiveSessionText.language")


class LiveSessionText(db.Model):
    __tablename__ = "live_session_texts"
    __table_args__ = (UniqueConstraint("session_id", "language"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    session_id: Mapped[int] = mapped_column(ForeignKey("live_sessions.id", ondelete="CASCADE"))
    language: Mapped[str] = mapped_column(String(8))
    title: Mapped[str] = mapped_column(String(300))
    description: Mapped[str] = mapped_column(Text, default="")


def calendar_token() -> str:
    return secrets.token_urlsafe(24)


class SessionRegistration(db.Model):
    __tablename__ = "session_registrations"
    __table_args__ = (UniqueConstraint("session_id", "user_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    session_id: Mapped[int] = mapped_column(ForeignKey("live_sessions.id", ondelete="CASCADE"), index=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    # The registration's own calendar link (/live/calendar/<token>.ics): unguessable, never a sequential id.
    calendar_token: Mapped[str] = mapped_column(String(40), unique=True, default=calendar_token)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    # A run of `live remind` took this reminder at …; another run takes it only once this lease has passed.
    reminder_claimed_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    # … and the reminder went out at … (set only once the mail server took it).
    reminded_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    attended: Mapped[bool] = mapped_column(default=False)

    user: Mapped[User] = relationship(lazy="joined")
