from __future__ import annotations

from flask import abort, redirect, request, session
from flask_login import current_user

from lms.core.urls import safe_next
from lms.extensions import db
from lms.i18n import SESSION_KEY, bp
from lms.i18n.languages import UI_LANGUAGES


@bp.post("/language")
def choose_language():
    """Remember an explicit language choice in the session and on the user."""
    language = request.form.get("language", "")
    if language not in UI_LANGUAGES:
        abort(400)
    session[SESSION_KEY] = language
    if current_user.is_authenticated:
        current_user.preferred_language = language
        db.session.commit()
    return redirect(safe_next(request.form.get("next")))
