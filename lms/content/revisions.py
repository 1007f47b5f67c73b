"""Module texts: the one place that reads "the latest revision" and the one that adds revisions.

Revisions are only ever added. Each (module, language) numbers its revisions
1, 2, 3, … and the database holds that number unique, so a revision made from
revision *n* can only ever be number *n + 1*: of two authors who save from
the same base at the same moment, exactly one succeeds and the other gets
``StaleRevision``. No read-then-insert decides it.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import load_only

from lms.catalog.models import Module, ModuleRevision, RevisionStatus
from lms.content.markdown import split_title
from lms.content.package_reader import content_hash
from lms.core.types import utcnow
from lms.extensions import db

# Columns a page needs without the text itself.
_LIGHT = (
    ModuleRevision.module_id, ModuleRevision.language, ModuleRevision.number, ModuleRevision.title,
    ModuleRevision.content_hash, ModuleRevision.status, ModuleRevision.source_language,
    ModuleRevision.source_hash, ModuleRevision.source_revision_id, ModuleRevision.author_id,
    ModuleRevision.created_at,
)


class StaleRevision(Exception):
    """Another revision of this module and language was saved since the one this change started from.

    The transaction that raised it must be rolled back; nothing was saved.
    """


@dataclass(frozen=True)
class Source:
    """The text a translation was made from: its language and content hash (full, or the
    16-character prefix a package gave), and its revision when known here."""

    language: str
    hash: str
    revision_id: int | None = None


def latest(module_ids: Iterable[int], *, published: bool = True,
           with_body: bool = False) -> dict[tuple[int, str], ModuleRevision]:
    """Per module and language, in one query: with ``published``, the text learners see (the newest
    published revision, unless a withdrawal came after it); else the newest revision of any status."""
    ids = list(module_ids)
    if not ids:
        return {}
    newest = select(func.max(ModuleRevision.id)).where(ModuleRevision.module_id.in_(ids))
    if published:
        newest = newest.where(ModuleRevision.status.in_([RevisionStatus.PUBLISHED, RevisionStatus.WITHDRAWN]))
    query = select(ModuleRevision).where(
        ModuleRevision.id.in_(newest.group_by(ModuleRevision.module_id, ModuleRevision.language)))
    if published:
        query = query.where(ModuleRevision.status == RevisionStatus.PUBLISHED)
    if not with_body:
        query = query.options(load_only(*_LIGHT, raiseload=True))
    return {(r.module_id, r.language): r for r in db.session.scalars(query)}


def newest(module: Module, language: str, *, published: bool = False) -> ModuleRevision | None:
    """The newest revision of ``module`` in ``language`` (with ``published``: the one learners see)."""
    return latest([module.id], published=published, with_body=True).get((module.id, language))


def get(module: Module, language: str, revision_id: int) -> ModuleRevision | None:
    revision = db.session.get(ModuleRevision, revision_id)
    if revision is None or revision.module_id != module.id or revision.language != language:
        return None
    return revision


def add(*, module: Module, language: str, text: str, status: RevisionStatus, author_id: int | None,
        base: ModuleRevision | None, source: Source | None = None, title: str | None = None) -> ModuleRevision:
    """Add the revision that follows ``base`` (None: the first one) and return it.

    Returns ``base`` itself when it already holds this text, status and source. Raises
    StaleRevision when ``base`` is no longer the newest revision: the database refuses a
    second revision with the same number, whatever the timing.
    """
    if base is not None and (base.module_id, base.language) != (module.id, language):
        raise ValueError("the base revision belongs to another module or language")
    digest = content_hash(text)
    if base is not None and base.content_hash == digest and base.status is status and _source_of(base) == source:
        return base
    if title is None:
        title = split_title(text)[0] or module.slug
    revision = ModuleRevision(
        module_id=module.id, language=language, number=(base.number if base else 0) + 1, title=title[:300],
        body=text, content_hash=digest, status=status, author_id=author_id, created_at=utcnow(),
        source_language=source.language if source else None, source_hash=source.hash if source else None,
        source_revision_id=source.revision_id if source else None,
    )
    where = (module.id, language)
    db.session.add(revision)
    try:
        db.session.flush()
    except IntegrityError as error:
        raise StaleRevision(*where) from error
    return revision


def _source_of(revision: ModuleRevision) -> Source | None:
    if revision.source_language is None or revision.source_hash is None:
        return None
    return Source(revision.source_language, revision.source_hash, revision.source_revision_id)


def source_of(revision: ModuleRevision | None) -> Source | None:
    """What ``revision`` (a translation) was made from, to carry over to a revision made from it."""
    return None if revision is None else _source_of(revision)


def source_for(module: Module, *, language: str, default_language: str) -> Source | None:
    """The source a new translation in ``language`` is made from: the published text of the
    default language (None for the default language itself, or while it has none)."""
    if language == default_language:
        return None
    published = newest(module, default_language, published=True)
    return None if published is None else Source(published.language, published.content_hash, published.id)


def revision_with_hash(module: Module, language: str, prefix: str) -> ModuleRevision | None:
    """The newest revision of ``module`` in ``language`` whose content hash starts with ``prefix``."""
    return db.session.scalar(select(ModuleRevision).where(
        ModuleRevision.module_id == module.id, ModuleRevision.language == language,
        ModuleRevision.content_hash.startswith(prefix, autoescape=True),
    ).order_by(ModuleRevision.id.desc()).limit(1))
