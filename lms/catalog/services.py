"""Reading courses as learners see them: published courses, modules and texts.

Every function loads what a page shows in a fixed number of queries,
whatever the number of modules, languages or learners.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from sqlalchemy import func, select
from sqlalchemy.orm import load_only, selectinload

from lms.catalog.models import Course, Module, ModuleRevision, RevisionStatus
from lms.extensions import db
from lms.i18n import current_language
from lms.i18n.languages import pick


class CatalogError(Exception):
    pass


class CourseNotFound(CatalogError):
    pass


class ModuleNotFound(CatalogError):
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


def latest_revisions(
    module_ids: Iterable[int], *, with_body: bool = False
) -> dict[tuple[int, str], ModuleRevision]:
    """The newest published revision per module and language, in one query.

    A language whose newest non-draft revision is a withdrawal is left out.
    """
    ids = list(module_ids)
    if not ids:
        return {}
    newest = (
        select(func.max(ModuleRevision.id))
        .where(
            ModuleRevision.module_id.in_(ids),
            ModuleRevision.status.in_([RevisionStatus.PUBLISHED, RevisionStatus.WITHDRAWN]),
        )
        .group_by(ModuleRevision.module_id, ModuleRevision.language)
    )
    query = select(ModuleRevision).where(
        ModuleRevision.id.in_(newest), ModuleRevision.status == RevisionStatus.PUBLISHED
    )
    if not with_body:
        query = query.options(
            load_only(
                ModuleRevision.module_id,
                ModuleRevision.language,
                ModuleRevision.title,
                ModuleRevision.content_hash,
                ModuleRevision.status,
                raiseload=True,
            )
        )
    return {(r.module_id, r.language): r for r in db.session.scalars(query)}


def published_courses() -> list[CourseCard]:
    """Published courses with their texts and module counts: three queries."""
    courses = db.session.scalars(
        select(Course).where(Course.published.is_(True)).options(selectinload(Course.texts)).order_by(Course.slug)
    ).all()
    counts = dict(
        db.session.execute(
            select(Module.course_id, func.count(Module.id))
            .where(Module.published.is_(True), Module.archived_at.is_(None))
            .group_by(Module.course_id)
        ).all()
    )
    return [_card(course, counts.get(course.id, 0)) for course in courses]


def _card(course: Course, module_count: int) -> CourseCard:
    title, summary = course_text(course, current_language())
    return CourseCard(course=course, title=title, summary=summary, module_count=module_count)


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
    revisions = latest_revisions(m.id for m in modules)
    by_module: dict[int, dict[str, ModuleRevision]] = {}
    for (module_id, revision_language), revision in revisions.items():
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
    revision = db.session.scalar(
        select(ModuleRevision).where(
            ModuleRevision.module_id == entry.module.id,
            ModuleRevision.language == entry.title.language,
            ModuleRevision.status == RevisionStatus.PUBLISHED,
        ).order_by(ModuleRevision.id.desc()).limit(1)
    )
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

