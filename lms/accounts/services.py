"""Accounts: local users, their profile and password, organisations. Rules only; the caller commits."""

from __future__ import annotations

import hashlib
import hmac
from dataclasses import dataclass

from flask import current_app
from itsdangerous import BadSignature, SignatureExpired, URLSafeTimedSerializer
from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError
from werkzeug.security import check_password_hash, generate_password_hash

from lms.accounts.models import Organisation, Role, User
from lms.accounts.partners import PARTNER_ORGANISATIONS
from lms.extensions import db

MIN_PASSWORD_LENGTH = 10
# Checked against when an e-mail is unknown, so that both paths take as long.
_DUMMY_HASH = generate_password_hash("nordlearn-timing-equaliser")


class AccountError(Exception):
    """Base of the account rules' refusals."""


class EmailTaken(AccountError):
    pass


class WrongPassword(AccountError):
    pass


class WeakPassword(AccountError):
    pass


class UnknownOrganisation(AccountError):
    pass


class AccessDenied(AccountError):
    pass


@dataclass(frozen=True)
class Profile:
    display_name: str
    country: str | None
    organisation_id: int | None
    preferred_language: str | None
    timezone: str | None = None


def normalise_email(email: str) -> str:
    return email.strip().lower()


def get_user(user_id: int) -> User | None:
    return db.session.get(User, user_id)


def find_by_email(email: str) -> User | None:
    return db.session.scalar(select(User).where(User.email == normalise_email(email)))


def _check_password_strength(password: str) -> None:
    if len(password) < MIN_PASSWORD_LENGTH:
        raise WeakPassword(MIN_PASSWORD_LENGTH)


def _check_organisation(organisation_id: int | None) -> None:
    if organisation_id is not None and db.session.get(Organisation, organisation_id) is None:
        raise UnknownOrganisation(organisation_id)


def create_user(*, email: str, password: str, profile: Profile, role: Role = Role.LEARNER) -> User:
    email = normalise_email(email)
    _check_password_strength(password)
    _check_organisation(profile.organisation_id)
    if find_by_email(email) is not None:
        raise EmailTaken(email)
    user = User(
        email=email,
        password_hash=generate_password_hash(password),
        display_name=profile.display_name.strip(),
        country=profile.country,
        organisation_id=profile.organisation_id,
        preferred_language=profile.preferred_language,
        role=role,
    )
    try:
        with db.session.begin_nested():  # two sign-ups with one e-mail at the same moment
            db.session.add(user)
    except IntegrityError:
        raise EmailTaken(email) from None
    return user


def authenticate(*, email: str, password: str) -> User | None:
    """The user with this e-mail and password, or None (same work either way)."""
    user = find_by_email(email)
    if user is None or user.password_hash is None:
        check_password_hash(_DUMMY_HASH, password)
        return None
    return user if check_password_hash(user.password_hash, password) else None


def change_password(*, user: User, current: str, new: str) -> None:
    if user.password_hash is None or not check_password_hash(user.password_hash, current):
        raise WrongPassword()
    _check_password_strength(new)
    user.password_hash = generate_password_hash(new)
    user.session_version += 1
    db.session.flush()


# ---------------------------------------------------------------- password reset by e-mail

RESET_MAX_AGE = 3600  # seconds a reset link works


class ResetLinkError(AccountError):
    pass


class ResetLinkExpired(ResetLinkError):
    pass


class ResetLinkUsed(ResetLinkError):
    """Used already, or the password changed since the link was sent."""


def _reset_serializer() -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(current_app.secret_key, salt="nordlearn-password-reset")


def _password_fingerprint(user: User) -> str:
    return hashlib.sha256((user.password_hash or "").encode("utf-8")).hexdigest()[:20]


def password_reset_token(user: User) -> str:
    """A signed link token for ``user``; it stops working after an hour or once the password changes."""
    return _reset_serializer().dumps({"u": user.id, "p": _password_fingerprint(user)})


def user_for_reset(token: str) -> User:
    try:
        data = _reset_serializer().loads(token, max_age=RESET_MAX_AGE)
    except SignatureExpired:
        raise ResetLinkExpired() from None
    except BadSignature:
        raise ResetLinkError() from None
    user = db.session.get(User, data.get("u")) if isinstance(data, dict) else None
    if user is None or user.password_hash is None:
        raise ResetLinkError()
    if not hmac.compare_digest(str(data.get("p", "")), _password_fingerprint(user)):
        raise ResetLinkUsed()
    return user


def reset_password(*, token: str, new: str) -> User:
    """Set a new password through a reset link: once (the link dies with the old password),
    and every session of the user ends."""
    user = user_for_reset(token)
    _check_password_strength(new)
    user.password_hash = generate_password_hash(new)
    user.session_version += 1
    db.session.flush()
    return user


def update_profile(*, user: User, profile: Profile) -> User:
    _check_organisation(profile.organisation_id)
    user.display_name = profile.display_name.strip()
    user.country = profile.country
    user.organisation_id = profile.organisation_id
    user.preferred_language = profile.preferred_language
    user.timezone = profile.timezone
    db.session.flush()
    return user


def load_session_user(token: str) -> User | None:
    """The user behind a login-session token ``"<id>:<session_version>"``."""
    user_id, _, version = token.partition(":")
    if not user_id.isdigit() or not version.isdigit():
        return None
    user = db.session.get(User, int(user_id))
    if user is None or user.session_version != int(version):
        return None
    return user


def can_view_user(*, viewer: User, subject: User) -> bool:
    """Whether ``viewer`` may see ``subject``'s progress: themselves, an admin, or
    a manager of the same organisation."""
    if viewer.id == subject.id or viewer.role is Role.ADMIN:
        return True
    return (
        viewer.role is Role.MANAGER
        and viewer.organisation_id is not None
        and viewer.organisation_id == subject.organisation_id
    )


def visible_user(*, viewer: User, user_id: int) -> User:
    subject = db.session.get(User, user_id)
    if subject is None or not can_view_user(viewer=viewer, subject=subject):
        raise AccessDenied(user_id)
    return subject


def list_organisations() -> list[Organisation]:
    return list(db.session.scalars(select(Organisation).order_by(func.lower(Organisation.name))))


def add_organisation(*, name: str, country: str) -> Organisation:
    organisation = Organisation(name=name.strip(), country=country.strip().upper())
    db.session.add(organisation)
    db.session.flush()
    return organisation


def seed_partner_organisations() -> int:
    """Add the partner associations that are missing; returns how many were added."""
    existing = set(db.session.scalars(select(Organisation.name)))
    added = 0
    for name, country in PARTNER_ORGANISATIONS:
        if name not in existing:
            db.session.add(Organisation(name=name, country=country))
            added += 1
    db.session.flush()
    return added
