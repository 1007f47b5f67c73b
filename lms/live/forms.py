from __future__ import annotations

from zoneinfo import available_timezones

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from sqlalchemy import select
from wtforms import DateTimeLocalField, IntegerField, SelectField, StringField, TextAreaField, URLField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, Length, NumberRange, Optional

from lms.catalog.models import Module
from lms.extensions import db
from lms.i18n.languages import CONTENT_LANGUAGES
from lms.live import services


def zone_choices() -> list[SelectChoice]:
    region = [SelectChoice(z, z, optgroup=str(_l("Nordic and Baltic countries"))) for z in services.REGION_ZONES]
    others = sorted(z for z in available_timezones() if "/" in z and z not in services.REGION_ZONES
                    and not z.startswith(("Etc/", "SystemV/", "US/")))
    return region + [SelectChoice(z, z, optgroup=str(_l("Other time zones"))) for z in ["UTC", *others]]


class SessionForm(FlaskForm):
    starts_at = DateTimeLocalField(_l("Starts"), format="%Y-%m-%dT%H:%M", validators=[DataRequired()])
    ends_at = DateTimeLocalField(_l("Ends"), format="%Y-%m-%dT%H:%M", validators=[DataRequired()])
    timezone = SelectField(_l("Time zone of these times"), validators=[DataRequired()])
    capacity = IntegerField(_l("Places"), validators=[DataRequired(), NumberRange(min=1, max=100000)])
    join_url = URLField(_l("Join link of the video meeting"), validators=[DataRequired(), Length(max=500)])
    speakers = StringField(_l("Speakers"), validators=[Optional(), Length(max=500)])
    module = SelectField(_l("Attending completes the module"), validators=[Optional()])

    def fill_choices(self, course) -> None:
        self.timezone.choices = zone_choices()
        modules = db.session.scalars(select(Module).where(Module.course_id == course.id,
                                                          Module.archived_at.is_(None)).order_by(Module.position))
        self.module.choices = [SelectChoice("", str(_l("— None —")))] + [SelectChoice(str(m.id), m.slug)
                                                                           for m in modules]
        self.default_language = course.default_language

    def details(self) -> services.SessionDetails:
        return services.SessionDetails(
            starts_at=self.starts_at.data, ends_at=self.ends_at.data, timezone=self.timezone.data,
            capacity=self.capacity.data, join_url=self.join_url.data.strip(), speakers=self.speakers.data or "",
            titles={code: self[f"title_{code}"].data or "" for code in CONTENT_LANGUAGES},
            descriptions={code: self[f"description_{code}"].data or "" for code in CONTENT_LANGUAGES},
            module_id=int(self.module.data) if self.module.data else None,
        )


for _code in CONTENT_LANGUAGES:
    setattr(SessionForm, f"title_{_code}", StringField(_l("Title"), validators=[Optional(), Length(max=300)]))
    setattr(SessionForm, f"description_{_code}", TextAreaField(_l("Description"),
                                                               validators=[Optional(), Length(max=2000)]))
