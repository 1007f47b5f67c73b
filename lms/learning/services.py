"""Learning: enrolments and per-module progress. Course progress is always derived, never stored."""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import func, select, update
from sqlalchemy.orm import selectinload

from lms.accounts.models import User
from lms.assessment import services as assessment
from lms.catalog import services as catalog
from lms.catalog.models import Course, Module
from lms.catalog.services import ModuleEntry
from lms.content import checks
from lms.core.signals import module_completed
from lms.core.sql import insert_or_ignore
from lms.core.types import utcnow
from lms.extensions import db
from lms.learning import completion
from lms.learning.models import (
    Enrolment,
    EnrolmentSource,
    ModuleProgress,
    ModuleTime,
    ProgressStatus,
    VideoProgress,
)



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


class NotWatchedEnough(Exception):
    """The module asks for more of its video to be watched first."""

    def __init__(self, watched: float, required: int):
        super().__init__(f"{watched:.0%} watched, {required}% required")
        self.watched = watched
        self.required = required


class NotPassed(Exception):
    """The module's questions (or its final test) must be passed first."""


def must_pass_first(*, user: User, module: Module, text: str) -> bool:
    """Whether ``module`` (shown as ``text``) completes only once its questions are passed, and they are
    not yet: a final test always; a module with questions unless its author said otherwise."""
    if not module.draw and (not module.must_pass or "question" not in text or not checks.questions(text)[0]):
        return False
    return not assessment.passed(user=user, module=module)


def complete_module(*, user: User, module: Module, at: datetime, text: str | None = None) -> ModuleProgress:
    """Mark ``module`` complete for ``user``; completing twice keeps the first completion time.

    With ``text`` (the module text the learner was shown), a module that requires a share
    of its videos watched is completed only when every video of that text is watched enough,
    and a module with questions to pass only once they are passed.
    """
    if text is not None and must_pass_first(user=user, module=module, text=text):
        raise NotPassed(module.slug)
    if text is not None and module.required_watch_percent:
        watched = min((share for share in watched_shares(user=user, module=module, text=text).values()),
                      default=1.0)
        if watched * 100 < module.required_watch_percent:
            raise NotWatchedEnough(watched, module.required_watch_percent)
    record_visit(user=user, module=module, at=at)
    changed = db.session.execute(
        update(ModuleProgress)
        .where(ModuleProgress.user_id == user.id, ModuleProgress.module_id == module.id,
               ModuleProgress.completed_at.is_(None))
        .values(status=ProgressStatus.COMPLETED, completed_at=at)
    ).rowcount
    if changed:
        # The course completes with its last required module; then the module's own event.
        completion.complete_course_if_done(user=user, course=module.course, at=at)
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
    seconds: int = 0  # active time on the course's modules


def dashboard(*, user: User, language: str) -> list[DashboardRow]:
    """The user's courses with derived progress and time spent, most recent activity first: six queries."""
    courses = db.session.scalars(
        select(Course)
        .join(Enrolment, Enrolment.course_id == Course.id)
        .where(Enrolment.user_id == user.id, Course.published.is_(True))
        .options(selectinload(Course.texts))
        .order_by(Enrolment.created_at.desc())
    ).all()
    outlines = catalog.course_outlines(courses, language)
    progress = _progress_by_module(user, [e.module.id for entries in outlines.values() for e in entries])
    seconds = dict(db.session.execute(
        select(Module.course_id, func.sum(ModuleTime.seconds)).join(Module, Module.id == ModuleTime.module_id)
        .where(ModuleTime.user_id == user.id).group_by(Module.course_id)).all())
    rows = []
    for course in courses:
        outline = outlines[course.id]
        state = CourseState(rows=[OutlineRow(e, progress.get(e.module.id)) for e in outline], enrolled=True)
        title, summary = catalog.course_text(course, language)
        rows.append(DashboardRow(catalog.CourseCard(course, title, summary, len(outline)), state,
                                 int(seconds.get(course.id) or 0)))
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


# ---------------------------------------------------------------- watching recorded lectures

MAX_PLAYBACK_RATE = 2.0  # a report may add at most this many seconds of video per second passed
REPORT_SLACK = 3.0  # seconds, for clocks and the last moments before a report
MAX_RANGES = 500


class UnknownVideo(Exception):
    pass


def _merge(ranges: list[tuple[float, float]]) -> list[tuple[float, float]]:
    merged: list[tuple[float, float]] = []
    for start, end in sorted(ranges):
        if merged and start <= merged[-1][1] + 0.25:
            merged[-1] = (merged[-1][0], max(merged[-1][1], end))
        else:
            merged.append((start, end))
    return merged


def _minus(ranges: list[tuple[float, float]], taken: list[tuple[float, float]]) -> list[tuple[float, float]]:
    """The parts of ``ranges`` not in ``taken`` (both merged and sorted)."""
    left = []
    for start, end in ranges:
        cursor = start
        for t_start, t_end in taken:
            if t_end <= cursor or t_start >= end:
                continue
            if t_start > cursor:
                left.append((cursor, t_start))
            cursor = max(cursor, t_end)
        if cursor < end:
            left.append((cursor, end))
    return left


def _video_row(module: Module, video: str):
    from lms.catalog.models import CourseMedia
    from lms.content import media

    row = db.session.scalar(select(CourseMedia).where(CourseMedia.course_id == module.course_id,
                                                      CourseMedia.name == video))
    if row is None or row.content_type not in media.VIDEO_TYPES:
        raise UnknownVideo(video)
    return row


def record_watching(*, user: User, module: Module, video: str, ranges: list, at: datetime) -> float | None:
    """Add what the learner's player reports as played (``[[start, end], …]`` in seconds) to what
    they have watched of ``video``, and return the share watched (None if its length is unknown).

    Seeking back and forth is fine: ranges are merged. But no report adds more new video than
    the time since the previous report allows (at most 2× speed): a forged report that jumps
    to the end without time passing adds a few seconds, not the video.
    """
    row = _video_row(module, video)
    limit = row.duration or 24 * 3600.0
    clean = []
    for item in list(ranges)[:MAX_RANGES]:
        try:
            start, end = float(item[0]), float(item[1])
        except (TypeError, ValueError, IndexError):
            continue
        start, end = max(0.0, start), min(limit, end)
        if end > start:
            clean.append((start, end))
    visit = db.session.scalar(select(ModuleProgress.last_seen_at).where(
        ModuleProgress.user_id == user.id, ModuleProgress.module_id == module.id))
    insert_or_ignore(VideoProgress, {"user_id": user.id, "module_id": module.id, "video": video, "watched": "[]",
                                     "seconds": 0.0, "last_report_at": visit or at},
                     conflict=("user_id", "module_id", "video"))
    progress = db.session.scalars(select(VideoProgress).where(
        VideoProgress.user_id == user.id, VideoProgress.module_id == module.id, VideoProgress.video == video
    ).with_for_update().execution_options(populate_existing=True)).one()
    watched = [tuple(r) for r in json.loads(progress.watched)]
    budget = max(0.0, (at - progress.last_report_at).total_seconds()) * MAX_PLAYBACK_RATE + REPORT_SLACK
    accepted = []
    for start, end in _minus(_merge(clean), watched):
        take = min(end - start, budget)
        if take <= 0:
            break
        accepted.append((start, start + take))
        budget -= take
    watched = _merge(watched + accepted)
    progress.watched = json.dumps([[round(s, 3), round(e, 3)] for s, e in watched])
    progress.seconds = sum(e - s for s, e in watched)
    progress.last_report_at = max(at, progress.last_report_at)
    db.session.flush()
    return min(progress.seconds / row.duration, 1.0) if row.duration else None


def watched_shares(*, user: User, module: Module, text: str) -> dict[str, float]:
    """For each course video in ``text``: the share this learner has watched (0 to 1)."""
    from lms.catalog.models import CourseMedia
    from lms.content.checks import videos_in

    names = videos_in(text)
    if not names:
        return {}
    durations = dict(db.session.execute(select(CourseMedia.name, CourseMedia.duration).where(
        CourseMedia.course_id == module.course_id, CourseMedia.name.in_(names))).all())
    seconds = dict(db.session.execute(select(VideoProgress.video, VideoProgress.seconds).where(
        VideoProgress.user_id == user.id, VideoProgress.module_id == module.id,
        VideoProgress.video.in_(names))).all())
    # A video whose length is unknown counts as not watched: the rule is never waived for it.
    return {name: (min(seconds.get(name, 0.0) / durations[name], 1.0) if durations.get(name) else 0.0)
            for name in names if name in durations}
