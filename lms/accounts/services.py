"""Accounts: local users, their profile and password, organisations. Rules only; the caller commits."""

from __future__ import annotations

import hashlib
import hmac
import secrets
from dataclasses import dataclass
from datetime import timedelta

from flask import current_app
from itsdangerous import BadSignature, SignatureExpired, URLSafeTimedSerializer
from sqlalchemy import func, select, update
from sqlalchemy.exc import IntegrityError
from werkzeug.security import check_password_hash, generate_password_hash

from lms.accounts import passwords, permissions
from lms.accounts.models import (
    LoginSession,
    MembershipStatus,
    Organisation,
    OrganisationMembership,
    Role,
    User,
)
from lms.accounts.partners import PARTNER_ORGANISATIONS
from lms.core import audit, errors
from lms.core.sql import insert_or_ignore
from lms.core.types import utcnow
from lms.extensions import db

MIN_PASSWORD_LENGTH = passwords.MIN_LENGTH
# Checked against when an e-mail is unknown, so that both paths take as long.
_DUMMY_HASH = generate_password_hash("nordlearn-timing-equaliser")


class AccountError(Exception):
    """Base of the account rules' refusals."""


class EmailTaken(AccountError):
    pass


class WrongPassword(AccountError):
    pass


WeakPassword = passwords.WeakPassword


class UnknownOrganisation(AccountError):
    pass


class AccessDenied(AccountError, errors.Forbidden):
    pass


class UnknownMembership(AccountError, errors.NotFound):
    pass


@dataclass(frozen=True)
class Profile:
    display_name: str
    country: str | None
    preferred_language: str | None
    timezone: str | None = None


def normalise_email(email: str) -> str:
    return email.strip().lower()


def get_user(user_id: int) -> User | None:
    return db.session.get(User, user_id)


def find_by_email(email: str) -> User | None:
    return db.session.scalar(select(User).where(User.email == normalise_email(email)))


def check_password(password: str, *, email: str | None = None, name: str | None = None) -> None:
    """WeakPassword unless ``password`` is long enough and not a common or easily guessed one."""
    passwords.check(password, email=email, name=name)


def create_user(*, email: str, password: str, profile: Profile, role: Role = Role.LEARNER) -> User:
    email = normalise_email(email)
    check_password(password, email=email, name=profile.display_name)
    if find_by_email(email) is not None:
        raise EmailTaken(email)
    user = User(
        email=email,
        password_hash=generate_password_hash(password),
        display_name=profile.display_name.strip(),
        country=profile.country,
        preferred_language=profile.preferred_language,
        timezone=profile.timezone,
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


def change_password(*, user: User, current: str, new: str) -> str:
    """Set a new password; every login session of the user ends, and a new one starts for the
    browser that changed it: returns its token."""
    if user.password_hash is None or not check_password_hash(user.password_hash, current):
        raise WrongPassword()
    check_password(new, email=user.email, name=user.display_name)
    user.password_hash = generate_password_hash(new)
    end_all_sessions(user=user)
    return start_session(user=user)


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
    check_password(new, email=user.email, name=user.display_name)
    user.password_hash = generate_password_hash(new)
    end_all_sessions(user=user)
    return user


def update_profile(*, user: User, profile: Profile) -> User:
    user.display_name = profile.display_name.strip()
    user.country = profile.country
    user.preferred_language = profile.preferred_language
    user.timezone = profile.timezone
    db.session.flush()
    return user


# ---------------------------------------------------------------- login sessions

SESSION_DAYS = 30  # a login session ends after this many days, whatever happens


def _token_hash(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def start_session(*, user: User) -> str:
    """Start a login session for ``user``; returns the token the cookie keeps (only its hash is stored)."""
    token = secrets.token_urlsafe(32)
    db.session.add(LoginSession(user_id=user.id, token_hash=_token_hash(token), created_at=utcnow()))
    db.session.flush()
    user.login_token = token
    return token


def end_session(*, token: str | None) -> None:
    if token:
        db.session.execute(update(LoginSession).where(LoginSession.token_hash == _token_hash(token),
                                                      LoginSession.ended_at.is_(None)).values(ended_at=utcnow()))


def end_all_sessions(*, user: User) -> int:
    """End every login session of ``user`` (log out everywhere); returns how many were open."""
    return db.session.execute(update(LoginSession).where(LoginSession.user_id == user.id,
                                                         LoginSession.ended_at.is_(None))
                              .values(ended_at=utcnow())).rowcount


def load_session_user(token: str) -> User | None:
    """The user of an open login session, in one query; None once it has ended or expired."""
    if not token or len(token) > 100:
        return None
    user = db.session.scalar(
        select(User).join(LoginSession, LoginSession.user_id == User.id)
        .where(LoginSession.token_hash == _token_hash(token), LoginSession.ended_at.is_(None),
               LoginSession.created_at > utcnow() - timedelta(days=SESSION_DAYS)))
    if user is not None:
        user.login_token = token
    return user


def visible_user(*, viewer: User, user_id: int) -> User:
    subject = db.session.get(User, user_id)
    if subject is None or not permissions.can_view_user(viewer, subject):
        raise AccessDenied(user_id)
    return subject


# ---------------------------------------------------------------- organisations and memberships


def list_organisations() -> list[Organisation]:
    return list(db.session.scalars(select(Organisation).order_by(func.lower(Organisation.name))))


def get_organisation(organisation_id: int) -> Organisation:
    organisation = db.session.get(Organisation, organisation_id)
    if organisation is None:
        raise UnknownOrganisation(organisation_id)
    return organisation


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


@dataclass(frozen=True)
class MembershipRow:
    membership: OrganisationMembership
    organisation: Organisation
    user: User


def memberships_of(user: User) -> list[MembershipRow]:
    rows = db.session.execute(
        select(OrganisationMembership, Organisation).join(Organisation)
        .where(OrganisationMembership.user_id == user.id).order_by(func.lower(Organisation.name))).all()
    return [MembershipRow(m, o, user) for m, o in rows]


def request_membership(*, user: User, organisation_id: int) -> OrganisationMembership:
    """Ask to join an organisation; nothing changes until one of its managers or an admin confirms."""
    organisation = get_organisation(organisation_id)
    inserted = insert_or_ignore(OrganisationMembership, {
        "user_id": user.id, "organisation_id": organisation.id, "status": MembershipStatus.REQUESTED,
        "requested_at": utcnow()}, conflict=("user_id", "organisation_id"))
    if inserted:
        audit.record(course_id=None, user_id=user.id, action="membership-requested", subject=organisation.name)
    return _membership(user.id, organisation.id)


def confirm_member(*, user: User, organisation_id: int) -> None:
    """Make ``user`` a confirmed member, without a request: a user launched from an LTI platform
    belongs to the platform's organisation; an operator adds members from the command line."""
    insert_or_ignore(OrganisationMembership, {
        "user_id": user.id, "organisation_id": organisation_id, "status": MembershipStatus.CONFIRMED,
        "requested_at": utcnow(), "decided_at": utcnow()}, conflict=("user_id", "organisation_id"))
    db.session.execute(update(OrganisationMembership).where(
        OrganisationMembership.user_id == user.id, OrganisationMembership.organisation_id == organisation_id,
        OrganisationMembership.status == MembershipStatus.REQUESTED).values(
        status=MembershipStatus.CONFIRMED, decided_at=utcnow()))


def _membership(user_id: int, organisation_id: int) -> OrganisationMembership:
    return db.session.scalars(select(OrganisationMembership).where(
        OrganisationMembership.user_id == user_id, OrganisationMembership.organisation_id == organisation_id)
        .execution_options(populate_existing=True)).one()


def leave(*, user: User, organisation_id: int) -> None:
    """Withdraw a request, or leave an organisation."""
    membership = db.session.scalar(select(OrganisationMembership).where(
        OrganisationMembership.user_id == user.id, OrganisationMembership.organisation_id == organisation_id))
    if membership is None:
        raise UnknownMembership(organisation_id)
    organisation = get_organisation(organisation_id)
    db.session.delete(membership)
    audit.record(course_id=None, user_id=user.id, action="membership-left", subject=organisation.name)
    db.session.flush()


def organisation_members(*, viewer: User, organisation_id: int
                         ) -> tuple[Organisation, list[MembershipRow], list[MembershipRow]]:
    """An organisation with its confirmed members and its open requests, for its managers and admins."""
    if not permissions.can_manage(viewer, organisation_id):
        raise AccessDenied(organisation_id)
    organisation = get_organisation(organisation_id)
    rows = db.session.execute(
        select(OrganisationMembership, User).join(User, User.id == OrganisationMembership.user_id)
        .where(OrganisationMembership.organisation_id == organisation_id)
        .order_by(func.lower(User.display_name), User.id)).all()
    members = [MembershipRow(m, organisation, u) for m, u in rows]
    return (organisation, [r for r in members if r.membership.status is MembershipStatus.CONFIRMED],
            [r for r in members if r.membership.status is MembershipStatus.REQUESTED])


def decide_membership(*, manager: User, organisation_id: int, user_id: int, confirm: bool) -> OrganisationMembership:
    """A manager of the organisation (or an admin) confirms or declines a request."""
    if not permissions.can_manage(manager, organisation_id):
        raise AccessDenied(organisation_id)
    membership = db.session.scalar(select(OrganisationMembership).where(
        OrganisationMembership.user_id == user_id, OrganisationMembership.organisation_id == organisation_id,
        OrganisationMembership.status == MembershipStatus.REQUESTED))
    if membership is None:
        raise UnknownMembership(user_id)
    organisation = get_organisation(organisation_id)
    subject = db.session.get(User, user_id)
    if confirm:
        membership.status, membership.decided_at, membership.decided_by_id = \
            MembershipStatus.CONFIRMED, utcnow(), manager.id
    else:
        db.session.delete(membership)
    audit.record(course_id=None, user_id=manager.id, action="membership-confirmed" if confirm else "membership-declined",
                 subject=organisation.name, member=subject.display_name if subject else "")
    db.session.flush()
    return membership
