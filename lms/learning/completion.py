"""Course completion: one rule, one place, recorded once.

A course is complete for a learner when every required module is complete (a module with questions
completes only once they are passed, a final test once it is passed) and, if the course asks for it,
the learner has spent its minimum time on its modules. The completion is then written once: the
database holds one per learner and course, so two requests finishing at the same moment cannot both
record it, and ``course_completed`` is sent by the one that did. Its date never moves.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal

from sqlalchemy import func, select
from sqlalchemy.orm import selectinload

from lms.accounts.models import User
from lms.assessment import services as assessment
from lms.assessment.models import Attempt
from lms.catalog import services as catalog
from lms.catalog.models import Course, Module
from lms.certificates import services as certificates
from lms.core.signals import course_completed
from lms.core.sql import insert_or_ignore
from lms.extensions import db
from lms.learning.models import CourseCompletion, ModuleProgress, ModuleTime, ProgressStatus


def required_modules(course: Course) -> list[Module]:
    """The modules that complete ``course``: those course.yml names (and learners can see), else every
    module learners see."""
    visible = db.session.scalars(select(Module).where(
        Module.course_id == course.id, Module.published.is_(True), Module.archived_at.is_(None)
    ).order_by(Module.position)).all()
    if course.required_modules is None:
        return list(visible)
    wanted = set(json.loads(course.required_modules))
    return [m for m in visible if m.slug in wanted]


def seconds_spent(*, user: User, course: Course) -> int:
    return int(db.session.scalar(
        select(func.coalesce(func.sum(ModuleTime.seconds), 0)).join(Module, Module.id == ModuleTime.module_id)
        .where(ModuleTime.user_id == user.id, Module.course_id == course.id)) or 0)


@dataclass(frozen=True)
class Status:
    """How far a learner is from completing a course."""

    required: list[Module]
    missing: list[Module]
    seconds: int
    minimum_seconds: int
    completion: CourseCompletion | None

    @property
    def time_missing(self) -> int:
        return max(self.minimum_seconds - self.seconds, 0)

    @property
    def done(self) -> bool:
        return bool(self.required) and not self.missing and not self.time_missing


def status(*, user: User, course: Course) -> Status:
    required = required_modules(course)
    done = set(db.session.scalars(select(ModuleProgress.module_id).where(
        ModuleProgress.user_id == user.id, ModuleProgress.module_id.in_([m.id for m in required]),
        ModuleProgress.status == ProgressStatus.COMPLETED)))
    record = db.session.scalar(select(CourseCompletion).where(
        CourseCompletion.user_id == user.id, CourseCompletion.course_id == course.id))
    return Status(required=required, missing=[m for m in required if m.id not in done],
                  seconds=seconds_spent(user=user, course=course),
                  minimum_seconds=(course.minimum_minutes or 0) * 60, completion=record)


def final_score(*, user: User, modules: list[Module]) -> Decimal | None:
    """The final test's best score (the mean, if a course has several); without a final test, the mean of
    the best scores of the modules with knowledge checks; None when nothing was scored."""
    tests = [m for m in modules if m.draw]
    scores = [s for m in (tests or modules) if (s := assessment.best_score(user=user, module=m)) is not None]
    if not scores:
        return None
    return (sum(scores, Decimal(0)) / len(scores)).quantize(Decimal("0.0001"))


def complete_course_if_done(*, user: User, course: Course, at: datetime) -> CourseCompletion | None:
    """Record the course's completion if it is due now; the new completion, or None (not yet, or already)."""
    current = status(user=user, course=course)
    if current.completion is not None or not current.done:
        return None
    inserted = insert_or_ignore(CourseCompletion, {
        "user_id": user.id, "course_id": course.id, "completed_at": at, "version": course.version,
        "hours": course.estimated_hours, "score": final_score(user=user, modules=current.required),
        "seconds_spent": current.seconds,
    }, conflict=("user_id", "course_id"))
    if not inserted:
        return None
    record = db.session.scalar(select(CourseCompletion).where(
        CourseCompletion.user_id == user.id, CourseCompletion.course_id == course.id))
    course_completed.send(user, course=course, completion=record)
    return record


@dataclass(frozen=True)
class RecordRow:
    slug: str
    title: catalog.Localised
    completion: CourseCompletion
    certificate: str | None  # its code
    attempts: int  # at the course's knowledge checks and final test


@dataclass(frozen=True)
class RecordYear:
    """One calendar year of a learner's record, as continuing-education schemes count it."""

    year: int
    rows: list[RecordRow]

    @property
    def hours(self) -> Decimal:
        return sum((row.completion.hours for row in self.rows), Decimal(0))


def record(*, user: User, language: str) -> list[RecordYear]:
    """The courses a learner completed, by calendar year (newest first), with hours, attempts and
    certificates: four queries."""
    rows = db.session.execute(
        select(CourseCompletion, Course).join(Course, Course.id == CourseCompletion.course_id)
        .where(CourseCompletion.user_id == user.id).options(selectinload(Course.texts))
        .order_by(CourseCompletion.completed_at.desc())
    ).all()
    issued = certificates.of_completions([done.id for done, _course in rows])
    attempts = dict(db.session.execute(
        select(Module.course_id, func.count(Attempt.id)).join(Module, Module.id == Attempt.module_id)
        .where(Attempt.user_id == user.id, Attempt.submitted_at.is_not(None)).group_by(Module.course_id)).all())
    years: dict[int, list[RecordRow]] = {}
    for done, course in rows:
        title, _summary = catalog.course_text(course, language)
        code = issued[done.id].code if done.id in issued else None
        years.setdefault(done.completed_at.year, []).append(
            RecordRow(course.slug, title, done, code, attempts.get(course.id, 0)))
    return [RecordYear(year, items) for year, items in years.items()]
