from __future__ import annotations

from functools import wraps
from zoneinfo import ZoneInfo

from babel.dates import format_date, format_time
from flask import abort, current_app, flash, make_response, redirect, render_template, request, url_for
from flask_babel import get_locale, ngettext
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user, login_required

from lms import mail
from lms.authoring import services as authoring
from lms.catalog import services as catalog
from lms.catalog.models import Course
from lms.content import media
from lms.extensions import db
from lms.i18n import current_language
from lms.i18n.languages import CONTENT_LANGUAGES
from lms.live import bp, services
from lms.live.forms import SessionForm


def session_time(session, zone: str | None = None) -> str:
    """“Tuesday 1 December 2026, 11:00–12:30 (Europe/Helsinki)” in the reader's language and time zone
    (the session's own zone for a reader without one)."""
    zone = zone or session.timezone
    tz = ZoneInfo(zone)
    locale = get_locale()
    if str(locale) == "en":
        locale = "en_GB"  # 24-hour times and day-month order, as the courses' region writes them
    start, end = session.starts_at.astimezone(tz), session.ends_at.astimezone(tz)
    day = format_date(start, "full", locale=locale)
    return (f"{day}, {format_time(start, 'short', tzinfo=tz, locale=locale)}–"
            f"{format_time(end, 'short', tzinfo=tz, locale=locale)} ({zone})")


def _course_and_session(session_id: int):
    session = services.get_session(session_id)
    course = db.session.get(Course, session.course_id)
    if not course.published:
        raise catalog.CourseNotFound(course.slug)
    return course, session


@bp.post("/live/<int:session_id>/register")
@login_required
def register(session_id: int):
    try:
        course, session = _course_and_session(session_id)
    except (authoring.NotFound, catalog.CourseNotFound):
        abort(404)
    try:
        new = services.register(user=current_user, session=session)
    except services.Full:
        db.session.rollback()
        flash(_("This session is full."), "error")
        return redirect(url_for("catalog.course", slug=course.slug) + "#live-sessions")
    db.session.commit()
    if new:
        text = services.text_of(session, current_language(), course.default_language)
        _send(current_user, session, course, "live_registered", _l("You are registered: %(title)s", title=text.title))
        flash(_("You are registered for “%(title)s”. A confirmation is on its way by e-mail.", title=text.title),
              "success")
    return redirect(url_for("catalog.course", slug=course.slug) + "#live-sessions")


@bp.post("/live/<int:session_id>/unregister")
@login_required
def unregister(session_id: int):
    try:
        course, session = _course_and_session(session_id)
    except (authoring.NotFound, catalog.CourseNotFound):
        abort(404)
    services.unregister(user=current_user, session=session)
    db.session.commit()
    flash(_("Your registration is cancelled."), "success")
    return redirect(url_for("catalog.course", slug=course.slug) + "#live-sessions")


@bp.get("/live/<int:session_id>.ics")
def calendar(session_id: int):
    try:
        course, session = _course_and_session(session_id)
    except (authoring.NotFound, catalog.CourseNotFound):
        abort(404)
    text = services.text_of(session, current_language(), course.default_language)
    body = services.ics(session=session, title=text.title, description=text.description,
                       local_time=session_time(session, services.user_zone(current_user)),
                       base_url=current_app.config["LMS_BASE_URL"])
    response = make_response(body)
    response.headers["Content-Type"] = "text/calendar; charset=utf-8"
    response.headers["Content-Disposition"] = f'attachment; filename="nordlearn-session-{session.id}.ics"'
    return response


def _send(user, session, course, template: str, subject) -> bool:
    if not user.email:
        return False
    language = user.preferred_language or current_language()
    text = services.text_of(session, language, course.default_language)
    try:
        mail.send(mail.compose(
            to=user.email, template=template, language=language, subject=subject, name=user.display_name,
            title=text.title, description=text.description, join_url=session.join_url,
            when=_in_language(language, lambda: session_time(session, services.user_zone(user))),
            calendar=current_app.config["LMS_BASE_URL"] + url_for("live.calendar", session_id=session.id)))
    except mail.MailError:
        current_app.logger.exception("live session e-mail %s to user %s not sent", template, user.id)
        return False
    return True


def _in_language(language: str, render):
    from flask_babel import force_locale

    with force_locale(language):
        return render()


def send_reminder(reminder: services.Reminder) -> bool:
    course = db.session.get(Course, reminder.session.course_id)
    language = reminder.user.preferred_language or course.default_language
    text = services.text_of(reminder.session, language, course.default_language)
    with current_app.test_request_context(base_url=current_app.config["LMS_BASE_URL"]):
        return _send(reminder.user, reminder.session, course, "live_reminder",
                     _l("Reminder: %(title)s", title=text.title))


# ---------------------------------------------------------------- organisers


def _guarded(view):
    @wraps(view)
    def wrapper(*args, **kwargs):
        try:
            return view(*args, **kwargs)
        except (authoring.NotFound, authoring.NotAllowed):
            db.session.rollback()
            abort(404)

    return login_required(wrapper)


@bp.route("/author/<slug>/live", methods=["GET", "POST"])
@_guarded
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
@_guarded
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
                    data=upload.read(media.max_bytes("video/webm") + 1) if upload else b"")
            except authoring.InvalidImage:
                db.session.rollback()
                flash(_("This file is not an MP4 or WebM video, or it is too large."), "error")
            else:
                db.session.commit()
                flash(_("The recording is a new module now. Add its subtitles, then publish it."), "success")
                return redirect(url_for("authoring.editor", slug=slug, module=module.slug,
                                        language=course.default_language))
        elif request.form.get("action") == "import":
            upload = request.files.get("report")
            try:
                report = services.import_attendance(user=current_user, course=course, session=session,
                                                    data=upload.read(5 * 2**20) if upload else b"")
            except services.InvalidSession:
                flash(_("No e-mail column was found in this file. Export the attendance report as CSV with the "
                        "participants' e-mail addresses."), "error")
            else:
                db.session.commit()
                flash(ngettext("%(num)d registered participant was found in the report and marked as attended.",
                               "%(num)d registered participants were found in the report and marked as attended.",
                               report.matched), "success")
        else:
            ids = {int(v) for v in request.form.getlist("attended") if v.isdigit()}
            count = services.mark_attendance(user=current_user, course=course, session=session,
                                             attended_user_ids=ids)
            db.session.commit()
            flash(_("Attendance saved: %(num)d attended.", num=count), "success")
            return redirect(url_for(".attendance", slug=slug, session_id=session_id))
    text = services.text_of(session, current_language(), course.default_language)
    return render_template("live/attendance.html", course=course, session=session, text=text, report=report,
                           rows=services.attendees(user=current_user, course=course, session=session))
