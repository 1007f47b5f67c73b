"""Module HTML for learners, cached per revision and reader language (a revision never
changes, so neither does its HTML), and the course media it shows."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from flask import url_for
from flask_babel import gettext as _
from markupsafe import Markup
from sqlalchemy import select

from lms.catalog.models import Course, CourseMedia, ModuleRevision
from lms.content import markdown, media, vtt
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
                cues, _problems = vtt.parse(path.read_bytes().decode("utf-8", errors="replace"))
                transcript = vtt.transcript(cues)
        ordered = sorted(tracks, key=list(CONTENT_LANGUAGES).index)
        return Video(url=media_base + name, transcript=transcript, transcript_language=chosen,
                     tracks=[Track(code, CONTENT_LANGUAGES[code], media_base + tracks[code], code == chosen)
                             for code in ordered])

    return resolve


def labels() -> dict[str, str]:
    """The interface words inside module content, in the reader's language."""
    return {"transcript": _("Transcript"), "watch_at": _("Watch the video at %(host)s")}


def module_html(revision: ModuleRevision, *, course: Course, language: str) -> Markup:
    key = f"module-html:{markdown.RENDERER_VERSION}:{revision.id}:{language}"
    html = cache.get(key)
    if html is None:
        media_base = url_for("catalog.media", slug=course.slug, name="x")[:-1]
        html = str(markdown.render_module_file(
            revision.body, media_base=media_base, labels=labels(),
            video=video_resolver(course=course, media_base=media_base, language=language)))
        cache.set(key, html, timeout=0)
    return Markup(html)


class MediaNotFound(Exception):
    pass


def course_media(*, course: Course, name: str) -> tuple[Path, CourseMedia]:
    """The stored file of ``name`` of a course (the caller decides who may see it)."""
    row = db.session.scalar(select(CourseMedia).where(CourseMedia.course_id == course.id, CourseMedia.name == name))
    if row is None or not media.blob_path(row.sha256).is_file():
        raise MediaNotFound(name)
    return media.blob_path(row.sha256), row
