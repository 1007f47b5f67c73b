"""Course authoring in the browser: course workspace, Markdown editor with preview,
translations side by side, revisions with history and restore, images, packages,
audit log. Authors are assigned per course by an admin."""

from __future__ import annotations

from flask import Blueprint, Flask

from lms.core import hooks, uploads

bp = Blueprint("authoring", __name__, url_prefix="/author")


def init_app(app: Flask) -> None:
    from lms.authoring import cli, packages, services, views  # noqa: F401  (routes)

    video = app.config["LMS_MAX_VIDEO_BYTES"] + 2**20
    for endpoint, max_bytes in (("authoring.editor", video), ("authoring.package", packages.MAX_UPLOAD_BYTES),
                                ("authoring.subtitles", 2 * 2**20)):
        uploads.allow(app, endpoint, max_bytes=max_bytes, allowed=services.may_change)

    app.register_blueprint(bp)
    app.cli.add_command(cli.authors_cli)
    hooks.register(app, "course-page-top", views.translations_link)
