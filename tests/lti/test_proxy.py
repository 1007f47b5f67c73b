"""Behind a TLS-terminating proxy (LMS_PROXY_HOPS): NordLearn trusts the proxy's forwarded
scheme and address, and nobody else's."""

from __future__ import annotations

import pytest

from tests.lti.test_launch import COURSE, launch

FORWARDED = {"X-Forwarded-Proto": "https", "X-Forwarded-For": "203.0.113.7", "X-Forwarded-Host": "learn.example.org"}


def login_cookie(client, platform, headers: dict) -> str:
    query = {"iss": platform.issuer, "login_hint": "user-1", "target_link_uri": "http://127.0.0.1:5000/lti/launch",
             "client_id": platform.client_id, "lti_deployment_id": platform.deployment_id}
    response = client.get("/lti/login", query_string=query, headers=headers)
    assert response.status_code == 302
    return next(c for c in response.headers.getlist("Set-Cookie") if c.startswith("lti1p3-state-"))


@pytest.mark.app_settings(LMS_PROXY_HOPS=1, LMS_EMBEDDED_COOKIES=False)
def test_behind_one_proxy_the_forwarded_https_makes_cookies_secure(client, platform):
    assert "; Secure" in login_cookie(client, platform, FORWARDED)
    assert "; Secure" not in login_cookie(client, platform, {})  # plain http without the proxy's word
    response, _token, _sent = launch(client, platform, custom={"course": COURSE})
    assert response.status_code == 302


@pytest.mark.app_settings(LMS_PROXY_HOPS=0, LMS_EMBEDDED_COOKIES=False)
def test_without_a_configured_proxy_forwarded_headers_are_ignored(client, platform):
    assert "; Secure" not in login_cookie(client, platform, FORWARDED)
