"""NordLearn as an LTI 1.3 tool: keys, platform registrations, launches.

Only this package talks to pylti1p3; the rest of NordLearn sees services.
"""

from __future__ import annotations

from flask import Blueprint, Flask

bp = Blueprint("lti", __name__, url_prefix="/lti")


def init_app(app: Flask) -> None:
    from lms.extensions import csrf
    from lms.lti import cli, views  # noqa: F401  (routes and commands)

    csrf.exempt(bp)  # platforms post signed tokens, not our forms; each endpoint checks its own
    app.register_blueprint(bp)
    app.cli.add_command(cli.lti_cli)
