"""Module HTML for learners, cached per revision (a revision never changes, so neither does
its HTML), and the course images it shows."""

from __future__ import annotations

from pathlib import Path

from flask import url_for
from markupsafe import Markup
from sqlalchemy import select

from lms.catalog.models import Course, CourseMedia, ModuleRevision
from lms.content import markdown, media
from lms.extensions import cache, db


def module_html(revision: ModuleRevision, *, course_slug: str) -> Markup:
    key = f"module-html:{markdown.RENDERER_VERSION}:{revision.id}"
    html = cache.get(key)
    if html is None:
        media_base = url_for("catalog.media", slug=course_slug, name="x")[:-1]
        html = str(markdown.render_module_file(revision.body, media_base=media_base))
        cache.set(key, html, timeout=0)
    return Markup(html)


class MediaNotFound(Exception):
    pass


def course_media(*, course: Course, name: str) -> tuple[Path, CourseMedia]:
    """The stored file of image ``name`` of a course (the caller decides who may see it)."""
    row = db.session.scalar(select(CourseMedia).where(CourseMedia.course_id == course.id, CourseMedia.name == name))
    if row is None or not media.blob_path(row.sha256).is_file():
        raise MediaNotFound(name)
    return media.blob_path(row.sha256), row
