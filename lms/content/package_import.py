"""Importing a checked course package without undoing what authors changed in the browser.

Each import from the command line remembers what the package held
(``CoursePackageState``). The next import compares, item by item (a setting, a
title, a module's place, visibility and text in each language, a media file):

- the package's value now,
- the package's value at its last import (the *base*),
- the value in NordLearn now.

Only what the package changed since its last import is applied. Where NordLearn
changed the same item since (an author in the browser), NordLearn's value is
kept and reported, unless the operator asks to ``overwrite``. A package applied
from the browser by one of the course's authors replaces everything it differs
in (``replace``). Every change is written to the course's change log.

For a course imported before package states were kept, the base is what the
revision history and the change log can tell: a text whose newest revision was
made by an import, and the other items of a course nobody changed in the
browser, count as unchanged since; anything else is treated as changed.
"""

from __future__ import annotations

import enum
import json
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal

from sqlalchemy import delete, func, select
from sqlalchemy.orm import selectinload

from lms.catalog.models import Course, CourseMedia, CourseText, Module, ModuleRevision, RevisionStatus
from lms.content import media, revisions
from lms.content.models import CoursePackageState
from lms.content.package_reader import CHECK_DEFAULTS, ModuleSpec, PackageSpec, content_hash
from lms.core import audit
from lms.core.audit import AuditEvent
from lms.core.types import utcnow
from lms.extensions import db
from lms.sources.models import CourseSource, ModuleSource

SETTINGS = ("default_language", "version", "version_date", "estimated_hours", "published", "level", "law_as_at",
            "review_status", "next_review", "provider", "partner", "required_modules", "minimum_minutes")
NO_ABOUT = ["", "", [], ""]
UNKNOWN = "\x00unknown"  # a base nobody can tell any more: any difference is a conflict


class Policy(enum.StrEnum):
    KEEP = "keep"  # keep what was changed here since the last import (the default)
    OVERWRITE = "overwrite"  # where both changed an item, the package wins
    REPLACE = "replace"  # make the course what the package says (an author applying a package)


@dataclass
class Kept:
    """An item the package changed that was changed here too; NordLearn's version stayed."""

    course: str
    item: str

    def __str__(self) -> str:
        return f"{self.course}: {self.item}"


@dataclass
class ImportResult:
    courses_created: int = 0
    courses_updated: int = 0
    revisions_added: int = 0
    modules_archived: int = 0
    changes: int = 0
    kept: list[Kept] = field(default_factory=list)

    @property
    def changed(self) -> bool:
        return bool(self.courses_created or self.courses_updated or self.changes)


def import_items(specs: list[PackageSpec]) -> Iterator[tuple[PackageSpec, ModuleSpec | None]]:
    """What import walks through, one step a module, for a progress bar."""
    for spec in specs:
        yield spec, None
        for module in spec.modules:
            yield spec, module


def import_packages(steps: Iterable[tuple[PackageSpec, ModuleSpec | None]], *, policy: Policy = Policy.KEEP,
                    user_id: int | None = None) -> ImportResult:
    """Apply checked packages; flushes only, the caller commits once."""
    result = ImportResult()
    courses: dict[str, _CourseImport] = {}
    for spec, module in steps:
        if module is None:
            courses[spec.slug] = _CourseImport.start(spec, result, policy=policy, user_id=user_id)
        else:
            courses[spec.slug].module(module)
    for state in courses.values():
        state.finish()
    db.session.flush()
    return result


# ---------------------------------------------------------------- states: what a course holds, item by item

Key = tuple[str, ...]


def _source_label(language: str | None, hash_: str | None) -> str:
    return f"{language}@{hash_[:16]}" if language and hash_ else ""


def package_state(spec: PackageSpec) -> dict[Key, object]:
    """The package's items and their values."""
    state: dict[Key, object] = {("setting", name): _plain(getattr(spec, name)) for name in SETTINGS}
    for language, title in spec.titles.items():
        state[("title", language)] = title
        state[("summary", language)] = spec.summaries.get(language, "")
        state[("about", language)] = spec.about.get(language, NO_ABOUT)
    state[("order",)] = [m.slug for m in spec.modules]
    state[("course-sources",)] = sorted([s["id"], s["title"], s["version"], s["url"]] for s in spec.sources)
    for module in spec.modules:
        state[("module", module.slug)] = True
        state[("published", module.slug)] = module.published
        state[("checks", module.slug)] = dict(module.checks)
        state[("cites", module.slug)] = sorted(module.cites)
        for language, text in module.files.items():
            source = module.sources.get(language)
            state[("text", module.slug, language)] = \
                f"{content_hash(text)}|{_source_label(*source) if source else ''}"
    for name, data in spec.media.items():
        state[("media", name)] = media.sha256_of(data)
    return state


def _plain(value: object) -> object:
    if isinstance(value, Decimal):
        return str(value.normalize())
    if isinstance(value, date):
        return value.isoformat()
    return value


def _text_value(revision: ModuleRevision | None) -> str | None:
    if revision is None or revision.status is RevisionStatus.WITHDRAWN:
        return None
    if revision.status is RevisionStatus.DRAFT:
        return f"draft:{revision.content_hash}"
    return f"{revision.content_hash}|{_source_label(revision.source_language, revision.source_hash)}"


@dataclass
class _Current:
    """What the course holds in NordLearn now."""

    course: Course
    modules: dict[str, Module]
    newest: dict[tuple[int, str], ModuleRevision]
    media: dict[str, CourseMedia]
    sources: dict[str, CourseSource]
    cites: dict[int, list[str]]

    @classmethod
    def load(cls, course: Course) -> _Current:
        modules = {m.slug: m for m in course.modules}
        rows = db.session.scalars(select(CourseMedia).where(CourseMedia.course_id == course.id))
        sources = {s.key: s for s in db.session.scalars(select(CourseSource).where(CourseSource.course_id == course.id))}
        cites: dict[int, list[str]] = {}
        keys = {s.id: s.key for s in sources.values()}
        for module_id, source_id in db.session.execute(select(ModuleSource.module_id, ModuleSource.source_id).where(
                ModuleSource.source_id.in_(list(keys)))):
            cites.setdefault(module_id, []).append(keys[source_id])
        return cls(course, modules, revisions.latest([m.id for m in modules.values()], published=False),
                   {row.name: row for row in rows}, sources, cites)

    def state(self) -> dict[Key, object]:
        course = self.course
        state: dict[Key, object] = {("setting", name): _plain(getattr(course, name)) for name in SETTINGS}
        for text in course.texts:
            state[("title", text.language)] = text.title
            state[("summary", text.language)] = text.summary
            state[("about", text.language)] = about_of(text)
        active = sorted((m for m in self.modules.values() if m.archived_at is None), key=lambda m: (m.position, m.id))
        state[("order",)] = [m.slug for m in active]
        for module in self.modules.values():
            state[("module", module.slug)] = module.archived_at is None
            state[("published", module.slug)] = module.published
            state[("checks", module.slug)] = module_checks(module)
            state[("cites", module.slug)] = sorted(self.cites.get(module.id, []))
        state[("course-sources",)] = sorted([s.key, s.title, s.version, s.url] for s in self.sources.values())
        slugs = {m.id: m.slug for m in self.modules.values()}
        for (module_id, language), revision in self.newest.items():
            value = _text_value(revision)
            if value is not None:
                state[("text", slugs[module_id], language)] = value
        for name, row in self.media.items():
            state[("media", name)] = row.sha256
        return state

    def derived_base(self, state: dict[Key, object]) -> dict[Key, object]:
        """The base of a course imported before package states were kept (see the module's docstring)."""
        edited = db.session.scalar(select(func.count()).select_from(AuditEvent).where(
            AuditEvent.course_id == self.course.id, AuditEvent.user_id.is_not(None))) > 0
        by_import = {(m.slug, language) for m in self.modules.values() for (module_id, language), r in
                     self.newest.items() if module_id == m.id and r.author_id is None}
        base: dict[Key, object] = {}
        for key, value in state.items():
            if key[0] == "text":
                base[key] = value if (key[1], key[2]) in by_import else UNKNOWN
            else:
                base[key] = UNKNOWN if edited else value
        return base


_EMPTY = {"checks": dict(CHECK_DEFAULTS), "cites": [], "course-sources": [], "about": NO_ABOUT}


def about_of(text: CourseText) -> list:
    """A course text's audience, prerequisites, outcomes and reviewer, as course.yml gives them."""
    return [text.audience, text.prerequisites, json.loads(text.outcomes or "[]"), text.reviewer]


def module_checks(module: Module) -> dict[str, int | bool | None]:
    """A module's knowledge-check rules, named as in course.yml."""
    return {"pass_mark": module.pass_mark, "max_attempts": module.max_attempts,
            "attempt_wait": module.attempt_wait_minutes, "must_pass": module.must_pass, "draw": module.draw}


def _set_checks(module: Module, values: dict) -> None:
    module.pass_mark, module.max_attempts, module.must_pass, module.draw = (
        values["pass_mark"], values["max_attempts"], values["must_pass"], values["draw"])
    module.attempt_wait_minutes = values["attempt_wait"]


def _encode(state: dict[Key, object]) -> str:
    return json.dumps(sorted([list(key), value] for key, value in state.items()), ensure_ascii=False)


def _decode(text: str) -> dict[Key, object]:
    return {tuple(key): value for key, value in json.loads(text)}


# ---------------------------------------------------------------- deciding and applying


@dataclass
class _CourseImport:
    spec: PackageSpec
    course: Course
    result: ImportResult
    policy: Policy
    user_id: int | None
    current: _Current
    apply: set[Key]
    created: bool
    changed: bool = False

    @classmethod
    def start(cls, spec: PackageSpec, result: ImportResult, *, policy: Policy, user_id: int | None) -> _CourseImport:
        course = db.session.scalar(select(Course).where(Course.slug == spec.slug)
                                   .options(selectinload(Course.texts), selectinload(Course.modules)))
        created = course is None
        if created:
            course = Course(slug=spec.slug, default_language=spec.default_language, version=spec.version,
                            estimated_hours=spec.estimated_hours, published=spec.published, media_version=0)
            db.session.add(course)
            db.session.flush()
            result.courses_created += 1
        current = _Current.load(course)
        wanted = package_state(spec)
        now = current.state()
        if created:
            apply = set(wanted)
        else:
            stored = db.session.get(CoursePackageState, course.id)
            base = _decode(stored.state) if stored is not None else current.derived_base(now)
            for key in wanted:  # items a package imported before they existed held their empty value
                if key not in base and (key[0] not in ("checks", "cites") or ("module", key[1]) in base):
                    base[key] = _EMPTY.get(key[0], base.get(key))
            apply = _decide(spec.slug, wanted, base, now, policy, result)
        state = cls(spec, course, result, policy, user_id, current, apply, created, changed=created)
        if created:
            state._log("import-created", course.slug)
        state._settings()
        state._course_sources()
        state._media()
        return state

    def _log(self, action: str, subject: str, **values) -> None:
        audit.record(course_id=self.course.id, user_id=self.user_id, action=action, subject=subject, **values)
        self.changed = True
        self.result.changes += 1

    def _settings(self) -> None:
        spec, course = self.spec, self.course
        for name in SETTINGS:
            if ("setting", name) in self.apply and getattr(course, name) != getattr(spec, name):
                setattr(course, name, getattr(spec, name))
                if not self.created:
                    self._log("import-setting", name)
        texts = {t.language: t for t in course.texts}
        languages = {key[1] for key in self.apply if key[0] in ("title", "summary")}
        for language in sorted(languages):
            title, summary = self.spec.titles.get(language), self.spec.summaries.get(language, "")
            text = texts.get(language)
            if title is None:
                if text is not None and ("title", language) in self.apply:
                    course.texts.remove(text)
                    self._log("import-course-text", language, language=language)
                continue
            if text is None:
                course.texts.append(CourseText(language=language, title=title, summary=summary))
            elif (text.title, text.summary) != (title, summary):
                if ("title", language) in self.apply:
                    text.title = title
                if ("summary", language) in self.apply:
                    text.summary = summary
            else:
                continue
            if not self.created:
                self._log("import-course-text", language, language=language)
        db.session.flush()
        texts = {t.language: t for t in course.texts}
        for language in sorted(key[1] for key in self.apply if key[0] == "about"):
            text = texts.get(language)
            wanted = self.spec.about.get(language, NO_ABOUT)
            if text is None or about_of(text) == wanted:
                continue
            text.audience, text.prerequisites, text.reviewer = wanted[0], wanted[1], wanted[3]
            text.outcomes = json.dumps(wanted[2], ensure_ascii=False)
            if not self.created:
                self._log("import-course-text", language, language=language)
        db.session.flush()

    def _course_sources(self) -> None:
        """The course's sources as the package lists them (a source marked as changed here keeps its mark)."""
        if ("course-sources",) not in self.apply:
            return
        wanted = {s["id"]: s for s in self.spec.sources}
        for key, row in list(self.current.sources.items()):
            if key not in wanted:
                db.session.delete(row)
                del self.current.sources[key]
        for key, values in wanted.items():
            row = self.current.sources.get(key)
            if row is None:
                row = self.current.sources[key] = CourseSource(course_id=self.course.id, key=key, title="", version="")
                db.session.add(row)
            row.title, row.version, row.url = values["title"], values["version"], values["url"]
        db.session.flush()
        if not self.created:
            self._log("import-sources", "course.yml")

    def _cites(self, module: Module, keys: list[str]) -> None:
        db.session.execute(delete(ModuleSource).where(ModuleSource.module_id == module.id))
        for key in keys:
            db.session.add(ModuleSource(module_id=module.id, source_id=self.current.sources[key].id))
        db.session.flush()

    def _media(self) -> None:
        for name, data in self.spec.media.items():
            if ("media", name) not in self.apply:
                continue
            digest = media.store(data)
            content_type, duration = media.describe_stored(digest, name)
            _row, what = media.record(course=self.course, name=name, sha256=digest, content_type=content_type,
                                      size=len(data), duration=duration)
            if what != "same" and not self.created:
                self._log("import-media", name)

    def module(self, spec: ModuleSpec) -> None:
        module = self.current.modules.get(spec.slug)
        if module is None:
            position = 1 + max((m.position for m in self.current.modules.values()), default=0)
            module = Module(course_id=self.course.id, slug=spec.slug, position=position, published=spec.published)
            _set_checks(module, spec.checks)
            db.session.add(module)
            db.session.flush()
            self.current.modules[spec.slug] = module
            if not self.created:
                self._log("import-module-added", spec.slug)
        else:
            if ("module", spec.slug) in self.apply and module.archived_at is not None:
                module.archived_at = None
                self._log("import-module-restored", spec.slug)
            if ("published", spec.slug) in self.apply and module.published != spec.published:
                module.published = spec.published
                self._log("import-module-published" if spec.published else "import-module-unpublished", spec.slug)
            if ("checks", spec.slug) in self.apply and module_checks(module) != spec.checks:
                _set_checks(module, spec.checks)
                self._log("import-module-checks", spec.slug)
        if ("cites", spec.slug) in self.apply:
            self._cites(module, spec.cites)
        languages = sorted({key[2] for key in self.apply if key[0] == "text" and key[1] == spec.slug},
                           key=lambda language: (language != self.spec.default_language, language))
        for language in languages:
            self._text(module, spec, language)

    def _text(self, module: Module, spec: ModuleSpec, language: str) -> None:
        base = self.current.newest.get((module.id, language))
        text = spec.files.get(language)
        if text is None:
            if base is None or base.status is RevisionStatus.WITHDRAWN:
                return
            revision = revisions.add(module=module, language=language, text="", title="",
                                     status=RevisionStatus.WITHDRAWN, author_id=self.user_id, base=base)
            action = "import-text-withdrawn"
        else:
            revision = revisions.add(module=module, language=language, text=text, status=RevisionStatus.PUBLISHED,
                                     author_id=self.user_id, base=base, source=self._source(module, spec, language))
            action = "import-text"
        if revision is not base:
            self.current.newest[(module.id, language)] = revision
            self.result.revisions_added += 1
            if not self.created:
                self._log(action, f"{module.slug}/{language}", language=language)

    def _source(self, module: Module, spec: ModuleSpec, language: str) -> revisions.Source | None:
        """What a translation was made from: the full hash when that text is known here."""
        if language not in spec.sources:
            return None
        source_language, prefix = spec.sources[language]
        shipped = content_hash(spec.files[source_language])
        known = revisions.revision_with_hash(module, source_language, shipped if shipped.startswith(prefix) else prefix)
        if known is not None:
            return revisions.Source(source_language, known.content_hash, known.id)
        return revisions.Source(source_language, shipped if shipped.startswith(prefix) else prefix)

    def finish(self) -> None:
        listed = [m.slug for m in self.spec.modules]
        for slug, module in self.current.modules.items():
            if slug not in listed and module.archived_at is None and ("module", slug) in self.apply:
                module.archived_at = utcnow()
                self.result.modules_archived += 1
                self._log("import-module-removed", slug)
        if ("order",) in self.apply:
            self._order(listed)
        self._forget_media()
        if self.policy is not Policy.REPLACE:
            self._remember()
        if self.changed and not self.created:
            self.result.courses_updated += 1
        db.session.flush()

    def _order(self, listed: list[str]) -> None:
        active = sorted((m for m in self.current.modules.values() if m.archived_at is None),
                        key=lambda m: (m.slug not in listed, listed.index(m.slug) if m.slug in listed else m.position))
        before = [m.slug for m in sorted(active, key=lambda m: (m.position, m.id))]
        for position, module in enumerate(active, start=1):
            module.position = position
        if [m.slug for m in active] != before and not self.created:
            self._log("import-order", self.course.slug)

    def _forget_media(self) -> None:
        """Media the package no longer ships, unless a current text of the course still shows it."""
        removed = [name for (kind, *rest) in self.apply if kind == "media" for name in rest
                   if name not in self.spec.media and name in self.current.media]
        if not removed:
            return
        bodies = [r.body for r in revisions.latest([m.id for m in self.current.modules.values()],
                                                   published=False, with_body=True).values()]
        for name in sorted(removed):
            if any(media.shown_in(name, body) for body in bodies):
                self.result.kept.append(Kept(self.course.slug, f"media/{name}"))
                continue
            media.forget(course=self.course, row=self.current.media.pop(name))
            self._log("import-media-removed", name)

    def _remember(self) -> None:
        stored = db.session.get(CoursePackageState, self.course.id)
        if stored is None:
            stored = CoursePackageState(course_id=self.course.id)
            db.session.add(stored)
        stored.state = _encode(package_state(self.spec))
        stored.imported_at = utcnow()


def _decide(course: str, wanted: dict[Key, object], base: dict[Key, object], now: dict[Key, object],
            policy: Policy, result: ImportResult) -> set[Key]:
    """The items to take from the package."""
    apply = set()
    for key in set(wanted) | set(base) | set(now):
        package, before, here = wanted.get(key), base.get(key), now.get(key)
        if package == here:
            continue
        if policy is Policy.REPLACE or (package != before and here == before):
            apply.add(key)
        elif package != before:  # both changed it
            if policy is Policy.OVERWRITE:
                apply.add(key)
            else:
                result.kept.append(Kept(course, _item_name(key)))
    return apply


def _item_name(key: Key) -> str:
    kind = key[0]
    if kind == "setting":
        return f"course.yml: {key[1]}"
    if kind in ("title", "summary"):
        return f"course.yml: {kind}.{key[1]}"
    if kind == "order":
        return "course.yml: order of the modules"
    if kind == "module":
        return f"course.yml: module {key[1]}"
    if kind == "published":
        return f"course.yml: published of module {key[1]}"
    if kind == "cites":
        return f"course.yml: sources of module {key[1]}"
    if kind == "course-sources":
        return "course.yml: sources"
    if kind == "checks":
        return f"course.yml: pass_mark, max_attempts, attempt_wait, must_pass and draw of module {key[1]}"
    if kind == "text":
        return f"modules/{key[1]}/{key[2]}.md"
    return f"media/{key[1]}"
