"""Launches when the browser keeps no cookies in the platform's frame: the LTI platform-storage
flow (lti_storage_target) and the "open in a new window" hand-off."""

from __future__ import annotations

import re
from html import unescape
from urllib.parse import parse_qs, urlsplit

from sqlalchemy import func, select

from lms.accounts.models import User
from lms.extensions import db
from tests.lti.test_launch import COURSE, counts, launch, login

STORAGE = {"lti_storage_target": "_parent"}


def attribute(html: str, name: str) -> str:
    match = re.search(rf'{name}="([^"]*)"', html)
    assert match, f"no {name} in the page"
    return unescape(match.group(1))


def storage_login(client, platform) -> dict:
    """The login page of a platform that offers storage: it keeps its secret there, then goes on.
    Returns the OIDC parameters sent to the platform, and the secret as ``binding``."""
    query = {"iss": platform.issuer, "login_hint": "user-1", "target_link_uri": "http://127.0.0.1:5000/lti/launch",
             "client_id": platform.client_id, "lti_message_hint": "link-7",
             "lti_deployment_id": platform.deployment_id, **STORAGE}
    page = client.get("/lti/login", query_string=query)
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    auth_url = attribute(html, "data-next")
    sent = {k: v[0] for k, v in parse_qs(urlsplit(auth_url).query).items()}
    assert auth_url.startswith(f"{platform.issuer}/auth?")
    assert attribute(html, "data-mode") == "put" and attribute(html, "data-target") == "_parent"
    assert attribute(html, "data-origin") == platform.issuer  # messages go to the platform only
    assert attribute(html, "data-key") == f"state_{sent['state']}"
    binding = attribute(html, "data-value")
    assert len(binding) >= 40 and binding != sent["state"], "a secret of the page's, not the state"
    assert f"frame-ancestors 'self' {platform.issuer}" in page.headers["Content-Security-Policy"]
    assert "lti1p3-state-" in page.headers.get("Set-Cookie", "")  # the cookie is still tried first
    return {**sent, "binding": binding}


def cookieless_launch(app, client, platform, **claims):
    """Login in ``client``; the launch arrives from a browser that kept no cookie."""
    sent = storage_login(client, platform)
    token = platform.sign(platform.claims(nonce=sent["nonce"], custom={"course": COURSE}, **claims))
    browser = app.test_client()
    page = browser.post("/lti/launch", data={"id_token": token, "state": sent["state"], **STORAGE})
    return browser, page, sent


def test_a_launch_without_cookies_is_confirmed_by_the_platforms_storage(app, client, platform):
    before = counts()
    browser, page, sent = cookieless_launch(app, client, platform)
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    assert attribute(html, "data-mode") == "get" and attribute(html, "data-key") == f"state_{sent['state']}"
    assert attribute(html, "data-target") == "_parent"  # the frame that answers, as the login named it
    assert attribute(html, "data-origin") == platform.issuer
    assert counts() == before  # nobody is signed in before the storage answers

    key = attribute(html, 'name="launch" value')
    confirmed = browser.post("/lti/launch/confirm", data={"launch": key, "binding": sent["binding"]})
    assert confirmed.status_code == 302 and "/lti/continue/" in confirmed.headers["Location"]
    landing = browser.get(confirmed.headers["Location"])
    assert landing.headers["Location"].endswith(f"/courses/{COURSE}")
    assert '<html lang="fi">' in browser.get(f"/courses/{COURSE}").get_data(as_text=True)
    assert counts() == (before[0] + 1, before[1] + 1, before[2] + 1)

    again = browser.post("/lti/launch/confirm", data={"launch": key, "binding": sent["binding"]})
    assert again.status_code == 400  # a held launch is confirmed once


def test_a_second_client_with_the_key_and_the_state_is_not_signed_in(app, client, platform):
    """The held launch's key and the state travel in pages and URLs; only the secret the login page
    kept in this browser's platform storage confirms the launch (no login CSRF)."""
    before = counts()
    browser, page, sent = cookieless_launch(app, client, platform)
    key = attribute(page.get_data(as_text=True), 'name="launch" value')
    intruder = app.test_client()
    for forged in ({"launch": key, "state": sent["state"]}, {"launch": key, "binding": sent["state"]},
                   {"launch": key, "binding": "x" * 43}):
        answer = intruder.post("/lti/launch/confirm", data=forged)
        assert answer.status_code == 400 and "could not be matched to your browser" in answer.get_data(as_text=True)
    right_too_late = browser.post("/lti/launch/confirm", data={"launch": key, "binding": sent["binding"]})
    assert right_too_late.status_code == 400  # a forged attempt used the held launch up
    assert browser.post("/lti/launch/confirm", data={"launch": "made-up", "binding": sent["binding"]}).status_code \
        == 400
    assert counts() == before


def test_a_login_state_serves_one_launch(app, client, platform):
    sent = storage_login(client, platform)
    for expected in (200, 400):
        token = platform.sign(platform.claims(nonce=sent["nonce"], custom={"course": COURSE}))
        page = app.test_client().post("/lti/launch", data={"id_token": token, "state": sent["state"]})
        assert page.status_code == expected, page.get_data(as_text=True)[:300]


def _restart_link(html: str) -> str:
    match = re.search(r'href="([^"]+/lti/login\?[^"]+)" target="_blank"', html)
    assert match, "no link that opens NordLearn in a new window"
    return unescape(match.group(1))


def _launch_at_top_level(app, platform, restart: str):
    """A window of its own opens the login again; the platform signs the reader in and posts the launch."""
    window = app.test_client()
    to_platform = window.get(restart.removeprefix(app.config["LMS_BASE_URL"]))
    assert to_platform.status_code == 302
    sent = {k: v[0] for k, v in parse_qs(urlsplit(to_platform.headers["Location"]).query).items()}
    token = platform.sign(platform.claims(nonce=sent["nonce"], custom={"course": COURSE, "module": "classification"}))
    launched = window.post("/lti/launch", data={"id_token": token, "state": sent["state"]})
    assert launched.status_code == 302, launched.get_data(as_text=True)[:300]
    return window, window.get(launched.headers["Location"])


def test_without_the_session_cookie_the_launch_offers_a_new_window(app, client, platform):
    sent = login(client, platform)
    token = platform.sign(platform.claims(nonce=sent["nonce"], custom={"course": COURSE, "module": "classification"}))
    launched = client.post("/lti/launch", data={"id_token": token, "state": sent["state"]})
    continue_url = launched.headers["Location"]
    assert "/lti/continue/" in continue_url

    frame = app.test_client()  # the frame's browser refused the session cookie
    page = frame.get(continue_url)
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    assert '<html lang="fi">' in html and "Avaa NordLearn uuteen ikkunaan" in html  # the launch's language
    assert f"frame-ancestors 'self' {platform.issuer}" in page.headers["Content-Security-Policy"]
    assert "/lti/handoff/" not in html, "no link signs anyone in on its own"
    with frame.session_transaction() as session:
        assert "_user_id" not in session

    window, landing = _launch_at_top_level(app, platform, _restart_link(html))
    assert landing.status_code == 302 and landing.headers["Location"].endswith(f"/courses/{COURSE}/modules/classification")
    module = window.get(f"/courses/{COURSE}/modules/classification").get_data(as_text=True)
    assert 'class="module-content" lang="fi"' in module
    assert db.session.scalar(select(func.count()).select_from(User)) == 1  # the same learner, launched again


def test_a_frame_with_neither_cookies_nor_storage_is_offered_a_new_window_not_an_error(app, client, platform):
    before = counts()
    sent = login(client, platform)  # this platform offers no storage
    token = platform.sign(platform.claims(nonce=sent["nonce"], custom={"course": COURSE}))
    frame = app.test_client()  # keeps no cookie at all
    page = frame.post("/lti/launch", data={"id_token": token, "state": sent["state"]})
    # First the launch is sent again from NordLearn's own site (a SameSite=Lax cookie would come along) …
    html = page.get_data(as_text=True)
    assert page.status_code == 200 and 'name="resubmitted" value="1"' in html and "data-autosubmit" in html
    assert attribute(html, 'name="id_token" value') == token
    # … and when it still comes without one, NordLearn offers a window of its own.
    page = frame.post("/lti/launch", data={"id_token": token, "state": sent["state"], "resubmitted": "1"})
    assert page.status_code == 200
    restart = _restart_link(page.get_data(as_text=True))
    assert counts() == before
    assert parse_qs(urlsplit(restart).query)["lti_message_hint"] == ["link-7"]
    _window, landing = _launch_at_top_level(app, platform, restart)
    assert landing.status_code == 302


def test_a_platform_storage_that_does_not_answer_leads_to_a_new_window(app, client, platform):
    browser, page, _sent = cookieless_launch(app, client, platform)
    html = page.get_data(as_text=True)
    assert 'id="lti-restart" hidden' in html  # shown by the page when the storage gives no answer
    restart = _restart_link(html)
    assert "lti_storage_target" not in restart
    _window, landing = _launch_at_top_level(app, platform, restart)
    assert landing.status_code == 302


def test_a_frame_that_kept_the_cookie_goes_straight_on(client, platform):
    response, _token, _sent = launch(client, platform, custom={"course": COURSE})
    assert response.status_code == 302 and response.headers["Location"].endswith(f"/courses/{COURSE}")
