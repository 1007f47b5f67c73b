"""E-mails delivered to a real SMTP server on 127.0.0.1, in the recipient's language, and
password reset links that expire and work once."""

from __future__ import annotations

import re
import socket
from collections.abc import Iterator
from contextlib import contextmanager
import time
from email import message_from_bytes, policy
from email.message import EmailMessage

import pytest
from aiosmtpd.controller import Controller
from babel.support import Translations
from itsdangerous import URLSafeTimedSerializer

from lms.accounts import services as accounts
from lms.extensions import db
from tests.conftest import ROOT, login, post_form
from tests.factories import PASSWORD, make_user


class Inbox:
    """An SMTP server's handler that keeps every message it receives."""

    def __init__(self) -> None:
        self.messages: list[EmailMessage] = []

    async def handle_DATA(self, server, session, envelope):  # noqa: N802 (aiosmtpd's name)
        self.messages.append(message_from_bytes(envelope.content, policy=policy.default))
        return "250 OK"


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


PORT = _free_port()


@contextmanager
def smtp_server(handler: Inbox) -> Iterator[Inbox]:
    """A real SMTP server on 127.0.0.1:PORT, handled by ``handler``, while the block runs."""
    controller = Controller(handler, hostname="127.0.0.1", port=PORT)
    controller.start()
    try:
        yield handler
    finally:
        controller.stop()


@pytest.fixture
def inbox():
    with smtp_server(Inbox()) as handler:
        yield handler


SMTP = {"LMS_MAIL_BACKEND": "smtp", "LMS_MAIL_HOST": "127.0.0.1", "LMS_MAIL_PORT": PORT, "LMS_MAIL_SECURITY": "none",
        "LMS_MAIL_FROM": "NordLearn <no-reply@nordlearn.example>"}


def translated(language: str, text: str) -> str:
    """``text`` in ``language`` as its catalog has it (and it must have it)."""
    result = Translations.load(str(ROOT / "translations"), [language]).gettext(text)
    assert result != text, f"{text!r} is not translated to {language}"
    return result


def parts(message: EmailMessage) -> tuple[str, str]:
    return (message.get_body(("plain",)).get_content(), message.get_body(("html",)).get_content())


@pytest.mark.app_settings(**SMTP)
def test_registration_sends_a_welcome_in_the_new_members_language(client, inbox):
    fields = {"email": "aino@example.fi", "password": "a long enough password", "password_confirm":
              "a long enough password", "display_name": "Aino Virtanen", "country": "FI", "language": "fi"}
    assert post_form(client, "/account/register", fields, token_from="/account/register").status_code == 302
    [message] = inbox.messages
    assert message["To"] == "aino@example.fi" and message["Subject"] == translated("fi", "Welcome to NordLearn")
    assert message["Content-Language"] == "fi"
    text, html = parts(message)
    assert "Aino Virtanen" in text and '<html lang="fi">' in html and "http://" in text


@pytest.mark.app_settings(**SMTP)
def test_a_reset_link_sets_a_new_password_once(client, inbox, app):
    user = make_user(email="bo@example.se", language="sv")
    response = post_form(client, "/account/reset", {"email": "BO@example.se"}, token_from="/account/reset")
    assert response.status_code == 302
    [message] = inbox.messages
    text, html = parts(message)
    assert message["Subject"] == translated("sv", "Set a new NordLearn password") and '<html lang="sv">' in html
    assert translated("sv", "Set a new password") in text and translated("sv", "Set a new password") in html
    link = re.search(r"(http://\S+/account/reset/\S+)", text).group(1)
    path = link.removeprefix(app.config["LMS_BASE_URL"])
    assert client.get(path).status_code == 200
    new = {"new": "a brand new password", "confirm": "a brand new password"}
    assert post_form(client, path, new, token_from=path).status_code == 302
    login(client, "bo@example.se", "a brand new password")
    post_form(client, "/account/logout", token_from="/dashboard")
    used = client.get(path)
    assert used.status_code == 400 and "used already" in used.get_data(as_text=True)
    assert post_form(client, path, {"new": "yet another password!", "confirm": "yet another password!"},
                     token_from="/account/login").status_code == 400
    db.session.refresh(user)
    assert accounts.authenticate(email="bo@example.se", password="a brand new password") is not None


@pytest.mark.app_settings(**SMTP)
def test_an_unknown_address_gets_the_same_answer_and_no_mail(client, inbox):
    known = make_user(email="known@example.org")
    answers = [post_form(client, "/account/reset", {"email": email}, token_from="/account/reset")
               for email in ("nobody@example.org", known.email)]
    assert [a.headers["Location"] for a in answers] == ["/account/login"] * 2
    assert [m["To"] for m in inbox.messages] == ["known@example.org"]


def test_an_expired_or_forged_link_is_refused(client, app):
    user = make_user(email="old@example.org")
    serializer = URLSafeTimedSerializer(app.secret_key, salt="nordlearn-password-reset")
    token = accounts.password_reset_token(user)
    payload = serializer.loads(token)
    real_time = time.time
    try:
        time.time = lambda: real_time() - 3700  # signed 61 minutes ago
        old = serializer.dumps(payload)
    finally:
        time.time = real_time
    expired = client.get(f"/account/reset/{old}")
    assert expired.status_code == 400 and "expired" in expired.get_data(as_text=True)
    forged = client.get(f"/account/reset/{token[:-3]}abc")
    assert forged.status_code == 400 and "not valid" in forged.get_data(as_text=True)
    assert client.get(f"/account/reset/{token}").status_code == 200
    assert accounts.authenticate(email="old@example.org", password=PASSWORD) is not None


@pytest.mark.app_settings(LMS_MAIL_BACKEND="smtp", LMS_MAIL_HOST="127.0.0.1", LMS_MAIL_PORT=1, LMS_MAIL_SECURITY="none")
def test_a_mail_server_that_is_down_does_not_break_registration(client):
    fields = {"email": "eve@example.org", "password": "a long enough password", "password_confirm":
              "a long enough password", "display_name": "Eve", "country": "", "language": "en"}
    assert post_form(client, "/account/register", fields, token_from="/account/register").status_code == 302


@pytest.mark.app_settings(LMS_BASE_URL="https://learn.nordlearn.example", **SMTP)
def test_links_in_mail_calendar_and_tool_configuration_use_the_public_address(client, inbox, app):
    """Whatever host a request came to (a proxy's, an attacker's Host header), links point at LMS_BASE_URL."""
    make_user(email="bo@example.se", language="sv")
    elsewhere = "http://evil.example"
    page = client.get("/account/reset", base_url=elsewhere).get_data(as_text=True)
    token = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', page).group(1)
    sent = client.post("/account/reset", data={"email": "bo@example.se", "csrf_token": token}, base_url=elsewhere)
    assert sent.status_code == 302
    [message] = inbox.messages
    links = re.findall(r"https?://[^\s\"<>]+", parts(message)[0])
    assert links and all(link.startswith("https://learn.nordlearn.example/") for link in links)
    config = client.get("/lti/config.json", base_url=elsewhere).get_json()
    assert config["oidc_initiation_url"] == "https://learn.nordlearn.example/lti/login"
    assert config["target_link_uri"] == "https://learn.nordlearn.example/lti/launch"


def test_the_console_backend_prints_readable_text_and_keeps_nothing(client, app, caplog):
    import logging

    make_user(email="long.name.for.a.long.link@example.org", language="fi")
    with caplog.at_level(logging.WARNING, logger="lms.mail"):
        post_form(client, "/account/reset", {"email": "long.name.for.a.long.link@example.org"},
                  token_from="/account/reset")
    [record] = [r for r in caplog.records if r.name == "lms.mail"]
    text = record.getMessage()
    assert "Subject: " + translated("fi", "Set a new NordLearn password") in text  # decoded, not =?utf-8?…
    link = re.search(r"(http://\S+/account/reset/\S+)", text).group(1)
    assert client.get(link.removeprefix(app.config["LMS_BASE_URL"])).status_code == 200  # the whole link, usable
    assert "=\n" not in text and "Content-Transfer-Encoding" not in text
    assert not any("mail" in key for key in app.extensions if key.startswith("lms_mail"))


def test_make_run_derives_the_public_address_from_host_and_port():
    import subprocess

    dry = subprocess.run(["make", "--dry-run", "--always-make", "run", "HOST=127.0.0.1", "PORT=8123"], cwd=ROOT,
                         capture_output=True, text=True, timeout=60)
    assert 'LMS_BASE_URL="${LMS_BASE_URL:-http://127.0.0.1:8123}"' in dry.stdout
    assert "huey_consumer worker.huey" in dry.stdout and "--port 8123" in dry.stdout
