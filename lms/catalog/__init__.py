"""The catalogue of published courses and each course's page."""

from __future__ import annotations

from flask import Blueprint, Flask

bp = Blueprint("catalog", __name__)


def init_app(app: Flask) -> None:
    from lms.catalog import views  # noqa: F401  (routes)

    app.register_blueprint(bp)
