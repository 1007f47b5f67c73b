"""Course completion: recorded once, its date never moves, required modules and a minimum time
respected, and the e-mail and the LTI score that follow it."""

from __future__ import annotations

import json
import re
import threading
from datetime import timedelta
from html import unescape

import pytest
from sqlalchemy import func, select, update

from lms.catalog.models import Course, Module
from lms.core.signals import course_completed
from lms.core.types import utcnow
from lms.extensions import db
from lms.learning import completion
from lms.learning import time as learning_time
from lms.learning import services as learning
from lms.learning.models import CourseCompletion, ModuleProgress, ModuleTime, ProgressStatus
from tests.conftest import login, post_form
from tests.factories import make_course, make_quiz_course, make_user
from tests.helpers import finish_module
from tests.mail.test_email import SMTP, inbox, parts, translated  # noqa: F401  (inbox: a fixture)


def completions() -> list[CourseCompletion]:
    db.session.expire_all()
    return db.session.scalars(select(CourseCompletion)).all()


@pytest.mark.app_settings(**SMTP)
def test_passing_the_last_required_module_completes_the_course_once_and_mails_the_learner(
        client, inbox):  # noqa: F811 (inbox: the fixture)
    course = make_quiz_course(pool=6, draw=3)
    make_user(email="aino@example.fi", language="fi", name="Aino Virtanen")
    login(client, "aino@example.fi")
    finish_module(client, course.slug, "module-1")
    assert completions() == [], "the final test is still to be passed"
    assert inbox.messages == []
    finish_module(client, course.slug, "module-2")
    [done] = completions()
    assert done.score == 1 and done.version == "1.0" and done.hours == 2
    [message] = inbox.messages
    assert message["To"] == "aino@example.fi" and message["Content-Language"] == "fi"
    text, html = parts(message)
    assert "Aino Virtanen" in text and '<html lang="fi">' in html and "/dashboard" in text
    assert translated("fi", "Your learning record") in text

    first = done.completed_at
    module = db.session.scalar(select(Module).where(Module.course_id == course.id, Module.slug == "module-2"))
    module.max_attempts = None
    db.session.commit()
    finish_module(client, course.slug, "module-2")  # passing the test again
    [again] = completions()
    assert again.completed_at == first and again.id == done.id, "the date never moves"
    assert len(inbox.messages) == 1
    page = unescape(client.get(f"/courses/{course.slug}").get_data(as_text=True))
    assert translated("fi", "Completion") in page


def test_a_course_without_questions_completes_with_its_modules(client):
    course = make_course(modules=2)
    make_user(email="a@example.org")
    login(client, "a@example.org")
    for slug in ("module-1", "module-2"):
        finish_module(client, course.slug, slug)
    [done] = completions()
    assert done.score is None
    page = unescape(client.get(f"/courses/{course.slug}").get_data(as_text=True))
    assert "You completed this course on" in page
    record = unescape(client.get("/dashboard").get_data(as_text=True))
    assert "Learning record" in record and f"{done.completed_at.year}: 2 hours in 1 course" in record


def test_required_modules_and_a_minimum_time_come_first(client):
    course = make_course(modules=3)
    course.required_modules = json.dumps(["module-1", "module-3"])
    course.minimum_minutes = 2
    db.session.commit()
    user = make_user(email="a@example.org")
    login(client, "a@example.org")
    finish_module(client, course.slug, "module-1")
    finish_module(client, course.slug, "module-3")
    assert completions() == [], "the minimum time is not reached"
    page = unescape(client.get(f"/courses/{course.slug}").get_data(as_text=True))
    assert "Time on the modules: 0 minutes of at least 2 minutes." in page
    module = db.session.scalar(select(Module).where(Module.course_id == course.id, Module.slug == "module-2"))
    start = utcnow()
    for step in range(7):  # active on module 2 (not required) for three minutes, reported every 30 s
        learning_time.record_ping(user=user, module=module, at=start + timedelta(seconds=30 * step))
    db.session.commit()
    assert completion.status(user=user, course=course).seconds == 180
    path = f"/courses/{course.slug}/modules/module-2"
    assert post_form(client, path + "/time", token_from=path).status_code == 200  # the next report completes it
    [done] = completions()
    assert done.seconds_spent >= 180


def test_time_counts_by_the_servers_clock_with_a_ceiling_per_report_and_no_gaps(app):
    course = make_course(modules=1)
    user = make_user()
    module = db.session.scalar(select(Module).where(Module.course_id == course.id))
    start = utcnow()
    ping = lambda seconds: learning_time.record_ping(user=user, module=module,  # noqa: E731
                                                     at=start + timedelta(seconds=seconds))
    assert ping(0) == 0, "the first report starts a stretch"
    assert ping(30) == 30
    assert ping(30) == 30, "a repeated report adds nothing"
    assert ping(80) == 75, "at most 45 seconds per report, however long since the last"
    assert ping(500) == 75, "after a long silence (tab hidden, away) only a new stretch starts"
    assert ping(520) == 95
    assert ping(10) == 95, "a report from the past adds nothing"
    db.session.commit()
    assert db.session.scalar(select(ModuleTime.seconds)) == 95


def test_two_requests_finishing_at_the_same_moment_record_one_completion(app, monkeypatch):
    course = make_course(modules=1)
    user = make_user()
    module = db.session.scalar(select(Module).where(Module.course_id == course.id))
    sent = []
    course_completed.connect(receiver := lambda sender, **kw: sent.append(kw["completion"].id))
    both_checked = threading.Barrier(2, timeout=20)
    status = completion.status

    def status_after_both_checked(**kwargs):
        result = status(**kwargs)
        both_checked.wait()
        return result

    monkeypatch.setattr(completion, "status", status_after_both_checked)
    errors = []

    user_type, user_id, course_id = type(user), user.id, course.id

    def finish():
        with app.app_context():
            try:
                completion.complete_course_if_done(user=db.session.get(user_type, user_id),
                                                   course=db.session.get(Course, course_id), at=utcnow())
                db.session.commit()
            except Exception as error:  # pragma: no cover - shown by the assertion below
                errors.append(error)

    learning.record_visit(user=user, module=module, at=utcnow())
    db.session.execute(update(ModuleProgress).values(status=ProgressStatus.COMPLETED, completed_at=utcnow()))
    db.session.commit()
    threads = [threading.Thread(target=finish) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(30)
    course_completed.disconnect(receiver)
    assert errors == []
    assert db.session.scalar(select(func.count()).select_from(CourseCompletion)) == 1
    assert len(sent) == 1


def test_the_learning_record_counts_the_attempts_of_each_completed_course(client):
    course = make_quiz_course(pool=4, draw=2)
    make_user(email="a@example.org")
    login(client, "a@example.org")
    path = f"/courses/{course.slug}/modules/module-1"
    html = client.get(path).get_data(as_text=True)
    revision = re.search(r'name="revision" value="(\d+)"', html).group(1)
    post_form(client, path + "/answers", {"revision": revision}, token_from=path)  # nothing answered: 0 %
    for slug in ("module-1", "module-2"):
        finish_module(client, course.slug, slug)
    record = unescape(client.get("/dashboard").get_data(as_text=True)).split("Learning record")[1]
    cells = re.findall(r"<td>(\d+)</td>", record)
    assert cells == ["3"], "two attempts at the module's questions and one at the final test"
