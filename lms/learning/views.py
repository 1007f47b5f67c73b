from __future__ import annotations

from flask import abort, flash, jsonify, redirect, render_template, request, url_for
from flask_babel import format_percent
from flask_babel import gettext as _
from flask_login import current_user, login_required

from lms.accounts import services as accounts
from lms.catalog import services as catalog
from lms.catalog.models import Course
from lms.content import services as content
from lms.core.types import utcnow
from lms.extensions import db
from lms.i18n import current_language, fall_back_to
from lms.learning import bp, completion, services
from lms.learning import time as learning_time


def _published_course(slug: str) -> Course:
    course = catalog.get_published_course(slug)  # CourseNotFound is the 404 page
    fall_back_to(course.default_language)
    return course


def _module_page_or_404(slug: str, module: str) -> catalog.ModulePage:
    return catalog.module_page(_published_course(slug), module, current_language())


@bp.get("/courses/<slug>")
def course(slug: str):
    """A course's page: its modules with the reader's progress, and the panels other features add."""
    course = _published_course(slug)
    language = current_language()
    outline = catalog.course_outline(course, language)
    state = services.course_state(user=current_user, course=course, outline=outline)
    title, summary = catalog.course_text(course, language)
    status = completion.status(user=current_user, course=course) if current_user.is_authenticated else None
    return render_template("learning/course.html", course=course, title=title, summary=summary, state=state,
                           status=status, about=catalog.course_about(course, language))


@bp.post("/courses/<slug>/start")
@login_required
def start(slug: str):
    course = _published_course(slug)
    outline = catalog.course_outline(course, current_language())
    if not outline:
        abort(404)
    services.enrol(user=current_user, course=course)
    db.session.commit()
    state = services.course_state(user=current_user, course=course, outline=outline)
    target = state.resume or outline[0]
    return redirect(url_for(".module", slug=slug, module=target.module.slug))


@bp.get("/courses/<slug>/modules/<module>")
@login_required
def module(slug: str, module: str):
    page = _module_page_or_404(slug, module)
    progress = services.record_visit(user=current_user, module=page.entry.module, at=utcnow())
    html = content.module_html(page.revision, course=page.course, module=page.entry.module,
                               language=current_language(),
                               media_base=url_for("catalog.media", slug=page.course.slug, name="x")[:-1])
    shares = services.watched_shares(user=current_user, module=page.entry.module, text=page.revision.body)
    must_pass = services.must_pass_first(user=current_user, module=page.entry.module, text=page.revision.body)
    response = render_template("learning/module.html", page=page, html=html, progress=progress, shares=shares,
                               must_pass=must_pass)
    db.session.commit()  # after rendering, so that nothing the page shows is loaded twice
    return response


@bp.post("/courses/<slug>/modules/<module>/complete")
@login_required
def complete(slug: str, module: str):
    page = _module_page_or_404(slug, module)
    try:
        services.complete_module(user=current_user, module=page.entry.module, at=utcnow(), text=page.revision.body)
    except services.NotWatchedEnough as short:
        flash(_("Watch at least %(required)d %% of the video before completing this module (so far: %(watched)s).",
                required=short.required, watched=format_percent(short.watched)), "error")
        return redirect(url_for(".module", slug=slug, module=module))
    except services.NotPassed:
        flash(_("Pass this module's questions to complete it."), "error")
        return redirect(url_for(".module", slug=slug, module=module))
    db.session.commit()
    if page.next is not None:
        flash(_("“%(title)s” is complete.", title=page.entry.title.text), "success")
        return redirect(url_for(".module", slug=slug, module=page.next.module.slug))
    flash(_("“%(title)s” is complete. That was the last module of the course.", title=page.entry.title.text), "success")
    return redirect(url_for("learning.course", slug=slug))


@bp.post("/courses/<slug>/modules/<module>/watched")
@login_required
def watched(slug: str, module: str):
    """The player reports what was played (JSON ``{"video": name, "ranges": [[start, end], …]}``)."""
    page = _module_page_or_404(slug, module)
    try:
        report = request.get_json(silent=True) or {}
    except RecursionError:  # JSON nested deeper than any report is
        report = {}
    if not isinstance(report, dict):
        report = {}
    ranges = report.get("ranges")
    if not isinstance(report.get("video"), str) or not isinstance(ranges, list):
        return jsonify(error="expected {video, ranges}"), 400
    try:
        share = services.record_watching(user=current_user, module=page.entry.module, video=report["video"],
                                         ranges=ranges, at=utcnow())
    except services.UnknownVideo:
        return jsonify(error="no such video in this course"), 404
    db.session.commit()
    return jsonify(share=share, label=None if share is None else _("Watched: %(share)s", share=format_percent(share)))


@bp.post("/courses/<slug>/modules/<module>/time")
@login_required
def time_spent(slug: str, module: str):
    """The module page's script says the learner is still active here (see ``learning.time``)."""
    page = _module_page_or_404(slug, module)
    at = utcnow()
    seconds = learning_time.record_ping(user=current_user, module=page.entry.module, at=at)
    completion.complete_course_if_done(user=current_user, course=page.course, at=at)  # a minimum time reached
    db.session.commit()
    return jsonify(seconds=seconds)


@bp.get("/dashboard")
@login_required
def dashboard():
    language = current_language()
    rows = services.dashboard(user=current_user, language=language)
    return render_template("learning/dashboard.html", rows=rows, subject=current_user,
                           record=completion.record(user=current_user, language=language))


@bp.get("/users/<int:user_id>/progress")
@login_required
def user_progress(user_id: int):
    """A member's progress, for themselves, their organisation's managers and admins."""
    subject = accounts.visible_user(viewer=current_user, user_id=user_id)  # AccessDenied is the 404 page
    language = current_language()
    rows = services.dashboard(user=subject, language=language)
    return render_template("learning/dashboard.html", rows=rows, subject=subject,
                           record=completion.record(user=subject, language=language))
