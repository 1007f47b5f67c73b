from __future__ import annotations

from babel import Locale
from flask_babel import lazy_gettext as _l
from flask_babel import lazy_ngettext, lazy_pgettext
from flask_wtf import FlaskForm
from wtforms import EmailField, PasswordField, SelectField, StringField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, Email, EqualTo, Length, Optional, ValidationError

from lms.accounts import passwords, services
from lms.i18n import current_language
from lms.i18n.languages import UI_LANGUAGES

# Shown first in the country list: the countries the courses are made for.
REGION = ("DK", "EE", "FI", "FO", "GL", "IS", "LT", "LV", "NO", "SE")


def country_choices() -> list[SelectChoice]:
    names = Locale.parse(current_language()).territories
    codes = sorted(
        (code for code in names if len(code) == 2 and code.isalpha() and code not in {"ZZ", "EU", "EZ", "UN", "XA", "XB"}),
        key=lambda code: names[code],
    )
    region = sorted(REGION, key=lambda code: names.get(code, code))
    first = [SelectChoice("", str(_l("— Not given —")))]
    return (
        first
        + [SelectChoice(code, names.get(code, code), optgroup=str(_l("Nordic and Baltic countries"))) for code in region]
        + [SelectChoice(code, names[code], optgroup=str(_l("Other countries"))) for code in codes if code not in REGION]
    )


def organisation_choices(*, exclude: set[int] = frozenset()) -> list[SelectChoice]:
    return [SelectChoice("", str(_l("— None —")))] + [
        SelectChoice(str(o.id), o.name) for o in services.list_organisations() if o.id not in exclude
    ]


def language_choices() -> list[SelectChoice]:
    return [SelectChoice(code, name, render_kw={"lang": code}) for code, name in UI_LANGUAGES.items()]


ORGANISATION_HINT = _l("Its managers confirm that you are a member; until then you count as a member of none.")


def _empty_to_none(value: str | None) -> str | None:
    return value or None


class ProfileFields(FlaskForm):
    display_name = StringField(lazy_pgettext("person", "Name"), validators=[DataRequired(), Length(max=120)],
                               render_kw={"autocomplete": "name"})
    country = SelectField(_l("Country"), validators=[Optional()], filters=[_empty_to_none], validate_choice=True)
    language = SelectField(_l("Preferred language"), validators=[DataRequired()])
    timezone = SelectField(_l("Time zone"), validators=[Optional()], filters=[_empty_to_none],
                           description=_l("Times of live sessions are shown in it. Empty: your country's."))

    def fill_choices(self) -> None:
        self.country.choices = country_choices()
        self.language.choices = language_choices()
        from lms.live.forms import zone_choices

        self.timezone.choices = [SelectChoice("", str(_l("— Not given —")))] + zone_choices()

    def profile(self) -> services.Profile:
        return services.Profile(
            display_name=self.display_name.data,
            country=self.country.data,
            preferred_language=self.language.data,
            timezone=self.timezone.data or None,
        )


GUESSABLE = _l("This password is too common or too easy to guess (a word, a name, a date, repeated or "
               "sequential characters). Choose a longer or less common one, e.g. a few unrelated words.")


def _not_guessable(form, field) -> None:
    email = form.email.data if "email" in form else None
    name = form.display_name.data if "display_name" in form else None
    try:
        passwords.check(field.data or "", email=email, name=name)
    except passwords.WeakPassword as weak:
        if weak.reason == "guessable":
            raise ValidationError(str(GUESSABLE)) from None


def _new_password(label) -> PasswordField:
    return PasswordField(
        label,
        validators=[DataRequired(), Length(min=services.MIN_PASSWORD_LENGTH, max=200), _not_guessable],
        description=lazy_ngettext("At least %(num)d character, and not a common or easily guessed password.",
                                  "At least %(num)d characters, and not a common or easily guessed password.",
                                  services.MIN_PASSWORD_LENGTH),
        render_kw={"autocomplete": "new-password"},
    )


def _repeat_password(label, other: str) -> PasswordField:
    return PasswordField(
        label,
        validators=[DataRequired(), EqualTo(other, message=_l("The two passwords differ."))],
        render_kw={"autocomplete": "new-password"},
    )


class RegisterForm(ProfileFields):
    email = EmailField(_l("E-mail address"), validators=[DataRequired(), Email(), Length(max=254)],
                       render_kw={"autocomplete": "email"})
    password = _new_password(_l("Password"))
    password_confirm = _repeat_password(_l("Repeat password"), "password")
    organisation = SelectField(_l("Ask to join an organisation"), validators=[Optional()], filters=[_empty_to_none],
                               description=ORGANISATION_HINT)

    def fill_choices(self) -> None:
        super().fill_choices()
        self.organisation.choices = organisation_choices()

    def organisation_id(self) -> int | None:
        return int(self.organisation.data) if self.organisation.data else None


class JoinForm(FlaskForm):
    organisation = SelectField(_l("Organisation"), validators=[DataRequired()], description=ORGANISATION_HINT)


class ProfileForm(ProfileFields):
    def show(self, user) -> None:
        """The fields as ``user`` saved them (the page's language when they chose none)."""
        self.display_name.data = user.display_name
        self.country.data = user.country or ""
        self.language.data = user.preferred_language or current_language()
        self.timezone.data = user.timezone or ""


class LoginForm(FlaskForm):
    email = EmailField(_l("E-mail address"), validators=[DataRequired(), Email()],
                       render_kw={"autocomplete": "username"})
    password = PasswordField(_l("Password"), validators=[DataRequired()],
                             render_kw={"autocomplete": "current-password"})


class PasswordForm(FlaskForm):
    current = PasswordField(_l("Current password"), validators=[DataRequired()],
                            render_kw={"autocomplete": "current-password"})
    new = _new_password(_l("New password"))
    confirm = _repeat_password(_l("Repeat new password"), "new")


class ResetRequestForm(FlaskForm):
    email = EmailField(_l("E-mail address"), validators=[DataRequired(), Email(), Length(max=254)],
                       render_kw={"autocomplete": "email"})


class ResetPasswordForm(FlaskForm):
    new = _new_password(_l("New password"))
    confirm = _repeat_password(_l("Repeat new password"), "new")
