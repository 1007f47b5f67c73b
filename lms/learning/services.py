"""Learning: enrolments and per-module progress. Course progress is always derived, never stored."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from blinker import Namespace
from sqlalchemy import select, update
from sqlalchemy.orm import selectinload

from lms.accounts.models import User
from lms.catalog import services as catalog
from lms.catalog.models import Course, Module
from lms.catalog.services import ModuleEntry
from lms.core.sql import insert_or_ignore
from lms.core.types import utcnow
from lms.extensions import db
from lms.learning.models import Enrolment, EnrolmentSource, ModuleProgress, ProgressStatus

signals = Namespace()
# Sent inside the transaction that completes a module, once per learner and module;
# receivers (LTI scores) add their rows to the same transaction.
module_completed = signals.signal("module-completed")


@dataclass(frozen=True)
class CourseProgress:
    completed: int
    total: int

    @property
    def ratio(self) -> float:
        return self.completed / self.total if self.total else 0.0

    @property
    def done(self) -> bool:
        return self.total > 0 and self.completed == self.total


@dataclass(frozen=True)
class OutlineRow:
    entry: ModuleEntry
    progress: ModuleProgress | None

    @property
    def status(self) -> str:
        return self.progress.status.value if self.progress else "not-started"


@dataclass(frozen=True)
class CourseState:
    """A course as one learner sees it: modules with their status, progress, where to go on."""

    rows: list[OutlineRow]
    enrolled: bool

    @property
    def progress(self) -> CourseProgress:
        done = sum(1 for r in self.rows if r.progress and r.progress.status is ProgressStatus.COMPLETED)
        return CourseProgress(completed=done, total=len(self.rows))

    @property
    def last_seen_at(self) -> datetime | None:
        return max((r.progress.last_seen_at for r in self.rows if r.progress), default=None)

    @property
    def resume(self) -> ModuleEntry | None:
        """Where to continue: the module last seen unless it is done, else the next one not done."""
        seen = [r for r in self.rows if r.progress]
        if not seen:
            return None
        last = max(seen, key=lambda r: r.progress.last_seen_at)
        if last.progress.status is not ProgressStatus.COMPLETED:
            return last.entry
        after = self.rows[self.rows.index(last) + 1:] + self.rows
        return next((r.entry for r in after if r.status != ProgressStatus.COMPLETED.value), None)


def enrol(*, user: User, course: Course, source: EnrolmentSource = EnrolmentSource.SELF,
          lti_context_id: str | None = None) -> None:
    """Enrol ``user`` once, however often or concurrently this is called."""
    _enrol_ids(user_id=user.id, course_id=course.id, source=source, lti_context_id=lti_context_id)


def _enrol_ids(*, user_id: int, course_id: int, source: EnrolmentSource, lti_context_id: str | None) -> None:
    insert_or_ignore(
        Enrolment,
        {"user_id": user_id, "course_id": course_id, "source": source, "lti_context_id": lti_context_id,
         "created_at": utcnow()},
        conflict=("user_id", "course_id"),
    )


def record_visit(*, user: User, module: Module, at: datetime) -> ModuleProgress:
    """Note that ``user`` opened ``module``: one row per user and module, whatever the races."""
    _enrol_ids(user_id=user.id, course_id=module.course_id, source=EnrolmentSource.SELF, lti_context_id=None)
    insert_or_ignore(
        ModuleProgress,
        {"user_id": user.id, "module_id": module.id, "status": ProgressStatus.STARTED,
         "started_at": at, "last_seen_at": at},
        conflict=("user_id", "module_id"),
    )
    db.session.execute(
        update(ModuleProgress)
        .where(ModuleProgress.user_id == user.id, ModuleProgress.module_id == module.id,
               ModuleProgress.last_seen_at < at)
        .values(last_seen_at=at)
    )
    return _progress_row(user, module)


def complete_module(*, user: User, module: Module, at: datetime) -> ModuleProgress:
    """Mark ``module`` complete for ``user``; completing twice keeps the first completion time."""
    record_visit(user=user, module=module, at=at)
    changed = db.session.execute(
        update(ModuleProgress)
        .where(ModuleProgress.user_id == user.id, ModuleProgress.module_id == module.id,
               ModuleProgress.completed_at.is_(None))
        .values(status=ProgressStatus.COMPLETED, completed_at=at)
    ).rowcount
    if changed:
        module_completed.send(user, module=module, at=at)
    return _progress_row(user, module)


def _progress_row(user: User, module: Module) -> ModuleProgress:
    return db.session.scalars(
        select(ModuleProgress)
        .where(ModuleProgress.user_id == user.id, ModuleProgress.module_id == module.id)
        .execution_options(populate_existing=True)
    ).one()


def _progress_by_module(user: User | None, module_ids: Sequence[int]) -> dict[int, ModuleProgress]:
    if user is None or not user.is_authenticated or not module_ids:
        return {}
    rows = db.session.scalars(
        select(ModuleProgress).where(ModuleProgress.user_id == user.id, ModuleProgress.module_id.in_(module_ids))
    )
    return {p.module_id: p for p in rows}


def course_state(*, user: User | None, course: Course, outline: list[ModuleEntry]) -> CourseState:
    """The learner's status for each module of ``outline``: one or two queries."""
    progress = _progress_by_module(user, [e.module.id for e in outline])
    enrolled = False
    if user is not None and user.is_authenticated:
        enrolled = db.session.scalar(
            select(Enrolment.id).where(Enrolment.user_id == user.id, Enrolment.course_id == course.id)
        ) is not None
    return CourseState(rows=[OutlineRow(e, progress.get(e.module.id)) for e in outline], enrolled=enrolled)


@dataclass(frozen=True)
class DashboardRow:
    card: catalog.CourseCard
    state: CourseState


def dashboard(*, user: User, language: str) -> list[DashboardRow]:
    """The user's courses with derived progress, most recent activity first: five queries."""
    courses = db.session.scalars(
        select(Course)
        .join(Enrolment, Enrolment.course_id == Course.id)
        .where(Enrolment.user_id == user.id, Course.published.is_(True))
        .options(selectinload(Course.texts))
        .order_by(Enrolment.created_at.desc())
    ).all()
    outlines = catalog.course_outlines(courses, language)
    progress = _progress_by_module(user, [e.module.id for entries in outlines.values() for e in entries])
    rows = []
    for course in courses:
        outline = outlines[course.id]
        state = CourseState(rows=[OutlineRow(e, progress.get(e.module.id)) for e in outline], enrolled=True)
        title, summary = catalog.course_text(course, language)
        rows.append(DashboardRow(catalog.CourseCard(course, title, summary, len(outline)), state))
    rows.sort(key=lambda row: row.state.last_seen_at or row.card.course.created_at, reverse=True)
    return rows


def progress_of_users(*, user_ids: Sequence[int], course: Course, language: str) -> dict[int, CourseProgress]:
    """Course progress of many users at once (a roster): three queries whatever their number."""
    outline = catalog.course_outline(course, language)
    module_ids = [e.module.id for e in outline]
    done: dict[int, int] = {}
    if user_ids and module_ids:
        for user_id in db.session.scalars(
            select(ModuleProgress.user_id).where(
                ModuleProgress.user_id.in_(list(user_ids)),
                ModuleProgress.module_id.in_(module_ids),
                ModuleProgress.status == ProgressStatus.COMPLETED,
            )
        ):
            done[user_id] = done.get(user_id, 0) + 1
    return {user_id: CourseProgress(completed=done.get(user_id, 0), total=len(outline)) for user_id in user_ids}
