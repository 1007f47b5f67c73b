"""NordLearn as an LTI 1.3 tool: keys, platform registrations, launches.

Only this package talks to pylti1p3; the rest of NordLearn sees services.
"""

from __future__ import annotations

from flask import Blueprint, Flask

from lms.core import hooks

bp = Blueprint("lti", __name__, url_prefix="/lti")


def init_app(app: Flask) -> None:
    from lms.extensions import csrf
    from lms.core.signals import course_completed, module_completed
    from lms.lti import cli, grades, views

    # The platform posts these (and the launch page, when cookies are blocked), with a signed token and the OIDC state, not our forms'
    # token; every other form under /lti (deep-link picker, registration, admin) keeps CSRF.
    csrf.exempt(views.login)
    csrf.exempt(views.launch_view)
    csrf.exempt(views.launch_confirm)  # its proof is the state read from the platform's storage
    module_completed.connect(grades.on_module_completed)
    course_completed.connect(grades.on_course_completed)
    app.register_blueprint(bp)
    app.cli.add_command(cli.lti_cli)
    hooks.register(app, "course-page-top", views.roster_link, order=10)
