"""Who may do what: the one place that answers it, for services, views and templates alike.

- an admin may do everything;
- an author may change the courses an admin made them an author of;
- a manager sees the confirmed members of the organisations they are a confirmed member of;
- everybody sees their own data.
"""

from __future__ import annotations

from sqlalchemy import select

from lms.accounts.models import MembershipStatus, OrganisationMembership, Role, User
from lms.extensions import db


def is_admin(user) -> bool:
    return bool(getattr(user, "is_authenticated", False)) and user.role is Role.ADMIN


def is_author(user) -> bool:
    """May write courses at all (their own, once assigned, or any as an admin)."""
    return bool(getattr(user, "is_authenticated", False)) and user.role in (Role.AUTHOR, Role.ADMIN)


def can_author(user, course) -> bool:
    """Admins, and the authors an admin assigned to ``course``."""
    from lms.authoring.models import CourseAuthor

    if not is_author(user):
        return False
    if user.role is Role.ADMIN:
        return True
    return db.session.scalar(select(CourseAuthor.id).where(
        CourseAuthor.course_id == course.id, CourseAuthor.user_id == user.id)) is not None


def managed_organisation_ids(user) -> set[int]:
    """The organisations whose members ``user`` manages (admins: see ``is_admin``)."""
    if not getattr(user, "is_authenticated", False) or user.role is not Role.MANAGER:
        return set()
    return set(db.session.scalars(select(OrganisationMembership.organisation_id).where(
        OrganisationMembership.user_id == user.id, OrganisationMembership.status == MembershipStatus.CONFIRMED)))


def can_manage(user, organisation_id: int) -> bool:
    return is_admin(user) or organisation_id in managed_organisation_ids(user)


def can_view_user(viewer, subject: User) -> bool:
    """Whether ``viewer`` may see ``subject``'s progress: themselves, an admin, or a manager of an
    organisation ``subject`` is a confirmed member of."""
    if not getattr(viewer, "is_authenticated", False):
        return False
    if viewer.id == subject.id or is_admin(viewer):
        return True
    managed = managed_organisation_ids(viewer)
    return bool(managed) and db.session.scalar(select(OrganisationMembership.id).where(
        OrganisationMembership.user_id == subject.id, OrganisationMembership.organisation_id.in_(managed),
        OrganisationMembership.status == MembershipStatus.CONFIRMED).limit(1)) is not None
