"""Translation state: per module and language, whether a text is the source, current, outdated
(its source changed after it was made) or missing. For the course's own authors."""

from __future__ import annotations

import enum
from dataclasses import dataclass

from sqlalchemy import select

from lms.accounts import permissions
from lms.accounts.models import User
from lms.authoring.services import NotAllowed
from lms.catalog.models import Course, Module, ModuleRevision
from lms.content import revisions
from lms.extensions import db
from lms.i18n.languages import CONTENT_LANGUAGES, UI_LANGUAGES

class TranslationState(enum.StrEnum):
    SOURCE = "source"  # the course's default language, which translations are made from
    CURRENT = "current"
    OUTDATED = "outdated"  # the source changed after the translation was made
    MISSING = "missing"


@dataclass(frozen=True)
class TranslationRow:
    module: Module
    title: str
    states: dict[str, TranslationState]


@dataclass(frozen=True)
class TranslationTable:
    course: Course
    languages: list[str]
    rows: list[TranslationRow]

    def count(self, language: str, state: TranslationState) -> int:
        return sum(1 for row in self.rows if row.states[language] is state)


def translation_table(*, viewer: User, course: Course) -> TranslationTable:
    """Per module and language: missing, current or outdated, for the course's own authors. Three queries."""
    if not permissions.can_author(viewer, course):
        raise NotAllowed(course.slug)
    modules = db.session.scalars(
        select(Module).where(Module.course_id == course.id, Module.archived_at.is_(None)).order_by(Module.position)
    ).all()
    latest = revisions.latest(m.id for m in modules)
    present = {language for (_module_id, language) in latest}
    languages = [code for code in CONTENT_LANGUAGES if code in UI_LANGUAGES or code in present]
    rows = []
    for module in modules:
        texts = {language: r for (module_id, language), r in latest.items() if module_id == module.id}
        source = texts.get(course.default_language)
        states = {language: _state(texts.get(language), language, texts, course.default_language)
                  for language in languages}
        rows.append(TranslationRow(module, source.title if source else module.slug, states))
    return TranslationTable(course, languages, rows)


def _state(revision: ModuleRevision | None, language: str, texts: dict[str, ModuleRevision],
           default_language: str) -> TranslationState:
    if revision is None:
        return TranslationState.MISSING
    if language == default_language:
        return TranslationState.SOURCE
    source = texts.get(revision.source_language or default_language)
    if source is None:
        return TranslationState.OUTDATED  # its source text was withdrawn
    if revision.source_hash:
        made_from_current = source.content_hash.startswith(revision.source_hash)
    else:  # no recorded source: current if written after the source's newest text
        made_from_current = revision.created_at >= source.created_at
    return TranslationState.CURRENT if made_from_current else TranslationState.OUTDATED
