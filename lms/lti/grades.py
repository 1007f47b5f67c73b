"""Assignment and Grade Services 2.0: scores for the platform's gradebook.

A learner's launch through a resource link that grants the score scope records a
grade link (which line item, for which course or module). Completing a module
queues scores in the outbox (``LtiScore``) in the same transaction as the
progress itself, so a score is never lost: the worker sends it once that
transaction commits (never the request: a slow platform never slows a learner),
and whatever a platform did not take is sent again by ``flask --app wsgi lti
sync-grades`` with exponential back-off, shown to admins until it is delivered.

Scores (IMS AGS 2.0, section 3.4):
- a module link: 1 of 1, ``Completed`` / ``FullyGraded`` once the module is complete;
- a course link: modules completed of the course's modules, ``InProgress`` /
  ``Pending`` until the course is complete (``learning.completion``); then the course result,
  ``Completed`` / ``FullyGraded``: the final score on the same scale (85 % of a six-module course
  is 5.1 of 6), or full marks for a course without questions. It is queued when
  ``course_completed`` is sent, and never changes after.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime, timedelta

import requests
from sqlalchemy import func, select, update

from lms.accounts.models import User
from lms.catalog import services as catalog
from lms.catalog.models import Course, Module
from lms.core.types import utcnow
from lms.extensions import db
from lms.jobs import job
from lms.learning.models import CourseCompletion, ModuleProgress, ProgressStatus
from lms.lti import http as lti_http
from lms.lti import platform_services
from lms.lti.models import LtiGradeLink, LtiRegistration, LtiScore, ScoreStatus
from lms.lti.services import CLAIM, is_instructor

AGS_CLAIM = "https://purl.imsglobal.org/spec/lti-ags/claim/endpoint"
FIRST_RETRY = timedelta(minutes=1)
LONGEST_WAIT = timedelta(hours=6)
LEASE = timedelta(minutes=5)  # a score being sent is not picked up by another worker meanwhile
BATCH = 200

log = logging.getLogger(__name__)


def backoff(attempts: int) -> timedelta:
    """Wait before attempt ``attempts + 1``: 1, 2, 4, … minutes, at most 6 hours; never gives up."""
    return min(FIRST_RETRY * 2 ** max(attempts - 1, 0), LONGEST_WAIT)


# ---------------------------------------------------------------- recording


def record_launch(*, registration: LtiRegistration, user: User, claims: dict, course: Course,
                  module_slug: str | None) -> LtiGradeLink | None:
    """Remember where this learner's scores for this resource link go, if the platform takes scores."""
    endpoint = claims.get(AGS_CLAIM) or {}
    scopes = [str(s) for s in endpoint.get("scope") or []]
    resource_link_id = str((claims.get(CLAIM + "resource_link") or {}).get("id") or "")[:255]
    lineitem = str(endpoint.get("lineitem") or "")[:500] or None
    lineitems = str(endpoint.get("lineitems") or "")[:500] or None
    if (platform_services.SCORE_SCOPE not in scopes or not resource_link_id or is_instructor(claims)
            or not (lineitem or (lineitems and platform_services.LINEITEM_SCOPE in scopes))):
        return None
    outline = catalog.course_outline(course, course.default_language)
    label = catalog.course_text(course, course.default_language)[0].text
    module = None
    if module_slug:
        entry = next((e for e in outline if e.module.slug == module_slug), None)
        if entry is None:
            return None
        module = entry.module
        label = f"{entry.title.text} · {label}"
    link = db.session.scalar(select(LtiGradeLink).where(
        LtiGradeLink.registration_id == registration.id, LtiGradeLink.resource_link_id == resource_link_id,
        LtiGradeLink.user_id == user.id))
    if link is None:
        link = LtiGradeLink(registration_id=registration.id, user_id=user.id, resource_link_id=resource_link_id)
        db.session.add(link)
    moved = link.course_id != course.id or link.module_id != (module.id if module else None)
    link.subject = str(claims["sub"])[:255]
    link.course_id = course.id
    link.module_id = module.id if module else None
    link.label = label[:300]
    link.scopes = " ".join(scopes)
    link.lineitems_url = lineitems
    if lineitem or moved:
        link.lineitem_url = lineitem  # a line item found earlier stays, unless the link now names another
    db.session.flush()
    # Progress made before this link existed (or before the platform took scores) counts too.
    score = _score(link)
    if score is not None:
        _queue(link, score, at=utcnow())
    return link


@dataclass(frozen=True)
class Score:
    given: float
    maximum: float
    activity: str
    grading: str


def _score(link: LtiGradeLink) -> Score | None:
    """The score this link's learner has earned now; None before any module is complete."""
    if link.module_id is not None:
        done = db.session.scalar(select(func.count()).select_from(ModuleProgress).where(
            ModuleProgress.user_id == link.user_id, ModuleProgress.module_id == link.module_id,
            ModuleProgress.status == ProgressStatus.COMPLETED))
        return Score(1, 1, "Completed", "FullyGraded") if done else None
    course = db.session.get(Course, link.course_id)
    module_ids = [e.module.id for e in catalog.course_outline(course, course.default_language)]
    if not module_ids:
        return None
    finished = _completion(link)
    if finished is not None:
        share = float(finished.score) if finished.score is not None else 1.0
        return Score(round(share * len(module_ids), 4), len(module_ids), "Completed", "FullyGraded")
    done = db.session.scalar(select(func.count()).select_from(ModuleProgress).where(
        ModuleProgress.user_id == link.user_id, ModuleProgress.module_id.in_(module_ids),
        ModuleProgress.status == ProgressStatus.COMPLETED))
    if not done:
        return None
    return Score(done, len(module_ids), "InProgress", "Pending")


def _completion(link: LtiGradeLink) -> CourseCompletion | None:
    return db.session.scalar(select(CourseCompletion).where(
        CourseCompletion.user_id == link.user_id, CourseCompletion.course_id == link.course_id))


def _queue(link: LtiGradeLink, score: Score, *, at: datetime) -> LtiScore:
    row = LtiScore(grade_link_id=link.id, score_given=score.given, score_maximum=score.maximum,
                   activity_progress=score.activity, grading_progress=score.grading, created_at=at,
                   status=ScoreStatus.PENDING, attempts=0, next_attempt_at=at)
    db.session.add(row)
    db.session.flush()
    send_scores.queue([row.id])
    return row


def on_module_completed(user: User, *, module: Module, at: datetime) -> None:
    """learning.module_completed: queue a score for every link this completion changes."""
    links = db.session.scalars(select(LtiGradeLink).where(
        LtiGradeLink.user_id == user.id, LtiGradeLink.course_id == module.course_id,
        (LtiGradeLink.module_id.is_(None)) | (LtiGradeLink.module_id == module.id))).all()
    for link in links:
        if link.module_id is None and _completion(link) is not None:
            continue  # the course result was queued when the course completed; it does not change
        score = _score(link)
        if score is not None:
            _queue(link, score, at=at)


def on_course_completed(user: User, *, course: Course, completion: CourseCompletion) -> None:
    """learning.course_completed: the course result for every course link of this learner."""
    links = db.session.scalars(select(LtiGradeLink).where(
        LtiGradeLink.user_id == user.id, LtiGradeLink.course_id == course.id, LtiGradeLink.module_id.is_(None))).all()
    for link in links:
        _queue(link, _score(link), at=completion.completed_at)


@job()
def send_scores(score_ids: list[int]) -> None:
    """Send these scores now (those a platform refuses wait for ``lti sync-grades``, with back-off)."""
    report = deliver(ids=score_ids)
    for error in report.errors or []:
        log.warning("LTI score not sent: %s", error)


# ---------------------------------------------------------------- delivery


@dataclass
class Report:
    sent: int = 0
    failed: int = 0
    superseded: int = 0
    errors: list[str] | None = None


def deliver(*, ids: list[int] | None = None, now: datetime | None = None, due_only: bool = True) -> Report:
    """Send due scores: per grade link only the newest (older pending ones are superseded,
    a platform keeps the latest timestamp anyway). Commits after each score, so a crash
    loses nothing and a score is claimed by one worker at a time."""
    now = now or utcnow()
    report = Report(errors=[])
    query = select(LtiScore).where(LtiScore.status == ScoreStatus.PENDING).order_by(LtiScore.id).limit(BATCH)
    if due_only:
        query = query.where(LtiScore.next_attempt_at <= now)
    if ids is not None:
        query = query.where(LtiScore.id.in_(ids))
    newest: dict[int, LtiScore] = {}
    for row in db.session.scalars(query):
        newest[row.grade_link_id] = row
    for row in newest.values():
        report.superseded += db.session.execute(
            update(LtiScore).where(LtiScore.grade_link_id == row.grade_link_id, LtiScore.id < row.id,
                                   LtiScore.status == ScoreStatus.PENDING)
            .values(status=ScoreStatus.SUPERSEDED)
        ).rowcount
    claimed = []
    for row in newest.values():
        if db.session.execute(
            update(LtiScore).where(LtiScore.id == row.id, LtiScore.status == ScoreStatus.PENDING,
                                   LtiScore.next_attempt_at == row.next_attempt_at)
            .values(next_attempt_at=now + LEASE)
        ).rowcount:
            claimed.append(row.id)
    db.session.commit()
    with lti_http.session() as http:
        for score_id in claimed:
            row = db.session.get(LtiScore, score_id)
            try:
                _send(row, http)
            except platform_services.PlatformServiceError as error:
                row.attempts += 1
                row.next_attempt_at = utcnow() + backoff(row.attempts)
                row.last_error = str(error)[:1000]
                report.failed += 1
                report.errors.append(f"score {row.id}: {error}")
            else:
                row.status = ScoreStatus.SENT
                row.sent_at = utcnow()
                row.attempts += 1
                row.last_error = None
                report.sent += 1
            db.session.commit()
    return report


def _send(row: LtiScore, http: requests.Session) -> None:
    link = row.link
    registration = link.registration
    granted = link.scopes.split()
    scopes = tuple(s for s in (platform_services.LINEITEM_SCOPE, platform_services.SCORE_SCOPE) if s in granted)
    try:
        _post(row, http, platform_services.access_token(registration=registration, scopes=scopes, http=http))
    except platform_services.TokenRefused:
        # A kept token the platform no longer accepts (revoked, platform restarted): ask once more.
        platform_services.forget_token(registration=registration, scopes=scopes)
        _post(row, http, platform_services.access_token(registration=registration, scopes=scopes, http=http))


def _post(row: LtiScore, http: requests.Session, token: str) -> None:
    link = row.link
    if not link.lineitem_url:
        link.lineitem_url = platform_services.find_or_create_line_item(
            http=http, token=token, lineitems_url=link.lineitems_url or "",
            resource_link_id=link.resource_link_id, label=link.label, score_maximum=row.score_maximum,
            resource_id=_resource_id(link))
    platform_services.post_score(http=http, token=token, lineitem_url=link.lineitem_url, score={
        "userId": link.subject,
        "scoreGiven": row.score_given,
        "scoreMaximum": row.score_maximum,
        "activityProgress": row.activity_progress,
        "gradingProgress": row.grading_progress,
        "timestamp": row.created_at.isoformat(timespec="milliseconds"),
    })


def _resource_id(link: LtiGradeLink) -> str:
    course = db.session.get(Course, link.course_id)
    if link.module_id is None:
        return course.slug
    module = db.session.get(Module, link.module_id)
    return f"{course.slug}/{module.slug}"


# ---------------------------------------------------------------- for admins


@dataclass(frozen=True)
class WaitingScore:
    score: LtiScore
    learner: str
    platform: str
    target: str


def waiting_scores(limit: int = 50) -> tuple[int, list[WaitingScore]]:
    """Scores not yet taken by their platform (how many, and the oldest ``limit``): three queries."""
    total = db.session.scalar(select(func.count()).select_from(LtiScore).where(
        LtiScore.status == ScoreStatus.PENDING))
    rows = db.session.execute(
        select(LtiScore, User.display_name, LtiRegistration.name, Course.slug, Module.slug)
        .join(LtiGradeLink, LtiGradeLink.id == LtiScore.grade_link_id)
        .join(User, User.id == LtiGradeLink.user_id)
        .join(LtiRegistration, LtiRegistration.id == LtiGradeLink.registration_id)
        .join(Course, Course.id == LtiGradeLink.course_id)
        .outerjoin(Module, Module.id == LtiGradeLink.module_id)
        .where(LtiScore.status == ScoreStatus.PENDING)
        .order_by(LtiScore.id).limit(limit)
    ).all()
    return total, [WaitingScore(score, learner, platform, f"{course}/{module}" if module else course)
                   for score, learner, platform, course, module in rows]
