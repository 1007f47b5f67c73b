from __future__ import annotations

from flask import current_app, jsonify, redirect, render_template, session, url_for
from flask_babel import gettext as _
from flask_login import login_user

from lms.catalog import services as catalog
from lms.core import FRAME_ORIGINS_KEY
from lms.extensions import db
from lms.i18n import LTI_SESSION_KEY
from lms.learning import services as learning
from lms.learning.models import EnrolmentSource
from lms.lti import bp, keys, launch, services

# Where a refused launch leaves the reader, in their language, and with which status.
REFUSALS = {
    "state": (400, lambda: _("This launch could not be matched to your browser. Open NordLearn again from your "
                             "course; if it keeps failing, allow cookies for this site.")),
    "replayed": (403, lambda: _("This launch link has already been used. Open NordLearn again from your course.")),
    "expired": (403, lambda: _("This launch link has expired. Open NordLearn again from your course.")),
    "unknown-platform": (403, lambda: _("This learning platform is not registered with NordLearn. Ask your "
                                        "platform's administrator to register it.")),
    "deployment": (403, lambda: _("NordLearn has not been approved for this part of your learning platform. Ask "
                                  "your platform's administrator to have it approved.")),
    "deployment-pending": (403, lambda: _("NordLearn has not been approved for this part of your learning "
                                          "platform. Ask your platform's administrator to have it approved.")),
    "unknown-target": (404, lambda: _("The course this link points to is not available in NordLearn.")),
    "platform-keys": (502, lambda: _("NordLearn could not reach your learning platform to check this launch. "
                                     "Please try again in a moment.")),
}
NOT_VERIFIED = (400, lambda: _("Your learning platform's launch could not be verified, so NordLearn did not sign "
                               "you in. Your administrator can find the reason in NordLearn's log."))


def _refused(refusal: launch.Refusal):
    db.session.rollback()  # a refused launch creates nothing
    current_app.logger.warning("LTI launch refused: %s", refusal)
    if refusal.pending:
        registration_id, deployment_id = refusal.pending
        services.record_pending_deployment(registration_id=registration_id, deployment_id=deployment_id)
        db.session.commit()
    code, message = REFUSALS.get(refusal.reason, NOT_VERIFIED)
    return render_template("core/error.html", code=code, message=message()), code


@bp.route("/login", methods=["GET", "POST"])
def login():
    """OIDC third-party initiated login."""
    try:
        response = launch.login_redirect()
    except launch.Refusal as refusal:
        return _refused(refusal)
    db.session.commit()  # the first signing key may have been made
    return response


@bp.post("/launch")
def launch_view():
    """The platform posts the id_token here; a resource link opens its course or module."""
    try:
        accepted = launch.accept_launch()
        target = services.launch_target(claims=accepted.claims, base_url=current_app.config["LMS_BASE_URL"])
        try:
            course = catalog.get_published_course(target.course_slug or "")
        except catalog.CourseNotFound:
            raise launch.Refusal("unknown-target", str(target)) from None
    except launch.Refusal as refusal:
        return _refused(refusal)
    claims = accepted.claims
    user = services.launch_user(registration=accepted.registration, claims=claims)
    learning.enrol(user=user, course=course, source=EnrolmentSource.LTI, lti_context_id=services.launch_context(claims))
    db.session.commit()
    session.clear()  # a new session for the launched user
    login_user(user)
    locale = services.launch_locale(claims)
    if locale:
        session[LTI_SESSION_KEY] = locale
    session["lti_instructor"] = services.is_instructor(claims)
    session[FRAME_ORIGINS_KEY] = services.frame_origins(registration=accepted.registration, claims=claims)
    if target.module_slug:
        return redirect(url_for("learning.module", slug=course.slug, module=target.module_slug))
    return redirect(url_for("catalog.course", slug=course.slug))


@bp.get("/jwks")
def jwks():
    """NordLearn's public keys, for platforms checking what it signed."""
    document = keys.jwks()
    db.session.commit()  # the first key is made on first use
    response = jsonify(document)
    response.headers["Cache-Control"] = "public, max-age=300"
    response.headers["Access-Control-Allow-Origin"] = "*"
    return response


@bp.get("/config.json")
def config():
    """The tool configuration for platforms registered by hand."""
    response = jsonify(services.tool_configuration(current_app.config["LMS_BASE_URL"]))
    response.headers["Access-Control-Allow-Origin"] = "*"
    return response
