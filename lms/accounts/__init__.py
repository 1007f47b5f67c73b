"""Local accounts: register, log in and out, profile, password; the ``users`` CLI."""

from __future__ import annotations

from flask import Blueprint, Flask
from flask_babel import lazy_gettext as _l

from lms.extensions import login_manager

bp = Blueprint("accounts", __name__, url_prefix="/account")


def init_app(app: Flask) -> None:
    from lms.accounts import cli, permissions, services, views  # noqa: F401  (routes and commands)

    login_manager.init_app(app)
    login_manager.login_view = "accounts.login"
    login_manager.login_message = _l("Please log in to see this page.")
    login_manager.login_message_category = "info"
    login_manager.session_protection = "basic"
    login_manager.user_loader(services.load_session_user)
    app.register_blueprint(bp)
    app.cli.add_command(cli.users_cli)
    app.cli.add_command(cli.organisations_cli)
    # The same rules in templates as in services and views.
    app.jinja_env.globals.update(is_admin=permissions.is_admin, is_author=permissions.is_author,
                                 can_author=permissions.can_author, can_manage=permissions.can_manage)
