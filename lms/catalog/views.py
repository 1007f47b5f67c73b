from __future__ import annotations

from flask import abort, g, render_template, request, send_file

from lms.catalog import bp, services
from lms.content import services as content
from lms.i18n import current_language
from lms.i18n.languages import CONTENT_LANGUAGES


def published_course_or_404(slug: str):
    try:
        course = services.get_published_course(slug)
    except services.CourseNotFound:
        abort(404)
    # The course's default language is the last resort of the locale choice.
    g.course_language = course.default_language
    return course


@bp.get("/")
def index():
    language = request.args.get("language") or None
    if language is not None and language not in CONTENT_LANGUAGES:
        language = None  # an unknown filter shows every course rather than an error
    return render_template("catalog/index.html", cards=services.published_courses(reader_language=current_language(), language=language),
                           language_filter=language)


@bp.get("/courses/<slug>/media/<name>")
def media(slug: str, name: str):
    course = published_course_or_404(slug)
    try:
        path, row = content.course_media(course=course, name=name)
    except content.MediaNotFound:
        abort(404)
    return send_file(path, mimetype=row.content_type, etag=row.sha256, max_age=24 * 3600, conditional=True)
