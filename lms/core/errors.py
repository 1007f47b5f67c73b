"""The domain's "not found" and "not allowed", each answered once, the same way, by every page.

Services raise subclasses of these; the app turns both into the 404 page (a course
or a person one may not see is not there for them) after rolling back whatever the
request had begun. A database that is down gives a 503 page that needs no database.
"""

from __future__ import annotations

from flask import Flask, g, render_template
from flask_babel import gettext as _
from flask_login import AnonymousUserMixin
from sqlalchemy.exc import OperationalError

from lms.extensions import db


class NotFound(Exception):
    """What was asked for is not there."""


class Forbidden(Exception):
    """It is there, but not for this user: answered exactly as NotFound."""


def _not_found(_error: Exception):
    db.session.rollback()
    message = _("We could not find that page. It may have moved or been unpublished.")
    return render_template("core/error.html", code=404, message=message), 404


def _database_unavailable(error: Exception):
    try:
        db.session.rollback()
    except Exception:  # noqa: BLE001  (the connection itself may be gone)
        pass
    g._login_user = AnonymousUserMixin()  # the page must not ask the database who is logged in
    message = _("NordLearn cannot reach its database just now. Nothing you entered was lost; please try again "
                "in a minute.")
    return render_template("core/error.html", code=503, message=message), 503


def init_app(app: Flask) -> None:
    app.register_error_handler(NotFound, _not_found)
    app.register_error_handler(Forbidden, _not_found)
    app.register_error_handler(OperationalError, _database_unavailable)
