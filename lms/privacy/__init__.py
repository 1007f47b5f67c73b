"""Learners' own data (GDPR): everything NordLearn holds about a person, as a JSON file and as a page."""

from __future__ import annotations

from flask import Blueprint, Flask

bp = Blueprint("privacy", __name__, url_prefix="/account")


def init_app(app: Flask) -> None:
    from lms.privacy import cli, views  # noqa: F401  (routes)

    app.register_blueprint(bp)
    app.cli.add_command(cli.privacy_cli)
