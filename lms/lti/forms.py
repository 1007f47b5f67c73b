from __future__ import annotations

from urllib.parse import urlsplit

from flask_babel import lazy_gettext as _l
from flask_babel import lazy_pgettext
from flask_wtf import FlaskForm
from wtforms import BooleanField, SelectField, StringField, TextAreaField, URLField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, Length, Optional, ValidationError

from lms.accounts import services as accounts
from lms.lti import services
from lms.lti.models import DeploymentPolicy


def web_address(form, field) -> None:
    parts = urlsplit(field.data or "")
    if field.data and (parts.scheme not in ("https", "http") or not parts.netloc):
        raise ValidationError(_l("Enter a web address that starts with https://."))


class RegistrationForm(FlaskForm):
    """A platform registered by hand, with the values its administrator sees in the platform."""

    name = StringField(lazy_pgettext("learning platform", "Name"), validators=[DataRequired(), Length(max=200)],
                       description=_l("How admins will recognise it, e.g. “LMI Moodle”."))
    issuer = URLField(_l("Issuer"), validators=[DataRequired(), Length(max=255), web_address],
                      description=_l("The platform's address as its tokens name it (iss)."))
    client_id = StringField(_l("Client ID"), validators=[DataRequired(), Length(max=255)])
    auth_login_url = URLField(_l("Authentication request URL"),
                              validators=[DataRequired(), Length(max=500), web_address])
    auth_token_url = URLField(_l("Access token URL"), validators=[DataRequired(), Length(max=500), web_address])
    key_set_url = URLField(_l("Public key set URL"), validators=[DataRequired(), Length(max=500), web_address])
    audience = StringField(_l("Token audience"), validators=[Optional(), Length(max=500)],
                           description=_l("Only if the platform asks for one (Brightspace does)."))
    organisation = SelectField(_l("Organisation"), validators=[DataRequired()])
    deployments = TextAreaField(_l("Deployment IDs"), validators=[Optional(), Length(max=2000)],
                                description=_l("One per line; approved at once. Others wait for approval."))
    accept_new = BooleanField(_l("Accept new deployments of this platform without approval"))

    def fill_choices(self) -> None:
        self.organisation.choices = [SelectChoice("", str(_l("— Choose —")))] + [
            SelectChoice(str(o.id), o.name) for o in accounts.list_organisations()
        ]

    def details(self) -> services.PlatformDetails:
        return services.PlatformDetails(
            name=self.name.data.strip(), issuer=self.issuer.data.strip(), client_id=self.client_id.data.strip(),
            auth_login_url=self.auth_login_url.data.strip(), auth_token_url=self.auth_token_url.data.strip(),
            key_set_url=self.key_set_url.data.strip(), auth_audience=(self.audience.data or "").strip() or None,
        )

    def deployment_ids(self) -> tuple[str, ...]:
        return tuple(line.strip()[:255] for line in (self.deployments.data or "").splitlines() if line.strip())

    def policy(self) -> DeploymentPolicy:
        return DeploymentPolicy.ACCEPT if self.accept_new.data else DeploymentPolicy.APPROVE
