"""Locale of each request and the language switcher.

The locale is chosen, first match wins: an explicit choice in the page (kept
in the session and on the user), the user's saved preference, the LTI
launch's locale, the browser's Accept-Language, the course's default language.
"""

from __future__ import annotations

from flask import Blueprint, Flask, current_app, g, has_request_context, request, session
from flask_babel import get_locale
from flask_login import current_user

from lms.extensions import babel
from lms.i18n.languages import CONTENT_LANGUAGES, UI_LANGUAGES

bp = Blueprint("i18n", __name__)

SESSION_KEY = "language"
LTI_SESSION_KEY = "lti_locale"


def _normalise(tag: str | None) -> str | None:
    """``nb-NO`` / ``fi_FI`` / ``no`` → a content language code, or None."""
    if not tag:
        return None
    primary = tag.replace("_", "-").split("-")[0].lower()
    if primary == "no":
        primary = "nb"
    return primary if primary in CONTENT_LANGUAGES else None


def select_language() -> str:
    if not has_request_context():
        return "en"  # the CLI and background work speak English
    user_language = getattr(current_user, "preferred_language", None) if current_user else None
    for candidate in (
        session.get(SESSION_KEY),
        user_language,
        session.get(LTI_SESSION_KEY),
        g.get(LTI_SESSION_KEY),  # a launch's locale on a page shown before its session exists
    ):
        code = _normalise(candidate)
        if code:
            return code
    accepted = request.accept_languages.best_match(list(CONTENT_LANGUAGES))
    if accepted:
        return accepted
    # Also match regional tags such as ``fi-FI`` or ``nb-NO`` not listed verbatim.
    for tag, _quality in request.accept_languages:
        code = _normalise(tag)
        if code:
            return code
    return g.get("course_language") or "en"


def fall_back_to(language: str) -> None:
    """A page about a course: its default language is the last resort of this request's locale choice."""
    g.course_language = language


def current_language() -> str:
    """The content language of this request (may be a content-only language)."""
    return str(get_locale() or "en")


def ui_language() -> str:
    """The language the interface is actually shown in: the chosen one if it has a catalog."""
    language = current_language()
    return language if language in available_ui_languages() else "en"


def available_ui_languages() -> frozenset[str]:
    """Languages with a compiled interface catalog (read once per app, not per page)."""
    cached = current_app.extensions.get("lms_ui_languages")
    if cached is None:
        cached = frozenset({str(locale) for locale in babel.list_translations()} | {"en"})
        current_app.extensions["lms_ui_languages"] = cached
    return cached


def init_app(app: Flask) -> None:
    babel.init_app(app, locale_selector=select_language)
    app.jinja_env.globals.update(
        current_language=current_language,
        ui_language=ui_language,
        UI_LANGUAGES=UI_LANGUAGES,
        CONTENT_LANGUAGES=CONTENT_LANGUAGES,
    )
    from lms.i18n import views  # noqa: F401  (routes)

    app.register_blueprint(bp)
