"""Live sessions of a course: schedule, register, calendar files, reminders, attendance."""

from __future__ import annotations

from flask import Blueprint, Flask

from lms.core import hooks

bp = Blueprint("live", __name__)


def init_app(app: Flask) -> None:
    from lms.live import cli, views  # noqa: F401  (routes)

    app.config["LMS_UPLOAD_LIMITS"]["live.attendance"] = app.config["LMS_MAX_VIDEO_BYTES"] + 2**20
    app.register_blueprint(bp)
    app.cli.add_command(cli.live_cli)
    app.jinja_env.filters["session_time"] = views.session_time
    hooks.register(app, "course-page", views.sessions_panel)
