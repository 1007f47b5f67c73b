from __future__ import annotations

from decimal import Decimal

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from flask_wtf.file import FileField, FileRequired
from wtforms import BooleanField, DecimalField, HiddenField, IntegerField, SelectField, StringField, TextAreaField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, Length, NumberRange, Optional, Regexp

from lms.authoring import services
from lms.i18n.languages import CONTENT_LANGUAGES

SLUG_HINT = _l("Lower-case letters, digits and hyphens, e.g. “risk-management”. It is part of the course's "
               "web addresses and cannot be changed later.")
SLUG = Regexp(services.SLUG_RE.pattern, message=_l("Use only lower-case letters, digits and single hyphens."))


def language_choices() -> list[SelectChoice]:
    return [SelectChoice(code, name, render_kw={"lang": code}) for code, name in CONTENT_LANGUAGES.items()]


class CourseForm(FlaskForm):
    """A course's settings, with a title and summary per language (fields ``title_<code>``)."""

    slug = StringField(_l("Short name (slug)"), validators=[DataRequired(), Length(max=80), SLUG],
                       description=SLUG_HINT)
    default_language = SelectField(_l("Default language"), validators=[DataRequired()],
                                   description=_l("The language the course is written in first; translations "
                                                  "are made from it."))
    version = StringField(_l("Content version"), validators=[DataRequired(), Length(max=40)],
                          description=_l("e.g. 1.0; raise it when the content changes in substance."))
    estimated_hours = DecimalField(_l("Estimated hours"), places=2,
                                   validators=[DataRequired(), NumberRange(min=Decimal("0.25"), max=Decimal("1000"))])
    published = BooleanField(_l("Published: learners can find and take the course"))

    def validate(self, extra_validators=None) -> bool:
        ok = super().validate(extra_validators)
        language = self.default_language.data
        if language in CONTENT_LANGUAGES and not (self[f"title_{language}"].data or "").strip():
            self[f"title_{language}"].errors.append(str(_l("The course needs a title in its default language.")))
            ok = False
        return ok

    def details(self) -> services.CourseDetails:
        return services.CourseDetails(
            slug=self.slug.data.strip(), default_language=self.default_language.data, version=self.version.data.strip(),
            estimated_hours=self.estimated_hours.data, published=bool(self.published.data),
            titles={code: self[f"title_{code}"].data or "" for code in CONTENT_LANGUAGES},
            summaries={code: self[f"summary_{code}"].data or "" for code in CONTENT_LANGUAGES},
        )

    def fill(self, course) -> None:
        self.slug.data = course.slug
        self.default_language.data = course.default_language
        self.version.data = course.version
        self.estimated_hours.data = course.estimated_hours
        self.published.data = course.published
        for text in course.texts:
            self[f"title_{text.language}"].data = text.title
            self[f"summary_{text.language}"].data = text.summary


for _code in CONTENT_LANGUAGES:
    setattr(CourseForm, f"title_{_code}", StringField(_l("Title"), validators=[Optional(), Length(max=300)]))
    setattr(CourseForm, f"summary_{_code}", TextAreaField(_l("Summary"), validators=[Optional(), Length(max=2000)]))


class ModuleForm(FlaskForm):
    slug = StringField(_l("Short name (slug)"), validators=[DataRequired(), Length(max=80), SLUG],
                       description=_l("Lower-case letters, digits and hyphens, e.g. “post-market”."))
    title = StringField(_l("Title"), validators=[DataRequired(), Length(max=300)])


class EditorForm(FlaskForm):
    text = TextAreaField(_l("Module text (Markdown)"), validators=[Length(max=500_000)])
    base = HiddenField()
    image = FileField(_l("Image"))
    alt = StringField(_l("Text alternative of the image"), validators=[Optional(), Length(max=300)],
                      description=_l("What the image shows, in this module's language, for readers who cannot see it."))

    video = FileField(_l("Video (MP4 or WebM)"))
    video_caption = StringField(_l("Caption"), validators=[Optional(), Length(max=300)],
                                description=_l("A sentence shown under the video, in this module's language."))

    def base_id(self) -> int:
        try:
            return int(self.base.data or 0)
        except ValueError:
            return -1


class PackageForm(FlaskForm):
    package = FileField(_l("Course package (zip)"), validators=[FileRequired(_l("Choose a zip file."))])


class AuthorForm(FlaskForm):
    email = StringField(_l("E-mail address of the author"), validators=[DataRequired(), Length(max=254)])



class TrackForm(FlaskForm):
    text = TextAreaField(_l("Subtitles (WebVTT)"), validators=[Length(max=1_000_000)])
    upload = FileField(_l("Or upload a .vtt or .srt file"))


class CheckRulesForm(FlaskForm):
    """A module's knowledge-check rules (the same as course.yml's ``pass_mark``, ``max_attempts``,
    ``attempt_wait``, ``must_pass`` and ``draw``). The workspace writes one such form per module,
    with its own labels and ids (authoring/workspace.html)."""

    pass_mark = IntegerField(validators=[DataRequired(), NumberRange(min=1, max=100)])
    max_attempts = IntegerField(validators=[Optional(), NumberRange(min=1, max=100)])
    attempt_wait = IntegerField(validators=[Optional(), NumberRange(min=1, max=60 * 24 * 30)])
    draw = IntegerField(validators=[Optional(), NumberRange(min=1, max=200)])
    must_pass = BooleanField()
