"""Launches from a platform written here (real HTTP for its keys), and every refusal."""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import time
from urllib.parse import parse_qs, urlsplit

import pytest
from sqlalchemy import func, select

from lms.accounts.models import User
from lms.extensions import db
from lms.learning.models import Enrolment
from lms.lti.models import LtiDeployment, LtiIdentity
from tests.lti.platform import INSTRUCTOR, Platform

COURSE = "eu-mdr-ivdr-essentials"
LAUNCH_URL = "http://127.0.0.1:5000/lti/launch"  # on the tests' LMS_BASE_URL


def login(client, platform, **params) -> dict:
    """The platform's third-party initiated login; returns the OIDC parameters NordLearn sent back."""
    query = {"iss": platform.issuer, "login_hint": "user-1", "target_link_uri": LAUNCH_URL,
             "client_id": platform.client_id, "lti_message_hint": "link-7",
             "lti_deployment_id": platform.deployment_id, **params}
    response = client.get("/lti/login", query_string=query)
    assert response.status_code == 302, response.get_data(as_text=True)
    location = urlsplit(response.headers["Location"])
    assert f"{location.scheme}://{location.netloc}{location.path}" == f"{platform.issuer}/auth"
    sent = {k: v[0] for k, v in parse_qs(location.query).items()}
    assert sent["response_type"] == "id_token" and sent["response_mode"] == "form_post"
    assert sent["client_id"] == platform.client_id and sent["lti_message_hint"] == "link-7"
    return sent


def launch(client, platform, token_for=None, **claims):
    """A login and its launch, the id_token's target_link_uri the login's, as platforms send them."""
    target = claims.setdefault("target", LAUNCH_URL)
    sent = login(client, platform, target_link_uri=target)
    body = platform.claims(nonce=sent["nonce"], **claims)
    token = token_for(body) if token_for else platform.sign(body)
    response = client.post("/lti/launch", data={"id_token": token, "state": sent["state"]})
    return follow_continue(client, response), token, sent


def follow_continue(client, response):
    """Every launch passes /lti/continue/<key>, which goes straight on when the session cookie came back."""
    if response.status_code == 302 and "/lti/continue/" in response.headers["Location"]:
        return client.get(response.headers["Location"])
    return response


def counts() -> tuple[int, int, int]:
    return tuple(db.session.scalar(select(func.count()).select_from(m)) for m in (User, LtiIdentity, Enrolment))


def test_learner_launch_into_a_course_in_the_platforms_language(client, platform):
    response, _token, _sent = launch(client, platform, custom={"course": COURSE})
    assert response.status_code == 302
    assert response.headers["Location"].endswith(f"/courses/{COURSE}")
    page = client.get(f"/courses/{COURSE}")
    html = page.get_data(as_text=True)
    assert '<html lang="fi">' in html  # launch_presentation.locale
    user = db.session.scalar(select(User).join(LtiIdentity, LtiIdentity.user_id == User.id))
    assert user.display_name == "Aino Virtanen" and user.email is None and user.role.value == "learner"
    identity = db.session.scalar(select(LtiIdentity))
    assert (identity.issuer, identity.subject, identity.email) == (platform.issuer, "user-1", "aino@example.fi")
    enrolment = db.session.scalar(select(Enrolment))
    assert (enrolment.source.value, enrolment.lti_context_id) == ("lti", "course-42")
    # The learner belongs to the organisation of the platform's registration (LMI), confirmed.
    from lms.accounts import services as accounts

    [membership] = accounts.memberships_of(user)
    assert (membership.organisation.id, membership.membership.status.value) == (4, "confirmed")


def test_instructor_launch_into_a_module_by_its_target_link(client, platform, app):
    target = f"{app.config['LMS_BASE_URL']}/courses/{COURSE}/modules/classification"
    response, _token, _sent = launch(client, platform, target=target, roles=(INSTRUCTOR,), sub="teacher-9")
    assert response.status_code == 302
    assert response.headers["Location"].endswith(f"/courses/{COURSE}/modules/classification")
    html = client.get(f"/courses/{COURSE}/modules/classification").get_data(as_text=True)
    assert 'class="module-content" lang="fi"' in html
    with client.session_transaction() as session:
        assert session["lti_instructor"] is True


def test_the_same_platform_user_is_the_same_nordlearn_user_and_never_merged_by_email(client, platform, app):
    from tests.factories import make_user

    make_user(email="aino@example.fi")  # a local account with the platform's e-mail address
    for _ in range(2):
        response, _token, _sent = launch(client, platform, custom={"course": COURSE})
        assert response.status_code == 302
    assert counts() == (2, 1, 1)  # the local user and one platform user, enrolled once


def refused(response, status: int, text: str) -> None:
    assert response.status_code == status, response.get_data(as_text=True)[:500]
    assert text in response.get_data(as_text=True)
    # Shown inside the platform's frame, not blocked by it.
    assert "frame-ancestors 'self' http://127.0.0.1:" in response.headers["Content-Security-Policy"]


def test_a_replayed_token_is_refused_even_from_the_same_browser(client, platform):
    sent = login(client, platform)
    cookies_after_login = {cookie.key: cookie.value for cookie in client._cookies.values()}
    token = platform.sign(platform.claims(nonce=sent["nonce"], custom={"course": COURSE}))
    assert client.post("/lti/launch", data={"id_token": token, "state": sent["state"]}).status_code == 302
    before = counts()
    # The browser goes back and sends the same form again, with the cookies it had then.
    for key, value in cookies_after_login.items():
        client.set_cookie(key, value)
    replay = client.post("/lti/launch", data={"id_token": token, "state": sent["state"]})
    refused(replay, 400, "could not be matched to your browser")  # its login served one launch
    assert counts() == before


def test_a_platform_key_change_is_picked_up(client, platform):
    assert launch(client, platform, custom={"course": COURSE})[0].status_code == 302
    fetched = platform.key_set_requests
    platform.rotate_key()  # the old key is gone from the platform's set
    response, _token, _sent = launch(client, platform, custom={"course": COURSE})
    assert response.status_code == 302
    assert platform.key_set_requests == fetched + 1


def test_sixty_seconds_of_clock_skew_are_accepted(client, platform):
    now = int(time.time())
    response, _token, _sent = launch(client, platform, custom={"course": COURSE}, iat=now + 50, exp=now - 50)
    assert response.status_code == 302


def _part(data: dict | bytes) -> str:
    raw = data if isinstance(data, bytes) else json.dumps(data).encode()
    return base64.urlsafe_b64encode(raw).rstrip(b"=").decode()


def _unsigned(body: dict) -> str:
    return f"{_part({'alg': 'none', 'kid': 'x'})}.{_part(body)}."


def _hs256_with_public_key(platform: Platform, body: dict) -> str:
    """The key-confusion attack: HMAC "signed" with the platform's public key as the secret."""
    kid, key = platform.keys[-1]
    signing_input = f"{_part({'alg': 'HS256', 'kid': kid})}.{_part(body)}"
    signature = hmac.new(key.export_to_pem(), signing_input.encode(), hashlib.sha256).digest()
    return f"{signing_input}.{_part(signature)}"


REFUSALS = [
    ("expired", dict(exp=int(time.time()) - 3600, iat=int(time.time()) - 4000), 403, "expired"),
    ("wrong audience", dict(aud="someone-else"), 403, "not registered with NordLearn"),
    ("wrong message type", {"https://purl.imsglobal.org/spec/lti/claim/message_type": "LtiStartProctoring"},
     400, "could not be verified"),
    ("wrong version", {"https://purl.imsglobal.org/spec/lti/claim/version": "1.1"}, 400, "could not be verified"),
    ("unknown deployment", {"https://purl.imsglobal.org/spec/lti/claim/deployment_id": "other"}, 403,
     "has not been approved"),
]


@pytest.mark.parametrize(("case", "claims", "status", "text"), REFUSALS, ids=[r[0] for r in REFUSALS])
def test_bad_launches_are_refused_and_create_nothing(client, platform, case, claims, status, text):
    before = counts()
    response, _token, _sent = launch(client, platform, custom={"course": COURSE}, **claims)
    refused(response, status, text)
    assert counts() == before


def test_bad_signature_alg_none_and_hs256_are_refused(client, platform):
    from jwcrypto import jwk

    stranger = jwk.JWK.generate(kty="RSA", size=2048).export_to_pem(private_key=True, password=None)
    for token_for in (
        lambda body: platform.sign(body, key=stranger),  # signed by someone else, with the platform's kid
        _unsigned,  # alg none
        lambda body: _hs256_with_public_key(platform, body),
    ):
        before = counts()
        response, _token, _sent = launch(client, platform, token_for=token_for, custom={"course": COURSE})
        refused(response, 400, "could not be verified")
        assert counts() == before


def test_unknown_issuer_and_missing_state_are_refused(client, platform):
    response = client.get("/lti/login", query_string={"iss": "https://unknown.example", "login_hint": "x",
                                                      "target_link_uri": LAUNCH_URL, "client_id": "y"})
    refused(response, 403, "not registered with NordLearn")
    sent = login(client, platform)
    token = platform.sign(platform.claims(nonce=sent["nonce"], custom={"course": COURSE}))
    before = counts()
    refused(client.post("/lti/launch", data={"id_token": token}), 400, "could not be matched to your browser")
    assert counts() == before


def test_an_unknown_deployment_waits_for_an_admin(client, platform):
    response, _token, _sent = launch(client, platform, custom={"course": COURSE},
                                     **{"https://purl.imsglobal.org/spec/lti/claim/deployment_id": "new-one"})
    refused(response, 403, "has not been approved")
    pending = db.session.scalar(select(LtiDeployment).where(LtiDeployment.deployment_id == "new-one"))
    assert pending.status.value == "pending"


def test_after_a_launch_the_platform_may_frame_nordlearn(client, platform):
    response, _token, _sent = launch(client, platform, custom={"course": COURSE},
                                     **{"https://purl.imsglobal.org/spec/lti/claim/tool_platform":
                                        {"url": "https://moodle.partner.example/"}})
    assert response.status_code == 302
    page = client.get(f"/courses/{COURSE}")
    ancestors = page.headers["Content-Security-Policy"].split("frame-ancestors ")[1].split(";")[0].split()
    assert sorted(ancestors) == sorted(["'self'", "https://moodle.partner.example", platform.issuer])
    assert "X-Frame-Options" not in page.headers
    # Another browser, not launched from the platform, may not be framed by it.
    other = client.application.test_client().get("/").headers["Content-Security-Policy"]
    assert other.endswith("frame-ancestors 'self'")


@pytest.mark.app_settings(LMS_EMBEDDED_COOKIES=True, SESSION_COOKIE_SAMESITE="None", SESSION_COOKIE_SECURE=True,
                          SESSION_COOKIE_PARTITIONED=True)
def test_embedded_cookies_are_samesite_none_secure_and_partitioned(client, platform):
    query = {"iss": platform.issuer, "login_hint": "u", "target_link_uri": LAUNCH_URL, "client_id": platform.client_id}
    response = client.get("/lti/login", query_string=query)
    cookies = response.headers.getlist("Set-Cookie")
    state = next(c for c in cookies if c.startswith("lti1p3-state-"))
    session_cookie = next(c for c in cookies if c.startswith("session="))
    for cookie in (state, session_cookie):
        assert "SameSite=None" in cookie and "Secure" in cookie and "Partitioned" in cookie and "HttpOnly" in cookie


def test_a_login_for_another_origin_is_refused(client, platform):
    for target in ("https://evil.example/lti/launch", "http://127.0.0.1:5001/lti/launch", "x", "",
                   "http://user@127.0.0.1:5000/lti/launch"):
        response = client.get("/lti/login", query_string={
            "iss": platform.issuer, "login_hint": "user-1", "target_link_uri": target,
            "client_id": platform.client_id, "lti_deployment_id": platform.deployment_id})
        refused(response, 400, "does not lead to NordLearn")
        assert "lti1p3-state-" not in response.headers.get("Set-Cookie", "")


def test_a_launch_whose_target_is_not_its_logins_is_refused(client, platform, app):
    base = app.config["LMS_BASE_URL"]
    before = counts()
    for claimed in (f"{base}/courses/{COURSE}", "https://evil.example/lti/launch", ""):
        sent = login(client, platform, target_link_uri=f"{base}/lti/launch")
        token = platform.sign(platform.claims(nonce=sent["nonce"], target=claimed, custom={"course": COURSE}))
        refused(client.post("/lti/launch", data={"id_token": token, "state": sent["state"]}), 400,
                "does not lead to NordLearn")
    assert counts() == before
    with client.session_transaction() as session:
        assert "_user_id" not in session


def test_an_azp_naming_another_client_is_refused(client, platform):
    before = counts()
    response, _token, _sent = launch(client, platform, custom={"course": COURSE}, azp="another-client")
    refused(response, 400, "could not be verified")
    assert counts() == before
    response, _token, _sent = launch(client, platform, custom={"course": COURSE}, azp=platform.client_id)
    assert response.status_code == 302

