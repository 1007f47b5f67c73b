"""Course packages: import a checked ``courses/<slug>/`` folder, export a course as one.

A package is checked as a whole before anything is written
(``lms.content.package_reader``); any problem refuses it and the database
stays as it was. Import applies only what the package changed since it was
last imported and keeps what authors changed in the browser
(``lms.content.package_import``); learners' progress is never touched.
Export writes ``course.yml`` in its canonical form and every module file and
image exactly as stored, so a package in canonical form comes back byte for
byte.
"""

from __future__ import annotations

import json
from decimal import Decimal
from pathlib import Path

import yaml
from sqlalchemy import select
from sqlalchemy.orm import selectinload

from lms.catalog.models import Course, CourseMedia, CourseText, Module, ModuleRevision
from lms.content import media, revisions
from lms.content.package_import import (  # noqa: F401
    ImportResult,
    Kept,
    Policy,
    import_items,
    import_packages,
    about_of,
    module_checks,
)
from lms.content.package_reader import (  # noqa: F401  (the package API in one place)
    CHECK_DEFAULTS,
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
from lms.extensions import db
from lms.i18n.languages import CONTENT_LANGUAGES


class _Dumper(yaml.SafeDumper):
    pass


def _str_presenter(dumper: yaml.SafeDumper, value: str) -> yaml.ScalarNode:
    style = "|" if "\n" in value else None
    return dumper.represent_scalar("tag:yaml.org,2002:str", value, style=style)


_Dumper.add_representer(str, _str_presenter)


def _module_entry(module: Module, texts: dict[tuple[int, str], ModuleRevision], cites: dict[int, list[str]]) -> dict:
    entry: dict = {"slug": module.slug}
    if not module.published:
        entry["published"] = False
    entry.update({name: value for name, value in module_checks(module).items() if value != CHECK_DEFAULTS[name]})
    if cites.get(module.id):
        entry["sources"] = cites[module.id]
    sources = {
        language: f"{revision.source_language}@{revision.source_hash[:16]}"
        for (module_id, language), revision in sorted(texts.items(), key=lambda item: _language_index(item[0][1]))
        if module_id == module.id and revision.source_language and revision.source_hash
    }
    if sources:
        entry["translated_from"] = sources
    return entry


def _about(course: Course) -> dict:
    """audience, prerequisites, outcomes and reviewer, each per language, leaving out what is not given."""
    texts = sorted(course.texts, key=_language_order)
    about = {}
    for index, key in enumerate(("audience", "prerequisites", "outcomes", "reviewer")):
        values = {t.language: about_of(t)[index] for t in texts if about_of(t)[index]}
        if values:
            about[key] = values
    return about


def _completion(course: Course) -> dict:
    completion: dict = {}
    if course.required_modules is not None:
        completion["modules"] = json.loads(course.required_modules)
    if course.minimum_minutes:
        hours = Decimal(course.minimum_minutes) / 60
        completion["minimum_hours"] = int(hours) if hours == hours.to_integral_value() else float(round(hours, 2))
    return completion


def manifest_text(course: Course, modules: list[Module], texts: dict[tuple[int, str], ModuleRevision]) -> str:
    """``course.yml`` in canonical form."""
    from lms.sources.models import CourseSource, ModuleSource

    sources = list(db.session.scalars(select(CourseSource).where(CourseSource.course_id == course.id)
                                      .order_by(CourseSource.id)))
    keys = {s.id: s.key for s in sources}
    cites: dict[int, list[str]] = {}
    for module_id, source_id in db.session.execute(select(ModuleSource.module_id, ModuleSource.source_id).where(
            ModuleSource.source_id.in_(list(keys))).order_by(ModuleSource.source_id)):
        cites.setdefault(module_id, []).append(keys[source_id])
    hours = course.estimated_hours.normalize()
    data = {
        "slug": course.slug,
        "default_language": course.default_language,
        "version": course.version,
        "version_date": course.version_date.isoformat() if course.version_date else None,
        "estimated_hours": int(hours) if hours == hours.to_integral_value() else float(hours),
        "published": course.published,
        "level": course.level,
        "law_as_at": course.law_as_at.isoformat() if course.law_as_at else None,
        "review_status": course.review_status,
        "next_review": course.next_review.isoformat() if course.next_review else None,
        "provider": course.provider,
        "partner": course.partner,
        "title": {t.language: t.title for t in sorted(course.texts, key=_language_order)},
        "summary": {t.language: t.summary for t in sorted(course.texts, key=_language_order) if t.summary},
        **_about(course),
        "completion": _completion(course),
        "sources": [{"id": s.key, "title": s.title, "version": s.version, **({"url": s.url} if s.url else {})}
                    for s in sources],
        "modules": [_module_entry(m, texts, cites) for m in modules],
    }
    for key in ("version_date", "level", "law_as_at", "next_review", "provider", "partner", "completion", "sources"):
        if not data[key]:
            del data[key]
    if data["review_status"] == "pending":
        del data["review_status"]
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
    texts = revisions.latest((m.id for m in modules), with_body=True)
    written = [target / MANIFEST]
    target.mkdir(parents=True, exist_ok=True)
    (target / MANIFEST).write_bytes(manifest_text(course, modules, texts).encode("utf-8"))
    for row in db.session.scalars(select(CourseMedia).where(CourseMedia.course_id == course.id)):
        path = target / MEDIA_DIR / row.name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(media.blob_path(row.sha256).read_bytes())
        written.append(path)
    for module in modules:
        folder = target / MODULES_DIR / module.slug
        folder.mkdir(parents=True, exist_ok=True)
        for (module_id, language), revision in sorted(texts.items()):
            if module_id == module.id:
                path = folder / f"{language}.md"
                path.write_bytes(revision.body.encode("utf-8"))
                written.append(path)
    return written
