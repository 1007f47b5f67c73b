from __future__ import annotations

from flask import g, render_template, request, send_file
from flask_login import current_user

from lms.catalog import bp, services
from lms.content import services as content
from lms.i18n import current_language
from lms.i18n.languages import CONTENT_LANGUAGES


def published_course_or_404(slug: str):
    course = services.get_published_course(slug)  # CourseNotFound is the 404 page
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
    path, row = content.learner_media(course=course, name=name, viewer=current_user)
    response = send_file(path, mimetype=row.content_type, etag=row.sha256, conditional=True)
    # Checked with the server each time (a 304 when unchanged): unpublished, it must not linger in caches.
    response.headers["Cache-Control"] = "no-cache"
    return response
