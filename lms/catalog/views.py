from __future__ import annotations

from flask import abort, g, redirect, render_template, request, send_file, url_for
from flask_login import current_user, login_required

from lms.accounts.services import AccessDenied
from lms.catalog import bp, services
from lms.content import services as content
from lms.extensions import db
from lms.i18n import current_language
from lms.i18n.languages import CONTENT_LANGUAGES
from lms.learning import services as learning


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
    return render_template("catalog/index.html", cards=services.published_courses(language=language),
                           language_filter=language)


@bp.get("/courses/<slug>")
def course(slug: str):
    course = published_course_or_404(slug)
    language = current_language()
    outline = services.course_outline(course, language)
    state = learning.course_state(user=current_user, course=course, outline=outline)
    title, summary = services.course_text(course, language)
    from lms.live import services as live

    return render_template("catalog/course.html", course=course, title=title, summary=summary, state=state,
                           can_see_translations=services.can_see_translations(current_user),
                           live_rows=live.sessions_of(course=course, user=current_user, language=language),
                           zone=live.user_zone(current_user))


@bp.post("/courses/<slug>/start")
@login_required
def start(slug: str):
    course = published_course_or_404(slug)
    outline = services.course_outline(course, current_language())
    if not outline:
        abort(404)
    learning.enrol(user=current_user, course=course)
    db.session.commit()
    state = learning.course_state(user=current_user, course=course, outline=outline)
    target = state.resume or outline[0]
    return redirect(url_for("learning.module", slug=slug, module=target.module.slug))


@bp.get("/courses/<slug>/media/<name>")
def media(slug: str, name: str):
    course = published_course_or_404(slug)
    try:
        path, row = content.course_media(course=course, name=name)
    except content.MediaNotFound:
        abort(404)
    return send_file(path, mimetype=row.content_type, etag=row.sha256, max_age=24 * 3600, conditional=True)


@bp.get("/courses/<slug>/translations")
@login_required
def translations(slug: str):
    try:
        course = services.get_course(slug)
        table = services.translation_table(viewer=current_user, course=course)
    except (services.CourseNotFound, AccessDenied):
        abort(404)
    from lms.authoring.services import can_author, track_states

    title, _summary = services.course_text(course, current_language())
    tracks: dict[str, dict[str, str]] = {}
    for state in track_states(course=course):
        tracks.setdefault(state.video, {})[state.language] = state.state
    return render_template("catalog/translations.html", table=table, title=title, states=services.TranslationState,
                           can_edit=can_author(current_user, course), tracks=tracks)
