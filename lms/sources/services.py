"""Which module texts are due for review because a source they cite changed, and when each was reviewed."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import func, select

from lms.accounts import permissions
from lms.accounts.models import User
from lms.catalog.models import Course, Module
from lms.content import revisions
from lms.core import audit, errors
from lms.extensions import db
from lms.sources.models import CourseSource, ModuleReview, ModuleSource

MAX_NOTE = 300


class NotAllowed(errors.Forbidden):
    pass


class SourceNotFound(errors.NotFound):
    pass


def _require(user: User, course: Course) -> None:
    if not permissions.can_author(user, course):
        raise NotAllowed(course.slug)


def sources_of(course: Course) -> list[CourseSource]:
    return list(db.session.scalars(select(CourseSource).where(CourseSource.course_id == course.id)
                                   .order_by(CourseSource.id)))


def cited_by(course: Course) -> dict[int, list[str]]:
    """Source id → the slugs of the modules citing it."""
    cited: dict[int, list[str]] = {}
    for source_id, slug in db.session.execute(
            select(ModuleSource.source_id, Module.slug).join(Module, Module.id == ModuleSource.module_id)
            .where(Module.course_id == course.id).order_by(Module.position)):
        cited.setdefault(source_id, []).append(slug)
    return cited


def _reviews(module_ids: list[int]) -> dict[tuple[int, str], datetime]:
    if not module_ids:
        return {}
    rows = db.session.execute(select(ModuleReview.module_id, ModuleReview.language, func.max(ModuleReview.reviewed_at))
                              .where(ModuleReview.module_id.in_(module_ids))
                              .group_by(ModuleReview.module_id, ModuleReview.language))
    return {(module_id, language): at for module_id, language, at in rows}


def reviewed_at(module_ids: list[int]) -> dict[tuple[int, str], datetime]:
    """Per module and language: when its text learners see was last published or confirmed by an author."""
    latest = revisions.latest(module_ids)
    reviews = _reviews(module_ids)
    result = {key: revision.created_at for key, revision in latest.items()}
    for key, at in reviews.items():
        if key in result and at > result[key]:
            result[key] = at
    return result


def review_due(course: Course) -> dict[tuple[int, str], list[CourseSource]]:
    """Per module and language, the changed sources its text was not reviewed against since: four queries."""
    changed = {s.id: s for s in db.session.scalars(select(CourseSource).where(
        CourseSource.course_id == course.id, CourseSource.changed_at.is_not(None)))}
    if not changed:
        return {}
    links = db.session.execute(select(ModuleSource.module_id, ModuleSource.source_id).where(
        ModuleSource.source_id.in_(list(changed)))).all()
    module_ids = sorted({module_id for module_id, _source in links})
    reviewed = reviewed_at(module_ids)
    due: dict[tuple[int, str], list[CourseSource]] = {}
    for module_id, source_id in links:
        source = changed[source_id]
        for (text_module, language), at in reviewed.items():
            if text_module == module_id and at < source.changed_at:
                due.setdefault((module_id, language), []).append(source)
    return due


def mark_changed(*, user: User, course: Course, key: str, note: str, at: datetime) -> CourseSource:
    """A source changed (e.g. "MDCG 2019-11 revised"): every module citing it is due for review."""
    _require(user, course)
    source = db.session.scalar(select(CourseSource).where(CourseSource.course_id == course.id,
                                                          CourseSource.key == key))
    if source is None:
        raise SourceNotFound(key)
    note = " ".join((note or "").split())[:MAX_NOTE] or None
    source.changed_at, source.change_note = at, note
    audit.record(course_id=course.id, user_id=user.id, action="source-changed", subject=key, note=note or "")
    db.session.flush()
    return source


def confirm_reviewed(*, user: User, course: Course, module: Module, language: str, at: datetime) -> None:
    """An author read a module's text in ``language`` against its sources and it needs no change."""
    _require(user, course)
    db.session.add(ModuleReview(module_id=module.id, language=language, reviewed_at=at, user_id=user.id))
    audit.record(course_id=course.id, user_id=user.id, action="module-reviewed", subject=module.slug,
                 language=language)
    db.session.flush()


@dataclass(frozen=True)
class Reviewed:
    on: datetime
    law_as_at: object  # a date, or None when the course states none


def reviewed_line(*, course: Course, module: Module, language: str) -> Reviewed | None:
    at = reviewed_at([module.id]).get((module.id, language))
    return Reviewed(at, course.law_as_at) if at else None
