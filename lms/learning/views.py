from __future__ import annotations

from flask import abort, flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required

from lms.accounts import services as accounts
from lms.catalog import services as catalog
from lms.catalog.views import published_course_or_404
from lms.content import services as content
from lms.core.types import utcnow
from lms.extensions import db
from lms.i18n import current_language
from lms.learning import bp, services


def _module_page_or_404(slug: str, module: str) -> catalog.ModulePage:
    course = published_course_or_404(slug)
    try:
        return catalog.module_page(course, module, current_language())
    except catalog.ModuleNotFound:
        abort(404)


@bp.get("/courses/<slug>/modules/<module>")
@login_required
def module(slug: str, module: str):
    page = _module_page_or_404(slug, module)
    progress = services.record_visit(user=current_user, module=page.entry.module, at=utcnow())
    response = render_template("learning/module.html", page=page, html=content.module_html(page.revision, course_slug=page.course.slug),
                               progress=progress)
    db.session.commit()  # after rendering, so that nothing the page shows is loaded twice
    return response


@bp.post("/courses/<slug>/modules/<module>/complete")
@login_required
def complete(slug: str, module: str):
    page = _module_page_or_404(slug, module)
    services.complete_module(user=current_user, module=page.entry.module, at=utcnow())
    db.session.commit()
    if page.next is not None:
        flash(_("“%(title)s” is complete.", title=page.entry.title.text), "success")
        return redirect(url_for(".module", slug=slug, module=page.next.module.slug))
    flash(_("“%(title)s” is complete. That was the last module of the course.", title=page.entry.title.text), "success")
    return redirect(url_for("catalog.course", slug=slug))


@bp.get("/dashboard")
@login_required
def dashboard():
    rows = services.dashboard(user=current_user, language=current_language())
    return render_template("learning/dashboard.html", rows=rows, subject=current_user)


@bp.get("/users/<int:user_id>/progress")
@login_required
def user_progress(user_id: int):
    """A member's progress, for themselves, their organisation's managers and admins."""
    try:
        subject = accounts.visible_user(viewer=current_user, user_id=user_id)
    except accounts.AccessDenied:
        abort(404)
    rows = services.dashboard(user=subject, language=current_language())
    return render_template("learning/dashboard.html", rows=rows, subject=subject)
