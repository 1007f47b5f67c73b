"""E-mails about accounts, composed and sent by the worker (``lms.jobs``), in the recipient's language."""

from __future__ import annotations

from flask import current_app
from flask_babel import lazy_gettext as _l

from lms import mail
from lms.accounts import services
from lms.core.urls import external_url
from lms.jobs import job

RETRIES = {"retries": 5, "retry_delay": 120}  # a mail server that is down gets more chances


def _send(user, template: str, subject, **context) -> None:
    mail.send(mail.compose(to=user.email, template=template, language=user.preferred_language, subject=subject,
                           name=user.display_name, **context))


@job(**RETRIES)
def welcome(user_id: int) -> None:
    user = services.get_user(user_id)
    if user is None or not user.email:
        return
    _send(user, "welcome", _l("Welcome to NordLearn"), catalogue=external_url("catalog.index"))


@job(**RETRIES)
def password_reset(email: str) -> None:
    """A link to set a new password, if an account with a password uses ``email``. The request that
    queued this did the same work whether or not it does, so its timing tells nothing."""
    user = services.find_by_email(email)
    if user is None or user.password_hash is None:
        current_app.logger.info("password reset asked for an address without an account")
        return
    link = external_url("accounts.reset_password", token=services.password_reset_token(user))
    _send(user, "password_reset", _l("Set a new NordLearn password"), link=link,
          minutes=services.RESET_MAX_AGE // 60)
