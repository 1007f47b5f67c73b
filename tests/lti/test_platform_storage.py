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
    """The login page of a platform that offers storage: it keeps the state there, then goes on."""
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
    assert attribute(html, "data-key") == f"state_{sent['state']}" and attribute(html, "data-value") == sent["state"]
    assert f"frame-ancestors 'self' {platform.issuer}" in page.headers["Content-Security-Policy"]
    assert "lti1p3-state-" in page.headers.get("Set-Cookie", "")  # the cookie is still tried first
    return sent


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
    assert attribute(html, "data-origin") == platform.issuer
    assert counts() == before  # nobody is signed in before the storage answers

    key = attribute(html, 'name="launch" value')
    confirmed = browser.post("/lti/launch/confirm", data={"launch": key, "state": sent["state"]})
    assert confirmed.status_code == 302 and "/lti/continue/" in confirmed.headers["Location"]
    landing = browser.get(confirmed.headers["Location"])
    assert landing.headers["Location"].endswith(f"/courses/{COURSE}")
    assert '<html lang="fi">' in browser.get(f"/courses/{COURSE}").get_data(as_text=True)
    assert counts() == (before[0] + 1, before[1] + 1, before[2] + 1)

    again = browser.post("/lti/launch/confirm", data={"launch": key, "state": sent["state"]})
    assert again.status_code == 400  # a held launch is confirmed once


def test_a_state_the_storage_did_not_hold_is_refused(app, client, platform):
    before = counts()
    browser, page, sent = cookieless_launch(app, client, platform)
    key = attribute(page.get_data(as_text=True), 'name="launch" value')
    wrong = browser.post("/lti/launch/confirm", data={"launch": key, "state": "state-forged"})
    assert wrong.status_code == 400
    assert "could not be matched to your browser" in wrong.get_data(as_text=True)
    right_too_late = browser.post("/lti/launch/confirm", data={"launch": key, "state": sent["state"]})
    assert right_too_late.status_code == 400
    assert browser.post("/lti/launch/confirm", data={"launch": "made-up", "state": sent["state"]}).status_code == 400
    assert counts() == before


def test_a_login_state_serves_one_launch(app, client, platform):
    sent = storage_login(client, platform)
    for expected in (200, 400):
        token = platform.sign(platform.claims(nonce=sent["nonce"], custom={"course": COURSE}))
        page = app.test_client().post("/lti/launch", data={"id_token": token, "state": sent["state"]})
        assert page.status_code == expected


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
    handoff_url = re.search(r'href="(/lti/handoff/[^"]+)" target="_blank"', html).group(1)
    assert '<html lang="fi">' in html and "Avaa NordLearn uuteen ikkunaan" in html  # the launch's language
    assert f"frame-ancestors 'self' {platform.issuer}" in page.headers["Content-Security-Policy"]

    window = app.test_client()  # a window of its own keeps first-party cookies
    opened = window.get(handoff_url)
    assert opened.status_code == 302 and opened.headers["Location"].endswith(f"/courses/{COURSE}/modules/classification")
    module = window.get(f"/courses/{COURSE}/modules/classification").get_data(as_text=True)
    assert 'class="module-content" lang="fi"' in module  # the launch's language came along
    user = db.session.scalar(select(User).where(User.display_name == "Aino Virtanen"))
    assert user is not None and db.session.scalar(select(func.count()).select_from(User)) == 1

    assert app.test_client().get(handoff_url).status_code == 403  # once only
    assert app.test_client().get(continue_url).status_code == 400  # and gone


def test_a_frame_that_kept_the_cookie_goes_straight_on(client, platform):
    response, _token, _sent = launch(client, platform, custom={"course": COURSE})
    assert response.status_code == 302 and response.headers["Location"].endswith(f"/courses/{COURSE}")
