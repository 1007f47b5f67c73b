"""Course packages: import a checked ``courses/<slug>/`` folder, export a course as one.

A package is checked as a whole before anything is written
(``lms.content.package_reader``); any problem refuses it and the database
stays as it was. Import is idempotent: unchanged texts add nothing, changed
texts add a new published revision, and learners' progress is never touched.
Export writes ``course.yml`` in its canonical form and every module file and
image exactly as stored, so a package in canonical form comes back byte for
byte.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path

import yaml
from sqlalchemy import select
from sqlalchemy.orm import selectinload

from lms.catalog.models import Course, CourseMedia, CourseText, Module, ModuleRevision, RevisionStatus
from lms.catalog.services import latest_revisions
from lms.content import media
from lms.content.markdown import split_title
from lms.content.package_reader import (  # noqa: F401  (the package API in one place)
    MANIFEST,
    MEDIA_DIR,
    MODULES_DIR,
    ModuleSpec,
    PackageError,
    PackageSpec,
    Problem,
    content_hash,
    find_packages,
    read_packages,
)
from lms.core.types import utcnow
from lms.extensions import db
from lms.i18n.languages import CONTENT_LANGUAGES


@dataclass
class ImportResult:
    courses_created: int = 0
    courses_updated: int = 0
    revisions_added: int = 0
    modules_archived: int = 0

    @property
    def changed(self) -> bool:
        return bool(self.courses_created or self.courses_updated or self.revisions_added or self.modules_archived)


def import_items(specs: list[PackageSpec]) -> Iterator[tuple[PackageSpec, ModuleSpec | None]]:
    """What import walks through, one step a module, for a progress bar."""
    for spec in specs:
        yield spec, None
        for module in spec.modules:
            yield spec, module


def import_packages(steps: Iterable[tuple[PackageSpec, ModuleSpec | None]]) -> ImportResult:
    """Apply checked packages; flushes only, the caller commits once."""
    result = ImportResult()
    courses: dict[str, _CourseImport] = {}
    for spec, module in steps:
        if module is None:
            courses[spec.slug] = _CourseImport.start(spec, result)
        else:
            courses[spec.slug].module(module)
    for state in courses.values():
        state.finish()
    db.session.flush()
    return result


@dataclass
class _CourseImport:
    spec: PackageSpec
    course: Course
    result: ImportResult
    existing: dict[str, Module]
    latest: dict[tuple[int, str], ModuleRevision]
    created: bool
    changed: bool = False

    @classmethod
    def start(cls, spec: PackageSpec, result: ImportResult) -> _CourseImport:
        course = db.session.scalar(
            select(Course).where(Course.slug == spec.slug).options(selectinload(Course.texts), selectinload(Course.modules))
        )
        created = course is None
        if created:
            course = Course(slug=spec.slug)
            db.session.add(course)
            result.courses_created += 1
        state = cls(
            spec=spec, course=course, result=result,
            existing={m.slug: m for m in course.modules} if not created else {},
            latest=latest_revisions(m.id for m in course.modules) if not created else {},
            created=created,
            changed=created,
        )
        state._course_fields()
        state._media()
        return state

    def _set(self, obj, name: str, value) -> None:
        if getattr(obj, name) != value:
            setattr(obj, name, value)
            self.changed = True

    def _course_fields(self) -> None:
        spec, course = self.spec, self.course
        for name in ("default_language", "version", "estimated_hours", "published"):
            self._set(course, name, getattr(spec, name))
        texts = {t.language: t for t in course.texts}
        for language in sorted(set(spec.titles) | set(texts)):
            if language not in spec.titles:
                course.texts.remove(texts[language])
                self.changed = True
            elif language in texts:
                self._set(texts[language], "title", spec.titles[language])
                self._set(texts[language], "summary", spec.summaries.get(language, ""))
            else:
                course.texts.append(
                    CourseText(language=language, title=spec.titles[language], summary=spec.summaries.get(language, ""))
                )
                self.changed = True
        db.session.flush()

    def _media(self) -> None:
        """Store each image once by its hash; name it in the course; forget names no longer shipped."""
        rows = {m.name: m for m in db.session.scalars(select(CourseMedia).where(CourseMedia.course_id == self.course.id))}
        for name, data in self.spec.media.items():
            digest = media.store(data)
            row = rows.pop(name, None)
            if row is None:
                db.session.add(CourseMedia(course_id=self.course.id, name=name, sha256=digest,
                                           content_type=media.sniff(data), size=len(data),
                                           duration=media.video_duration(data)))
                self.changed = True
            elif row.sha256 != digest:
                row.sha256, row.content_type, row.size = digest, media.sniff(data), len(data)
                row.duration, row.created_at = media.video_duration(data), utcnow()
                self.changed = True
        for row in rows.values():
            db.session.delete(row)
            self.changed = True

    def module(self, spec: ModuleSpec) -> None:
        position = next(i for i, m in enumerate(self.spec.modules, start=1) if m.slug == spec.slug)
        module = self.existing.get(spec.slug)
        if module is None:
            module = Module(course=self.course, slug=spec.slug, position=position, published=spec.published)
            db.session.add(module)
            db.session.flush()
            self.existing[spec.slug] = module
            self.changed = True
        else:
            self._set(module, "position", position)
            self._set(module, "published", spec.published)
            self._set(module, "archived_at", None)
        have = {language for (module_id, language) in self.latest if module_id == module.id}
        added: list[ModuleRevision] = []
        for language in sorted(set(spec.files) | have):
            current = self.latest.get((module.id, language))
            text = spec.files.get(language)
            if text is None:
                added.append(self._revision(module, language, "", "", RevisionStatus.WITHDRAWN))
                continue
            source_language, source_hash = self._source(module, spec, language)
            if (
                current is None
                or current.content_hash != content_hash(text)
                or (current.source_language, current.source_hash) != (source_language, source_hash)
            ):
                title, _body = split_title(text)
                revision = self._revision(module, language, title or spec.slug, text, RevisionStatus.PUBLISHED)
                revision.source_language, revision.source_hash = source_language, source_hash
                added.append(revision)
        if any(r.source_hash for r in added):
            db.session.flush()
            self._link_sources(module, added)

    def _source(self, module: Module, spec: ModuleSpec, language: str) -> tuple[str | None, str | None]:
        """The source a translation was made from, with the full hash when the text is known."""
        if language not in spec.sources:
            return None, None
        source_language, prefix = spec.sources[language]
        shipped = content_hash(spec.files[source_language])
        if shipped.startswith(prefix):
            return source_language, shipped
        known = db.session.scalar(
            select(ModuleRevision.content_hash).where(
                ModuleRevision.module_id == module.id,
                ModuleRevision.language == source_language,
                ModuleRevision.content_hash.startswith(prefix, autoescape=True),
            ).limit(1)
        )
        return source_language, known or prefix

    def _link_sources(self, module: Module, revisions: list[ModuleRevision]) -> None:
        for revision in revisions:
            if revision.source_hash and len(revision.source_hash) == 64:
                revision.source_revision_id = db.session.scalar(
                    select(ModuleRevision.id).where(
                        ModuleRevision.module_id == module.id,
                        ModuleRevision.language == revision.source_language,
                        ModuleRevision.content_hash == revision.source_hash,
                    ).order_by(ModuleRevision.id.desc()).limit(1)
                )

    def _revision(self, module: Module, language: str, title: str, text: str, status: RevisionStatus) -> ModuleRevision:
        revision = ModuleRevision(
            module_id=module.id, language=language, title=title, body=text,
            content_hash=content_hash(text), status=status,
        )
        db.session.add(revision)
        self.result.revisions_added += 1
        self.changed = True
        return revision

    def finish(self) -> None:
        listed = {m.slug for m in self.spec.modules}
        for slug, module in self.existing.items():
            if slug not in listed and module.archived_at is None:
                module.archived_at = utcnow()
                self.result.modules_archived += 1
                self.changed = True
        if self.changed and not self.created:
            self.result.courses_updated += 1


class _Dumper(yaml.SafeDumper):
    pass


def _str_presenter(dumper: yaml.SafeDumper, value: str) -> yaml.ScalarNode:
    style = "|" if "\n" in value else None
    return dumper.represent_scalar("tag:yaml.org,2002:str", value, style=style)


_Dumper.add_representer(str, _str_presenter)


def _module_entry(module: Module, revisions: dict[tuple[int, str], ModuleRevision]) -> dict:
    entry: dict = {"slug": module.slug}
    if not module.published:
        entry["published"] = False
    sources = {
        language: f"{revision.source_language}@{revision.source_hash[:16]}"
        for (module_id, language), revision in sorted(revisions.items(), key=lambda item: _language_index(item[0][1]))
        if module_id == module.id and revision.source_language and revision.source_hash
    }
    if sources:
        entry["translated_from"] = sources
    return entry


def manifest_text(course: Course, modules: list[Module], revisions: dict[tuple[int, str], ModuleRevision]) -> str:
    """``course.yml`` in canonical form."""
    hours = course.estimated_hours.normalize()
    data = {
        "slug": course.slug,
        "default_language": course.default_language,
        "version": course.version,
        "estimated_hours": int(hours) if hours == hours.to_integral_value() else float(hours),
        "published": course.published,
        "title": {t.language: t.title for t in sorted(course.texts, key=_language_order)},
        "summary": {t.language: t.summary for t in sorted(course.texts, key=_language_order) if t.summary},
        "modules": [_module_entry(m, revisions) for m in modules],
    }
    return yaml.dump(data, Dumper=_Dumper, sort_keys=False, allow_unicode=True, width=10_000, default_flow_style=False)


def _language_order(text: CourseText) -> int:
    return _language_index(text.language)


def _language_index(language: str) -> int:
    order = list(CONTENT_LANGUAGES)
    return order.index(language) if language in order else len(order)


class CourseMissing(Exception):
    pass


def export_package(slug: str, target: Path) -> list[Path]:
    """Write course ``slug`` as a package folder ``target``; returns the files written."""
    course = db.session.scalar(select(Course).where(Course.slug == slug).options(selectinload(Course.texts)))
    if course is None:
        raise CourseMissing(slug)
    modules = [m for m in db.session.scalars(
        select(Module).where(Module.course_id == course.id, Module.archived_at.is_(None)).order_by(Module.position, Module.id)
    )]
    revisions = latest_revisions((m.id for m in modules), with_body=True)
    written = [target / MANIFEST]
    target.mkdir(parents=True, exist_ok=True)
    (target / MANIFEST).write_bytes(manifest_text(course, modules, revisions).encode("utf-8"))
    for row in db.session.scalars(select(CourseMedia).where(CourseMedia.course_id == course.id)):
        path = target / MEDIA_DIR / row.name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(media.blob_path(row.sha256).read_bytes())
        written.append(path)
    for module in modules:
        folder = target / MODULES_DIR / module.slug
        folder.mkdir(parents=True, exist_ok=True)
        for (module_id, language), revision in sorted(revisions.items()):
            if module_id == module.id:
                path = folder / f"{language}.md"
                path.write_bytes(revision.body.encode("utf-8"))
                written.append(path)
    return written
