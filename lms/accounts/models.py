from __future__ import annotations

import enum
from datetime import datetime

from flask_login import UserMixin
from sqlalchemy import ForeignKey, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from lms.core.types import UTCDateTime, str_enum, utcnow
from lms.extensions import db


class Role(enum.StrEnum):
    LEARNER = "learner"
    AUTHOR = "author"
    MANAGER = "manager"
    ADMIN = "admin"


class Organisation(db.Model):
    __tablename__ = "organisations"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(200), unique=True)
    country: Mapped[str] = mapped_column(String(2))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)

    def __repr__(self) -> str:
        return f"<Organisation {self.name!r}>"


class User(UserMixin, db.Model):
    __tablename__ = "users"

    id: Mapped[int] = mapped_column(primary_key=True)
    # Local accounts have an e-mail and a password hash; LTI users may have neither.
    email: Mapped[str | None] = mapped_column(String(254), unique=True)
    password_hash: Mapped[str | None] = mapped_column(String(256))
    display_name: Mapped[str] = mapped_column(String(120))
    country: Mapped[str | None] = mapped_column(String(2))
    preferred_language: Mapped[str | None] = mapped_column(String(8))
    # IANA time zone the user reads times in (None: the one of their country, see lms.live).
    timezone: Mapped[str | None] = mapped_column(String(64))
    role: Mapped[Role] = mapped_column(
        str_enum(Role),
        default=Role.LEARNER,
    )
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    # Set when the person's account was deleted: what identified them is erased; the row stays, anonymous,
    # so that figures of courses and organisations stay right.
    deleted_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    # When the retention run warned that the account will be deleted for inactivity.
    retention_warned_at: Mapped[datetime | None] = mapped_column(UTCDateTime())

    # The login session this request came with (set when it is loaded; not a column).
    login_token = None

    def get_id(self) -> str:
        """What the session cookie names: the login session's token, never the user's id."""
        if not self.login_token:
            raise RuntimeError("start a login session first (lms.accounts.services.start_session)")
        return self.login_token

    def __repr__(self) -> str:
        return f"<User {self.id} {self.email!r}>"


class LoginSession(db.Model):
    """One logged-in browser. The cookie holds a random token; the table keeps its SHA-256, so
    logging out (or a password change) ends the session here, whatever copies of the cookie exist."""

    __tablename__ = "login_sessions"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    ended_at: Mapped[datetime | None] = mapped_column(UTCDateTime())


class MembershipStatus(enum.StrEnum):
    REQUESTED = "requested"  # asked by the user; counts for nothing until confirmed
    CONFIRMED = "confirmed"  # by a manager of the organisation, an admin, or the user's LTI platform


class OrganisationMembership(db.Model):
    """A user's membership of an organisation. Nobody joins by choosing: a request waits for one of
    the organisation's managers (or an admin); an LTI platform's users belong to its organisation."""

    __tablename__ = "organisation_memberships"
    __table_args__ = (UniqueConstraint("user_id", "organisation_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    organisation_id: Mapped[int] = mapped_column(ForeignKey("organisations.id", ondelete="CASCADE"), index=True)
    status: Mapped[MembershipStatus] = mapped_column(str_enum(MembershipStatus))
    requested_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    decided_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    decided_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
