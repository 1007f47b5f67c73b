"""Assignment and Grade Services: completions reach the platform's gradebook, and a
platform that is down loses no score."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import func, select

from lms.accounts.models import Role
from lms.core.types import utcnow
from lms.extensions import db
from lms.lti import grades
from lms.lti.models import LtiGradeLink, LtiScore, ScoreStatus
from tests.conftest import login, post_form
from tests.helpers import finish_module
from tests.factories import make_user
from tests.lti.platform import INSTRUCTOR
from tests.lti.test_launch import COURSE, launch

MODULES = ("scope-and-roles", "classification", "conformity-assessment", "clinical-evidence", "post-market",
           "final-test")


def complete(client, module: str):
    """Complete a module as a learner does: pass its knowledge checks (or its final test)."""
    return finish_module(client, COURSE, module)


def scores(status: ScoreStatus | None = None) -> list[LtiScore]:
    query = select(LtiScore).order_by(LtiScore.id)
    if status is not None:
        query = query.where(LtiScore.status == status)
    db.session.expire_all()
    return list(db.session.scalars(query))


def test_completing_a_module_posts_its_score_to_the_line_item_of_the_claim(client, platform, app):
    platform.tool_jwks = client.get("/lti/jwks").get_json()
    lineitem = f"{platform.issuer}/lineitems/7"  # made by the platform when the deep link was placed
    launch(client, platform, custom={"course": COURSE, "module": "classification"},
           **platform.ags_claim(lineitem=lineitem))
    assert platform.scores == []  # nothing is complete yet

    complete(client, "classification")
    assert len(platform.scores) == 1
    path, score = platform.scores[0]
    assert path == "/lineitems/7"
    assert {k: score[k] for k in ("userId", "scoreGiven", "scoreMaximum", "activityProgress",
                                  "gradingProgress")} == {
        "userId": "user-1", "scoreGiven": 1, "scoreMaximum": 1, "activityProgress": "Completed",
        "gradingProgress": "FullyGraded"}
    assert score["timestamp"].endswith("+00:00")
    assert platform.line_items == []  # the claim's line item was used, none created
    assert [s.status for s in scores()] == [ScoreStatus.SENT]

    complete(client, "classification")  # completing again sends nothing new
    complete(client, "scope-and-roles")  # another module is not this link's
    assert len(platform.scores) == 1


def test_a_course_link_gets_a_line_item_and_progress_scores_until_the_course_is_complete(client, platform):
    platform.tool_jwks = client.get("/lti/jwks").get_json()
    launch(client, platform, custom={"course": COURSE}, **platform.ags_claim())
    for module in MODULES:
        complete(client, module)

    assert len(platform.line_items) == 1  # found again for every later score, not made twice
    item = platform.line_items[0]
    assert item["scoreMaximum"] == 6 and item["tag"] == "nordlearn" and item["resourceId"] == COURSE
    assert item["label"] == "EU medical device regulation essentials (MDR 2017/745 and IVDR 2017/746)"
    sent = [(s["scoreGiven"], s["scoreMaximum"], s["activityProgress"], s["gradingProgress"])
            for _path, s in platform.scores]
    # Five modules in progress, then the course result once the final test is passed (all right: 6 of 6).
    assert sent == [(1, 6, "InProgress", "Pending"), (2, 6, "InProgress", "Pending"), (3, 6, "InProgress", "Pending"),
                    (4, 6, "InProgress", "Pending"), (5, 6, "InProgress", "Pending"), (6, 6, "Completed", "FullyGraded")]
    assert {path for path, _s in platform.scores} == {"/lineitems/1"}
    assert platform.tokens_issued == 1  # one access token for the six scores


def test_progress_made_before_the_launch_is_sent_at_the_launch(client, platform):
    platform.tool_jwks = client.get("/lti/jwks").get_json()
    launch(client, platform, custom={"course": COURSE})  # a first launch without grades
    complete(client, "scope-and-roles")
    complete(client, "classification")
    assert platform.scores == []
    launch(client, platform, custom={"course": COURSE}, **platform.ags_claim())
    assert [(s["scoreGiven"], s["scoreMaximum"]) for _p, s in platform.scores] == [(2, 6)]


def test_a_platform_that_is_down_gets_the_score_later_and_admins_see_it_waiting(client, platform, runner):
    platform.tool_jwks = client.get("/lti/jwks").get_json()
    platform.refuse_scores = 1
    launch(client, platform, custom={"course": COURSE, "module": "classification"},
           **platform.ags_claim(lineitem=f"{platform.issuer}/lineitems/7"))
    response = complete(client, "classification")  # the learner's completion is not held up
    assert "/modules/classification/attempts/" in response.headers["Location"]  # straight to the result
    [waiting] = scores(ScoreStatus.PENDING)
    assert waiting.attempts == 1 and "503" in waiting.last_error
    assert timedelta(seconds=50) < waiting.next_attempt_at - utcnow() <= timedelta(minutes=1)

    make_user(email="admin@example.org", role=Role.ADMIN)
    post_form(client, "/account/logout", token_from="/dashboard")
    login(client, "admin@example.org")
    page = client.get("/lti/admin").get_data(as_text=True)
    assert "1 score has not been taken by its platform yet" in page
    assert "Aino Virtanen" in page and f"{COURSE}/classification" in page and "503" in page

    result = runner.invoke(args=["lti", "sync-grades"])  # not due yet: nothing is sent
    assert "sent 0, failed 0, superseded 0, waiting 1" in result.output
    assert platform.scores == []
    report = grades.deliver(now=utcnow() + timedelta(minutes=2))  # as the scheduler would, later
    assert (report.sent, report.failed) == (1, 0)
    assert [s.status for s in scores()] == [ScoreStatus.SENT]
    assert platform.scores[0][1]["gradingProgress"] == "FullyGraded"
    assert "Every score has reached its platform." in client.get("/lti/admin").get_data(as_text=True)


def test_only_the_newest_waiting_score_of_a_link_is_sent(client, platform, runner):
    platform.tool_jwks = client.get("/lti/jwks").get_json()
    platform.refuse_scores = 2
    launch(client, platform, custom={"course": COURSE}, **platform.ags_claim())
    complete(client, "scope-and-roles")
    complete(client, "classification")
    # The second score replaced the first, which the platform never took.
    assert [s.status for s in scores()] == [ScoreStatus.SUPERSEDED, ScoreStatus.PENDING]
    result = runner.invoke(args=["lti", "sync-grades", "--all"])
    assert "sent 1, failed 0, superseded 0, waiting 0" in result.output, result.output
    assert [(s["scoreGiven"], s["scoreMaximum"]) for _p, s in platform.scores] == [(2, 6)]


def test_a_token_the_platform_no_longer_accepts_is_replaced_at_once(client, platform):
    platform.tool_jwks = client.get("/lti/jwks").get_json()
    launch(client, platform, custom={"course": COURSE}, **platform.ags_claim())
    complete(client, "scope-and-roles")
    platform.token_scopes.clear()  # the platform revoked every token it gave
    complete(client, "classification")
    assert platform.tokens_issued == 2
    assert [s["scoreGiven"] for _p, s in platform.scores] == [1, 2]
    assert scores(ScoreStatus.PENDING) == []


def test_a_platform_refusing_every_token_keeps_the_score_waiting(client, platform):
    launch(client, platform, custom={"course": COURSE}, **platform.ags_claim())
    complete(client, "scope-and-roles")  # the platform does not know NordLearn's key
    [waiting] = scores(ScoreStatus.PENDING)
    assert "no access token" in waiting.last_error and waiting.attempts == 1
    platform.tool_jwks = client.get("/lti/jwks").get_json()  # its administrator fixes the registration
    assert grades.deliver(due_only=False).sent == 1
    assert [s["scoreGiven"] for _p, s in platform.scores] == [1]


def test_backoff_doubles_up_to_six_hours():
    assert [grades.backoff(n) for n in (1, 2, 3)] == [timedelta(minutes=1), timedelta(minutes=2),
                                                      timedelta(minutes=4)]
    assert grades.backoff(20) == timedelta(hours=6)


def test_no_scores_for_instructors_platforms_without_the_score_scope_or_local_learners(client, platform):
    launch(client, platform, custom={"course": COURSE}, roles=(INSTRUCTOR,), sub="teacher-9",
           **platform.ags_claim())
    complete(client, "scope-and-roles")
    read_only = {"https://purl.imsglobal.org/spec/lti-ags/claim/endpoint": {
        "scope": ["https://purl.imsglobal.org/spec/lti-ags/scope/lineitem.readonly"],
        "lineitems": f"{platform.issuer}/lineitems"}}
    launch(client, platform, custom={"course": COURSE}, **read_only)
    complete(client, "scope-and-roles")
    post_form(client, "/account/logout", token_from="/dashboard")
    make_user(email="local@example.org")
    login(client, "local@example.org")
    complete(client, "scope-and-roles")
    assert db.session.scalar(select(func.count()).select_from(LtiGradeLink)) == 0
    assert scores() == [] and platform.scores == []


def test_only_admins_send_waiting_scores(client, platform):
    make_user(email="learner@example.org")
    login(client, "learner@example.org")
    assert post_form(client, "/lti/admin/scores", token_from="/dashboard").status_code == 404
    assert client.get("/lti/admin").status_code == 404


@pytest.mark.app_settings(LMS_JOBS="memory")
def test_the_score_is_sent_by_the_worker_not_while_the_learner_waits(client, platform):
    """A platform's token and score endpoints are never called inside "Mark as complete": the request
    only queues the score; the worker sends it."""
    from lms import jobs

    platform.tool_jwks = client.get("/lti/jwks").get_json()
    launch(client, platform, custom={"course": COURSE, "module": "classification"},
           **platform.ags_claim(lineitem=f"{platform.issuer}/lineitems/7"))
    tokens_before = platform.tokens_issued
    complete(client, "classification")
    assert platform.scores == [] and platform.tokens_issued == tokens_before
    assert [s.status for s in scores()] == [ScoreStatus.PENDING]
    assert jobs.run_pending() >= 1
    assert [path for path, _score in platform.scores] == ["/lineitems/7"]
    assert [s.status for s in scores()] == [ScoreStatus.SENT]
