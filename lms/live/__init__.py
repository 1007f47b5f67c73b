"""Live sessions of a course: schedule, register, calendar files, reminders, attendance."""

from __future__ import annotations

from flask import Blueprint, Flask

from lms.core import hooks, uploads

bp = Blueprint("live", __name__)


def init_app(app: Flask) -> None:
    from lms.live import cli, views  # noqa: F401  (routes)

    from lms.authoring.services import may_change

    uploads.allow(app, "live.attendance", max_bytes=app.config["LMS_MAX_VIDEO_BYTES"] + 2**20, allowed=may_change)
    app.register_blueprint(bp)
    app.cli.add_command(cli.live_cli)
    app.jinja_env.filters["session_time"] = views.session_time
    hooks.register(app, "course-page", views.sessions_panel)
