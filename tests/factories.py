"""Small factories that build valid objects through the services, as the app does."""

from __future__ import annotations

import itertools
from decimal import Decimal

from lms.accounts import services as accounts
from lms.accounts.models import Role, User
from lms.catalog.models import Course, CourseText, Module, RevisionStatus
from lms.content import revisions
from lms.extensions import db

PASSWORD = "correct horse battery"
_numbers = itertools.count(1)


def make_user(*, email: str | None = None, role: Role = Role.LEARNER, language: str | None = "en",
              organisation_id: int | None = None, name: str | None = None) -> User:
    n = next(_numbers)
    user = accounts.create_user(
        email=email or f"learner{n}@example.org",
        password=PASSWORD,
        profile=accounts.Profile(display_name=name or f"Learner {n}", country="FI", preferred_language=language),
        role=role,
    )
    if organisation_id is not None:  # a confirmed member, as a manager's confirmation makes them
        accounts.confirm_member(user=user, organisation_id=organisation_id)
    db.session.commit()
    return user


def make_member(*, organisation_id: int | None = None) -> User:
    """A user without a password (as an LTI launch makes them): quick to create in bulk."""
    n = next(_numbers)
    user = User(display_name=f"Member {n}", preferred_language="en")
    db.session.add(user)
    db.session.flush()
    if organisation_id is not None:
        accounts.confirm_member(user=user, organisation_id=organisation_id)
    return user


def module_text(title: str, body: str = "Some text.") -> str:
    return f"# {title}\n\n{body}\n"


def make_course(*, slug: str | None = None, modules: int = 3, languages: tuple[str, ...] = ("en",),
                default_language: str = "en", published: bool = True) -> Course:
    n = next(_numbers)
    course = Course(slug=slug or f"course-{n}", default_language=default_language, version="1.0",
                    estimated_hours=Decimal("2"), published=published)
    course.texts = [CourseText(language=lang, title=f"Course {n} ({lang})", summary=f"Summary {lang}")
                    for lang in languages]
    db.session.add(course)
    db.session.flush()
    for position in range(1, modules + 1):
        module = Module(course=course, slug=f"module-{position}", position=position)
        db.session.add(module)
        db.session.flush()
        for lang in languages:
            text = module_text(f"Module {position} ({lang})", f"Text of module {position} in {lang}.")
            revisions.add(module=module, language=lang, text=text, status=RevisionStatus.PUBLISHED, author_id=None,
                          base=None)
    db.session.commit()
    return course
