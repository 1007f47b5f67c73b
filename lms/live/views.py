from __future__ import annotations

import io

from flask import current_app, flash, make_response, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import ngettext
from flask_login import current_user, login_required

from lms.authoring import services as authoring
from lms.catalog import services as catalog
from lms.catalog.models import Course
from lms.content import media
from lms.extensions import db
from lms.i18n import current_language
from lms.i18n.languages import CONTENT_LANGUAGES
from lms.live import attendance as attendance_files
from lms.live import bp, notifications, services, times
from lms.live.forms import SessionForm


def session_time(session, zone: str | None = None) -> str:
    """The template filter: a session's time in the reader's language and ``zone``."""
    return times.session_time(session, zone, current_language())


def sessions_panel(course) -> str | None:
    """The course page's panel of upcoming live sessions."""
    rows = services.sessions_of(course=course, user=current_user, language=current_language())
    return render_template("live/_list.html", rows=rows, zone=services.user_zone(current_user)) if rows else None


def _course_and_session(session_id: int):
    session = services.get_session(session_id)
    course = db.session.get(Course, session.course_id)
    if not course.published:
        raise catalog.CourseNotFound(course.slug)
    return course, session


@bp.post("/live/<int:session_id>/register")
@login_required
def register(session_id: int):
    course, session = _course_and_session(session_id)
    try:
        new = services.register(user=current_user, session=session)
    except services.Full:
        db.session.rollback()
        flash(_("This session is full."), "error")
        return redirect(url_for("learning.course", slug=course.slug) + "#live-sessions")
    if new:
        notifications.registered.queue(new)
    db.session.commit()
    if new:
        text = services.text_of(session, current_language(), course.default_language)
        flash(_("You are registered for “%(title)s”. A confirmation is on its way by e-mail.", title=text.title),
              "success")
    return redirect(url_for("learning.course", slug=course.slug) + "#live-sessions")


@bp.post("/live/<int:session_id>/unregister")
@login_required
def unregister(session_id: int):
    course, session = _course_and_session(session_id)
    services.unregister(user=current_user, session=session)
    db.session.commit()
    flash(_("Your registration is cancelled."), "success")
    return redirect(url_for("learning.course", slug=course.slug) + "#live-sessions")


@bp.get("/live/calendar/<token>.ics")
def calendar(token: str):
    """A registration's own calendar file, behind its unguessable link (sent by e-mail, shown on
    the course page to the registered reader), in that participant's language and time zone."""
    registration, session, user = services.registration_by_token(token)
    course = db.session.get(Course, session.course_id)
    language = user.preferred_language or course.default_language
    text = services.text_of(session, language, course.default_language)
    body = services.ics(session=session, title=text.title, description=text.description,
                       local_time=times.session_time(session, services.user_zone(user), language),
                       base_url=current_app.config["LMS_BASE_URL"])
    response = make_response(body)
    response.headers["Content-Type"] = "text/calendar; charset=utf-8"
    response.headers["Content-Disposition"] = f'attachment; filename="nordlearn-session-{session.id}.ics"'
    response.headers["Cache-Control"] = "private, no-store"
    response.headers["Referrer-Policy"] = "no-referrer"
    return response


# ---------------------------------------------------------------- organisers


@bp.route("/author/<slug>/live", methods=["GET", "POST"])
@login_required
def sessions(slug: str):
    course = authoring.course_for(current_user, slug)
    form = SessionForm()
    form.fill_choices(course)
    if request.method == "GET":
        form.timezone.data = services.user_zone(current_user) or "Europe/Oslo"
        form.capacity.data = 100
    if form.validate_on_submit():
        try:
            services.create_session(user=current_user, course=course, details=form.details())
        except services.InvalidSession as invalid:
            field = {"ends_at": form.ends_at, "join_url": form.join_url, "timezone": form.timezone,
                     "module": form.module}.get(invalid.field, form[f"title_{course.default_language}"])
            field.errors.append({
                "ends_at": _("The session must end after it starts."),
                "join_url": _("Give the web address of the meeting, starting with https://."),
                "timezone": _("Choose a time zone from the list."),
            }.get(invalid.field, _("Give the session a title in the course's default language.")))
        else:
            db.session.commit()
            flash(_("The session is scheduled."), "success")
            return redirect(url_for(".sessions", slug=slug))
    rows = services.sessions_of(course=course, user=current_user, language=current_language(), upcoming_only=False)
    return render_template("live/sessions.html", course=course, form=form, rows=rows,
                           languages=CONTENT_LANGUAGES), 422 if form.errors else 200


@bp.route("/author/<slug>/live/<int:session_id>", methods=["GET", "POST"])
@login_required
def attendance(slug: str, session_id: int):
    course = authoring.course_for(current_user, slug)
    session = services.get_session(session_id)
    if session.course_id != course.id:
        raise authoring.NotFound(session_id)
    report = None
    if request.method == "POST":
        if request.form.get("action") == "recording":
            upload = request.files.get("recording")
            try:
                module = services.attach_recording(
                    user=current_user, course=course, session=session, filename=upload.filename if upload else "",
                    stream=upload.stream if upload else io.BytesIO())
            except authoring.InvalidMedia as invalid:
                db.session.rollback()
                flash(media.refusal(invalid.reason), "error")
            else:
                db.session.commit()
                flash(_("The recording is a new module now. Add its subtitles, then publish it."), "success")
                return redirect(url_for("authoring.editor", slug=slug, module=module.slug,
                                        language=course.default_language))
        elif request.form.get("action") == "import":
            upload = request.files.get("report")
            try:
                report = services.import_attendance(user=current_user, course=course, session=session,
                                                    data=upload.read(attendance_files.MAX_BYTES + 1) if upload else b"")
            except attendance_files.AttendanceFileError as refused:
                flash(str(refused.reason), "error")
            else:
                db.session.commit()
                flash(ngettext("The report holds %(num)d e-mail address.", "The report holds %(num)d e-mail addresses.",
                               report.found) + " " +
                      ngettext("%(num)d registered participant was found in it and marked as attended.",
                               "%(num)d registered participants were found in it and marked as attended.",
                               report.matched), "success")
        else:
            ids = {int(v) for v in request.form.getlist("attended") if v.isdigit()}
            count = services.mark_attendance(user=current_user, course=course, session=session,
                                             attended_user_ids=ids)
            db.session.commit()
            flash(ngettext("Attendance saved: %(num)d person attended.", "Attendance saved: %(num)d people attended.",
                           count), "success")
            return redirect(url_for(".attendance", slug=slug, session_id=session_id))
    text = services.text_of(session, current_language(), course.default_language)
    return render_template("live/attendance.html", course=course, session=session, text=text, report=report,
                           rows=services.attendees(user=current_user, course=course, session=session))
