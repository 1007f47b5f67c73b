"""Certificates: issued when a learner completes a course, shown in any of the interface languages,
downloaded as a PDF, verified by anyone at ``/verify/<code>``, revoked by admins with a reason."""

from __future__ import annotations

from flask import Blueprint, Flask

bp = Blueprint("certificates", __name__)


def init_app(app: Flask) -> None:
    from lms.certificates import services, views  # noqa: F401  (routes)
    from lms.core.signals import course_completed

    course_completed.connect(services.on_course_completed)
    app.register_blueprint(bp)
