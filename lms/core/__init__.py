"""Pages and behaviour shared by every feature: health check, errors, headers."""

from __future__ import annotations

from datetime import timedelta

from flask import Blueprint, Flask, jsonify, request, session
from flask_babel import format_date, format_datetime, format_decimal, format_percent, format_timedelta
from flask_babel import gettext as _
from sqlalchemy import text
from werkzeug.exceptions import HTTPException

from lms.core import errors
from lms.extensions import db

bp = Blueprint("core", __name__)

# Web origins allowed to frame NordLearn in this session: those of the platform
# the reader was launched from (set by an accepted LTI launch).
FRAME_ORIGINS_KEY = "frame_origins"

# The error pages a user may meet, with a sentence in their language.
ERROR_MESSAGES = {
    400: lambda: _("The request could not be understood. Please go back and try again."),
    403: lambda: _("You do not have access to this page."),
    404: lambda: _("We could not find that page. It may have moved or been unpublished."),
    405: lambda: _("This page cannot be used that way."),
    413: lambda: _("What you sent is larger than we accept."),
    429: lambda: _("Too many attempts. Please wait a moment and try again."),
    500: lambda: _("Something went wrong on our side. Nothing you entered was lost; please try again."),
}


@bp.get("/healthz")
def healthz():
    try:
        db.session.execute(text("SELECT 1"))
    except Exception as error:  # the check must answer whatever the database does
        db.session.rollback()
        return jsonify(status="error", database={"ok": False, "error": type(error).__name__}), 503
    return jsonify(status="ok", database={"ok": True, "dialect": db.engine.dialect.name})


def _error_page(error: HTTPException):
    code = error.code or 500
    return errors.error_page(code, ERROR_MESSAGES.get(code, ERROR_MESSAGES[500]))


def _csrf_error(error):
    return errors.error_page(400, lambda: _("This form has expired. Please reload the page and send it again; what "
                                            "you typed is still in the form."))


def content_security_policy(*, frame_ancestors: list[str] | tuple[str, ...] = (),
                            form_action: list[str] | tuple[str, ...] = ()) -> str:
    """NordLearn's policy: everything from itself; other origins only where named."""
    ancestors = " ".join(["'self'", *frame_ancestors])
    actions = " ".join(["'self'", *form_action])
    return (
        "default-src 'self'; img-src 'self' data:; style-src 'self'; script-src 'self'; "
        f"object-src 'none'; base-uri 'self'; form-action {actions}; frame-ancestors {ancestors}"
    )


def _security_headers(response):
    response.headers.setdefault(
        "Content-Security-Policy", content_security_policy(frame_ancestors=session.get(FRAME_ORIGINS_KEY, []))
    )
    response.headers.setdefault("X-Content-Type-Options", "nosniff")
    response.headers.setdefault("Referrer-Policy", "strict-origin-when-cross-origin")
    if request.is_secure:  # over https (directly, or behind a trusted proxy): browsers stay on https
        response.headers.setdefault("Strict-Transport-Security", "max-age=31536000; includeSubDomains")
    return response


def format_hours(hours) -> str:
    """A number of hours as a duration in the reader's language ("6 hours", "6 tuntia")."""
    return format_timedelta(timedelta(hours=float(hours)), granularity="hour", threshold=1000)


def format_duration(seconds) -> str:
    """Time spent, in hours and minutes in the reader's language ("3 hours 20 minutes")."""
    hours, minutes = divmod(int(seconds or 0) // 60, 60)
    parts = [format_timedelta(timedelta(hours=hours), granularity="hour", threshold=1000)] if hours else []
    if minutes or not hours:
        parts.append(format_timedelta(timedelta(minutes=minutes), granularity="minute", threshold=1000))
    return " ".join(parts)


def init_app(app: Flask) -> None:
    from flask_wtf.csrf import CSRFError

    from lms.core import hooks

    app.register_blueprint(bp)
    errors.init_app(app)
    hooks.init_app(app)
    for code in ERROR_MESSAGES:
        app.register_error_handler(code, _error_page)
    app.register_error_handler(CSRFError, _csrf_error)
    app.after_request(_security_headers)
    from lms.core import audit

    app.jinja_env.filters.update(percent=format_percent, decimal=format_decimal, date=format_date,
                                 datetime=format_datetime, hours=format_hours, duration=format_duration,
                                 change=audit.describe)
