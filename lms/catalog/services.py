"""Reading courses as learners see them: published courses, modules and texts.

Every function loads what a page shows in a fixed number of queries,
whatever the number of modules, languages or learners.
"""

from __future__ import annotations

import json

from collections.abc import Sequence
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import selectinload

from lms.catalog.models import Course, Module, ModuleRevision
from lms.content import revisions
from lms.core import errors
from lms.extensions import db
from lms.i18n.languages import CONTENT_LANGUAGES, pick


class CatalogError(Exception):
    pass


class CourseNotFound(CatalogError, errors.NotFound):
    pass


class ModuleNotFound(CatalogError, errors.NotFound):
    pass


@dataclass(frozen=True)
class Localised:
    """A text and the language it is actually in (may be a fallback)."""

    text: str
    language: str


@dataclass(frozen=True)
class ModuleEntry:
    module: Module
    position: int  # 1-based among the modules a learner sees
    title: Localised


@dataclass(frozen=True)
class CourseCard:
    course: Course
    title: Localised
    summary: Localised
    module_count: int
    # The languages every module of the course is written in.
    languages: tuple[str, ...] = ()


@dataclass(frozen=True)
class ModulePage:
    course: Course
    course_title: Localised
    entry: ModuleEntry
    revision: ModuleRevision
    requested_language: str
    previous: ModuleEntry | None
    next: ModuleEntry | None
    total: int

    @property
    def is_fallback(self) -> bool:
        return self.revision.language != self.requested_language


def course_text(course: Course, language: str) -> tuple[Localised, Localised]:
    """The course's title and summary in ``language`` or its nearest fallback."""
    texts = {text.language: text for text in course.texts}
    chosen = pick(texts, language, course.default_language)
    if chosen is None:
        return Localised(course.slug, course.default_language), Localised("", course.default_language)
    text = texts[chosen]
    return Localised(text.title, chosen), Localised(text.summary, chosen)


@dataclass(frozen=True)
class About:
    """Who a course is for, what it assumes, what learners will be able to do and who reviews it, in one
    language (the reader's, or the nearest fallback that has them)."""

    language: str
    audience: str
    prerequisites: str
    outcomes: list[str]
    reviewer: str


def course_about(course: Course, language: str) -> About | None:
    texts = {t.language: t for t in course.texts if t.audience or t.prerequisites or t.reviewer or
             t.outcomes not in ("", "[]")}
    chosen = pick(texts, language, course.default_language)
    if chosen is None:
        return None
    text = texts[chosen]
    return About(chosen, text.audience, text.prerequisites, json.loads(text.outcomes or "[]"), text.reviewer)


def published_courses(*, reader_language: str, language: str | None = None) -> list[CourseCard]:
    """Published courses with their texts (in ``reader_language`` or its nearest fallback), module
    counts and the languages they are complete in; only those complete in ``language`` if given.
    Four queries."""
    courses = db.session.scalars(
        select(Course).where(Course.published.is_(True)).options(selectinload(Course.texts)).order_by(Course.slug)
    ).all()
    modules = db.session.scalars(
        select(Module).where(
            Module.course_id.in_([c.id for c in courses]), Module.published.is_(True), Module.archived_at.is_(None)
        )
    ).all()
    have: dict[int, set[str]] = {}
    for module_id, revision_language in revisions.latest(m.id for m in modules):
        have.setdefault(module_id, set()).add(revision_language)
    cards = []
    for course in courses:
        own = [m for m in modules if m.course_id == course.id]
        complete = set.intersection(*(have.get(m.id, set()) for m in own)) if own else set()
        languages = tuple(code for code in CONTENT_LANGUAGES if code in complete)
        if language is None or language in languages:
            cards.append(_card(course, len(own), reader_language, languages))
    return cards


def _card(course: Course, module_count: int, reader_language: str, languages: tuple[str, ...] = ()) -> CourseCard:
    title, summary = course_text(course, reader_language)
    return CourseCard(course=course, title=title, summary=summary, module_count=module_count, languages=languages)


def get_published_course(slug: str) -> Course:
    course = db.session.scalar(
        select(Course).where(Course.slug == slug, Course.published.is_(True)).options(selectinload(Course.texts))
    )
    if course is None:
        raise CourseNotFound(slug)
    return course


def course_outlines(courses: Sequence[Course], language: str) -> dict[int, list[ModuleEntry]]:
    """Per course, the modules a learner sees, in order, each titled in the nearest
    language: two queries for any number of courses."""
    modules = db.session.scalars(
        select(Module)
        .where(
            Module.course_id.in_([c.id for c in courses]),
            Module.published.is_(True),
            Module.archived_at.is_(None),
        )
        .order_by(Module.course_id, Module.position, Module.id)
    ).all()
    by_module: dict[int, dict[str, ModuleRevision]] = {}
    for (module_id, revision_language), revision in revisions.latest(m.id for m in modules).items():
        by_module.setdefault(module_id, {})[revision_language] = revision
    defaults = {c.id: c.default_language for c in courses}
    outlines: dict[int, list[ModuleEntry]] = {c.id: [] for c in courses}
    for module in modules:
        texts = by_module.get(module.id, {})
        chosen = pick(texts, language, defaults[module.course_id])
        if chosen is None:
            continue  # nothing published in any language yet
        entries = outlines[module.course_id]
        entries.append(ModuleEntry(module, len(entries) + 1, Localised(texts[chosen].title, chosen)))
    return outlines


def course_outline(course: Course, language: str) -> list[ModuleEntry]:
    return course_outlines([course], language)[course.id]


def module_page(course: Course, module_slug: str, language: str) -> ModulePage:
    outline = course_outline(course, language)
    index = next((i for i, e in enumerate(outline) if e.module.slug == module_slug), None)
    if index is None:
        raise ModuleNotFound(module_slug)
    entry = outline[index]
    revision = revisions.newest(entry.module, entry.title.language, published=True)
    assert revision is not None  # the outline found it published a moment ago
    title, _summary = course_text(course, language)
    return ModulePage(
        course=course,
        course_title=title,
        entry=entry,
        revision=revision,
        requested_language=language,
        previous=outline[index - 1] if index > 0 else None,
        next=outline[index + 1] if index + 1 < len(outline) else None,
        total=len(outline),
    )


def get_course(slug: str) -> Course:
    """Any course, published or not (for the people who look after it)."""
    course = db.session.scalar(select(Course).where(Course.slug == slug).options(selectinload(Course.texts)))
    if course is None:
        raise CourseNotFound(slug)
    return course
