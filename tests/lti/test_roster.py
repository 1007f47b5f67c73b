"""Names and Role Provisioning: an instructor sees their platform course's members and their progress."""

from __future__ import annotations

from lms.accounts.models import User
from lms.catalog.models import Module
from lms.core.types import utcnow
from lms.extensions import db
from lms.learning import services as learning
from lms.lti.models import LtiIdentity
from tests.lti.platform import INSTRUCTOR, LEARNER
from tests.lti.test_launch import COURSE, launch

NRPS = "https://purl.imsglobal.org/spec/lti-nrps/claim/namesroleservice"


def member(sub: str, name: str, role: str = LEARNER, status: str = "Active") -> dict:
    return {"user_id": sub, "name": name, "roles": [role], "status": status}


def test_the_roster_follows_every_page_and_shows_progress(client, platform):
    platform.tool_jwks = client.get("/lti/jwks").get_json()
    platform.members = [member("teacher-9", "Tiina Opettaja", INSTRUCTOR), member("user-1", "Aino Virtanen"),
                        member("user-2", "Bo Svensson"), member("user-3", "Carl Berg", status="Inactive"),
                        member("user-4", "Dagny Lie")]
    # Aino learns in NordLearn and completes two modules.
    assert launch(client, platform, custom={"course": COURSE}, sub="user-1")[0].status_code == 302
    aino = db.session.scalar(db.select(User).join(LtiIdentity).where(LtiIdentity.subject == "user-1"))
    for slug in ("scope-and-roles", "classification"):
        module = db.session.scalar(db.select(Module).where(Module.slug == slug))
        learning.complete_module(user=aino, module=module, at=utcnow())
    db.session.commit()

    claims = {NRPS: {"context_memberships_url": f"{platform.issuer}/memberships?page=1",
                     "service_versions": ["2.0"]},
              "https://purl.imsglobal.org/spec/lti/claim/launch_presentation": {"locale": "en"}}
    response, _token, _sent = launch(client, platform, custom={"course": COURSE}, sub="teacher-9",
                                     roles=(INSTRUCTOR,), **claims)
    assert response.status_code == 302
    course_page = client.get(f"/courses/{COURSE}").get_data(as_text=True)
    assert 'href="/lti/roster"' in course_page
    html = client.get("/lti/roster").get_data(as_text=True)
    for name in ("Tiina Opettaja", "Aino Virtanen", "Bo Svensson", "Carl Berg", "Dagny Lie"):
        assert name in html  # five members over three pages
    assert "2 of 6 modules completed" in html and "33%" in html  # five modules and the final test
    assert html.count("Not started in NordLearn") == 3  # Bo, Carl, Dagny never opened it
    assert "Carl Berg (inactive)" in html
    assert platform.tokens_issued == 1
    client.get("/lti/roster")
    assert platform.tokens_issued == 1  # the access token is kept until it expires


def test_learners_do_not_see_the_roster(client, platform):
    claims = {NRPS: {"context_memberships_url": f"{platform.issuer}/memberships", "service_versions": ["2.0"]}}
    launch(client, platform, custom={"course": COURSE}, **claims)
    assert client.get("/lti/roster").status_code == 404


def test_a_platform_refusing_the_token_gives_a_clear_page(client, platform):
    platform.tool_jwks = {"keys": []}  # the platform does not know NordLearn's key
    claims = {NRPS: {"context_memberships_url": f"{platform.issuer}/memberships", "service_versions": ["2.0"]},
              "https://purl.imsglobal.org/spec/lti/claim/launch_presentation": {"locale": "en"}}
    launch(client, platform, custom={"course": COURSE}, sub="teacher-9", roles=(INSTRUCTOR,), **claims)
    response = client.get("/lti/roster")
    assert response.status_code == 502
    assert "did not give NordLearn the list of course members" in response.get_data(as_text=True)
