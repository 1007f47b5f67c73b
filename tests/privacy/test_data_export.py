"""Export my data: everything held about the learner, and nothing about anyone else, as a JSON file and
as a page in the reader's language, in a fixed number of queries."""

from __future__ import annotations

import json
from html import unescape

from lms.accounts import services as accounts
from lms.accounts.models import Organisation
from lms.extensions import db
from lms.privacy import services as privacy
from tests.conftest import count_queries, login
from tests.factories import make_quiz_course, make_user
from tests.helpers import finish_module


def learner_with_history(client, email: str, name: str):
    course = make_quiz_course(pool=4, draw=2)
    user = make_user(email=email, name=name)
    organisation = db.session.scalar(db.select(Organisation).order_by(Organisation.id))
    accounts.request_membership(user=user, organisation_id=organisation.id)
    db.session.commit()
    login(client, email)
    for slug in ("module-1", "module-2"):
        finish_module(client, course.slug, slug)
    return user, course, organisation


def test_the_file_holds_everything_about_the_learner_and_nothing_about_others(client, app):
    user, course, organisation = learner_with_history(client, "aino@example.fi", "Aino Virtanen")
    other = app.test_client()
    learner_with_history(other, "bo@example.se", "Bo Svensson")
    response = client.get("/account/data.json")
    assert response.status_code == 200 and response.mimetype == "application/json"
    assert "attachment" in response.headers["Content-Disposition"]
    data = json.loads(response.get_data(as_text=True))
    assert data["profile"]["email"] == "aino@example.fi" and data["profile"]["display_name"] == "Aino Virtanen"
    assert [m["organisation"] for m in data["memberships"]] == [organisation.name]
    assert [e["course"] for e in data["enrolments"]] == [course.slug]
    assert {p["module"] for p in data["progress"]} == {"module-1", "module-2"}
    assert [(a["module"], a["passed"]) for a in data["attempts"]] == [("module-1", True), ("module-2", True)]
    assert all(isinstance(a["answers"], dict) for a in data["attempts"])
    assert [c["course"] for c in data["course_completions"]] == [course.slug]
    assert [c["name_on_certificate"] for c in data["certificates"]] == ["Aino Virtanen"]
    assert "Bo Svensson" not in response.get_data(as_text=True) and "bo@example.se" not in response.get_data(
        as_text=True)


def test_the_page_shows_the_same_with_labels_in_the_readers_language(client, app):
    learner_with_history(client, "aino@example.fi", "Aino Virtanen")
    page = unescape(client.get("/account/data").get_data(as_text=True))
    for text in ("My data", "Download my data (JSON)", "Completed courses", "Name on the certificate",
                 "Aino Virtanen", "aino@example.fi", "Points per question"):
        assert text in page, text
    assert app.test_client().get("/account/data").status_code == 302, "for the signed-in person only"
    assert app.test_client().get("/account/data.json").status_code == 302


def test_the_export_takes_the_same_queries_however_much_there_is(client, app):
    few, _course, _organisation = learner_with_history(client, "aino@example.fi", "Aino Virtanen")
    busy = app.test_client()
    many, _course, _organisation = learner_with_history(busy, "bo@example.se", "Bo Svensson")
    for _ in range(2):  # two more courses, each with its attempts, completion and certificate
        more = make_quiz_course(pool=4, draw=2)
        for slug in ("module-1", "module-2"):
            finish_module(busy, more.slug, slug)
    assert len(privacy.export(many)["attempts"]) == 3 * len(privacy.export(few)["attempts"])
    with count_queries() as statements:
        privacy.export(few)
    baseline = len(statements)
    with count_queries() as statements:
        privacy.export(many)
    assert len(statements) == baseline <= 12
