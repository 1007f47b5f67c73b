"""The domain's "not found" and "not allowed", each answered once, the same way, by every page.

Services raise subclasses of these; the app turns both into the 404 page (a course
or a person one may not see is not there for them) after rolling back whatever the
request had begun. A database that is down gives a 503 page that needs no database.
"""

from __future__ import annotations

import contextlib
from collections.abc import Callable

from flask import Flask, g, render_template
from flask_babel import gettext as _
from flask_login import AnonymousUserMixin
from sqlalchemy.exc import OperationalError

from lms.extensions import db


class NotFound(Exception):
    """What was asked for is not there."""


class Forbidden(Exception):
    """It is there, but not for this user: answered exactly as NotFound."""


def error_page(code: int, message: Callable[[], str]):
    """An error page in the reader's language. When the database cannot say who the reader is,
    the page is shown as to a visitor, with the 503 message: an error page never fails itself."""
    try:
        return render_template("core/error.html", code=code, message=message()), code
    except OperationalError:
        return _database_unavailable(None)


def _not_found(_error: Exception):
    db.session.rollback()
    return error_page(404, lambda: _("We could not find that page. It may have moved or been unpublished."))


def _database_unavailable(_error: Exception | None):
    with contextlib.suppress(Exception):  # the connection itself may be gone
        db.session.rollback()
    g._login_user = AnonymousUserMixin()  # the page must not ask the database who is logged in
    message = _("NordLearn cannot reach its database just now. Nothing you entered was lost; please try again "
                "in a minute.")
    return render_template("core/error.html", code=503, message=message), 503


def init_app(app: Flask) -> None:
    app.register_error_handler(NotFound, _not_found)
    app.register_error_handler(Forbidden, _not_found)
    app.register_error_handler(OperationalError, _database_unavailable)
