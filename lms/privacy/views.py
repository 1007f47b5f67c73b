"""Export my data: a page that shows everything held about the reader, and the same as a JSON file."""

from __future__ import annotations

import json

from flask import Response, flash, redirect, render_template, request, session, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required, logout_user

from lms.core.types import utcnow
from lms.extensions import db
from lms.privacy import bp, labels, services


@bp.get("/data")
@login_required
def data():
    return render_template("privacy/data.html", data=services.export(current_user), sections=labels.SECTIONS,
                           fields=labels.FIELDS, shown=_shown)


@bp.get("/data.json")
@login_required
def data_file():
    name = f"nordlearn-my-data-{utcnow().date().isoformat()}.json"
    return Response(services.as_json(services.export(current_user)), mimetype="application/json", headers={
        "Content-Disposition": f'attachment; filename="{name}"', "Cache-Control": "private, no-store"})


def _shown(value) -> str:
    """A value as the page shows it: lists and objects as compact JSON, nothing as a dash."""
    if value is None or value == "":
        return "–"
    if isinstance(value, bool):
        return "✓" if value else "✗"
    if isinstance(value, list | dict):
        return json.dumps(value, ensure_ascii=False)
    return str(value)


@bp.route("/delete", methods=["GET", "POST"])
@login_required
def delete():
    """Delete my account, after a confirmation (and the password, for an account that has one)."""
    if request.method == "POST":
        if request.form.get("confirm") != "yes":
            flash(_("Tick the box to confirm that you want your account deleted. Nothing was deleted."), "error")
            return render_template("privacy/delete.html"), 422
        try:
            services.erase(user=current_user._get_current_object(), password=request.form.get("password"),
                           at=utcnow())
        except services.WrongPassword:
            db.session.rollback()
            flash(_("That password is not right. Nothing was deleted."), "error")
            return render_template("privacy/delete.html"), 422
        db.session.commit()
        logout_user()
        session.clear()
        flash(_("Your account is deleted. What identified you is erased."), "success")
        return redirect(url_for("catalog.index"))
    return render_template("privacy/delete.html")
