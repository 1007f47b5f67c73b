"""A final test: questions drawn from a pool per attempt, options shuffled, answered once, never re-scored."""

from __future__ import annotations

import json
import re
from html import unescape

from sqlalchemy import select

from lms.assessment import services as assessment
from lms.assessment.models import Attempt
from lms.catalog.models import Module, RevisionStatus
from lms.content import checks, revisions
from lms.core.types import utcnow
from lms.extensions import db
from lms.learning.models import ModuleProgress
from tests.conftest import login, post_form
from tests.factories import make_course, make_quiz_course, make_user

FIELD = re.compile(r'name="(q-[0-9a-f]{16})"')
PROMPT = re.compile(r"What is (\d+) \+ 0\?")


def final_module(course) -> Module:
    return db.session.scalar(select(Module).where(Module.course_id == course.id, Module.slug == "module-2"))


def start(client, course):
    path = f"/courses/{course.slug}/modules/module-2"
    page = client.get(path).get_data(as_text=True)
    assert "Start the test" in page and not PROMPT.search(page), "the pool is not shown in the module page"
    response = post_form(client, path + "/test", token_from=path)
    assert response.status_code == 302
    return response.headers["Location"]


def test_each_attempt_draws_its_questions_and_is_answered_once(client):
    course = make_quiz_course(pool=8, draw=3)
    user = make_user(email="a@example.org")
    login(client, "a@example.org")
    attempt_url = start(client, course)
    html = client.get(attempt_url).get_data(as_text=True)
    shown = PROMPT.findall(html)
    assert len(shown) == 3 and len(set(shown)) == 3
    path = f"/courses/{course.slug}/modules/module-2"
    assert "Continue the test" in client.get(path).get_data(as_text=True)
    again = post_form(client, path + "/test", token_from=path)  # a second tab, a double click
    assert again.headers["Location"] == attempt_url, "starting again continues the open attempt"
    fields = FIELD.findall(html)
    data = {field: number for field, number in zip(fields, shown, strict=True)}  # question n is answered by n
    response = post_form(client, attempt_url, data, token_from=attempt_url)
    review = unescape(client.get(response.headers["Location"]).get_data(as_text=True))
    assert "Your score: 100%" in review and "You passed." in review
    again = post_form(client, attempt_url, {fields[0]: "0"}, token_from=attempt_url)
    page = unescape(client.get(again.headers["Location"]).get_data(as_text=True))
    assert "These answers were already sent" in page
    [attempt] = db.session.scalars(select(Attempt).where(Attempt.user_id == user.id)).all()
    assert attempt.score == 1 and attempt.passed
    module = final_module(course)
    assert db.session.scalar(select(ModuleProgress.completed_at).where(
        ModuleProgress.user_id == user.id, ModuleProgress.module_id == module.id)) is not None


def test_an_answer_to_a_question_not_drawn_is_refused_whole(client):
    course = make_quiz_course(pool=8, draw=3)
    user = make_user(email="a@example.org")
    login(client, "a@example.org")
    attempt_url = start(client, course)
    html = client.get(attempt_url).get_data(as_text=True)
    drawn = set(FIELD.findall(html))
    pool = {f"q-{key}" for key in assessment.questions_of(revisions.newest(final_module(course), "en"))}
    other = sorted(pool - drawn)[0]
    response = post_form(client, attempt_url, {**{f: "1" for f in drawn}, other: "1"}, token_from=attempt_url)
    assert response.status_code == 400
    attempt = db.session.scalar(select(Attempt).where(Attempt.user_id == user.id))
    assert attempt.submitted_at is None and attempt.score is None


def test_draws_and_option_orders_vary_between_attempts():
    text = "# Test\n\nPool.\n\n" + "\n".join(
        f"::: question single\nQuestion {n}?\n- [x] A{n}\n- [ ] B{n}\n- [ ] C{n}\n- [ ] D{n}\n:::\n" for n in range(12))
    questions, _problems = checks.questions(text)
    draws, orders = set(), set()
    module = Module(draw=4)
    for _ in range(30):
        shown = assessment.draw(questions={q.key: q for q in questions}, module=module)
        draws.add(frozenset(key for key, _order in shown))
        orders.update(tuple(order) for _key, order in shown)
        assert len(shown) == 4 and all(sorted(order) == [1, 2, 3, 4] for _key, order in shown)
    assert len(draws) > 20 and len(orders) > 10


def test_a_later_text_never_rescores_an_attempt(client):
    course = make_quiz_course(pool=4, draw=4)
    make_user(email="a@example.org")
    login(client, "a@example.org")
    attempt_url = start(client, course)
    html = client.get(attempt_url).get_data(as_text=True)
    data = dict(zip(FIELD.findall(html), PROMPT.findall(html), strict=True))
    post_form(client, attempt_url, data, token_from=attempt_url)
    module = final_module(course)
    # The author changes every answer and republishes.
    changed = revisions.newest(module, "en").body.replace("+ 0?", "+ 1?")
    revisions.add(module=module, language="en", text=changed, status=RevisionStatus.PUBLISHED, author_id=None,
                  base=revisions.newest(module, "en"))
    db.session.commit()
    review = unescape(client.get(attempt_url).get_data(as_text=True))
    assert "Your score: 100%" in review and "What is 1 + 0?" in review and "+ 1?" not in review
    attempt = db.session.scalar(select(Attempt))
    assert attempt.score == 1 and json.loads(attempt.points) == {k: "1" for k in json.loads(attempt.points)}


def test_a_module_without_questions_has_no_check_and_completes_as_before(client):
    course = make_course(modules=1)
    make_user(email="a@example.org")
    login(client, "a@example.org")
    path = f"/courses/{course.slug}/modules/module-1"
    html = client.get(path).get_data(as_text=True)
    assert "Mark as complete" in html and "knowledge-check" not in html
    assert post_form(client, path + "/answers", {"revision": "1"}, token_from=path).status_code == 404
    assert post_form(client, path + "/test", token_from=path).status_code == 404
    assert not assessment.passed(user=make_user(), module=db.session.scalar(select(Module))) and utcnow()
