"""Scoring one answer to one question: pure functions of the question and the answer.

The rules (documented in courses/README.md):

- ``single`` and ``true-false``: 1 point for the right option, 0 otherwise.
- ``multiple``: each right option chosen counts +1, each wrong option chosen −1; the points are
  that sum divided by the number of right options, never below 0. Choosing every option
  therefore earns nothing unless every option is right.
- ``numeric``: 1 point when the answer is within the tolerance of the right value, else 0.

An unanswered question earns 0. The score of an attempt is its points divided by the
number of questions it showed.
"""

from __future__ import annotations

import re
from decimal import Decimal

from lms.content.syntax import Question, parse_number

NUMBER_IN_TEXT = re.compile(r"[-−]?\d+(?:[.,]\d+)?")


def read_number(text: str) -> Decimal | None:
    """The number a learner wrote, also inside a few words (``15 days``); None if there is not
    exactly one number."""
    if len(text) > 100:
        return None
    found = NUMBER_IN_TEXT.findall(text)
    return parse_number(found[0]) if len(found) == 1 else None


def points(question: Question, answer: list[int] | str | None) -> Decimal:
    if answer is None or answer == [] or answer == "":
        return Decimal(0)
    if question.kind == "numeric":
        value = read_number(answer) if isinstance(answer, str) else None
        if value is None or question.answer is None:
            return Decimal(0)
        return Decimal(1) if abs(value - question.answer) <= question.tolerance else Decimal(0)
    chosen = set(answer)
    right = {n for n, option in enumerate(question.options, start=1) if option.correct}
    if question.kind == "multiple":
        earned = len(chosen & right) - len(chosen - right)
        return max(Decimal(0), Decimal(earned) / Decimal(len(right)))
    return Decimal(1) if chosen == right else Decimal(0)


def score(question_points: list[Decimal]) -> Decimal:
    if not question_points:
        return Decimal(0)
    return (sum(question_points, Decimal(0)) / len(question_points)).quantize(Decimal("0.0001"))


def passes(value: Decimal, pass_mark: int) -> bool:
    return value * 100 >= pass_mark
