"""LTI Dynamic Registration 1.0 against the test platform, over real HTTP."""

from __future__ import annotations

import re

import pytest
from sqlalchemy import select

from lms.extensions import db
from lms.lti.models import LtiRegistration
from tests.lti.platform import Platform
from tests.lti.test_launch import COURSE, launch

TOOL_CONFIGURATION = "https://purl.imsglobal.org/spec/lti-tool-configuration"


@pytest.fixture
def new_platform(app, sample_courses):
    platform = Platform()
    yield platform
    platform.close()


def start(client, platform, token: str | None = None):
    return client.get("/lti/register", query_string={
        "openid_configuration": f"{platform.issuer}/.well-known/openid-configuration",
        "registration_token": token or platform.registration_token,
    })


def confirm(client, platform, page, organisation: str = "4", token: str | None = None):
    csrf = re.search(r'name="csrf_token" value="([^"]+)"', page.get_data(as_text=True)).group(1)
    return client.post("/lti/register", data={
        "csrf_token": csrf, "organisation": organisation,
        "openid_configuration": f"{platform.issuer}/.well-known/openid-configuration",
        "registration_token": token or platform.registration_token,
    })


def test_a_platform_registers_nordlearn_and_launches_once_enabled(client, runner, new_platform, app):
    page = start(client, new_platform)
    assert page.status_code == 200
    assert f"frame-ancestors 'self' {new_platform.issuer}" in page.headers["Content-Security-Policy"]
    done = confirm(client, new_platform, page)
    assert done.status_code == 200
    html = done.get_data(as_text=True)
    assert "js/lti-close.js" in html  # posts org.imsglobal.lti.close to the platform

    (sent,) = new_platform.registrations
    base = app.config["LMS_BASE_URL"]
    assert sent["initiate_login_uri"] == f"{base}/lti/login"
    assert sent["redirect_uris"] == [f"{base}/lti/launch"] and sent["jwks_uri"] == f"{base}/lti/jwks"
    assert sent["token_endpoint_auth_method"] == "private_key_jwt"
    assert "https://purl.imsglobal.org/spec/lti-ags/scope/score" in sent["scope"].split()
    assert {m["type"] for m in sent[TOOL_CONFIGURATION]["messages"]} == {"LtiResourceLinkRequest",
                                                                          "LtiDeepLinkingRequest"}

    registration = db.session.scalar(select(LtiRegistration))
    assert (registration.issuer, registration.client_id, registration.enabled) == (
        new_platform.issuer, new_platform.client_id, False)
    assert registration.key_set_url == f"{new_platform.issuer}/jwks"
    assert [(d.deployment_id, d.status.value) for d in registration.deployments] == [("deployment-1", "approved")]
    assert registration.organisation.name.endswith("(LMI)")

    # Refused until NordLearn's admin enables it, then the platform's launches work.
    refused = client.get("/lti/login", query_string={"iss": new_platform.issuer, "login_hint": "u",
                                                     "target_link_uri": "x", "client_id": new_platform.client_id})
    assert refused.status_code == 403
    assert runner.invoke(args=["lti", "registrations", "enable", str(registration.id)]).exit_code == 0
    assert launch(client, new_platform, custom={"course": COURSE})[0].status_code == 302


def test_a_configuration_from_another_issuer_is_refused(client, new_platform):
    new_platform.configured_issuer = "https://elsewhere.example"
    response = start(client, new_platform)
    assert response.status_code == 400
    assert db.session.scalar(select(LtiRegistration)) is None


def test_a_wrong_registration_token_or_no_organisation_stores_nothing(client, new_platform):
    page = start(client, new_platform)
    assert confirm(client, new_platform, page, organisation="").status_code == 422
    refused = confirm(client, new_platform, page, token="forged")
    assert refused.status_code == 422
    assert new_platform.registrations == []
    assert db.session.scalar(select(LtiRegistration)) is None
