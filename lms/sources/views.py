"""The sources page of a course (for its authors): what each module cites, marking a source as changed,
the module texts due for review and confirming one; and the line learners see on each module."""

from __future__ import annotations

from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required
from markupsafe import Markup

from lms.accounts import permissions
from lms.catalog import services as catalog
from lms.catalog.models import Module
from lms.core.types import utcnow
from lms.extensions import db
from lms.i18n import current_language
from lms.i18n.languages import CONTENT_LANGUAGES
from lms.sources import bp, services


def _course(slug: str):
    course = catalog.get_course(slug)  # CourseNotFound is the 404 page
    if not permissions.can_author(current_user, course):
        abort(404)
    return course


@bp.get("/<slug>/sources")
@login_required
def index(slug: str):
    course = _course(slug)
    modules = {m.id: m for m in course.modules if m.archived_at is None}
    due = [(modules[module_id], language, sources) for (module_id, language), sources
           in sorted(services.review_due(course).items(), key=lambda item: (modules[item[0][0]].position,
                                                                            list(CONTENT_LANGUAGES).index(item[0][1])))
           if module_id in modules]
    title, _summary = catalog.course_text(course, current_language())
    return render_template("sources/index.html", course=course, title=title, sources=services.sources_of(course),
                           cited=services.cited_by(course), due=due, languages=CONTENT_LANGUAGES)


@bp.post("/<slug>/sources/<key>/changed")
@login_required
def changed(slug: str, key: str):
    course = _course(slug)
    services.mark_changed(user=current_user, course=course, key=key, note=request.form.get("note", ""), at=utcnow())
    db.session.commit()
    flash(_("Marked as changed: the modules citing it are due for review in every language."), "success")
    return redirect(url_for(".index", slug=slug))


@bp.post("/<slug>/sources/reviews/<module>")
@login_required
def reviewed(slug: str, module: str):
    course = _course(slug)
    target = next((m for m in course.modules if m.slug == module), None)
    language = request.form.get("language", "")
    if target is None or language not in CONTENT_LANGUAGES:
        abort(404)
    services.confirm_reviewed(user=current_user, course=course, module=target, language=language, at=utcnow())
    db.session.commit()
    flash(_("Confirmed as reviewed."), "success")
    return redirect(url_for(".index", slug=slug))


def reviewed_line(*, page: catalog.ModulePage, **_context) -> Markup | None:
    """Under a module's title: when its text was last reviewed, against the law as at which date."""
    module: Module = page.entry.module
    line = services.reviewed_line(course=page.course, module=module, language=page.revision.language)
    if line is None:
        return None
    return Markup(render_template("sources/reviewed_line.html", line=line))
