"""Answering a module's knowledge checks in its page: scored on the server, kept attempt by attempt,
refused whole when tampered with, limited and spaced as the author says."""

from __future__ import annotations

import re
import threading
from datetime import timedelta
from html import unescape

import pytest
from sqlalchemy import func, select

from lms.assessment import services as assessment
from lms.assessment.models import Attempt
from lms.catalog.models import Module, ModuleRevision, RevisionStatus
from lms.content import revisions
from lms.core.types import utcnow
from lms.extensions import db
from lms.learning.models import ModuleProgress, ProgressStatus
from tests.conftest import csrf_token, login, post_form
from tests.factories import QUIZ, make_quiz_course, make_user

FIELD = re.compile(r'name="(q-[0-9a-f]{16})"')
REVISION = re.compile(r'name="revision" value="(\d+)"')


def quiz_page(client, course):
    path = f"/courses/{course.slug}/modules/module-1"
    html = client.get(path).get_data(as_text=True)
    fields = list(dict.fromkeys(FIELD.findall(html)))
    return path, html, fields


def answers(fields, *, right: bool) -> dict:
    """The four questions of QUIZ (single, multiple, true-false, numeric), all right or all wrong."""
    single, multiple, true_false, numeric = fields
    if right:
        return {single: "2", multiple: ["1", "2", "4"], true_false: "2", numeric: "15"}
    return {single: "1", multiple: ["3"], true_false: "1", numeric: "30"}


def send(client, course, data: dict, *, revision: str | None = None):
    path, html, _fields = quiz_page(client, course)
    revision = revision or REVISION.search(html).group(1)
    return post_form(client, path + "/answers", {**data, "revision": revision}, token_from=path)


def attempts(user_id: int) -> list[Attempt]:
    return db.session.scalars(select(Attempt).where(Attempt.user_id == user_id).order_by(Attempt.id)).all()


def progress(user_id: int, course) -> ModuleProgress | None:
    module = db.session.scalar(select(Module).where(Module.course_id == course.id, Module.slug == "module-1"))
    return db.session.scalar(select(ModuleProgress).where(ModuleProgress.user_id == user_id,
                                                          ModuleProgress.module_id == module.id))


def test_a_learner_answers_wrong_sees_feedback_then_passes_and_the_module_completes(client):
    course = make_quiz_course()
    user = make_user(email="a@example.org")
    login(client, "a@example.org")
    path, html, fields = quiz_page(client, course)
    assert len(fields) == 4 and 'form="knowledge-check"' in html and 'id="knowledge-check"' in html
    assert "disabled" not in html.split('id="knowledge-check"')[0].split("module-content")[1]
    assert "Mark as complete" not in html and "Pass this module" in html

    response = send(client, course, answers(fields, right=False))
    assert response.status_code == 302
    review = unescape(client.get(response.headers["Location"]).get_data(as_text=True))
    assert "Your score: 0%" in review and "Not passed: 70 % is needed." in review
    assert "No: the notified body does not report incidents" in review, "feedback of the option chosen"
    assert "Yes: MDR Article 87(1)." not in review, "the right answer is not given away before passing"
    assert "Right answer" not in review
    [first] = attempts(user.id)
    assert (first.number, first.passed, first.score) == (1, False, 0)
    assert progress(user.id, course).status is ProgressStatus.STARTED
    refused = post_form(client, path + "/complete", token_from=path)
    assert refused.status_code == 302 and progress(user.id, course).completed_at is None

    response = send(client, course, answers(fields, right=True))
    review = unescape(client.get(response.headers["Location"]).get_data(as_text=True))
    assert "Your score: 100%" in review and "You passed." in review
    assert "Yes: MDR Article 87(1)." in review
    db.session.expire_all()
    second = attempts(user.id)[1]
    assert (second.number, second.passed) == (2, True)
    assert second.revision_id == first.revision_id and second.submitted_at >= first.submitted_at
    assert progress(user.id, course).status is ProgressStatus.COMPLETED, "passing completes the module"
    page = unescape(client.get(path).get_data(as_text=True))
    assert "You passed. Best score: 100%." in page and "Attempt 1" in page and "Attempt 2" in page


def test_partial_credit_is_shown_and_kept(client):
    course = make_quiz_course()
    user = make_user(email="a@example.org")
    login(client, "a@example.org")
    _path, _html, fields = quiz_page(client, course)
    data = answers(fields, right=True)
    data[fields[1]] = ["1", "2"]  # two of the three right options
    response = send(client, course, data)
    review = unescape(client.get(response.headers["Location"]).get_data(as_text=True))
    assert "Partly right" in review and "67%" in review
    [attempt] = attempts(user.id)
    assert str(attempt.score) == "0.9167" and attempt.passed


@pytest.mark.parametrize("tamper", ["unknown question", "another module's question", "unknown option",
                                    "two options for one", "option zero", "revision of another module",
                                    "draft revision", "no revision"])
def test_a_tampered_form_scores_nothing_and_records_nothing(client, tamper):
    course = make_quiz_course()
    user = make_user(email="a@example.org")
    login(client, "a@example.org")
    _path, html, fields = quiz_page(client, course)
    data, revision = answers(fields, right=True), REVISION.search(html).group(1)
    module = db.session.get(ModuleRevision, int(revision)).module_id
    if tamper == "unknown question":
        data["q-0123456789abcdef"] = "1"
    elif tamper == "another module's question":
        test_html = client.get(f"/courses/{course.slug}/modules/module-2").get_data(as_text=True)
        assert not FIELD.search(test_html), "a final test's pool is not in its page"
        other = db.session.scalar(select(Module).where(Module.course_id == course.id, Module.slug == "module-2"))
        key = next(iter(assessment.questions_of(revisions.newest(other, "en"))))
        data[f"q-{key}"] = "1"
    elif tamper == "unknown option":
        data[fields[0]] = "9"
    elif tamper == "two options for one":
        data[fields[0]] = ["1", "2"]
    elif tamper == "option zero":
        data[fields[2]] = "0"
    elif tamper == "revision of another module":
        revision = str(db.session.scalar(select(ModuleRevision.id).where(ModuleRevision.module_id != module)))
    elif tamper == "draft revision":
        draft = revisions.add(module=db.session.get(Module, module), language="en", text=QUIZ.replace("MDR", "EU"),
                              status=RevisionStatus.DRAFT, author_id=None,
                              base=revisions.newest(db.session.get(Module, module), "en"))
        db.session.commit()
        revision = str(draft.id)
    elif tamper == "no revision":
        revision = "x"
    response = send(client, course, data, revision=revision)
    assert response.status_code == 400
    assert "nothing was recorded" in unescape(response.get_data(as_text=True))
    assert attempts(user.id) == []
    assert progress(user.id, course).completed_at is None


def test_the_attempt_limit_and_the_wait_are_kept(client):
    course = make_quiz_course()
    module = db.session.scalar(select(Module).where(Module.course_id == course.id, Module.slug == "module-1"))
    module.max_attempts, module.attempt_wait_minutes = 2, 10
    db.session.commit()
    user = make_user(email="a@example.org")
    login(client, "a@example.org")
    _path, html, fields = quiz_page(client, course)
    revision = REVISION.search(html).group(1)  # a form kept open in another tab
    assert send(client, course, answers(fields, right=False)).status_code == 302
    too_soon = send(client, course, answers(fields, right=True), revision=revision)
    page = unescape(client.get(too_soon.headers["Location"]).get_data(as_text=True))
    assert "You can try again from" in page
    assert len(attempts(user.id)) == 1
    # Ten minutes later the second attempt counts; a third is refused.
    first = attempts(user.id)[0]
    first.submitted_at = first.started_at = utcnow() - timedelta(minutes=11)
    db.session.commit()
    assert send(client, course, answers(fields, right=False), revision=revision).status_code == 302
    assert len(attempts(user.id)) == 2
    last = attempts(user.id)[1]
    last.submitted_at = last.started_at = utcnow() - timedelta(minutes=11)
    db.session.commit()
    refused = send(client, course, answers(fields, right=True), revision=revision)
    page = unescape(client.get(refused.headers["Location"]).get_data(as_text=True))
    assert "You have used all 2 attempts." in page
    assert len(attempts(user.id)) == 2 and not any(a.passed for a in attempts(user.id))
    assert 'id="knowledge-check"' not in page, "no answer form is offered any more"
    review = unescape(client.get(f"/courses/{course.slug}/modules/module-1/attempts/{last.id}").get_data(as_text=True))
    assert "Right answer" in review and "Yes: MDR Article 87(1)." in review, "with no attempt left, answers show"


def test_two_simultaneous_submissions_of_the_last_attempt_keep_one(app, monkeypatch):
    course = make_quiz_course()
    module = db.session.scalar(select(Module).where(Module.course_id == course.id, Module.slug == "module-1"))
    module.max_attempts = 1
    db.session.commit()
    make_user(email="a@example.org")
    clients = [app.test_client(), app.test_client()]
    for client in clients:
        login(client, "a@example.org")
    _path, html, fields = quiz_page(clients[0], course)
    revision = REVISION.search(html).group(1)
    path = f"/courses/{course.slug}/modules/module-1"
    tokens = {client: csrf_token(client, path) for client in clients}
    both_checked = threading.Barrier(2, timeout=20)
    next_number = assessment._next_number

    def after_both_checked(user, module):
        number = next_number(user, module)
        both_checked.wait()
        return number

    monkeypatch.setattr(assessment, "_next_number", after_both_checked)
    results = {}

    def submit(client):
        results[client] = client.post(path + "/answers", data={**answers(fields, right=True), "revision": revision,
                                                                "csrf_token": tokens[client]})

    threads = [threading.Thread(target=submit, args=(client,)) for client in clients]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(30)
    assert all(r.status_code == 302 for r in results.values())
    db.session.expire_all()
    assert db.session.scalar(select(func.count()).select_from(Attempt)) == 1
