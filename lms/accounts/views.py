from __future__ import annotations

from flask import abort, flash, redirect, render_template, request, session, url_for
from flask_babel import gettext as _
from flask_babel import ngettext
from flask_login import current_user, login_required, login_user, logout_user

from lms.accounts import bp, notifications, services
from lms.accounts.forms import (
    GUESSABLE,
    JoinForm,
    LoginForm,
    PasswordForm,
    ProfileForm,
    RegisterForm,
    ResetPasswordForm,
    ResetRequestForm,
    organisation_choices,
)
from lms.core.urls import safe_next
from lms.extensions import db, limiter
from lms.i18n import SESSION_KEY, current_language
from lms.i18n.languages import UI_LANGUAGES


def _start_session(user) -> None:
    """A new login session (a new cookie, so no fixation) for ``user`` in this browser."""
    services.start_session(user=user)
    session.clear()
    login_user(user)
    if user.preferred_language:
        session[SESSION_KEY] = user.preferred_language


def _email_key() -> str:
    return "login:" + request.form.get("email", "").strip().lower()[:254]


@bp.route("/register", methods=["GET", "POST"])
@limiter.limit("10 per hour", methods=["POST"])
def register():
    if current_user.is_authenticated:
        return redirect(url_for("learning.dashboard"))
    form = RegisterForm()
    form.fill_choices()
    if request.method == "GET":
        form.language.data = current_language() if current_language() in UI_LANGUAGES else "en"
    if form.validate_on_submit():
        try:
            user = services.create_user(email=form.email.data, password=form.password.data, profile=form.profile())
            if form.organisation_id():
                services.request_membership(user=user, organisation_id=form.organisation_id())
        except services.EmailTaken:
            form.email.errors.append(_("An account with this e-mail address already exists. Log in instead."))
        except services.WeakPassword:
            form.password.errors.append(str(GUESSABLE))
        else:
            _start_session(user)
            notifications.welcome.queue(user.id)
            db.session.commit()
            flash(_("Welcome to NordLearn, %(name)s.", name=user.display_name), "success")
            return redirect(url_for("catalog.index"))
    return render_template("accounts/register.html", form=form), 200 if request.method == "GET" else 422


@bp.route("/login", methods=["GET", "POST"])
@limiter.limit("60 per minute", methods=["POST"])  # per address (a hospital may share one)
@limiter.limit("10 per 15 minutes", methods=["POST"], key_func=_email_key,
               deduct_when=lambda response: response.status_code != 302)  # failed tries per account
def login():
    if current_user.is_authenticated:
        return redirect(safe_next(request.args.get("next"), "learning.dashboard"))
    form = LoginForm()
    if form.validate_on_submit():
        user = services.authenticate(email=form.email.data, password=form.password.data)
        if user is not None:
            _start_session(user)
            db.session.commit()
            return redirect(safe_next(request.args.get("next"), "learning.dashboard"))
        form.password.errors.append(_("The e-mail address or the password is not right."))
    status = 200 if request.method == "GET" else 422
    return render_template("accounts/login.html", form=form), status


@bp.post("/logout")
def logout():
    """End this login session on the server: a copy of the cookie made before no longer works."""
    if current_user.is_authenticated:
        services.end_session(token=current_user.login_token)
        db.session.commit()
    logout_user()
    session.clear()
    flash(_("You have logged out."), "info")
    return redirect(url_for("catalog.index"))


@bp.post("/logout-everywhere")
@login_required
def logout_everywhere():
    count = services.end_all_sessions(user=current_user)
    db.session.commit()
    logout_user()
    session.clear()
    flash(ngettext("You have logged out on every device: %(num)d session ended.",
                   "You have logged out on every device: %(num)d sessions ended.", count), "info")
    return redirect(url_for(".login"))


@bp.route("/profile", methods=["GET", "POST"])
@login_required
def profile():
    form = ProfileForm()
    form.fill_choices()
    if request.method == "GET":
        form.show(current_user)
    if form.validate_on_submit():
        services.update_profile(user=current_user, profile=form.profile())
        db.session.commit()
        session[SESSION_KEY] = current_user.preferred_language
        flash(_("Your profile has been saved."), "success")
        return redirect(url_for(".profile"))
    return _profile_page(form, JoinForm(), 200 if request.method == "GET" else 422)


def _profile_page(form: ProfileForm, join: JoinForm, status: int):
    memberships = services.memberships_of(current_user)
    join.organisation.choices = organisation_choices(exclude={m.organisation.id for m in memberships})
    return render_template("accounts/profile.html", form=form, join=join, memberships=memberships), status


@bp.post("/organisations")
@login_required
def join_organisation():
    """Ask to join an organisation: its managers confirm."""
    join = JoinForm()
    join.organisation.choices = organisation_choices()
    if join.validate_on_submit() and join.organisation.data:
        row = services.request_membership(user=current_user, organisation_id=int(join.organisation.data))
        db.session.commit()
        flash(_("You have asked to join %(name)s. Its managers will confirm.",
                name=services.get_organisation(row.organisation_id).name), "success")
        return redirect(url_for(".profile") + "#organisations")
    form = ProfileForm()
    form.fill_choices()
    form.show(current_user)
    return _profile_page(form, join, 422)


@bp.post("/organisations/<int:organisation_id>/leave")
@login_required
def leave_organisation(organisation_id: int):
    services.leave(user=current_user, organisation_id=organisation_id)
    db.session.commit()
    flash(_("Done: you are no longer a member, and no request is waiting."), "success")
    return redirect(url_for(".profile") + "#organisations")


@bp.get("/organisations/<int:organisation_id>/members")
@login_required
def members(organisation_id: int):
    """An organisation's members and the requests waiting, for its managers and admins."""
    organisation, confirmed, requested = services.organisation_members(viewer=current_user,
                                                                       organisation_id=organisation_id)
    return render_template("accounts/members.html", organisation=organisation, confirmed=confirmed,
                           requested=requested)


@bp.post("/organisations/<int:organisation_id>/members/<int:user_id>")
@login_required
def decide(organisation_id: int, user_id: int):
    confirm = request.form.get("decision") == "confirm"
    services.decide_membership(manager=current_user, organisation_id=organisation_id, user_id=user_id,
                               confirm=confirm)
    db.session.commit()
    flash(_("The membership is confirmed.") if confirm else _("The request is declined."), "success")
    return redirect(url_for(".members", organisation_id=organisation_id))


@bp.route("/password", methods=["GET", "POST"])
@login_required
@limiter.limit("10 per 15 minutes", methods=["POST"])
def password():
    if current_user.password_hash is None:
        abort(404)
    form = PasswordForm()
    if form.validate_on_submit():
        try:
            services.change_password(user=current_user, current=form.current.data, new=form.new.data)
        except services.WrongPassword:
            form.current.errors.append(_("The current password is not right."))
        except services.WeakPassword:
            form.new.errors.append(str(GUESSABLE))
        else:
            user = current_user._get_current_object()
            db.session.commit()
            login_user(user)  # this browser goes on in a new session; every other one has ended
            flash(_("Your password has been changed. Other devices have been logged out."), "success")
            return redirect(url_for(".profile"))
    return render_template("accounts/password.html", form=form), 200 if request.method == "GET" else 422


def _reset_email_key() -> str:
    return "reset:" + request.form.get("email", "").strip().lower()[:254]


@bp.route("/reset", methods=["GET", "POST"])
@limiter.limit("20 per hour", methods=["POST"])  # per address
@limiter.limit("5 per hour", methods=["POST"], key_func=_reset_email_key)  # per account
def reset_request():
    """Ask for a password-reset link. The answer, and the work done before it, are the same whether
    the address is known or not: the worker looks the account up."""
    form = ResetRequestForm()
    if form.validate_on_submit():
        notifications.password_reset.queue(services.normalise_email(form.email.data))
        db.session.commit()
        flash(_("If an account uses this address, we have sent it a link to set a new password. The link "
                "works once, for one hour."), "info")
        return redirect(url_for(".login"))
    return render_template("accounts/reset_request.html", form=form), 200 if request.method == "GET" else 422


@bp.route("/reset/<token>", methods=["GET", "POST"])
@limiter.limit("20 per hour", methods=["POST"])
def reset_password(token: str):
    try:
        services.user_for_reset(token)
    except services.ResetLinkError as error:
        message = {
            services.ResetLinkExpired: _("This link has expired: links to set a new password work for one hour."),
            services.ResetLinkUsed: _("This link has been used already, or the password was changed since it "
                                      "was sent."),
        }.get(type(error), _("This link is not valid. Please copy the whole link from the e-mail."))
        return render_template("accounts/reset_invalid.html", message=message), 400
    form = ResetPasswordForm()
    if form.validate_on_submit():
        try:
            services.reset_password(token=token, new=form.new.data)
        except services.WeakPassword:
            form.new.errors.append(str(GUESSABLE))
        else:
            db.session.commit()
            logout_user()
            session.clear()
            flash(_("Your password has been changed. Log in with your new password."), "success")
            return redirect(url_for(".login"))
    return render_template("accounts/reset_password.html", form=form), 200 if request.method == "GET" else 422
