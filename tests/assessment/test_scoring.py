"""How each kind of question scores (the rules courses/README.md documents)."""

from __future__ import annotations

from decimal import Decimal

import pytest

from lms.assessment import scoring
from lms.content import checks
from tests.factories import QUIZ


@pytest.fixture(scope="module")
def questions():
    found, problems = checks.questions(QUIZ)
    assert not problems
    return {q.kind: q for q in found}


def test_single_and_true_false_score_the_right_option_only(questions):
    single, true_false = questions["single"], questions["true-false"]
    assert scoring.points(single, [2]) == 1
    assert scoring.points(single, [1]) == 0
    assert scoring.points(true_false, [2]) == 1
    assert scoring.points(true_false, [1]) == 0
    assert scoring.points(single, None) == scoring.points(single, []) == 0


def test_multiple_choice_gives_partial_credit_and_wrong_choices_cost(questions):
    multiple = questions["multiple"]  # options 1, 2 and 4 are right, 3 is wrong
    assert scoring.points(multiple, [1, 2, 4]) == 1
    assert scoring.points(multiple, [1, 2]) == Decimal(2) / 3
    assert scoring.points(multiple, [1, 3]) == 0, "one right, one wrong: nothing"
    assert scoring.points(multiple, [1, 2, 3]) == Decimal(1) / 3
    assert scoring.points(multiple, [1, 2, 3, 4]) == Decimal(2) / 3, "ticking everything is not full marks"
    assert scoring.points(multiple, [3]) == 0, "never below zero"


@pytest.mark.parametrize(("written", "points"), [
    ("15", 1), ("15.0", 1), ("15,0", 1), ("15 days", 1), (" 15 ", 1), ("16", 0), ("14", 0), ("fifteen", 0),
    ("15 or 16", 0), ("", 0), ("1" * 200, 0),
])
def test_a_numeric_answer_is_read_as_people_write_numbers(questions, written, points):
    assert scoring.points(questions["numeric"], written) == points


def test_a_numeric_answer_within_the_tolerance_is_right():
    [question], _problems = checks.questions("# T\n\n::: question numeric\nHow much?\n= 2.5 ± 0.5\n:::\n")
    assert [scoring.points(question, value) for value in ("2", "3", "2,7", "1.99", "3.01", "−2.5")] == [1, 1, 1, 0, 0, 0]


def test_the_score_is_the_points_over_the_questions_shown():
    assert scoring.score([Decimal(1), Decimal(0), Decimal(1) / 3]) == Decimal("0.4444")
    assert scoring.passes(Decimal("0.7"), 70) and not scoring.passes(Decimal("0.6999"), 70)


@pytest.mark.parametrize(("text", "message"), [
    ("::: question numeric\nHow many?\n:::\n", "needs its answer on a line"),
    ("::: question numeric\nHow many?\n= 15\n= 16\n:::\n", "one answer line"),
    ("::: question numeric\nHow many?\n= fifteen\n:::\n", "needs its answer on a line"),
    ("::: question numeric\nHow many?\n= 15\nMore text.\n:::\n", "only its explanation"),
    ("::: question single\nWhich?\n- [x] A\n- [ ] B\n:::\n\n::: question single\nWhich?\n- [x] A\n- [ ] B\n:::\n",
     "written twice"),
])
def test_malformed_numeric_questions_and_repeated_questions_are_refused_with_their_line(text, message):
    problems = checks.check_module_text(f"# T\n\nText.\n\n{text}")
    assert problems and message in problems[0].message and problems[0].line >= 5, problems


def test_the_preview_shows_a_numeric_answer_and_learners_get_an_empty_field():
    from lms.content import markdown

    text = "::: question numeric\nHow many days?\n= 2.50 ± 0.5\n  > Article 87(3).\n:::\n"
    preview = markdown.render(text, preview={"right": "Right answer"})
    assert "Right answer: 2.5 ± 0.5" in preview and "Article 87(3)." in preview
    learner = markdown.render(text, questions=markdown.ANSWER, labels={"answer": "Your answer"})
    assert "2.5" not in learner and "Article 87(3)" not in learner and 'inputmode="decimal"' in learner
    assert 'form="knowledge-check"' in learner and "disabled" not in learner
    assert "How many days?" not in markdown.render(text, questions=markdown.HIDE)
