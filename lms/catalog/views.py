from __future__ import annotations

from flask import render_template, request, send_file
from flask_login import current_user

from lms.catalog import bp, services
from lms.content import services as content
from lms.i18n import current_language, fall_back_to
from lms.i18n.languages import CONTENT_LANGUAGES


@bp.get("/")
def index():
    language = request.args.get("language") or None
    if language is not None and language not in CONTENT_LANGUAGES:
        language = None  # an unknown filter shows every course rather than an error
    return render_template("catalog/index.html", cards=services.published_courses(reader_language=current_language(), language=language),
                           language_filter=language)


@bp.get("/courses/<slug>/media/<name>")
def media(slug: str, name: str):
    course = services.get_published_course(slug)  # CourseNotFound is the 404 page
    fall_back_to(course.default_language)
    path, row = content.learner_media(course=course, name=name, viewer=current_user)
    response = send_file(path, mimetype=row.content_type, etag=row.sha256, conditional=True)
    # Checked with the server each time (a 304 when unchanged): unpublished, it must not linger in caches.
    response.headers["Cache-Control"] = "no-cache"
    return response
