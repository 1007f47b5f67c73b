"""Attempts at knowledge checks and final tests: the rules in one place.

- A module's questions are answered in its page and scored in one step (``submit_check``).
- A final test (a module with ``draw``) is started first (``start_test``): the attempt draws its
  questions from the pool and orders their options at random, and only those can be answered
  (``submit_test``).
- Answers are read against the stored revision the attempt belongs to. An answer to a question the
  attempt did not show, an option the question does not have, two options for a one-answer
  question: the whole submission is refused (``Tampered``) and nothing is recorded.
- The attempt limit is held by the database: attempt *n* of a learner at a module exists once.
- Attempts are never re-scored: the revision is kept, and the points of each question with it.
"""

from __future__ import annotations

import json
import random
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from decimal import Decimal

from sqlalchemy import func, select, update
from sqlalchemy.exc import IntegrityError

from lms.accounts.models import User
from lms.assessment import scoring
from lms.assessment.models import Attempt
from lms.catalog.models import Module, ModuleRevision, RevisionStatus
from lms.content import checks
from lms.content.syntax import Question
from lms.core import errors
from lms.core.types import MAX_DATABASE_ID
from lms.extensions import db

FIELD_PREFIX = "q-"
MAX_ANSWER_LENGTH = 100
_random = random.SystemRandom()


class AssessmentError(Exception):
    """A submission or a start that is refused; nothing was recorded."""


class Tampered(AssessmentError):
    """The answers name questions or options the attempt never showed."""


class NoAttemptsLeft(AssessmentError):
    def __init__(self, limit: int):
        super().__init__(f"all {limit} attempts used")
        self.limit = limit


class TooSoon(AssessmentError):
    def __init__(self, until: datetime):
        super().__init__(f"next attempt from {until.isoformat()}")
        self.until = until


class AlreadySubmitted(AssessmentError):
    """These answers were sent already (a second click, a replayed form)."""


class NoQuestions(errors.NotFound):
    """The module (in the text asked for) has nothing to answer."""


class AttemptNotFound(errors.NotFound):
    pass


def questions_of(revision: ModuleRevision) -> dict[str, Question]:
    """The questions of a stored text, by key, in the order written."""
    found, _problems = checks.questions(revision.body)
    return {question.key: question for question in found}


# ---------------------------------------------------------------- where a learner stands


@dataclass(frozen=True)
class Standing:
    """A learner's attempts at one module and what they may do next."""

    module: Module
    attempts: list[Attempt]  # submitted ones, oldest first
    open: Attempt | None  # a final test attempt started and not yet submitted
    at: datetime

    @property
    def used(self) -> int:
        return len(self.attempts) + (1 if self.open else 0)

    @property
    def left(self) -> int | None:
        limit = self.module.max_attempts
        return None if limit is None else max(limit - self.used, 0)

    @property
    def passed(self) -> bool:
        return any(a.passed for a in self.attempts)

    @property
    def best(self) -> Attempt | None:
        return max(self.attempts, key=lambda a: (a.score, -a.id), default=None)

    @property
    def last(self) -> Attempt | None:
        return self.attempts[-1] if self.attempts else None

    @property
    def next_at(self) -> datetime | None:
        """When the next attempt may begin, if the author asked for a wait and it has not passed."""
        wait = self.module.attempt_wait_minutes
        if not wait or self.last is None:
            return None
        until = self.last.submitted_at + timedelta(minutes=wait)
        return until if until > self.at else None

    def check_can_begin(self) -> None:
        if self.left == 0:
            raise NoAttemptsLeft(self.module.max_attempts)
        if self.next_at is not None:
            raise TooSoon(self.next_at)


def standing(*, user: User, module: Module, at: datetime) -> Standing:
    rows = db.session.scalars(
        select(Attempt).where(Attempt.user_id == user.id, Attempt.module_id == module.id).order_by(Attempt.number)
    ).all()
    submitted = [a for a in rows if a.submitted_at is not None]
    opened = next((a for a in rows if a.submitted_at is None), None)
    return Standing(module=module, attempts=submitted, open=opened, at=at)


def passed(*, user: User, module: Module) -> bool:
    return db.session.scalar(select(Attempt.id).where(
        Attempt.user_id == user.id, Attempt.module_id == module.id, Attempt.passed.is_(True)).limit(1)) is not None


def best_score(*, user: User, module: Module) -> Decimal | None:
    return db.session.scalar(select(func.max(Attempt.score)).where(
        Attempt.user_id == user.id, Attempt.module_id == module.id, Attempt.submitted_at.is_not(None)))


# ---------------------------------------------------------------- reading and scoring answers


def read_answers(raw: Mapping[str, Sequence[str]], shown: list[tuple[str, list[int]]],
                 questions: Mapping[str, Question]) -> dict[str, list[int] | str]:
    """The answers of a form (field ``q-KEY`` → its values), checked against what was shown."""
    shown_options = dict((key, order) for key, order in shown)
    answers: dict[str, list[int] | str] = {}
    for name, values in raw.items():
        if not name.startswith(FIELD_PREFIX):
            continue
        key = name[len(FIELD_PREFIX):]
        if key not in shown_options or key not in questions:
            raise Tampered(name)
        question, values = questions[key], [v for v in values if v != ""]
        if question.kind == "numeric":
            if len(values) > 1 or any(len(v) > MAX_ANSWER_LENGTH for v in values):
                raise Tampered(name)
            answers[key] = values[0].strip() if values else ""
            continue
        try:
            chosen = [int(v) for v in values if v.isascii() and v.isdigit() and len(v) <= 3]
        except ValueError:  # pragma: no cover - isdigit() admits only what int() reads
            raise Tampered(name) from None
        if len(chosen) != len(values) or len(set(chosen)) != len(chosen) \
                or any(n not in shown_options[key] for n in chosen) \
                or (question.kind != "multiple" and len(chosen) > 1):
            raise Tampered(name)
        answers[key] = sorted(chosen)
    return answers


def _score(attempt: Attempt, questions: Mapping[str, Question], answers: dict[str, list[int] | str],
           at: datetime) -> dict:
    shown = json.loads(attempt.questions)
    earned = {key: scoring.points(questions[key], answers.get(key)) for key, _order in shown}
    score = scoring.score(list(earned.values()))
    return {"answers": json.dumps(answers, sort_keys=True), "points": json.dumps({k: str(v) for k, v in earned.items()}),
            "score": score, "passed": scoring.passes(score, attempt.pass_mark), "submitted_at": at}


def _new_attempt(*, user: User, module: Module, revision: ModuleRevision, shown: list[tuple[str, list[int]]],
                 number: int, at: datetime) -> Attempt:
    attempt = Attempt(user_id=user.id, module_id=module.id, revision_id=revision.id, number=number,
                      questions=json.dumps(shown), pass_mark=module.pass_mark, started_at=at)
    try:
        with db.session.begin_nested():
            db.session.add(attempt)
    except IntegrityError:
        raise AlreadySubmitted() from None
    return attempt


def _next_number(user: User, module: Module) -> int:
    return (db.session.scalar(select(func.max(Attempt.number)).where(
        Attempt.user_id == user.id, Attempt.module_id == module.id)) or 0) + 1


def _answerable_revision(module: Module, revision_id: int | None) -> ModuleRevision:
    fits = revision_id is not None and 1 <= revision_id <= MAX_DATABASE_ID
    revision = db.session.get(ModuleRevision, revision_id) if fits else None
    if revision is None or revision.module_id != module.id or revision.status is not RevisionStatus.PUBLISHED:
        raise Tampered("revision")
    return revision


def submit_check(*, user: User, module: Module, revision_id: int | None, raw: Mapping[str, Sequence[str]],
                 at: datetime) -> Attempt:
    """Score the answers to a module's questions, given in the module's page, as the learner's next attempt.

    ``revision_id`` is the published text the page showed (a text published since still counts
    for the learner who was answering the previous one)."""
    if module.draw:
        raise Tampered("final test")  # a test's questions are answered in its own attempt
    revision = _answerable_revision(module, revision_id)
    questions = questions_of(revision)
    if not questions:
        raise NoQuestions(module.slug)
    shown = [(key, list(range(1, len(q.options) + 1))) for key, q in questions.items()]
    answers = read_answers(raw, shown, questions)
    current = standing(user=user, module=module, at=at)
    current.check_can_begin()
    attempt = _new_attempt(user=user, module=module, revision=revision, shown=shown,
                           number=_next_number(user, module), at=at)
    for name, value in _score(attempt, questions, answers, at).items():
        setattr(attempt, name, value)
    db.session.flush()
    return attempt


def start_test(*, user: User, module: Module, revision: ModuleRevision, at: datetime) -> Attempt:
    """The learner's open attempt at a final test, or a new one: ``module.draw`` questions of the
    pool drawn at random, each with its options in a random order."""
    if not module.draw:
        raise NoQuestions(module.slug)
    current = standing(user=user, module=module, at=at)
    if current.open is not None:
        return current.open
    current.check_can_begin()
    questions = questions_of(revision)
    if not questions:
        raise NoQuestions(module.slug)
    attempt = _new_attempt(user=user, module=module, revision=revision,
                           shown=draw(questions=questions, module=module),
                           number=_next_number(user, module), at=at)
    db.session.flush()
    return attempt


def draw(*, questions: Mapping[str, Question], module: Module) -> list[tuple[str, list[int]]]:
    """``module.draw`` questions of the pool at random, each with its options in a random order
    (a true-false question keeps its order)."""
    shown = []
    for key in _random.sample(list(questions), min(module.draw or len(questions), len(questions))):
        order = list(range(1, len(questions[key].options) + 1))
        if questions[key].kind in ("single", "multiple"):
            _random.shuffle(order)
        shown.append((key, order))
    return shown


def own_attempt(*, user: User, module: Module, attempt_id: int) -> Attempt:
    attempt = db.session.get(Attempt, attempt_id)
    if attempt is None or attempt.user_id != user.id or attempt.module_id != module.id:
        raise AttemptNotFound(attempt_id)
    return attempt


def submit_test(*, user: User, module: Module, attempt_id: int, raw: Mapping[str, Sequence[str]],
                at: datetime) -> Attempt:
    """Score a started final-test attempt, once."""
    attempt = own_attempt(user=user, module=module, attempt_id=attempt_id)
    if attempt.submitted_at is not None:
        raise AlreadySubmitted()
    questions = questions_of(attempt.revision)
    answers = read_answers(raw, [tuple(item) for item in json.loads(attempt.questions)], questions)
    values = _score(attempt, questions, answers, at)
    changed = db.session.execute(
        update(Attempt).where(Attempt.id == attempt.id, Attempt.submitted_at.is_(None)).values(**values)
    ).rowcount
    if not changed:
        raise AlreadySubmitted()
    db.session.refresh(attempt)
    return attempt


# ---------------------------------------------------------------- what a learner sees after an attempt


@dataclass(frozen=True)
class OptionReview:
    number: int
    text: str
    chosen: bool
    correct: bool
    feedback: str


@dataclass(frozen=True)
class QuestionReview:
    key: str
    question: Question
    options: list[OptionReview]  # in the order shown
    answer: str | None  # a numeric question's answer as written
    points: Decimal
    reveal: bool  # the right answers may be shown

    @property
    def right(self) -> bool:
        return self.points == 1


def review(attempt: Attempt, *, reveal: bool) -> list[QuestionReview]:
    """Each question of a submitted attempt with the learner's answer, its points and the feedback of
    what they chose; the right answers only when ``reveal`` (passed, or no attempt left)."""
    questions = questions_of(attempt.revision)
    answers = json.loads(attempt.answers or "{}")
    earned = json.loads(attempt.points or "{}")
    rows = []
    for key, order in json.loads(attempt.questions):
        question = questions[key]
        given = answers.get(key)
        chosen = set(given) if isinstance(given, list) else set()
        options = [OptionReview(n, question.options[n - 1].text, n in chosen, question.options[n - 1].correct,
                                " ".join(question.options[n - 1].feedback)) for n in order]
        rows.append(QuestionReview(key, question, options, given if isinstance(given, str) else None,
                                   Decimal(earned.get(key, "0")), reveal))
    return rows
