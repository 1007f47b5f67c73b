"""Module HTML for learners, cached per revision and reader language (a revision never
changes, so neither does its HTML), and the course media it shows."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from pathlib import Path

from flask_babel import gettext as _
from markupsafe import Markup
from sqlalchemy import select

from lms.accounts import permissions
from lms.catalog.models import Course, CourseMedia, Module, ModuleRevision
from lms.content import checks, markdown, media, revisions, vtt
from lms.content import tracks as track_files
from lms.core import errors
from lms.extensions import cache, db
from lms.i18n.languages import CONTENT_LANGUAGES, pick


@dataclass(frozen=True)
class Track:
    language: str
    label: str
    url: str
    default: bool


@dataclass(frozen=True)
class Video:
    url: str
    tracks: list[Track]
    transcript: list[tuple[float, str]]
    transcript_language: str | None


def video_resolver(*, course: Course, media_base: str, language: str):
    """``resolve("media/lecture.webm")`` → the video's URL, its subtitle tracks (the one nearest
    to ``language`` along the fallback chain by default) and that track's transcript."""
    rows: dict[str, CourseMedia] = {}

    def resolve(src: str) -> Video | None:
        if not rows:
            rows.update({r.name: r for r in db.session.scalars(
                select(CourseMedia).where(CourseMedia.course_id == course.id))})
        name = src.removeprefix("media/")
        if name not in rows:
            return None
        tracks = media.track_names(name, rows)
        chosen = pick(tracks, language, course.default_language)
        transcript = []
        if chosen is not None:
            path = media.blob_path(rows[tracks[chosen]].sha256)
            if path.is_file():
                text, _problems = track_files.decode(path.read_bytes())
                transcript = vtt.transcript(vtt.parse(text)[0])
        ordered = sorted(tracks, key=list(CONTENT_LANGUAGES).index)
        return Video(url=media_base + name, transcript=transcript, transcript_language=chosen,
                     tracks=[Track(code, CONTENT_LANGUAGES[code], media_base + tracks[code], code == chosen)
                             for code in ordered])

    return resolve


def labels() -> dict[str, str]:
    """The interface words inside module content, in the reader's language."""
    return {"transcript": _("Transcript"), "watch_at": _("Watch the video at %(host)s"), "answer": _("Your answer")}


def module_html(revision: ModuleRevision, *, course: Course, module: Module, language: str,
                media_base: str) -> Markup:
    """The revision's HTML for a reader of ``language``, its questions to answer (a final test's pool
    left out: its questions are drawn per attempt). Cached by everything that shapes it: the
    renderer, the revision (a revision never changes), whether it is a test, the reader's language,
    the course's media (a new or corrected subtitle track, a replaced video) and where media are
    served from."""
    questions = markdown.HIDE if module.draw else markdown.ANSWER
    key = (f"module-html:{markdown.RENDERER_VERSION}:{revision.id}:{language}:{questions}:{course.media_version}:"
           f"{media_base}")
    html = cache.get(key)
    if html is None:
        html = str(markdown.render_module_file(
            revision.body, media_base=media_base, labels=labels(), questions=questions,
            video=video_resolver(course=course, media_base=media_base, language=language)))
        cache.set(key, html, timeout=0)
    return Markup(html)


class MediaNotFound(errors.NotFound):
    pass


def course_media(*, course: Course, name: str) -> tuple[Path, CourseMedia]:
    """The stored file of ``name`` of a course, for its authors (whatever the state of what shows it)."""
    row = db.session.scalar(select(CourseMedia).where(CourseMedia.course_id == course.id, CourseMedia.name == name))
    if row is None or not media.blob_path(row.sha256).is_file():
        raise MediaNotFound(name)
    return media.blob_path(row.sha256), row


def learner_media(*, course: Course, name: str, viewer) -> tuple[Path, CourseMedia]:
    """A media file of a published course, for anyone, when a module learners can see shows it (an image,
    a video, or a subtitle track of such a video); a file only drafts, hidden or removed modules show
    is for the course's authors. MediaNotFound otherwise."""
    if not course.published or (name not in shown_to_learners(course) and not permissions.can_author(viewer, course)):
        raise MediaNotFound(name)
    return course_media(course=course, name=name)


def shown_to_learners(course: Course) -> frozenset[str]:
    """The media names the published texts of a course's visible modules show, with their videos'
    tracks. Two light queries; the texts are read only when one of them changed (cached by their ids)."""
    modules = list(db.session.scalars(select(Module.id).where(
        Module.course_id == course.id, Module.published.is_(True), Module.archived_at.is_(None))))
    texts = revisions.latest(modules)
    key = "shown-media:%s:%s:%s" % (course.id, course.media_version, hashlib.sha256(
        ",".join(str(r.id) for r in sorted(texts.values(), key=lambda r: r.id)).encode()).hexdigest()[:32])
    names = cache.get(key)
    if names is None:
        bodies = db.session.scalars(select(ModuleRevision.body).where(
            ModuleRevision.id.in_([r.id for r in texts.values()])))
        shown = set().union(*(checks.media_shown(body) for body in bodies))
        all_names = set(db.session.scalars(select(CourseMedia.name).where(CourseMedia.course_id == course.id)))
        tracks = {track for video in shown for track in media.track_names(video, all_names).values()}
        names = sorted(shown | tracks)
        cache.set(key, names, timeout=0)
    return frozenset(names)
