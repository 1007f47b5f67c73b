"""Course authoring: who may change a course, and every change they can make.

Access is checked here, in each function, never only in the views. Texts are
never changed in place: every save adds a module revision (draft or
published), so history, restore, conflicts and translation state all read the
same table. Every change is written to the course's audit log.
"""

from __future__ import annotations

import difflib
import io
import re
from dataclasses import dataclass
from decimal import Decimal
from typing import BinaryIO

from flask_babel import lazy_gettext as _l
from sqlalchemy import func, select
from sqlalchemy.orm import selectinload

from lms.accounts.models import Role, User
from lms.authoring.models import CourseAuthor
from lms.catalog.models import Course, CourseMedia, CourseText, Module, ModuleRevision, RevisionStatus
from lms.content import checks, media, probe, revisions, tracks
from lms.content.markdown import split_title
from lms.accounts import permissions
from lms.core import audit as audit_log_
from lms.core import errors
from lms.core.types import utcnow
from lms.extensions import db
from lms.i18n.languages import CONTENT_LANGUAGES

SLUG_RE = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")


class AuthoringError(Exception):
    pass


class NotFound(AuthoringError, errors.NotFound):
    pass


class NotAllowed(AuthoringError, errors.Forbidden):
    pass


class SlugTaken(AuthoringError):
    pass


class InvalidSlug(AuthoringError):
    pass


class Invalid(AuthoringError):
    """The text breaks the rules of a module file; nothing was saved."""

    def __init__(self, problems: list[checks.Problem]):
        super().__init__("; ".join(f"{p.line}: {p.message}" for p in problems))
        self.problems = problems


class Conflict(AuthoringError):
    """Someone saved this module language after the editor was opened; nothing was saved.
    The caller rolls back, then shows the newest revision beside the author's text."""


class NotAnAuthor(AuthoringError):
    pass


class InvalidMedia(AuthoringError):
    def __init__(self, reason: str):
        super().__init__(reason)
        # "type", "size" or "svg"; for a video, why it is not one browsers play (lms.content.probe)
        self.reason = reason


# ---------------------------------------------------------------- access


def require_course_creator(user: User) -> None:
    """Only authors and admins write courses (the authoring start page, a new course)."""
    if not permissions.is_author(user):
        raise NotAllowed()


def _require(user: User, course: Course) -> None:
    if not permissions.can_author(user, course):
        raise NotAllowed(course.slug)


def _require_admin(user: User) -> None:
    if not permissions.is_admin(user):
        raise NotAllowed()


def may_change(user: User, view_args: dict) -> bool:
    """Whether ``user`` may change the course a page's ``slug`` names (checked before an upload's
    body is read)."""
    slug = view_args.get("slug")
    course = db.session.scalar(select(Course).where(Course.slug == slug)) if isinstance(slug, str) else None
    return course is not None and permissions.can_author(user, course)


def authored_courses(user: User) -> list[Course]:
    """The courses ``user`` may change: all for admins, the assigned ones for authors."""
    require_course_creator(user)
    query = select(Course).options(selectinload(Course.texts)).order_by(Course.slug)
    if user.role is not Role.ADMIN:
        query = query.join(CourseAuthor, CourseAuthor.course_id == Course.id).where(CourseAuthor.user_id == user.id)
    return list(db.session.scalars(query))


def course_for(user: User, slug: str) -> Course:
    """Course ``slug`` for an author of it; NotFound or NotAllowed otherwise."""
    course = db.session.scalar(select(Course).where(Course.slug == slug).options(selectinload(Course.texts)))
    if course is None:
        raise NotFound(slug)
    _require(user, course)
    return course


def module_for(course: Course, slug: str) -> Module:
    module = db.session.scalar(select(Module).where(Module.course_id == course.id, Module.slug == slug))
    if module is None:
        raise NotFound(slug)
    return module


# ---------------------------------------------------------------- audit


def audit(*, course: Course, user: User | None, action: str, subject: str = "", **values) -> None:
    audit_log_.record(course_id=course.id, user_id=user.id if user else None, action=action, subject=subject,
                      **values)


@dataclass(frozen=True)
class LogEntry:
    event: audit_log_.AuditEvent
    who: str | None  # None: an import or the system

    @property
    def by_import(self) -> bool:
        return self.event.user_id is None and self.event.action.startswith("import-")


def audit_log(*, user: User, course: Course, limit: int = 200) -> list[LogEntry]:
    """The course's changes, newest first, with who made each: one query."""
    _require(user, course)
    AuditEvent = audit_log_.AuditEvent
    rows = db.session.execute(
        select(AuditEvent, User.display_name).outerjoin(User, User.id == AuditEvent.user_id)
        .where(AuditEvent.course_id == course.id).order_by(AuditEvent.id.desc()).limit(limit)
    ).all()
    return [LogEntry(event, who) for event, who in rows]


# ---------------------------------------------------------------- courses


@dataclass(frozen=True)
class CourseDetails:
    slug: str
    default_language: str
    version: str
    estimated_hours: Decimal
    published: bool
    titles: dict[str, str]
    summaries: dict[str, str]


def create_course(*, user: User, details: CourseDetails) -> Course:
    require_course_creator(user)
    if not SLUG_RE.match(details.slug) or len(details.slug) > 80:
        raise InvalidSlug(details.slug)
    if db.session.scalar(select(Course.id).where(Course.slug == details.slug)) is not None:
        raise SlugTaken(details.slug)
    course = Course(slug=details.slug, default_language=details.default_language, version=details.version,
                    estimated_hours=details.estimated_hours, published=details.published)
    db.session.add(course)
    _set_texts(course, details)
    db.session.flush()
    if user.role is not Role.ADMIN:
        db.session.add(CourseAuthor(course_id=course.id, user_id=user.id))
    audit(course=course, user=user, action="course-created", subject=course.slug)
    db.session.flush()
    return course


def update_course(*, user: User, course: Course, details: CourseDetails) -> Course:
    _require(user, course)
    course.default_language = details.default_language
    course.version = details.version
    course.estimated_hours = details.estimated_hours
    course.published = details.published
    _set_texts(course, details)
    audit(course=course, user=user, action="course-updated", subject=course.slug)
    db.session.flush()
    return course


def _set_texts(course: Course, details: CourseDetails) -> None:
    texts = {t.language: t for t in course.texts}
    for language in CONTENT_LANGUAGES:
        title = (details.titles.get(language) or "").strip()
        summary = (details.summaries.get(language) or "").strip()
        if not title:
            if language in texts:
                course.texts.remove(texts[language])
            continue
        if language in texts:
            texts[language].title, texts[language].summary = title, summary
        else:
            course.texts.append(CourseText(language=language, title=title, summary=summary))


# ---------------------------------------------------------------- modules


@dataclass(frozen=True)
class ModuleRow:
    module: Module
    title: str
    # language → newest revision of any status
    revisions: dict[str, ModuleRevision]

    def has_draft(self, language: str) -> bool:
        revision = self.revisions.get(language)
        return revision is not None and revision.status is RevisionStatus.DRAFT


def workspace(*, user: User, course: Course) -> tuple[list[ModuleRow], list[ModuleRow]]:
    """The course's modules in order, and its removed ones: three queries."""
    _require(user, course)
    modules = db.session.scalars(
        select(Module).where(Module.course_id == course.id).order_by(Module.position, Module.id)).all()
    newest = revisions.latest([m.id for m in modules], published=False)
    rows = []
    for module in modules:
        texts = {language: r for (module_id, language), r in newest.items() if module_id == module.id}
        shown = texts.get(course.default_language) or next(iter(texts.values()), None)
        rows.append(ModuleRow(module, shown.title if shown else module.slug, texts))
    return ([r for r in rows if r.module.archived_at is None], [r for r in rows if r.module.archived_at is not None])


def add_module(*, user: User, course: Course, slug: str, title: str) -> Module:
    """A new module at the end of the course, with a first draft holding its title."""
    _require(user, course)
    if not SLUG_RE.match(slug) or len(slug) > 80:
        raise InvalidSlug(slug)
    if db.session.scalar(select(Module.id).where(Module.course_id == course.id, Module.slug == slug)) is not None:
        raise SlugTaken(slug)
    last = db.session.scalar(select(func.max(Module.position)).where(Module.course_id == course.id)) or 0
    module = Module(course_id=course.id, slug=slug, position=last + 1, published=True)
    db.session.add(module)
    db.session.flush()
    revisions.add(module=module, language=course.default_language, text=f"# {title.strip()}\n",
                  status=RevisionStatus.DRAFT, author_id=user.id, base=None)
    audit(course=course, user=user, action="module-added", subject=slug)
    db.session.flush()
    return module


def move_module(*, user: User, course: Course, module: Module, offset: int) -> None:
    """Move ``module`` one place up (-1) or down (+1) among the course's modules."""
    _require(user, course)
    order = list(db.session.scalars(select(Module).where(
        Module.course_id == course.id, Module.archived_at.is_(None)).order_by(Module.position, Module.id)))
    index = order.index(module)
    target = index + offset
    if target < 0 or target >= len(order):
        return
    order[index], order[target] = order[target], order[index]
    for position, row in enumerate(order, start=1):
        row.position = position
    audit(course=course, user=user, action="module-moved", subject=module.slug, position=target + 1)
    db.session.flush()


def set_module_published(*, user: User, course: Course, module: Module, published: bool) -> None:
    _require(user, course)
    module.published = published
    audit(course=course, user=user, action="module-published" if published else "module-unpublished",
          subject=module.slug)
    db.session.flush()


def rename_module(*, user: User, course: Course, module: Module, title: str) -> ModuleRevision:
    """Give ``module`` a new title in the course's default language: a new revision whose first
    line is the new title, in the same state (draft or published) as the newest one."""
    _require(user, course)
    title = " ".join(title.split())
    if not title or len(title) > checks.MAX_TITLE:
        raise Invalid([checks.Problem(1, checks.title_too_long())
                       if title else checks.Problem(1, str(_l("the first line must be the module title, written as "
                                                                  "“# Title”")))])
    language = course.default_language
    current = revisions.newest(module, language)
    _old, body = split_title(current.body) if current else (None, "\n")
    text = f"# {title}\n{body if body.startswith(chr(10)) or not body else chr(10) + body}"
    status = current.status if current is not None and current.status is not RevisionStatus.WITHDRAWN \
        else RevisionStatus.DRAFT
    revision = revisions.add(module=module, language=language, text=text, status=status, author_id=user.id,
                             base=current, source=revisions.source_of(current), title=title)
    audit(course=course, user=user, action="module-renamed", subject=module.slug, title=title)
    db.session.flush()
    return revision


def set_watch_rule(*, user: User, course: Course, module: Module, percent: int | None) -> None:
    """How much of its videos (percent, 1–100) a learner must watch before completing ``module``."""
    _require(user, course)
    if percent is not None and not 1 <= percent <= 100:
        raise ValueError(percent)
    module.required_watch_percent = percent
    audit(course=course, user=user, action="module-watch-rule", subject=module.slug, percent=percent)
    db.session.flush()


def set_check_rules(*, user: User, course: Course, module: Module, pass_mark: int, max_attempts: int | None,
                    attempt_wait_minutes: int | None, must_pass: bool, draw: int | None) -> None:
    """The rules of a module's knowledge checks (or of a final test, with ``draw``). Attempts already
    made keep the pass mark they were scored with."""
    _require(user, course)
    module.pass_mark, module.max_attempts, module.attempt_wait_minutes = pass_mark, max_attempts, attempt_wait_minutes
    module.must_pass, module.draw = must_pass, draw
    audit(course=course, user=user, action="module-check-rules", subject=module.slug, pass_mark=pass_mark,
          max_attempts=max_attempts, attempt_wait=attempt_wait_minutes, must_pass=must_pass, draw=draw)
    db.session.flush()


def remove_module(*, user: User, course: Course, module: Module) -> None:
    """Take a module out of the course. Its texts and learners' progress stay, and it can be restored."""
    _require(user, course)
    module.archived_at = utcnow()
    audit(course=course, user=user, action="module-removed", subject=module.slug)
    db.session.flush()


def restore_module(*, user: User, course: Course, module: Module) -> None:
    _require(user, course)
    last = db.session.scalar(select(func.max(Module.position)).where(
        Module.course_id == course.id, Module.archived_at.is_(None))) or 0
    module.archived_at = None
    module.position = last + 1
    audit(course=course, user=user, action="module-restored", subject=module.slug)
    db.session.flush()


# ---------------------------------------------------------------- texts


def newest_revision(module: Module, language: str) -> ModuleRevision | None:
    return revisions.newest(module, language)


@dataclass(frozen=True)
class EditorState:
    current: ModuleRevision | None  # what the editor opens with: the newest revision
    published: ModuleRevision | None  # what learners see in this language
    source: ModuleRevision | None  # for a translation: the source language's published text
    # For a translation made from an older source: that source text, to show what changed since.
    translated_from: ModuleRevision | None

    @property
    def outdated(self) -> bool:
        return (self.source is not None and self.current is not None and self.current.source_hash is not None
                and self.current.source_hash != self.source.content_hash)


def editor_state(*, user: User, course: Course, module: Module, language: str) -> EditorState:
    _require(user, course)
    if language not in CONTENT_LANGUAGES:
        raise NotFound(language)
    current = revisions.newest(module, language)
    source = revisions.newest(module, course.default_language, published=True) \
        if language != course.default_language else None
    translated_from = None
    if source is not None and current is not None and current.source_hash and current.source_hash != source.content_hash:
        translated_from = revisions.revision_with_hash(module, course.default_language, current.source_hash)
    return EditorState(current, revisions.newest(module, language, published=True), source, translated_from)


def media_names(course: Course) -> set[str]:
    return set(db.session.scalars(select(CourseMedia.name).where(CourseMedia.course_id == course.id)))


def check_text(course: Course, text: str, *, publishing: bool = True) -> list[checks.Problem]:
    """A draft may name a video whose subtitles are still to be written; a published text may not."""
    return checks.check_module_text(text, media_names=media_names(course), publishing=publishing)


def save_text(*, user: User, course: Course, module: Module, language: str, text: str, base_id: int,
              publish: bool) -> ModuleRevision:
    """Save ``text`` as a new draft (or published) revision of ``module`` in ``language``.

    ``base_id`` is the revision the author started from (0 for none): if another
    revision was saved since, Conflict is raised and nothing is saved.
    """
    _require(user, course)
    if language not in CONTENT_LANGUAGES:
        raise NotFound(language)
    text = text.replace("\r\n", "\n")
    problems = check_text(course, text, publishing=publish)
    if problems:
        raise Invalid(problems)
    current = revisions.newest(module, language)
    if (current.id if current else 0) != base_id:
        raise Conflict(module.slug, language)
    status = RevisionStatus.PUBLISHED if publish else RevisionStatus.DRAFT
    if current is not None and current.body == text and current.status is status:
        return current  # nothing new to keep
    source = revisions.source_for(module, language=language, default_language=course.default_language)
    slug = module.slug
    try:
        revision = revisions.add(module=module, language=language, text=text, status=status, author_id=user.id,
                                 base=current, source=source)
    except revisions.StaleRevision:
        raise Conflict(slug, language) from None  # saved by someone else at this very moment
    audit(course=course, user=user, action="text-published" if publish else "text-saved",
          subject=f"{module.slug}/{language}", language=language, revision=revision.number)
    db.session.flush()
    return revision


@dataclass(frozen=True)
class HistoryRow:
    revision: ModuleRevision
    author: str | None


def history(*, user: User, course: Course, module: Module, language: str) -> list[HistoryRow]:
    """Every revision of the module in ``language``, newest first: one query."""
    _require(user, course)
    rows = db.session.execute(
        select(ModuleRevision, User.display_name).outerjoin(User, User.id == ModuleRevision.author_id)
        .where(ModuleRevision.module_id == module.id, ModuleRevision.language == language)
        .order_by(ModuleRevision.id.desc())
    ).all()
    return [HistoryRow(revision, author) for revision, author in rows]


def restore_revision(*, user: User, course: Course, module: Module, language: str, revision_id: int) -> ModuleRevision:
    """Bring back an earlier text as a new draft (publish it to make it live)."""
    _require(user, course)
    old = db.session.get(ModuleRevision, revision_id)
    if old is None or old.module_id != module.id or old.language != language or old.status is RevisionStatus.WITHDRAWN:
        raise NotFound(revision_id)
    current = revisions.newest(module, language)
    revision = revisions.add(module=module, language=language, text=old.body, status=RevisionStatus.DRAFT,
                             author_id=user.id, base=current, source=revisions.source_of(old), title=old.title)
    audit(course=course, user=user, action="text-restored", subject=f"{module.slug}/{language}",
          language=language, restored=old.number, revision=revision.number)
    db.session.flush()
    return revision


@dataclass(frozen=True)
class DiffLine:
    kind: str  # "same", "added" or "removed"
    old_number: int | None
    new_number: int | None
    text: str


def diff(old: str, new: str) -> list[DiffLine]:
    """A line diff from ``old`` to ``new``, for people: every line, with both line numbers."""
    old_lines, new_lines = old.splitlines(), new.splitlines()
    lines: list[DiffLine] = []
    for tag, i1, i2, j1, j2 in difflib.SequenceMatcher(a=old_lines, b=new_lines, autojunk=False).get_opcodes():
        if tag == "equal":
            lines.extend(DiffLine("same", i1 + k + 1, j1 + k + 1, old_lines[i1 + k]) for k in range(i2 - i1))
            continue
        lines.extend(DiffLine("removed", i + 1, None, old_lines[i]) for i in range(i1, i2))
        lines.extend(DiffLine("added", None, j + 1, new_lines[j]) for j in range(j1, j2))
    return lines


def revision_of(*, module: Module, language: str, revision_id: int) -> ModuleRevision:
    revision = revisions.get(module, language, revision_id)
    if revision is None:
        raise NotFound(revision_id)
    return revision


# ---------------------------------------------------------------- media


MEDIA_EXTENSIONS = {"image/png": "png", "image/jpeg": "jpg", "image/webp": "webp", "image/gif": "gif",
                    "video/mp4": "mp4", "video/webm": "webm"}


def _stem(filename: str) -> str:
    return re.sub(r"[^a-z0-9_-]+", "-", filename.rsplit(".", 1)[0].lower()).strip("-_")[:80] or "media"


def upload_media(*, user: User, course: Course, filename: str, stream: BinaryIO, kind: str = "image") -> CourseMedia:
    """Keep an uploaded image (``kind="image"``) or video (``"video"``) with the course, under a clean
    name. What it is is read from its bytes (a video wholly, by a media library), whatever it is
    called; a refused file is deleted at once. InvalidMedia says why it was refused."""
    _require(user, course)
    limit = media.max_bytes("video/webm" if kind == "video" else "image/png")
    try:
        with media.receive(stream, max_bytes=limit) as incoming:
            content_type, duration = _what_it_is(incoming, filename, kind)
            digest = media.keep(incoming)
    except media.TooLarge:
        raise InvalidMedia("size") from None
    return _name_in_course(user=user, course=course, stem=_stem(filename), extension=MEDIA_EXTENSIONS[content_type],
                           sha256=digest, size=incoming.size, content_type=content_type, duration=duration)


def _what_it_is(incoming: media.Incoming, filename: str, kind: str) -> tuple[str, float | None]:
    if kind == "video":
        try:
            info = probe.probe(incoming.path)
        except probe.NotPlayable as refused:
            raise InvalidMedia(refused.reason) from None
        return info.content_type, info.duration
    if incoming.head.lstrip()[:5].lower() in (b"<?xml", b"<svg ") or filename.lower().endswith(".svg"):
        raise InvalidMedia("svg")
    detected = media.sniff(incoming.head)
    if detected not in media.IMAGE_TYPES:
        raise InvalidMedia("type")
    return detected, None


def upload_image(*, user: User, course: Course, filename: str, data: bytes) -> CourseMedia:
    return upload_media(user=user, course=course, filename=filename, stream=io.BytesIO(data), kind="image")


def _name_in_course(*, user: User, course: Course, stem: str, extension: str, sha256: str, size: int,
                    content_type: str, duration: float | None = None, replace: bool = False) -> CourseMedia:
    """Name stored bytes in the course: ``stem.extension``, or ``stem-2.extension`` … when that name
    holds other bytes (unless ``replace``)."""
    name = f"{stem}.{extension}"
    taken = dict(db.session.execute(select(CourseMedia.name, CourseMedia.sha256)
                                    .where(CourseMedia.course_id == course.id)).all())
    number = 1
    while not replace and name in taken and taken[name] != sha256:
        number += 1
        name = f"{stem}-{number}.{extension}"
    row, what = media.record(course=course, name=name, sha256=sha256, content_type=content_type, size=size,
                             duration=duration)
    if what != "same":
        audit(course=course, user=user, action=f"media-{what}", subject=name)
    db.session.flush()
    return row


def videos_without_length(course: Course) -> list[str]:
    """The course's videos whose length is not known (stored before lengths were read whole): a module
    that asks for a share of them to be watched cannot be completed until they are uploaded again."""
    return sorted(db.session.scalars(select(CourseMedia.name).where(
        CourseMedia.course_id == course.id, CourseMedia.content_type.in_(media.VIDEO_TYPES),
        CourseMedia.duration.is_(None))))


def course_videos(course: Course) -> list[str]:
    return sorted(name for name in media_names(course) if media.expected_type(name) in media.VIDEO_TYPES)


def track_text(*, user: User, course: Course, video: str, language: str) -> str | None:
    """The subtitle track of ``video`` in ``language`` as text, or None if there is none."""
    _require(user, course)
    if video not in course_videos(course) or language not in CONTENT_LANGUAGES:
        raise NotFound(video)
    name = f"{video.rsplit('.', 1)[0]}.{language}.vtt"
    row = db.session.scalar(select(CourseMedia).where(CourseMedia.course_id == course.id, CourseMedia.name == name))
    if row is None or not media.blob_path(row.sha256).is_file():
        return None
    return tracks.decode(media.blob_path(row.sha256).read_bytes())[0]


def save_track(*, user: User, course: Course, video: str, language: str, data: bytes,
               filename: str = "") -> CourseMedia:
    """Keep ``data`` (a WebVTT file, or SubRip, converted) as the subtitles of ``video`` in ``language``;
    Invalid with the problems on their lines otherwise."""
    _require(user, course)
    if video not in course_videos(course) or language not in CONTENT_LANGUAGES:
        raise NotFound(video)
    text, problems = tracks.read_track(filename, data)
    if problems or text is None:
        raise Invalid(problems)
    stored = text.encode("utf-8")
    return _name_in_course(user=user, course=course, stem=f"{video.rsplit('.', 1)[0]}.{language}", extension="vtt",
                           sha256=media.store(stored), size=len(stored), content_type="text/vtt", replace=True)


@dataclass(frozen=True)
class TrackState:
    video: str
    language: str
    state: str  # "source", "current", "outdated" or "missing"


def track_states(*, course: Course) -> list[TrackState]:
    """Per video and language: the subtitle track in the default language is the source; a
    translation is outdated when the source track changed after it. One query."""
    rows = {r.name: r for r in db.session.scalars(select(CourseMedia).where(CourseMedia.course_id == course.id))}
    states = []
    for video in sorted(n for n in rows if media.expected_type(n) in media.VIDEO_TYPES):
        tracks = media.track_names(video, rows)
        source = rows.get(tracks.get(course.default_language, ""))
        for language in CONTENT_LANGUAGES:
            track = rows.get(tracks.get(language, ""))
            if language == course.default_language:
                state = "source" if track else "missing"
            elif track is None:
                state = "missing"
            else:
                state = "outdated" if source is not None and source.created_at > track.created_at else "current"
            states.append(TrackState(video, language, state))
    return states


# ---------------------------------------------------------------- authors


def course_authors(*, admin: User, course: Course) -> list[User]:
    """Who may change ``course``: the page where an admin assigns them."""
    _require_admin(admin)
    return list(db.session.scalars(select(User).join(CourseAuthor, CourseAuthor.user_id == User.id)
                                   .where(CourseAuthor.course_id == course.id).order_by(User.display_name)))


def assign_author(*, admin: User, course: Course, email: str) -> User:
    """An admin makes the user with ``email`` an author of ``course`` (their role must be author)."""
    from lms.accounts.services import find_by_email

    _require_admin(admin)
    author = find_by_email(email)
    if author is None or author.role is not Role.AUTHOR:
        raise NotAnAuthor(email)
    exists = db.session.scalar(select(CourseAuthor.id).where(
        CourseAuthor.course_id == course.id, CourseAuthor.user_id == author.id))
    if exists is None:
        db.session.add(CourseAuthor(course_id=course.id, user_id=author.id))
        audit(course=course, user=admin, action="author-added", subject=author.display_name)
    db.session.flush()
    return author


def remove_author(*, admin: User, course: Course, user_id: int) -> None:
    _require_admin(admin)
    row = db.session.scalar(select(CourseAuthor).where(
        CourseAuthor.course_id == course.id, CourseAuthor.user_id == user_id))
    if row is None:
        raise NotFound(user_id)
    author = db.session.get(User, user_id)
    db.session.delete(row)
    audit(course=course, user=admin, action="author-removed", subject=author.display_name if author else "")
    db.session.flush()
