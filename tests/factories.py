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


QUIZ = """# Vigilance basics

Serious incidents are reported under MDR Article 87.

::: question single
Who reports a serious incident to the competent authority?
- [ ] The notified body
  > No: the notified body does not report incidents (MDR Article 87(1)).
- [x] The manufacturer
  > Yes: MDR Article 87(1).
- [ ] The distributor
  > No: distributors inform the manufacturer (MDR Article 14(5)).
:::

::: question multiple
Which of these are economic operators under the MDR?
- [x] Importer
  > Yes: MDR Article 2(33).
- [x] Distributor
  > Yes: MDR Article 2(34).
- [ ] Notified body
  > No: a conformity assessment body (MDR Article 2(42)).
- [x] Authorised representative
  > Yes: MDR Article 2(32).
:::

::: question true-false
Every class I device needs a notified body.
- [ ] True
  > No: only sterile, measuring and reusable surgical class I devices do (MDR Article 52(7)).
- [x] False
  > Right: MDR Article 52(7).
:::

::: question numeric
At most how many days after becoming aware must a manufacturer report a serious incident in the general case?
= 15
  > MDR Article 87(3): not later than 15 days.
:::
"""


def quiz_pool(count: int) -> str:
    """A final test's text: ``count`` numeric questions, question n answered by n."""
    blocks = [f"::: question numeric\nWhat is {n} + 0?\n= {n}\n  > Arithmetic.\n:::\n" for n in range(1, count + 1)]
    return "# Final test\n\nThe test draws questions at random.\n\n" + "\n".join(blocks)


def make_quiz_course(*, pool: int = 6, draw: int = 3, slug: str | None = None) -> Course:
    """A published course whose first module has the four kinds of question (QUIZ) and whose last module
    is a final test drawing ``draw`` of a pool of ``pool`` numeric questions."""
    course = make_course(modules=2, slug=slug)
    first, last = sorted(course.modules, key=lambda m: m.position)
    for module, text in ((first, QUIZ), (last, quiz_pool(pool))):
        revisions.add(module=module, language="en", text=text, status=RevisionStatus.PUBLISHED, author_id=None,
                      base=revisions.newest(module, "en"))
    last.draw = draw
    db.session.commit()
    return course
