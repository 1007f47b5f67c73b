"""Answering: a module's knowledge checks (from its page), a final test (started, then answered in its
own page), and the review of an attempt. The module page shows the panel below its text."""

from __future__ import annotations

from flask import flash, redirect, render_template, request, url_for
from flask_babel import format_datetime, format_percent
from flask_babel import gettext as _
from flask_babel import ngettext
from flask_login import current_user, login_required
from markupsafe import Markup

from lms.assessment import bp, services
from lms.assessment.models import Attempt
from lms.catalog import services as catalog
from lms.content import markdown
from lms.core.errors import error_page
from lms.core.types import utcnow
from lms.extensions import db
from lms.i18n import current_language, fall_back_to
from lms.learning import services as learning


def _page(slug: str, module: str) -> catalog.ModulePage:
    course = catalog.get_published_course(slug)  # CourseNotFound is the 404 page
    fall_back_to(course.default_language)
    return catalog.module_page(course, module, current_language())


def _refused(error: services.AssessmentError, slug: str, module: str):
    """A start or a submission that cannot count: a clear message, nothing recorded."""
    db.session.rollback()
    if isinstance(error, services.Tampered):
        return error_page(400, lambda: _("These answers do not match the questions of this module, so nothing was "
                                         "recorded. Open the module again and answer the questions shown."))
    if isinstance(error, services.NoAttemptsLeft):
        flash(ngettext("You have used your %(num)d attempt.", "You have used all %(num)d attempts.", error.limit),
              "error")
    elif isinstance(error, services.TooSoon):
        flash(_("You can try again from %(time)s.", time=format_datetime(error.until, "short")), "error")
    else:
        flash(_("These answers were already sent; they count once."), "error")
    return redirect(url_for("learning.module", slug=slug, module=module))


def _scored(attempt: Attempt, page: catalog.ModulePage):
    """A scored attempt: a pass completes its module, when nothing else (a video to watch) is missing;
    then the learner sees the result."""
    if attempt.passed:
        try:
            learning.complete_module(user=current_user, module=page.entry.module, at=attempt.submitted_at,
                                     text=attempt.revision.body)
        except learning.NotWatchedEnough:
            flash(_("You passed. Watch the video to complete this module."), "info")
    db.session.commit()
    return redirect(url_for(".attempt", slug=page.course.slug, module=page.entry.module.slug, attempt_id=attempt.id))


@bp.post("/courses/<slug>/modules/<module>/answers")
@login_required
def submit_check(slug: str, module: str):
    page = _page(slug, module)
    try:
        attempt = services.submit_check(user=current_user, module=page.entry.module,
                                        revision_id=request.form.get("revision", type=int),
                                        raw=request.form.to_dict(flat=False), at=utcnow())
    except services.AssessmentError as error:
        return _refused(error, slug, module)
    return _scored(attempt, page)


@bp.post("/courses/<slug>/modules/<module>/test")
@login_required
def start_test(slug: str, module: str):
    page = _page(slug, module)
    try:
        attempt = services.start_test(user=current_user, module=page.entry.module, revision=page.revision,
                                      at=utcnow())
    except services.AssessmentError as error:
        return _refused(error, slug, module)
    db.session.commit()
    return redirect(url_for(".attempt", slug=slug, module=module, attempt_id=attempt.id))


@bp.get("/courses/<slug>/modules/<module>/attempts/<int:attempt_id>")
@login_required
def attempt(slug: str, module: str, attempt_id: int):
    """An open final-test attempt to answer, or a submitted attempt to review."""
    page = _page(slug, module)
    attempt = services.own_attempt(user=current_user, module=page.entry.module, attempt_id=attempt_id)
    standing = services.standing(user=current_user, module=page.entry.module, at=utcnow())
    if attempt.submitted_at is None:
        questions = services.questions_of(attempt.revision)
        shown = [(questions[key], order) for key, order in services.json.loads(attempt.questions)]
        return render_template("assessment/test.html", page=page, attempt=attempt, shown=shown,
                               inline=markdown.inline, number=markdown.format_number)
    rows = services.review(attempt, reveal=bool(attempt.passed) or standing.left == 0)
    return render_template("assessment/review.html", page=page, attempt=attempt, rows=rows, standing=standing,
                           inline=markdown.inline, number=markdown.format_number)


@bp.post("/courses/<slug>/modules/<module>/attempts/<int:attempt_id>")
@login_required
def submit_test(slug: str, module: str, attempt_id: int):
    page = _page(slug, module)
    try:
        attempt = services.submit_test(user=current_user, module=page.entry.module, attempt_id=attempt_id,
                                       raw=request.form.to_dict(flat=False), at=utcnow())
    except services.AssessmentError as error:
        return _refused(error, slug, module)
    return _scored(attempt, page)


def module_panel(*, page: catalog.ModulePage, **_context) -> Markup | None:
    """Below a module's text: the answer form of its questions, or the start of its final test, with
    the learner's attempts so far."""
    module = page.entry.module
    count = len(services.questions_of(page.revision)) if "question" in page.revision.body else 0
    if not count or not current_user.is_authenticated:
        return None
    standing = services.standing(user=current_user, module=module, at=utcnow())
    return Markup(render_template("assessment/panel.html", page=page, standing=standing, count=count,
                                  percent=format_percent))
