"""Course packages from the browser: download a course as a zip of the ``courses/``
format, upload one, see what it would change, then apply it.

The zip holds exactly what ``flask --app wsgi courses export`` writes (same bytes,
fixed timestamps), in a folder named by the course slug. An upload is checked
as a whole by the same reader as the CLI; anything wrong refuses it with file
and line, and nothing changes until the author applies the preview.
"""

from __future__ import annotations

import contextlib
import hashlib
import io
import os
import re
import secrets
import shutil
import stat
import tempfile
import time
import zipfile
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath
from typing import BinaryIO

from flask import current_app
from flask_babel import lazy_gettext as _l
from flask_babel import lazy_ngettext
from sqlalchemy import select

from lms.accounts.models import User
from lms.authoring import services
from lms.catalog.models import Course, CourseMedia, CourseText, Module
from lms.content import revisions
from lms.content import packages
from lms.content.package_reader import PackageError, PackageSpec, Problem, content_hash
from lms.extensions import db

MAX_FILES = 2000
MAX_UPLOAD_BYTES = 256 * 1024 * 1024  # the zip itself
MAX_UNPACKED_BYTES = 200 * 1024 * 1024
STAGED_LIFETIME = 24 * 3600
ZIP_TIME = (1980, 1, 1, 0, 0, 0)
READABLE_COMPRESSION = (zipfile.ZIP_STORED, zipfile.ZIP_DEFLATED, zipfile.ZIP_BZIP2, zipfile.ZIP_LZMA)


def download(*, user: User, course: Course) -> bytes:
    """The course as a zip: ``<slug>/course.yml``, ``<slug>/modules/…``, ``<slug>/media/…``."""
    services._require(user, course)
    buffer = io.BytesIO()
    with tempfile.TemporaryDirectory() as folder:
        root = Path(folder)
        written = packages.export_package(course.slug, root / course.slug)
        with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_DEFLATED) as archive:
            for path in sorted(written):
                entry = zipfile.ZipInfo(path.relative_to(root).as_posix(), date_time=ZIP_TIME)
                entry.external_attr = (stat.S_IFREG | 0o644) << 16
                entry.compress_type = zipfile.ZIP_DEFLATED
                archive.writestr(entry, path.read_bytes())
    return buffer.getvalue()


def _staging() -> Path:
    folder = Path(current_app.instance_path) / "uploads"
    folder.mkdir(parents=True, exist_ok=True)
    return folder


def stage(*, user: User, course: Course, stream: BinaryIO) -> str:
    """Keep an uploaded zip until the author applies it (copied, never held in memory); returns its key."""
    services._require(user, course)
    folder = _staging()
    for old in folder.glob("*.zip"):
        if old.stat().st_mtime < time.time() - STAGED_LIFETIME:
            old.unlink(missing_ok=True)
    key = secrets.token_urlsafe(18)
    path = folder / f"{key}.zip"
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "wb") as handle:
        shutil.copyfileobj(stream, handle, 1 << 20)
    return key


def discard(key: str) -> None:
    """Delete a staged upload at once (it was refused, or applied)."""
    with contextlib.suppress(services.NotFound):
        _staged(key).unlink(missing_ok=True)


def _staged(key: str) -> Path:
    if not re.fullmatch(r"[A-Za-z0-9_-]{16,40}", key):
        raise services.NotFound(key[:40])
    path = _staging() / f"{key}.zip"
    if not path.is_file():
        raise services.NotFound(key)
    return path


@dataclass
class Change:
    module: str
    kind: str  # "new", "removed", "changed"
    languages_added: list[str] = field(default_factory=list)
    languages_changed: list[str] = field(default_factory=list)
    languages_removed: list[str] = field(default_factory=list)


@dataclass
class Preview:
    key: str
    modules: list[Change]
    course_changed: bool
    images_added: list[str]
    images_changed: list[str]
    images_removed: list[str]
    order_changed: bool

    @property
    def changes_anything(self) -> bool:
        return bool(self.modules or self.course_changed or self.images_added or self.images_changed
                    or self.images_removed or self.order_changed)


def _too_large():
    return lazy_ngettext("the zip is too large: at most %(num)d file and %(size)d MiB unpacked",
                         "the zip is too large: at most %(num)d files and %(size)d MiB unpacked", MAX_FILES,
                         size=MAX_UNPACKED_BYTES // 2**20)


class _TooLarge(Exception):
    pass


def _unpack(path: Path, into: Path) -> Path:
    """Unpack a zip safely into ``into``; returns the package folder inside it."""
    problem = None
    unpacked = 0
    try:
        with zipfile.ZipFile(path) as archive:
            entries = archive.infolist()
            if len(entries) > MAX_FILES or sum(e.file_size for e in entries) > MAX_UNPACKED_BYTES:
                problem = _too_large()
            for entry in entries if problem is None else ():
                name = PurePosixPath(entry.filename)
                mode = entry.external_attr >> 16
                if name.is_absolute() or ".." in name.parts or "\\" in entry.filename or stat.S_ISLNK(mode):
                    problem = _l("the zip holds a file outside its folder: %(name)s", name=entry.filename)
                    break
                if entry.is_dir() or name.name.startswith(".") or "__MACOSX" in name.parts:
                    continue
                if entry.compress_type not in READABLE_COMPRESSION:
                    problem = _l("this file is not a zip archive")
                    break
                target = into.joinpath(*name.parts)
                target.parent.mkdir(parents=True, exist_ok=True)
                with archive.open(entry) as source, open(target, "wb") as sink:
                    while chunk := source.read(1 << 20):  # counted as unpacked, whatever the zip claims
                        unpacked += len(chunk)
                        if unpacked > MAX_UNPACKED_BYTES:
                            raise _TooLarge()
                        sink.write(chunk)
    except _TooLarge:
        problem = _too_large()
    except (zipfile.BadZipFile, OSError, EOFError):
        problem = _l("this file is not a zip archive")
    if problem is not None:
        raise PackageError([Problem(Path(path.name), None, str(problem))])
    if (into / packages.MANIFEST).is_file():
        return into
    folders = [p for p in into.iterdir() if p.is_dir()]
    if len(folders) == 1 and (folders[0] / packages.MANIFEST).is_file():
        return folders[0]
    raise PackageError([Problem(Path(path.name), None,
                                str(_l("the zip holds no course package (no %(file)s found)", file=packages.MANIFEST)))])


def _read(key: str, course: Course, into: Path) -> PackageSpec:
    folder = _unpack(_staged(key), into)
    try:
        [spec] = packages.read_packages([folder])
    except PackageError as error:
        raise PackageError([Problem(p.path.relative_to(into) if p.path.is_relative_to(into) else p.path, p.line,
                                    p.message) for p in error.problems]) from None
    if spec.slug != course.slug:
        raise PackageError([Problem(Path(packages.MANIFEST), None,
                                    str(_l("this package is for the course “%(other)s”, not “%(slug)s”",
                                           other=spec.slug, slug=course.slug)))])
    return spec


def preview(*, user: User, course: Course, key: str) -> Preview:
    """What applying the staged package would change. Raises PackageError, changing nothing."""
    services._require(user, course)
    with tempfile.TemporaryDirectory() as folder:
        spec = _read(key, course, Path(folder))
    modules = {m.slug: m for m in
               db.session.scalars(select(Module).where(Module.course_id == course.id))}
    active = [m for m in sorted(modules.values(), key=lambda m: (m.position, m.id)) if m.archived_at is None]
    latest = revisions.latest(m.id for m in modules.values())
    changes = []
    for item in spec.modules:
        module = modules.get(item.slug)
        if module is None or module.archived_at is not None:
            changes.append(Change(item.slug, "new", languages_added=sorted(item.files)))
            continue
        have = {language: r for (module_id, language), r in latest.items() if module_id == module.id}
        change = Change(item.slug, "changed",
                        languages_added=sorted(set(item.files) - set(have)),
                        languages_changed=sorted(lang for lang, text in item.files.items()
                                                 if lang in have and have[lang].content_hash != content_hash(text)),
                        languages_removed=sorted(set(have) - set(item.files)))
        if change.languages_added or change.languages_changed or change.languages_removed:
            changes.append(change)
    listed = {m.slug for m in spec.modules}
    kept = listed & {m.slug for m in active}  # modules in both, whose order may have changed
    changes.extend(Change(m.slug, "removed") for m in active if m.slug not in listed)
    images = {row.name: row.sha256 for row in
              db.session.scalars(select(CourseMedia).where(CourseMedia.course_id == course.id))}
    shipped = {name: hashlib.sha256(data).hexdigest() for name, data in spec.media.items()}
    texts = {t.language: (t.title, t.summary) for t in
             db.session.scalars(select(CourseText).where(CourseText.course_id == course.id))}
    course_changed = (
        (course.default_language, course.version, course.estimated_hours, course.published)
        != (spec.default_language, spec.version, spec.estimated_hours, spec.published)
        or texts != {lang: (spec.titles[lang], spec.summaries.get(lang, "")) for lang in spec.titles}
    )
    return Preview(
        key=key, modules=changes, course_changed=course_changed,
        images_added=sorted(set(shipped) - set(images)),
        images_changed=sorted(n for n in shipped if n in images and images[n] != shipped[n]),
        images_removed=sorted(set(images) - set(shipped)),
        order_changed=[m.slug for m in active if m.slug in kept] != [m.slug for m in spec.modules if m.slug in kept],
    )


def apply(*, user: User, course: Course, key: str) -> packages.ImportResult:
    """Import the staged package (checked again), then forget it."""
    services._require(user, course)
    with tempfile.TemporaryDirectory() as folder:
        spec = _read(key, course, Path(folder))
        result = packages.import_packages(packages.import_items([spec]), policy=packages.Policy.REPLACE,
                                          user_id=user.id)
    services.audit(course=course, user=user, action="package-applied", subject=course.slug,
                   texts=result.revisions_added, removed=result.modules_archived)
    discard(key)
    return result
