from __future__ import annotations

from dataclasses import dataclass
from urllib.parse import urlsplit

from flask import (
    abort,
    current_app,
    flash,
    g,
    jsonify,
    make_response,
    redirect,
    render_template,
    request,
    session,
    url_for,
)
from flask_babel import gettext as _
from flask_babel import ngettext
from flask_login import current_user, login_user

from lms.accounts import services as accounts
from lms.catalog import services as catalog
from lms.core import FRAME_ORIGINS_KEY, content_security_policy
from lms.core.urls import safe_next
from lms.extensions import db, limiter
from lms.i18n import LTI_SESSION_KEY, current_language
from lms.learning import services as learning
from lms.learning.models import EnrolmentSource
from lms.lti import (
    bp,
    deep_linking,
    dynamic_registration,
    forms,
    grades,
    handoff,
    keys,
    launch,
    platform_services,
    services,
)
from lms.lti.models import DeploymentStatus

CLAIM = "https://purl.imsglobal.org/spec/lti/claim/"
DEEP_LINK_KEY = "lti_deep_link"
ROSTER_KEY = "lti_roster"

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
    "not-instructor": (403, lambda: _("Only teachers of the course can add NordLearn content to it.")),
    "deep-link-types": (400, lambda: _("Your learning platform does not take NordLearn links in this place.")),
    "target": (400, lambda: _("This launch does not lead to NordLearn, or not to where its login said. Open "
                              "NordLearn again from your course.")),
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
    if refusal.reason == "restart":  # this frame keeps neither cookies nor platform storage
        return _new_window(refusal.restart, refusal.frame_origins)
    if refusal.reason == "resubmit":  # the same launch again, from NordLearn's own site: cookies come along
        fields = {name: request.form.get(name, "") for name in ("id_token", "state")}
        response = make_response(render_template("lti/resubmit.html", fields=fields))
        response.headers["Content-Security-Policy"] = content_security_policy(frame_ancestors=refusal.frame_origins)
        return response
    code, message = REFUSALS.get(refusal.reason, NOT_VERIFIED)
    return _framed_error(code, message())


def _new_window(restart: str, frame_origins: list[str]):
    """The offer to open NordLearn in a window of its own, where the launch starts again at top level
    (and the platform signs the reader in there, not NordLearn on a key anyone could copy)."""
    response = make_response(render_template("lti/new_window.html", restart=restart))
    response.headers["Content-Security-Policy"] = content_security_policy(frame_ancestors=frame_origins)
    return response


def _framed_error(code: int, message: str):
    """An error page the platforms' frames may show (the launch is not known to be theirs)."""
    response = make_response(render_template("core/error.html", code=code, message=message), code)
    response.headers["Content-Security-Policy"] = content_security_policy(
        frame_ancestors=services.registered_frame_origins())
    return response


@bp.route("/login", methods=["GET", "POST"])
@limiter.limit("120 per minute")  # per address: a whole class behind one school network may start at once
def login():
    """OIDC third-party initiated login."""
    try:
        answer = launch.login_redirect()
    except launch.Refusal as refusal:
        return _refused(refusal)
    db.session.commit()  # the first signing key may have been made
    if answer.storage is None:
        return answer.redirect
    # Keep the state in the platform's storage too, then go on to the platform.
    response = make_response(render_template("lti/storage_login.html", storage=answer.storage))
    for cookie in answer.redirect.headers.getlist("Set-Cookie"):
        response.headers.add("Set-Cookie", cookie)
    response.headers["Content-Security-Policy"] = content_security_policy(
        frame_ancestors=answer.storage.frame_origins)
    return response


@dataclass(frozen=True)
class _Plan:
    """Where an accepted launch leads."""

    course: object | None  # the course of a resource link
    target: services.LaunchTarget | None
    picking: deep_linking.Request | None  # a deep-linking request


def _plan(accepted: launch.AcceptedLaunch) -> _Plan:
    claims = accepted.claims
    if claims.get(CLAIM + "message_type") == "LtiDeepLinkingRequest":
        if not services.is_instructor(claims):
            raise launch.Refusal("not-instructor")
        try:
            picking = deep_linking.Request.from_claims(registration=accepted.registration, claims=claims)
        except deep_linking.DeepLinkError as error:
            raise launch.Refusal("deep-link-types", str(error)) from None
        return _Plan(None, None, picking)
    target = services.launch_target(claims=claims, base_url=current_app.config["LMS_BASE_URL"])
    try:
        course = catalog.get_published_course(target.course_slug or "")
    except catalog.CourseNotFound:
        raise launch.Refusal("unknown-target", str(target)) from None
    return _Plan(course, target, None)


@bp.post("/launch")
@limiter.limit("120 per minute")
def launch_view():
    """The platform posts the id_token here: a resource link opens its course or module,
    a deep-linking request lets an instructor pick what to add."""
    try:
        accepted = launch.accept_launch()
        plan = _plan(accepted)
    except launch.Refusal as refusal:
        return _refused(refusal)
    if accepted.storage_login is None:
        return _sign_in(accepted, plan)
    # No state cookie came back: ask the platform's storage for the state first.
    key = launch.hold_for_storage_check(accepted)
    db.session.commit()  # the nonce is used
    g.lti_locale = services.launch_locale(accepted.claims)
    origin = "{0.scheme}://{0.netloc}".format(urlsplit(accepted.registration.auth_login_url))
    response = make_response(render_template("lti/storage_launch.html", key=key, origin=origin,
                                             storage=accepted.storage_login,
                                             restart=accepted.storage_login["restart"]))
    response.headers["Content-Security-Policy"] = content_security_policy(
        frame_ancestors=services.frame_origins(registration=accepted.registration, claims=accepted.claims))
    return response


@bp.post("/launch/confirm")
def launch_confirm():
    """The launch page read its login's secret from the platform's storage: sign in."""
    try:
        accepted = launch.confirm_from_storage(key=request.form.get("launch", "")[:100],
                                               binding=request.form.get("binding", "")[:100])
        plan = _plan(accepted)
    except launch.Refusal as refusal:
        db.session.commit()  # the key stays used
        return _refused(refusal)
    return _sign_in(accepted, plan)


def _sign_in(accepted: launch.AcceptedLaunch, plan: _Plan):
    claims = accepted.claims
    user = services.launch_user(registration=accepted.registration, claims=claims)
    if plan.course is not None:
        learning.enrol(user=user, course=plan.course, source=EnrolmentSource.LTI,
                       lti_context_id=services.launch_context(claims))
        grades.record_launch(registration=accepted.registration, user=user, claims=claims, course=plan.course,
                             module_slug=plan.target.module_slug)
    accounts.start_session(user=user)
    session.clear()  # a new session for the launched user
    login_user(user)
    locale = services.launch_locale(claims)
    if locale:
        session[LTI_SESSION_KEY] = locale
    session["lti_instructor"] = services.is_instructor(claims)
    session[FRAME_ORIGINS_KEY] = services.frame_origins(registration=accepted.registration, claims=claims)
    if plan.course is not None and session["lti_instructor"] and services.memberships_url(claims):
        session[ROSTER_KEY] = {"registration_id": accepted.registration.id, "course": plan.course.slug,
                               "url": services.memberships_url(claims)}
    if plan.picking is not None:
        session[DEEP_LINK_KEY] = plan.picking.to_session()
        next_path = url_for(".deep_link")
    elif plan.target.module_slug:
        next_path = url_for("learning.module", slug=plan.course.slug, module=plan.target.module_slug)
    else:
        next_path = url_for("learning.course", slug=plan.course.slug)
    key = handoff.issue(user_session_id=user.get_id(), next_path=next_path, frame_origins=session[FRAME_ORIGINS_KEY],
                        locale=locale, restart=accepted.restart)
    db.session.commit()
    return redirect(url_for(".continue_launch", key=key))


@bp.get("/continue/<key>")
def continue_launch(key: str):
    """Straight on if this frame kept the launch's session; else offer a window of its own, where the
    launch starts again at top level."""
    waiting = handoff.peek(key)
    if waiting is None:
        return _framed_error(400, _("This launch link has expired. Open NordLearn again from your course."))
    if current_user.is_authenticated and current_user.get_id() == waiting.user:
        handoff.discard(key)
        return redirect(safe_next(waiting.next_path))
    g.lti_locale = waiting.locale
    return _new_window(waiting.restart, waiting.frame_origins)


def _picking() -> deep_linking.Request:
    value = session.get(DEEP_LINK_KEY)
    if not value or not current_user.is_authenticated:
        abort(404)
    return deep_linking.Request.from_session(value)


@bp.route("/deep-link", methods=["GET", "POST"])
def deep_link():
    """The instructor's picker: courses and modules to add to their platform course."""
    picking = _picking()
    language = current_language()
    error = None
    if request.method == "POST":
        picked = request.form.getlist("item")
        try:
            items = deep_linking.content_items(picked=picked, request=picking, language=language,
                                               base_url=current_app.config["LMS_BASE_URL"])
        except deep_linking.NothingChosen:
            error = _("Choose at least one course or module.")
        except deep_linking.OnlyOneAccepted:
            error = _("Your platform takes one item at a time here: choose one course or module.")
        except deep_linking.UnknownItem:
            error = _("That course or module is no longer available. Please choose again.")
        else:
            registration = services.get_registration(picking.registration_id)
            token = deep_linking.response_jwt(request=picking, registration=registration, items=items)
            db.session.commit()  # the first signing key may have been made
            session.pop(DEEP_LINK_KEY)
            response = make_response(render_template("lti/deep_link_return.html", return_url=picking.return_url,
                                                     token=token, count=len(items)))
            origin = "{0.scheme}://{0.netloc}".format(urlsplit(picking.return_url))
            response.headers["Content-Security-Policy"] = content_security_policy(
                frame_ancestors=session.get(FRAME_ORIGINS_KEY, []), form_action=[origin])
            return response
    return render_template("lti/deep_link.html", choices=deep_linking.choices(language), picking=picking,
                           error=error, picked=set(request.form.getlist("item"))), 422 if error else 200


@bp.route("/register", methods=["GET", "POST"])
@limiter.limit("20 per hour")  # anyone may start it: each one makes NordLearn fetch a platform's URL
def register():
    """LTI Dynamic Registration: the platform's administrator confirms, NordLearn registers."""
    openid_configuration = request.values.get("openid_configuration", "")
    token = request.values.get("registration_token") or None
    try:
        config = dynamic_registration.fetch_configuration(openid_configuration)
    except dynamic_registration.DynamicRegistrationError as error:
        current_app.logger.warning("LTI dynamic registration refused: %s", error)
        message = _("NordLearn could not read your platform's registration details. Please start the "
                    "registration again from your platform.")
        return render_template("core/error.html", code=400, message=message), 400
    organisations = accounts.list_organisations()
    error = None
    if request.method == "POST":
        try:
            organisation_id = int(request.form.get("organisation", ""))
        except ValueError:
            organisation_id = None
        if organisation_id not in {o.id for o in organisations}:
            error = _("Choose the organisation this platform belongs to.")
        else:
            try:
                registration = dynamic_registration.register(
                    config=config, registration_token=token, organisation_id=organisation_id,
                    base_url=current_app.config["LMS_BASE_URL"])
            except dynamic_registration.DynamicRegistrationError as failure:
                db.session.rollback()
                current_app.logger.warning("LTI dynamic registration failed: %s", failure)
                error = _("Your platform did not accept the registration. Please start it again from your "
                          "platform.")
            else:
                db.session.commit()
                return _framed_by(config.origin, render_template("lti/registered.html", registration=registration))
    page = render_template("lti/register.html", config=config, organisations=organisations, error=error,
                           openid_configuration=openid_configuration, token=token or "")
    return _framed_by(config.origin, make_response(page, 422 if error else 200))


def _framed_by(origin: str, body):
    """Registration pages open in the platform's frame or window."""
    response = make_response(body)
    response.headers["Content-Security-Policy"] = content_security_policy(frame_ancestors=[origin])
    return response


def roster_link(course) -> str | None:
    """The course page's link to the roster, for an instructor launched into this course."""
    launched = session.get(ROSTER_KEY)
    if not launched or launched.get("course") != course.slug or not session.get("lti_instructor"):
        return None
    return render_template("lti/_roster_link.html")


@bp.get("/roster")
def roster():
    """The instructor's platform course: its members and their progress in NordLearn."""
    launched = session.get(ROSTER_KEY)
    if not launched or not current_user.is_authenticated or not session.get("lti_instructor"):
        abort(404)
    try:
        course = catalog.get_published_course(launched["course"])
    except catalog.CourseNotFound:
        abort(404)
    registration = services.get_registration(launched["registration_id"])
    try:
        rows = services.roster(registration=registration, url=launched["url"], course=course,
                               language=current_language())
    except platform_services.PlatformServiceError as error:
        current_app.logger.warning("LTI roster unavailable: %s", error)
        message = _("Your learning platform did not give NordLearn the list of course members. Please try again "
                    "later.")
        return render_template("core/error.html", code=502, message=message), 502
    title, _summary = catalog.course_text(course, current_language())
    return render_template("lti/roster.html", rows=rows, course=course, title=title)


@bp.get("/admin")
def admin():
    """Registered platforms and their deployments, for NordLearn's admins."""
    try:
        services.require_admin(current_user)
    except services.NotAllowed:
        abort(404)
    waiting_total, waiting = grades.waiting_scores()
    return render_template("lti/admin.html", registrations=services.list_registrations(),
                           statuses=DeploymentStatus, waiting_total=waiting_total, waiting=waiting)


@bp.route("/admin/new", methods=["GET", "POST"])
def admin_new():
    """Register a platform by hand, with the values from its tool registration page."""
    try:
        services.require_admin(current_user)
    except services.NotAllowed:
        abort(404)
    form = forms.RegistrationForm()
    form.fill_choices()
    if form.validate_on_submit():
        try:
            registration = services.add_registration(details=form.details(), organisation_id=int(form.organisation.data),
                                                     policy=form.policy(), deployment_ids=form.deployment_ids())
        except services.RegistrationExists:
            form.client_id.errors.append(_("This platform is registered with this client ID already."))
        except services.UnknownOrganisation:
            form.organisation.errors.append(_("Choose the organisation this platform belongs to."))
        else:
            db.session.commit()
            flash(_("%(name)s is registered.", name=registration.name), "success")
            return redirect(url_for(".admin"))
    status = 422 if form.errors else 200
    return render_template("lti/admin_new.html", form=form,
                           configuration=services.tool_configuration(current_app.config["LMS_BASE_URL"])), status


@bp.post("/admin/scores")
def admin_send_scores():
    """Send every waiting score now, without waiting for its next attempt."""
    try:
        services.require_admin(current_user)
    except services.NotAllowed:
        abort(404)
    report = grades.deliver(due_only=False)
    if report.failed:
        flash(ngettext("%(num)d score could not be sent; it will be tried again.",
                       "%(num)d scores could not be sent; they will be tried again.", report.failed), "error")
    flash(ngettext("%(num)d score sent.", "%(num)d scores sent.", report.sent), "success")
    return redirect(url_for(".admin"))


@bp.post("/admin/<int:registration_id>/enabled")
def admin_enabled(registration_id: int):
    try:
        services.require_admin(current_user)
        registration = services.set_enabled(registration_id=registration_id,
                                            enabled=request.form.get("enabled") == "1")
    except (services.NotAllowed, services.UnknownRegistration):
        abort(404)
    db.session.commit()
    if registration.enabled:
        flash(_("%(name)s is enabled.", name=registration.name), "success")
    else:
        flash(_("%(name)s is disabled: its launches are refused.", name=registration.name), "success")
    return redirect(url_for(".admin"))


@bp.post("/admin/<int:registration_id>/deployment")
def admin_deployment(registration_id: int):
    try:
        services.require_admin(current_user)
        status = DeploymentStatus(request.form.get("status", ""))
        deployment_id = request.form.get("deployment_id", "").strip()
        if not deployment_id:
            raise ValueError(deployment_id)
        services.set_deployment_status(registration_id=registration_id, deployment_id=deployment_id, status=status)
    except services.NotAllowed:
        abort(404)
    except (ValueError, services.UnknownRegistration):
        abort(400)
    db.session.commit()
    flash(_("Deployment %(deployment)s saved.", deployment=deployment_id), "success")
    return redirect(url_for(".admin"))


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
