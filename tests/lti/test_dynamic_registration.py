"""LTI Dynamic Registration 1.0 against the test platform, over real HTTP."""

from __future__ import annotations

import re

import pytest
from sqlalchemy import select

from lms.extensions import db
from lms.lti.models import LtiRegistration
from tests.lti.platform import Platform
from tests.lti.test_launch import COURSE, LAUNCH_URL, launch

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
                                                     "target_link_uri": LAUNCH_URL, "client_id": new_platform.client_id})
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


# ---------------------------------------------------------------- not an open proxy


class _Hostile:
    """A server on 127.0.0.1 that redirects, stalls or floods, and counts what reaches it."""

    def __init__(self, platform: Platform) -> None:
        import threading
        import time
        from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

        hits: list[str] = []
        self.hits = hits

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self):  # noqa: N802 (http.server's name)
                hits.append(self.path)
                if self.path == "/redirect":
                    self.send_response(302)
                    self.send_header("Location", f"{platform.issuer}/.well-known/openid-configuration")
                    self.end_headers()
                elif self.path == "/slow":
                    time.sleep(3)
                    self.send_response(200)
                    self.end_headers()
                else:  # a configuration of 3 MiB
                    body = b'{"issuer": "' + b"x" * (3 * 2**20) + b'"}'
                    self.send_response(200)
                    self.send_header("Content-Length", str(len(body)))
                    self.end_headers()
                    self.wfile.write(body)

            def log_message(self, *args):
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture
def hostile(new_platform):
    server = _Hostile(new_platform)
    yield server
    server.close()


def _register_from(client, url: str):
    return client.get("/lti/register", query_string={"openid_configuration": url, "registration_token": "t"})


@pytest.mark.app_settings(LMS_BASE_URL="https://nordlearn.example")
def test_served_over_https_nordlearn_fetches_nothing_on_loopback_or_over_http(client, new_platform, hostile):
    for url in (f"{hostile.url}/anything", f"{new_platform.issuer}/.well-known/openid-configuration",
                "https://127.0.0.1:1/.well-known/openid-configuration", "https://[::1]/x", "https://10.0.0.8/x",
                "https://169.254.169.254/latest/meta-data", "https://0177.0.0.1/x", "file:///etc/passwd"):
        response = _register_from(client, url)
        assert response.status_code == 400, url
        assert "could not read your platform" in response.get_data(as_text=True)
    assert hostile.hits == [] and new_platform.registrations == []
    assert db.session.scalar(select(LtiRegistration)) is None


@pytest.mark.app_settings(LMS_OUTBOUND_DEADLINE=1.0)
def test_redirects_slow_answers_and_floods_are_refused(client, hostile):
    for path in ("/redirect", "/slow", "/flood"):
        assert _register_from(client, hostile.url + path).status_code == 400, path
    assert hostile.hits == ["/redirect", "/slow", "/flood"], "the redirect was not followed"
    assert db.session.scalar(select(LtiRegistration)) is None


def test_the_issuer_must_be_the_configuration_urls_prefix_exactly(client, new_platform):
    from lms.lti.dynamic_registration import issued_by

    new_platform.configured_issuer = f"{new_platform.issuer}/.well"  # a string prefix, not a path prefix
    assert start(client, new_platform).status_code == 400
    assert issued_by("https://lms.example", "https://lms.example/.well-known/openid-configuration")
    assert issued_by("https://lms.example/moodle", "https://lms.example/moodle/mod/lti/openid-configuration.php")
    assert not issued_by("https://lms.example", "https://lms.example.attacker.net/.well-known/openid-configuration")
    assert not issued_by("https://lms.example/a", "https://lms.example/ab/.well-known/openid-configuration")
    assert not issued_by("https://lms.example", "http://lms.example/.well-known/openid-configuration")
    assert not issued_by("https://lms.example", "https://lms.example:8443/.well-known/openid-configuration")


@pytest.mark.app_settings(RATELIMIT_ENABLED=True)
def test_registration_attempts_are_rate_limited(client, hostile):
    statuses = [_register_from(client, f"{hostile.url}/redirect").status_code for _ in range(21)]
    assert statuses == [400] * 20 + [429]
    assert len(hostile.hits) == 20
