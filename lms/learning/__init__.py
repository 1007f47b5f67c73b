"""Learning: module pages, marking modules complete, the dashboard and progress."""

from __future__ import annotations

from flask import Blueprint, Flask

bp = Blueprint("learning", __name__)


def init_app(app: Flask) -> None:
    from lms.core.signals import course_completed
    from lms.learning import notifications, views  # noqa: F401  (routes)

    course_completed.connect(notifications.on_course_completed)
    app.register_blueprint(bp)
