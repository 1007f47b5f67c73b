"""NordLearn's admins see and manage the registered platforms in the browser."""

from __future__ import annotations

from sqlalchemy import select

from lms.accounts.models import Role
from lms.extensions import db
from lms.lti.models import LtiRegistration
from tests.conftest import login, post_form
from tests.factories import make_user
from tests.lti.test_launch import COURSE, launch


def test_an_admin_disables_a_platform_and_approves_a_pending_deployment(client, platform):
    # A launch from a deployment NordLearn has not seen waits for approval.
    other = {"https://purl.imsglobal.org/spec/lti/claim/deployment_id": "deployment-2"}
    assert launch(client, platform, custom={"course": COURSE}, **other)[0].status_code == 403
    make_user(email="admin@example.org", role=Role.ADMIN)
    login(client, "admin@example.org")
    page = client.get("/lti/admin").get_data(as_text=True)
    assert "Test Moodle" in page and platform.issuer in page and platform.client_id in page
    assert "deployment-2</span>:\n      waiting for approval" in page
    registration = db.session.scalar(select(LtiRegistration))

    approved = post_form(client, f"/lti/admin/{registration.id}/deployment",
                         {"deployment_id": "deployment-2", "status": "approved"}, token_from="/lti/admin")
    assert approved.status_code == 302
    post_form(client, "/account/logout", token_from="/lti/admin")
    assert launch(client, platform, custom={"course": COURSE}, **other)[0].status_code == 302
    post_form(client, "/account/logout", token_from="/dashboard")

    login(client, "admin@example.org")
    assert post_form(client, f"/lti/admin/{registration.id}/enabled", {"enabled": "0"},
                     token_from="/lti/admin").status_code == 302
    db.session.refresh(registration)
    assert registration.enabled is False
    assert "Disabled: launches are refused" in client.get("/lti/admin").get_data(as_text=True)


def test_only_admins_reach_the_platform_pages(client, platform):
    registration = db.session.scalar(select(LtiRegistration))
    for role in (Role.LEARNER, Role.AUTHOR, Role.MANAGER):
        make_user(email=f"{role.value}@example.org", role=role)
        login(client, f"{role.value}@example.org")
        assert client.get("/lti/admin").status_code == 404
        refused = post_form(client, f"/lti/admin/{registration.id}/enabled", {"enabled": "0"},
                            token_from="/dashboard")
        assert refused.status_code == 404
        post_form(client, "/account/logout", token_from="/dashboard")
    db.session.refresh(registration)
    assert registration.enabled is True
    # Without the form token nothing changes either.
    make_user(email="admin@example.org", role=Role.ADMIN)
    login(client, "admin@example.org")
    assert client.post(f"/lti/admin/{registration.id}/enabled", data={"enabled": "0"}).status_code == 400
    db.session.refresh(registration)
    assert registration.enabled is True


def test_an_admin_registers_a_platform_by_hand_and_its_launches_work(client, app, sample_courses):
    from tests.lti.platform import Platform

    platform = Platform()
    try:
        make_user(email="admin@example.org", role=Role.ADMIN)
        login(client, "admin@example.org")
        page = client.get("/lti/admin/new").get_data(as_text=True)
        assert f"{app.config['LMS_BASE_URL']}/lti/login" in page  # NordLearn's values to copy
        fields = {"name": "LMI Moodle", "organisation": "4", "issuer": platform.issuer,
                  "client_id": platform.client_id, "auth_login_url": f"{platform.issuer}/auth",
                  "auth_token_url": f"{platform.issuer}/token", "key_set_url": f"{platform.issuer}/jwks",
                  "deployments": f"{platform.deployment_id}\n"}
        bad = post_form(client, "/lti/admin/new", {**fields, "issuer": "moodle.example.org"},
                        token_from="/lti/admin/new")
        assert bad.status_code == 422
        assert "Enter a web address that starts with https://." in bad.get_data(as_text=True)
        assert 'value="LMI Moodle"' in bad.get_data(as_text=True)  # what was typed stays
        assert db.session.scalar(select(LtiRegistration)) is None

        done = post_form(client, "/lti/admin/new", fields, token_from="/lti/admin/new")
        assert done.status_code == 302
        registration = db.session.scalar(select(LtiRegistration))
        assert (registration.name, registration.organisation_id, registration.deployment_policy.value) == (
            "LMI Moodle", 4, "approve")
        assert [d.deployment_id for d in registration.deployments] == [platform.deployment_id]
        again = post_form(client, "/lti/admin/new", fields, token_from="/lti/admin/new")
        assert again.status_code == 422
        assert "registered with this client ID already" in again.get_data(as_text=True)

        post_form(client, "/account/logout", token_from="/lti/admin")
        assert launch(client, platform, custom={"course": COURSE})[0].status_code == 302
    finally:
        platform.close()


def test_only_admins_register_platforms(client, sample_courses):
    make_user(email="learner@example.org")
    login(client, "learner@example.org")
    assert client.get("/lti/admin/new").status_code == 404
    response = post_form(client, "/lti/admin/new", {"name": "X"}, token_from="/dashboard")
    assert response.status_code == 404
    assert db.session.scalar(select(LtiRegistration)) is None
