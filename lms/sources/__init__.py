"""Regulatory currency: the sources each module cites (regulations, guidelines) with their version or
date. When an author or admin marks a source as changed, every module citing it is due for review, in
each language, until that language's text is revised or confirmed; learners see when each module was
last reviewed and the law-as-at date it states."""

from __future__ import annotations

from flask import Blueprint, Flask

bp = Blueprint("sources", __name__, url_prefix="/author")


def init_app(app: Flask) -> None:
    from lms.core import hooks
    from lms.sources import views

    app.register_blueprint(bp)
    hooks.register(app, "module-page-top", views.reviewed_line)
