"""The e-mail a learner gets on completing a course, in their language, queued to the worker."""

from __future__ import annotations

from flask_babel import format_date, format_percent, force_locale
from flask_babel import lazy_gettext as _l

from lms import mail
from lms.accounts.models import User
from lms.catalog import services as catalog
from lms.catalog.models import Course
from lms.certificates import services as certificates
from lms.core.urls import external_url
from lms.extensions import db
from lms.jobs import job
from lms.learning.models import CourseCompletion


def on_course_completed(user: User, *, course: Course, completion: CourseCompletion) -> None:
    """learning.course_completed: the congratulations go out once the completion is committed."""
    if user.email:
        completed_mail.queue(completion.id)


@job(retries=5, retry_delay=120)
def completed_mail(completion_id: int) -> None:
    done = db.session.get(CourseCompletion, completion_id)
    if done is None:
        return
    user, course = db.session.get(User, done.user_id), db.session.get(Course, done.course_id)
    if user is None or not user.email:
        return
    language = mail.language_of(user.preferred_language or course.default_language)
    title, _summary = catalog.course_text(course, language)
    with force_locale(language):
        date = format_date(done.completed_at)
        score = format_percent(done.score) if done.score is not None else None
    issued = certificates.of_completions([done.id]).get(done.id)
    mail.send(mail.compose(
        to=user.email, template="course_completed", language=language,
        subject=_l("Course completed: %(title)s", title=title.text), name=user.display_name, title=title.text,
        date=date, score=score, version=done.version, record=external_url("learning.dashboard"),
        certificate=external_url("certificates.page", code=issued.code) if issued else None))
