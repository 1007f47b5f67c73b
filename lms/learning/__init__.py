"""Learning: module pages, marking modules complete, the dashboard and progress."""

from __future__ import annotations

from flask import Blueprint, Flask

bp = Blueprint("learning", __name__)


def init_app(app: Flask) -> None:
    from lms.learning import views  # noqa: F401  (routes)

    app.register_blueprint(bp)
