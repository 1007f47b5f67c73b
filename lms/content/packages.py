"""Course packages: read and check a ``courses/<slug>/`` folder, import it, export it.

A package is checked as a whole before anything is written; any problem
refuses it with the file and line to look at, and the database stays as it
was. Import is idempotent: unchanged texts add nothing, changed texts add a
new published revision, and learners' progress is never touched. Export
writes ``course.yml`` in its canonical form and every module file exactly as
stored, so a package in canonical form comes back byte for byte.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from pathlib import Path

import yaml
from flask_babel import lazy_gettext as _l
from sqlalchemy import select
from sqlalchemy.orm import selectinload

from lms.catalog.models import Course, CourseMedia, CourseText, Module, ModuleRevision, RevisionStatus
from lms.catalog.services import latest_revisions
from lms.content import media
from lms.content.markdown import split_title
from lms.core.types import utcnow
from lms.extensions import db
from lms.i18n.languages import CONTENT_LANGUAGES

MANIFEST = "course.yml"
MODULES_DIR = "modules"
MEDIA_DIR = "media"
IMAGE_RE = re.compile(r"!\[(?P<alt>[^\]]*)\]\((?P<src>[^)\s]*)")
SLUG_RE = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")
MAX_MODULE_BYTES = 1024 * 1024
MAX_TITLE = 300
COURSE_KEYS = ("slug", "default_language", "version", "estimated_hours", "published", "title", "summary", "modules")
REQUIRED_KEYS = ("slug", "default_language", "version", "estimated_hours", "title", "summary", "modules")
MODULE_KEYS = ("slug", "published")


# ---------------------------------------------------------------- the package, read


@dataclass
class ModuleSpec:
    slug: str
    published: bool
    # language → the whole Markdown file as written
    files: dict[str, str] = field(default_factory=dict)


@dataclass
class PackageSpec:
    folder: Path
    slug: str
    default_language: str
    version: str
    estimated_hours: Decimal
    published: bool
    titles: dict[str, str]
    summaries: dict[str, str]
    modules: list[ModuleSpec]
    # name → bytes of each image in media/
    media: dict[str, bytes] = field(default_factory=dict)


@dataclass(frozen=True)
class Problem:
    path: Path
    line: int | None
    message: str

    def __str__(self) -> str:
        where = f"{self.path}:{self.line}" if self.line else str(self.path)
        return f"{where}: {self.message}"


class PackageError(Exception):
    """One or more packages were refused; nothing was imported."""

    def __init__(self, problems: list[Problem]):
        super().__init__("\n".join(str(p) for p in problems))
        self.problems = problems


def content_hash(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def find_packages(root: Path) -> list[Path]:
    """``root`` itself if it is a package, else each package folder directly below it."""
    if (root / MANIFEST).is_file():
        return [root]
    folders = sorted(p for p in root.iterdir() if p.is_dir() and not p.name.startswith((".", "_")))
    packages = [p for p in folders if (p / MANIFEST).is_file()]
    if not packages:
        raise PackageError([Problem(root, None, str(_l("no course package here (no %(file)s found)", file=MANIFEST)))])
    return packages


class _Reader:
    """Reads one package, collecting every problem with its file and line."""

    def __init__(self, folder: Path):
        self.folder = folder
        self.manifest = folder / MANIFEST
        self.problems: list[Problem] = []

    def problem(self, path: Path, line: int | None, message) -> None:
        self.problems.append(Problem(path, line, str(message)))

    def at(self, node: yaml.Node, message) -> None:
        self.problem(self.manifest, node.start_mark.line + 1, message)

    # --- YAML nodes, read by hand so that every value keeps its line

    def scalar(self, node: yaml.Node, key: str) -> str | None:
        if not isinstance(node, yaml.ScalarNode):
            self.at(node, _l("“%(key)s” must be a single value", key=key))
            return None
        return node.value

    def text(self, node: yaml.Node, key: str, *, max_length: int | None = None) -> str | None:
        value = self.scalar(node, key)
        if value is None:
            return None
        if not value.strip():
            self.at(node, _l("“%(key)s” must not be empty", key=key))
            return None
        if max_length and len(value) > max_length:
            self.at(node, _l("“%(key)s” is longer than %(max)d characters", key=key, max=max_length))
            return None
        return value

    def boolean(self, node: yaml.Node, key: str) -> bool | None:
        value = self.scalar(node, key)
        if value in ("true", "false"):
            return value == "true"
        if value is not None:
            self.at(node, _l("“%(key)s” must be true or false", key=key))
        return None

    def mapping(self, node: yaml.Node, key: str, allowed: Iterable[str]) -> dict[str, tuple[yaml.Node, yaml.Node]]:
        if not isinstance(node, yaml.MappingNode):
            self.at(node, _l("“%(key)s” must be a list of “name: value” entries", key=key))
            return {}
        allowed = tuple(allowed)
        result: dict[str, tuple[yaml.Node, yaml.Node]] = {}
        for key_node, value_node in node.value:
            name = key_node.value if isinstance(key_node, yaml.ScalarNode) else None
            if name not in allowed:
                self.at(key_node, _l("unknown entry “%(name)s” in “%(key)s”", name=name, key=key))
            elif name in result:
                self.at(key_node, _l("“%(name)s” is given twice", name=name))
            else:
                result[name] = (key_node, value_node)
        return result

    def languages(self, node: yaml.Node, key: str) -> dict[str, str]:
        entries = self.mapping(node, key, CONTENT_LANGUAGES)
        texts = {}
        for language, (_key_node, value_node) in entries.items():
            value = self.text(value_node, f"{key}.{language}", max_length=MAX_TITLE if key == "title" else 5000)
            if value is not None:
                texts[language] = value
        return texts

    # --- the package

    def read(self) -> PackageSpec | None:
        try:
            raw = self.manifest.read_bytes().decode("utf-8")
            root = yaml.compose(raw, Loader=yaml.SafeLoader)
        except UnicodeDecodeError as error:
            self.problem(self.manifest, _line_of_byte(self.manifest.read_bytes(), error.start),
                         _l("not valid UTF-8 text"))
            return None
        except yaml.MarkedYAMLError as error:
            mark = error.problem_mark or error.context_mark
            self.problem(self.manifest, mark.line + 1 if mark else None,
                         _l("not valid YAML: %(problem)s", problem=error.problem or error.context or ""))
            return None
        if root is None:
            self.problem(self.manifest, 1, _l("the file is empty"))
            return None
        entries = self.mapping(root, MANIFEST, COURSE_KEYS)
        if self.problems and not entries:
            return None
        for key in REQUIRED_KEYS:
            if key not in entries:
                self.at(root, _l("“%(key)s” is missing", key=key))
        get = lambda key: entries[key][1] if key in entries else None  # noqa: E731

        slug = self.text(get("slug"), "slug") if get("slug") else None
        if slug is not None and (not SLUG_RE.match(slug) or len(slug) > 80):
            self.at(get("slug"), _l("“slug” may hold only lower-case letters, digits and single hyphens"))
        elif slug is not None and slug != self.folder.name:
            self.at(get("slug"), _l("“slug” is “%(slug)s” but the folder is called “%(folder)s”",
                                    slug=slug, folder=self.folder.name))
        default_language = self.scalar(get("default_language"), "default_language") if get("default_language") else None
        if default_language is not None and default_language not in CONTENT_LANGUAGES:
            self.at(get("default_language"), _l("unknown language code “%(code)s”", code=default_language))
            default_language = None
        version = self.text(get("version"), "version", max_length=40) if get("version") else None
        hours = self._hours(get("estimated_hours")) if get("estimated_hours") else None
        published = self.boolean(get("published"), "published") if get("published") else True
        titles = self.languages(get("title"), "title") if get("title") else {}
        summaries = self.languages(get("summary"), "summary") if get("summary") else {}
        if default_language and get("title") and default_language not in titles:
            self.at(entries["title"][0], _l("no title in the default language “%(code)s”", code=default_language))
        if default_language and get("summary") and default_language not in summaries:
            self.at(entries["summary"][0], _l("no summary in the default language “%(code)s”", code=default_language))
        modules = self._modules(get("modules"), default_language) if get("modules") else []
        media = self._media()
        self._images(modules, media)
        if self.problems:
            return None
        return PackageSpec(
            folder=self.folder, slug=slug, default_language=default_language, version=version,
            estimated_hours=hours, published=bool(published), titles=titles, summaries=summaries, modules=modules,
            media=media,
        )

    def _media(self) -> dict[str, bytes]:
        folder = self.folder / MEDIA_DIR
        if not folder.is_dir():
            return {}
        found = {}
        for path in sorted(p for p in folder.iterdir() if not p.name.startswith(".")):
            wanted = media.expected_type(path.name) if path.is_file() else None
            if wanted is None:
                self.problem(path, None, _l("images must be PNG, JPEG, WebP or GIF files with a lower-case name "
                                            "such as figure-1.png"))
                continue
            data = path.read_bytes()
            if len(data) > media.MAX_MEDIA_BYTES:
                self.problem(path, None, _l("larger than %(size)d MiB", size=media.MAX_MEDIA_BYTES // 2**20))
            elif media.sniff(data) != wanted:
                self.problem(path, None, _l("the file is not the image its name says it is"))
            else:
                found[path.name] = data
        return found

    def _images(self, modules: list[ModuleSpec], found: dict[str, bytes]) -> None:
        """Every image has alt text, and every ``media/`` image it names is in the package."""
        for module in modules:
            for language, text in module.files.items():
                path = self.folder / MODULES_DIR / module.slug / f"{language}.md"
                for number, line in enumerate(text.splitlines(), start=1):
                    for image in IMAGE_RE.finditer(line):
                        if not image.group("alt").strip():
                            self.problem(path, number, _l("an image needs a text alternative: ![what it shows](…)"))
                        src = image.group("src")
                        if src.startswith(f"{MEDIA_DIR}/") and src[len(MEDIA_DIR) + 1:] not in found:
                            self.problem(path, number, _l("image %(src)s is not in the package's media folder",
                                                          src=src))

    def _hours(self, node: yaml.Node) -> Decimal | None:
        value = self.scalar(node, "estimated_hours")
        try:
            hours = Decimal(value) if value is not None else None
        except InvalidOperation:
            hours = None
        if hours is None or not hours.is_finite() or hours <= 0 or hours > 1000 or -hours.as_tuple().exponent > 2:
            if value is not None:
                self.at(node, _l("“estimated_hours” must be a number of hours between 0 and 1000, e.g. 4.5"))
            return None
        return hours

    def _modules(self, node: yaml.Node, default_language: str | None) -> list[ModuleSpec]:
        if not isinstance(node, yaml.SequenceNode) or not node.value:
            self.at(node, _l("“modules” must list at least one module, each as “- slug: name”"))
            return []
        modules: list[ModuleSpec] = []
        seen: set[str] = set()
        for item in node.value:
            entries = self.mapping(item, "modules", MODULE_KEYS)
            if "slug" not in entries:
                if isinstance(item, yaml.MappingNode):
                    self.at(item, _l("a module has no “slug”"))
                continue
            slug_node = entries["slug"][1]
            slug = self.text(slug_node, "slug")
            if slug is None:
                continue
            if not SLUG_RE.match(slug) or len(slug) > 80:
                self.at(slug_node, _l("module slug “%(slug)s” may hold only lower-case letters, digits and single hyphens", slug=slug))
                continue
            if slug in seen:
                self.at(slug_node, _l("module “%(slug)s” is listed twice", slug=slug))
                continue
            seen.add(slug)
            published = self.boolean(entries["published"][1], "published") if "published" in entries else True
            module = ModuleSpec(slug=slug, published=bool(published))
            self._module_files(module, slug_node, default_language)
            modules.append(module)
        modules_dir = self.folder / MODULES_DIR
        if modules_dir.is_dir():
            for extra in sorted(p for p in modules_dir.iterdir() if not p.name.startswith(".")):
                if extra.name not in seen:
                    self.problem(extra, None, _l("this folder is not listed under “modules” in %(file)s", file=MANIFEST))
        for extra in sorted(p for p in self.folder.iterdir() if not p.name.startswith(".")):
            if extra.name not in (MANIFEST, MODULES_DIR, MEDIA_DIR, "README.md"):
                self.problem(extra, None, _l("unexpected file or folder in a course package"))
        return modules

    def _module_files(self, module: ModuleSpec, slug_node: yaml.Node, default_language: str | None) -> None:
        folder = self.folder / MODULES_DIR / module.slug
        if not folder.is_dir():
            self.at(slug_node, _l("module folder %(folder)s is missing", folder=f"{MODULES_DIR}/{module.slug}/"))
            return
        for path in sorted(p for p in folder.iterdir() if not p.name.startswith(".")):
            language = path.name.removesuffix(".md")
            if not path.is_file() or not path.name.endswith(".md") or language not in CONTENT_LANGUAGES:
                self.problem(path, None, _l("expected one Markdown file per language, named like en.md or fi.md"))
                continue
            text = self._module_text(path)
            if text is not None:
                module.files[language] = text
        if default_language and default_language not in module.files and not any(
            p.path.parent == folder for p in self.problems
        ):
            self.problem(folder, None, _l("no file in the default language (%(file)s)", file=f"{default_language}.md"))

    def _module_text(self, path: Path) -> str | None:
        data = path.read_bytes()
        if len(data) > MAX_MODULE_BYTES:
            self.problem(path, None, _l("larger than %(size)d KiB", size=MAX_MODULE_BYTES // 1024))
            return None
        try:
            text = data.decode("utf-8")
        except UnicodeDecodeError as error:
            self.problem(path, _line_of_byte(data, error.start), _l("not valid UTF-8 text"))
            return None
        if "\x00" in text:
            self.problem(path, text[: text.index("\x00")].count("\n") + 1, _l("contains a NUL character"))
            return None
        title, body = split_title(text)
        if title is None:
            self.problem(path, 1, _l("the first line must be the module title, written as “# Title”"))
            return None
        if len(title) > MAX_TITLE:
            self.problem(path, 1, _l("the title is longer than %(max)d characters", max=MAX_TITLE))
            return None
        if not body.strip():
            self.problem(path, 2, _l("the module has a title but no text"))
            return None
        return text


def _line_of_byte(data: bytes, offset: int) -> int:
    return data[:offset].count(b"\n") + 1


def read_packages(folders: Iterable[Path]) -> list[PackageSpec]:
    """Read and check every package; raise PackageError listing all problems of all of them."""
    specs, problems, slugs = [], [], set()
    for folder in folders:
        reader = _Reader(folder)
        spec = reader.read()
        problems.extend(reader.problems)
        if spec is not None:
            if spec.slug in slugs:
                problems.append(Problem(folder / MANIFEST, None, str(_l("course “%(slug)s” is given twice", slug=spec.slug))))
            slugs.add(spec.slug)
            specs.append(spec)
    if problems:
        raise PackageError(problems)
    return specs


# ---------------------------------------------------------------- import


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
                                           content_type=media.sniff(data), size=len(data)))
                self.changed = True
            elif row.sha256 != digest:
                row.sha256, row.content_type, row.size = digest, media.sniff(data), len(data)
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
        for language in sorted(set(spec.files) | have):
            current = self.latest.get((module.id, language))
            text = spec.files.get(language)
            if text is None:
                self._revision(module, language, "", "", RevisionStatus.WITHDRAWN)
            elif current is None or current.content_hash != content_hash(text):
                title, _body = split_title(text)
                self._revision(module, language, title or spec.slug, text, RevisionStatus.PUBLISHED)

    def _revision(self, module: Module, language: str, title: str, text: str, status: RevisionStatus) -> None:
        db.session.add(ModuleRevision(
            module_id=module.id, language=language, title=title, body=text,
            content_hash=content_hash(text), status=status,
        ))
        self.result.revisions_added += 1
        self.changed = True

    def finish(self) -> None:
        listed = {m.slug for m in self.spec.modules}
        for slug, module in self.existing.items():
            if slug not in listed and module.archived_at is None:
                module.archived_at = utcnow()
                self.result.modules_archived += 1
                self.changed = True
        if self.changed and not self.created:
            self.result.courses_updated += 1


# ---------------------------------------------------------------- export


class _Dumper(yaml.SafeDumper):
    pass


def _str_presenter(dumper: yaml.SafeDumper, value: str) -> yaml.ScalarNode:
    style = "|" if "\n" in value else None
    return dumper.represent_scalar("tag:yaml.org,2002:str", value, style=style)


_Dumper.add_representer(str, _str_presenter)


def manifest_text(course: Course, modules: list[Module]) -> str:
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
        "modules": [{"slug": m.slug} if m.published else {"slug": m.slug, "published": False} for m in modules],
    }
    return yaml.dump(data, Dumper=_Dumper, sort_keys=False, allow_unicode=True, width=10_000, default_flow_style=False)


def _language_order(text: CourseText) -> int:
    order = list(CONTENT_LANGUAGES)
    return order.index(text.language) if text.language in order else len(order)


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
    (target / MANIFEST).write_bytes(manifest_text(course, modules).encode("utf-8"))
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
