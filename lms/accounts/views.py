from __future__ import annotations

from flask import abort, current_app, flash, redirect, render_template, request, session, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user, login_required, login_user, logout_user

from lms import mail
from lms.accounts import bp, services
from lms.accounts.forms import (
    LoginForm,
    PasswordForm,
    ProfileForm,
    RegisterForm,
    ResetPasswordForm,
    ResetRequestForm,
)
from lms.core.urls import safe_next
from lms.extensions import db, limiter
from lms.i18n import SESSION_KEY, current_language
from lms.i18n.languages import UI_LANGUAGES


def _start_session(user) -> None:
    session.clear()  # a new session id on every login (no fixation)
    login_user(user)
    if user.preferred_language:
        session[SESSION_KEY] = user.preferred_language


def _email_key() -> str:
    return "login:" + request.form.get("email", "").strip().lower()


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
        except services.EmailTaken:
            form.email.errors.append(_("An account with this e-mail address already exists. Log in instead."))
        else:
            db.session.commit()
            _mail(user, "welcome", _l("Welcome to NordLearn"), catalogue=_external(url_for("catalog.index")))
            _start_session(user)
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
            return redirect(safe_next(request.args.get("next"), "learning.dashboard"))
        form.password.errors.append(_("The e-mail address or the password is not right."))
    status = 200 if request.method == "GET" else 422
    return render_template("accounts/login.html", form=form), status


@bp.post("/logout")
def logout():
    logout_user()
    session.clear()
    flash(_("You have logged out."), "info")
    return redirect(url_for("catalog.index"))


@bp.route("/profile", methods=["GET", "POST"])
@login_required
def profile():
    form = ProfileForm()
    form.fill_choices()
    if request.method == "GET":
        form.display_name.data = current_user.display_name
        form.country.data = current_user.country or ""
        form.organisation.data = str(current_user.organisation_id or "")
        form.language.data = current_user.preferred_language or current_language()
        form.timezone.data = current_user.timezone or ""
    if form.validate_on_submit():
        services.update_profile(user=current_user, profile=form.profile())
        db.session.commit()
        session[SESSION_KEY] = current_user.preferred_language
        flash(_("Your profile has been saved."), "success")
        return redirect(url_for(".profile"))
    return render_template("accounts/profile.html", form=form), 200 if request.method == "GET" else 422


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
        else:
            db.session.commit()
            login_user(current_user._get_current_object())  # this session goes on; every other one ends
            flash(_("Your password has been changed. Other devices have been logged out."), "success")
            return redirect(url_for(".profile"))
    return render_template("accounts/password.html", form=form), 200 if request.method == "GET" else 422


def _external(path: str) -> str:
    return current_app.config["LMS_BASE_URL"] + path


def _mail(user, template: str, subject, **context) -> bool:
    """Send ``template`` to ``user`` in their language; a mail server's refusal is logged, never shown."""
    try:
        mail.send(mail.compose(to=user.email, template=template, language=user.preferred_language,
                               subject=subject, name=user.display_name, **context))
    except mail.MailError:
        current_app.logger.exception("e-mail %s to user %s not sent", template, user.id)
        return False
    return True


def _reset_email_key() -> str:
    return "reset:" + request.form.get("email", "").strip().lower()


@bp.route("/reset", methods=["GET", "POST"])
@limiter.limit("20 per hour", methods=["POST"])  # per address
@limiter.limit("5 per hour", methods=["POST"], key_func=_reset_email_key)  # per account
def reset_request():
    """Ask for a password-reset link. The answer is the same whether the address is known or not."""
    form = ResetRequestForm()
    if form.validate_on_submit():
        user = services.find_by_email(form.email.data)
        if user is not None and user.password_hash is not None:
            link = _external(url_for(".reset_password", token=services.password_reset_token(user)))
            _mail(user, "password_reset", _l("Set a new NordLearn password"), link=link,
                  minutes=services.RESET_MAX_AGE // 60)
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
            form.new.errors.append(str(form.new.description))
        else:
            db.session.commit()
            logout_user()
            session.clear()
            flash(_("Your password has been changed. Log in with your new password."), "success")
            return redirect(url_for(".login"))
    return render_template("accounts/reset_password.html", form=form), 200 if request.method == "GET" else 422
