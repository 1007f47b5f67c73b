"""Assessment: answering a module's knowledge checks and a course's final test, attempt by attempt,
scored on the server against the stored text the learner was shown."""

from __future__ import annotations

from flask import Blueprint, Flask

bp = Blueprint("assessment", __name__)


def init_app(app: Flask) -> None:
    from lms.assessment import views
    from lms.core import hooks

    app.register_blueprint(bp)
    hooks.register(app, "module-page", views.module_panel)
