"""Reading a course package (``courses/<slug>/``) and checking all of it.

Every problem is collected with the file and line to look at, so that an
author can fix a package in one go; a package with any problem is refused
whole (see ``lms.content.packages``).
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal, InvalidOperation
from pathlib import Path

import yaml
from flask_babel import lazy_gettext as _l
from flask_babel import lazy_ngettext

from lms.content import checks, media, probe, tracks
from lms.content.syntax import content_hash  # noqa: F401  (part of the package API)
from lms.i18n.languages import CONTENT_LANGUAGES

MANIFEST = "course.yml"
MODULES_DIR = "modules"
MEDIA_DIR = "media"
SLUG_RE = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")
MAX_MODULE_BYTES = 1024 * 1024
MAX_TITLE = 300
COURSE_KEYS = ("slug", "default_language", "version", "version_date", "estimated_hours", "published", "level",
               "law_as_at", "review_status", "next_review", "provider", "partner", "title", "summary", "audience",
               "prerequisites", "outcomes", "reviewer", "completion", "sources", "modules")
LEVELS = ("foundation", "intermediate", "advanced")
ABOUT_KEYS = ("audience", "prerequisites", "outcomes", "reviewer")
SOURCE_KEYS = ("id", "title", "version", "url")
REVIEW_STATUSES = ("pending", "approved")
COMPLETION_KEYS = ("modules", "minimum_hours")
REQUIRED_KEYS = ("slug", "default_language", "version", "estimated_hours", "title", "summary", "modules")
MODULE_KEYS = ("slug", "published", "translated_from", "pass_mark", "max_attempts", "attempt_wait", "must_pass", "draw",
               "sources")
# A module's knowledge-check rules, as course.yml names them, with their limits and their defaults
# (the Module columns' defaults: see ``lms.catalog.models.Module``).
CHECK_NUMBERS = {"pass_mark": (1, 100), "max_attempts": (1, 100), "attempt_wait": (1, 60 * 24 * 30), "draw": (1, 200)}
CHECK_DEFAULTS = {"pass_mark": 70, "max_attempts": None, "attempt_wait": None, "must_pass": True, "draw": None}
# ``fi: en@0123456789abcdef``: the Finnish text was made from the English text with this hash.
SOURCE_RE = re.compile(r"^(?P<language>[a-z]{2})@(?P<hash>[0-9a-f]{16})$")


@dataclass
class ModuleSpec:
    slug: str
    published: bool
    # language → the whole Markdown file as written
    files: dict[str, str] = field(default_factory=dict)
    # translation language → (source language, first 16 hex digits of the source text's SHA-256)
    sources: dict[str, tuple[str, str]] = field(default_factory=dict)
    # knowledge-check rules (keys and defaults: CHECK_DEFAULTS)
    checks: dict[str, int | bool | None] = field(default_factory=lambda: dict(CHECK_DEFAULTS))
    # the ids of the course's sources this module cites (``sources:`` of the module)
    cites: list[str] = field(default_factory=list)


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
    # What completes the course (``completion:``): the required modules' slugs as a JSON list (None:
    # every module learners see), and the minimum time on its modules in minutes.
    required_modules: str | None = None
    minimum_minutes: int | None = None
    # On certificates: the "law as at" date, the review status, the provider and the partner organisation.
    law_as_at: date | None = None
    level: str | None = None
    version_date: date | None = None
    next_review: date | None = None
    # language → [audience, prerequisites, [outcome, …], reviewer's role]
    about: dict[str, list] = field(default_factory=dict)
    # the texts the modules cite: [{"id", "title", "version", "url"}]
    sources: list[dict] = field(default_factory=list)
    review_status: str = "pending"
    provider: str | None = None
    partner: str | None = None


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
            self.at(node, lazy_ngettext("“%(key)s” is longer than %(num)d character",
                                        "“%(key)s” is longer than %(num)d characters", max_length, key=key))
            return None
        return value

    def boolean(self, node: yaml.Node, key: str) -> bool | None:
        value = self.scalar(node, key)
        if value in ("true", "false"):
            return value == "true"
        if value is not None:
            self.at(node, _l("“%(key)s” must be true or false", key=key))
        return None

    def integer(self, node: yaml.Node, key: str, low: int, high: int) -> int | None:
        value = self.scalar(node, key)
        if value is not None and value.isascii() and value.isdigit() and low <= int(value) <= high:
            return int(value)
        if value is not None:
            self.at(node, _l("“%(key)s” must be a whole number from %(low)d to %(high)d", key=key, low=low, high=high))
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
        self._texts(modules, media)
        required, minimum = self._completion(get("completion"), modules) if get("completion") else (None, None)
        law_as_at = self._date(get("law_as_at"), "law_as_at") if get("law_as_at") else None
        version_date = self._date(get("version_date"), "version_date") if get("version_date") else None
        next_review = self._date(get("next_review"), "next_review") if get("next_review") else None
        level = self.scalar(get("level"), "level") if get("level") else None
        if get("level") and level not in LEVELS:
            self.at(get("level"), _l("“level” must be foundation, intermediate or advanced"))
        about = self._about(get, titles)
        sources = self._course_sources(get("sources"), modules) if get("sources") else []
        review_status = self.scalar(get("review_status"), "review_status") if get("review_status") else "pending"
        if review_status not in REVIEW_STATUSES:
            self.at(get("review_status"), _l("“review_status” must be pending or approved"))
        provider = self.text(get("provider"), "provider", max_length=200) if get("provider") else None
        partner = self.text(get("partner"), "partner", max_length=200) if get("partner") else None
        if self.problems:
            return None
        return PackageSpec(
            folder=self.folder, slug=slug, default_language=default_language, version=version,
            estimated_hours=hours, published=bool(published), titles=titles, summaries=summaries, modules=modules,
            media=media, required_modules=required, minimum_minutes=minimum, law_as_at=law_as_at, sources=sources,
            level=level, version_date=version_date, next_review=next_review, about=about,
            review_status=review_status, provider=provider, partner=partner,
        )

    def _about(self, get, titles: dict[str, str]) -> dict[str, list]:
        """``audience``, ``prerequisites``, ``outcomes`` (a list per language) and ``reviewer``, per language."""
        about: dict[str, list] = {}
        for index, key in enumerate(ABOUT_KEYS):
            node = get(key)
            if node is None:
                continue
            if key == "outcomes":
                values = {}
                for language, (_k, value_node) in self.mapping(node, key, CONTENT_LANGUAGES).items():
                    items = [self.text(item, f"outcomes.{language}", max_length=500) for item in value_node.value] \
                        if isinstance(value_node, yaml.SequenceNode) else [None]
                    if None in items or not items:
                        self.at(value_node, _l("“outcomes” lists, per language, what learners will be able to do"))
                    else:
                        values[language] = items
            else:
                values = self.languages(node, key)
            for language, value in list(values.items()) if key == "reviewer" else ():
                if len(value) > MAX_TITLE:
                    self.at(node, lazy_ngettext("“%(key)s” is longer than %(num)d character",
                                                "“%(key)s” is longer than %(num)d characters", MAX_TITLE, key=key))
                    del values[language]
            for language, value in values.items():
                if language not in titles:
                    self.at(node, _l("“%(key)s” has a language the course has no title in: %(code)s",
                                     key=key, code=language))
                    continue
                about.setdefault(language, ["", "", [], ""])[index] = value
        return about

    def _course_sources(self, node: yaml.Node, modules: list[ModuleSpec]) -> list[dict]:
        """``sources:``, a list of ``{id, title, version, url}``; the modules' ``sources:`` name their ids."""
        if not isinstance(node, yaml.SequenceNode):
            self.at(node, _l("“sources” must be a list of entries, each with an id, a title and a version"))
            return []
        found: list[dict] = []
        for item in node.value:
            entries = self.mapping(item, "sources", SOURCE_KEYS)
            values = {key: self.text(entries[key][1], f"sources.{key}", max_length=limit)
                      for key, limit in (("id", 60), ("title", 300), ("version", 200), ("url", 500)) if key in entries}
            if not all(values.get(key) for key in ("id", "title", "version")):
                self.at(item, _l("each source needs an id, a title and a version (or date)"))
            elif not SLUG_RE.match(values["id"]) or any(s["id"] == values["id"] for s in found):
                self.at(entries["id"][1], _l("source ids are short names, each given once, e.g. mdr or gvp-ix"))
            elif values.get("url") and not values["url"].startswith("https://"):
                self.at(entries["url"][1], _l("a source's url must start with https://"))
            else:
                found.append({"id": values["id"], "title": values["title"], "version": values["version"],
                              "url": values.get("url")})
        known = {s["id"] for s in found}
        for module in modules:
            if unknown := [key for key in module.cites if key not in known]:
                self.at(node, _l("module %(slug)s cites %(source)s, which “sources” does not list",
                                 slug=module.slug, source=unknown[0]))
        return found

    def _date(self, node: yaml.Node, key: str) -> date | None:
        value = self.scalar(node, key)
        if value is not None and len(value) == 10 and _iso_date(value):
            return date.fromisoformat(value)
        if value is not None:
            self.at(node, _l("“%(key)s” must be a date written as 2026-12-01", key=key))
        return None

    def _completion(self, node: yaml.Node, modules: list[ModuleSpec]) -> tuple[str | None, int | None]:
        """``completion: {modules: [slug, …], minimum_hours: 4.5}``: both optional."""
        entries = self.mapping(node, "completion", COMPLETION_KEYS)
        required = None
        if "modules" in entries:
            listed = entries["modules"][1]
            slugs = [self.scalar(item, "completion.modules") for item in listed.value] \
                if isinstance(listed, yaml.SequenceNode) else None
            known = {m.slug for m in modules}
            if not slugs or None in slugs:
                self.at(listed, _l("“completion.modules” must list module slugs, e.g. [scope, final-test]"))
            elif unknown := [slug for slug in slugs if slug not in known]:
                self.at(listed, _l("“completion.modules” names a module that is not in “modules”: %(slug)s",
                                   slug=unknown[0]))
            else:
                required = json.dumps(list(dict.fromkeys(slugs)))
        minimum = None
        if "minimum_hours" in entries:
            hours = self._hours(entries["minimum_hours"][1], key="completion.minimum_hours")
            minimum = int(hours * 60) if hours is not None else None
        return required, minimum


    def _media(self) -> dict[str, bytes]:
        folder = self.folder / MEDIA_DIR
        if not folder.is_dir():
            return {}
        found = {}
        for path in sorted(p for p in folder.iterdir() if not p.name.startswith(".")):
            wanted = media.expected_type(path.name) if path.is_file() else None
            if wanted is None:
                self.problem(path, None, _l("media must be PNG, JPEG, WebP or GIF images, MP4 or WebM videos or "
                                            "WebVTT subtitles, with lower-case names such as figure-1.png, "
                                            "lecture.webm or lecture.fi.vtt"))
                continue
            if path.stat().st_size > media.max_bytes(wanted):
                self.problem(path, None, _l("larger than %(size)d MiB", size=max(media.max_bytes(wanted) // 2**20, 1)))
                continue
            if wanted in media.VIDEO_TYPES:
                self._video(path, wanted, found)
                continue
            data = path.read_bytes()
            if media.sniff(data[: media.HEAD_BYTES]) != wanted:
                self.problem(path, None, _l("the file is not what its name says it is"))
            elif wanted == "text/vtt":
                problems = tracks.read_track(path.name, data)[1]
                for problem in problems:
                    self.problem(path, problem.line, problem.message)
                if not problems:
                    found[path.name] = data
            else:
                found[path.name] = data
        return found

    def _video(self, path: Path, wanted: str, found: dict[str, bytes]) -> None:
        """A video browsers play, read whole (as an upload in the browser is)."""
        try:
            info = probe.probe(path)
        except probe.NotPlayable as refused:
            self.problem(path, None, media.refusal(refused.reason))
            return
        if info.content_type != wanted:
            self.problem(path, None, _l("the file is not what its name says it is"))
            return
        found[path.name] = path.read_bytes()

    def _texts(self, modules: list[ModuleSpec], found: dict[str, bytes]) -> None:
        """Every module text passes the checks the editor applies to a published text, against the
        package's own media."""
        for module in modules:
            for language, text in list(module.files.items()):
                path = self.folder / MODULES_DIR / module.slug / f"{language}.md"
                problems = checks.check_module_text(text, media_names=set(found), publishing=True)
                for problem in problems:
                    self.problem(path, problem.line, problem.message)
                if problems:
                    del module.files[language]

    def _hours(self, node: yaml.Node, key: str = "estimated_hours") -> Decimal | None:
        value = self.scalar(node, key)
        try:
            hours = Decimal(value) if value is not None else None
        except InvalidOperation:
            hours = None
        if hours is None or not hours.is_finite() or hours <= 0 or hours > 1000 or -hours.as_tuple().exponent > 2:
            if value is not None:
                self.at(node, _l("“%(key)s” must be a number of hours between 0 and 1000, e.g. 4.5", key=key))
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
            if "translated_from" in entries:
                self._sources(module, entries["translated_from"][1])
            self._checks(module, entries)
            if "sources" in entries:
                cited = entries["sources"][1]
                keys = [self.scalar(item, "sources") for item in cited.value] \
                    if isinstance(cited, yaml.SequenceNode) else [None]
                if None in keys:
                    self.at(cited, _l("a module's “sources” lists source ids, e.g. [mdr, mdcg-2019-11]"))
                else:
                    module.cites = list(dict.fromkeys(keys))
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

    def _checks(self, module: ModuleSpec, entries: dict[str, tuple[yaml.Node, yaml.Node]]) -> None:
        for name, (low, high) in CHECK_NUMBERS.items():
            if name in entries:
                module.checks[name] = self.integer(entries[name][1], name, low, high)
        if "must_pass" in entries:
            module.checks["must_pass"] = self.boolean(entries["must_pass"][1], "must_pass")
        draw = module.checks["draw"]
        for language, text in module.files.items() if draw else ():
            count = len(checks.questions(text)[0])
            if count < draw:
                self.at(entries["draw"][1], lazy_ngettext(
                    "“draw” asks for %(num)d question, but %(file)s has %(count)d",
                    "“draw” asks for %(num)d questions, but %(file)s has %(count)d", draw,
                    file=f"{MODULES_DIR}/{module.slug}/{language}.md", count=count))

    def _sources(self, module: ModuleSpec, node: yaml.Node) -> None:
        for language, (key_node, value_node) in self.mapping(node, "translated_from", CONTENT_LANGUAGES).items():
            value = self.scalar(value_node, f"translated_from.{language}")
            match = SOURCE_RE.match(value or "")
            if value is None:
                continue
            if not match:
                self.at(value_node, _l("write the source as language@hash, e.g. en@0123456789abcdef "
                                       "(the first 16 characters of the SHA-256 of the source file)"))
            elif language not in module.files:
                file = f"{language}.md"
                self.at(key_node, _l("there is no %(file)s for this translation", file=file))
            elif match.group("language") == language or match.group("language") not in module.files:
                self.at(value_node, _l("the source language must be another language of this module"))
            else:
                module.sources[language] = (match.group("language"), match.group("hash"))

    def _module_files(self, module: ModuleSpec, slug_node: yaml.Node, default_language: str | None) -> None:
        folder = self.folder / MODULES_DIR / module.slug
        if not folder.is_dir():
            missing = f"{MODULES_DIR}/{module.slug}/"
            self.at(slug_node, _l("module folder %(folder)s is missing", folder=missing))
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
            file = f"{default_language}.md"
            self.problem(folder, None, _l("no file in the default language (%(file)s)", file=file))

    def _module_text(self, path: Path) -> str | None:
        data = path.read_bytes()
        if len(data) > MAX_MODULE_BYTES:
            self.problem(path, None, _l("larger than %(size)d KiB", size=MAX_MODULE_BYTES // 1024))
            return None
        try:
            return data.decode("utf-8")
        except UnicodeDecodeError as error:
            self.problem(path, _line_of_byte(data, error.start), _l("not valid UTF-8 text"))
            return None


def _iso_date(value: str) -> bool:
    try:
        date.fromisoformat(value)
    except ValueError:
        return False
    return True


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
