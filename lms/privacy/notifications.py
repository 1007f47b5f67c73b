"""The e-mail that warns of an account's deletion for inactivity, in its owner's language, from the worker."""

from __future__ import annotations

from datetime import datetime

from flask_babel import force_locale, format_date
from flask_babel import lazy_gettext as _l

from lms import mail
from lms.accounts.models import User
from lms.core.urls import external_url
from lms.extensions import db
from lms.jobs import job


@job(retries=5, retry_delay=300)
def retention_warning(user_id: int, deadline: str) -> None:
    user = db.session.get(User, user_id)
    if user is None or not user.email or user.deleted_at is not None:
        return
    language = mail.language_of(user.preferred_language)
    with force_locale(language):
        when = format_date(datetime.fromisoformat(deadline), "long")
    mail.send(mail.compose(
        to=user.email, template="retention_warning", language=language,
        subject=_l("Your NordLearn account will be deleted on %(date)s", date=when), name=user.display_name,
        date=when, login=external_url("accounts.login"), data=external_url("privacy.data")))
