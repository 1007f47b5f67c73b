"""E-mail: every message in its recipient's language, with a plain-text and an HTML part.

Sent by the worker, never inside a request: each feature's ``notifications`` module
queues a job that composes and sends the message (``lms.jobs``).

Backends (``LMS_MAIL_BACKEND``): ``console`` (the local default: the message is
written to the log as readable text, and kept nowhere) or ``smtp``
(``LMS_MAIL_HOST``, ``LMS_MAIL_PORT``, ``LMS_MAIL_SECURITY`` = starttls | ssl |
none, ``LMS_MAIL_USERNAME``, ``LMS_MAIL_PASSWORD``, ``LMS_MAIL_FROM``).

Header values come from users (names, session titles): line breaks and other
control characters are folded into spaces before they reach a header.
"""

from __future__ import annotations

import logging
import smtplib
import ssl
import unicodedata
from dataclasses import dataclass
from email.message import EmailMessage
from email.utils import make_msgid

from flask import Flask, current_app, render_template
from flask_babel import force_locale

log = logging.getLogger(__name__)
TIMEOUT = 20


class MailError(Exception):
    pass


@dataclass(frozen=True)
class Mail:
    to: str
    subject: str
    text: str
    html: str
    language: str


def init_app(app: Flask) -> None:
    backend = app.config["LMS_MAIL_BACKEND"]
    if backend not in ("console", "smtp"):
        raise RuntimeError(f"LMS_MAIL_BACKEND must be console or smtp, not {backend!r}")


def language_of(language: str | None) -> str:
    """The language a message to a reader of ``language`` is written in (one with a catalog)."""
    from lms.i18n import available_ui_languages

    return language if language in available_ui_languages() else "en"


def compose(*, to: str, template: str, language: str | None, subject, **context) -> Mail:
    """Render ``emails/<template>.txt`` and ``.html`` and the subject (a lazy string) in ``language``."""
    chosen = language_of(language)
    with force_locale(chosen):
        return Mail(to=to, subject=str(subject), language=chosen,
                    text=render_template(f"emails/{template}.txt", language=chosen, **context),
                    html=render_template(f"emails/{template}.html", language=chosen, **context))


def header_text(value: str) -> str:
    """``value`` on one line: control characters (CR, LF, tabs, …) become spaces, runs of spaces one."""
    return " ".join("".join(" " if unicodedata.category(c)[0] == "C" else c for c in value).split())


def message(mail: Mail) -> EmailMessage:
    config = current_app.config
    msg = EmailMessage()
    msg["Subject"] = header_text(mail.subject)
    msg["From"] = config["LMS_MAIL_FROM"]
    msg["To"] = header_text(mail.to)
    msg["Message-ID"] = make_msgid(domain=config["LMS_MAIL_FROM"].rpartition("@")[2].strip("> ") or None)
    msg.set_content(mail.text)
    msg.add_alternative(mail.html, subtype="html")
    msg["Content-Language"] = mail.language  # after the parts: set_content clears Content-* headers
    return msg


def send(mail: Mail) -> None:
    """Deliver ``mail`` through the configured backend; MailError when the server refuses it."""
    msg = message(mail)
    config = current_app.config
    if config["LMS_MAIL_BACKEND"] == "console":
        log.warning("e-mail (console backend, not sent)\nTo: %s\nSubject: %s\nContent-Language: %s\n\n%s",
                    msg["To"], msg["Subject"], mail.language, mail.text)
        return
    security = config["LMS_MAIL_SECURITY"]
    try:
        if security == "ssl":
            server = smtplib.SMTP_SSL(config["LMS_MAIL_HOST"], config["LMS_MAIL_PORT"], timeout=TIMEOUT,
                                      context=ssl.create_default_context())
        else:
            server = smtplib.SMTP(config["LMS_MAIL_HOST"], config["LMS_MAIL_PORT"], timeout=TIMEOUT)
        with server:
            if security == "starttls":
                server.starttls(context=ssl.create_default_context())
            if config["LMS_MAIL_USERNAME"]:
                server.login(config["LMS_MAIL_USERNAME"], config["LMS_MAIL_PASSWORD"] or "")
            server.send_message(msg)
    except (smtplib.SMTPException, OSError) as error:
        raise MailError(f"could not send to {mail.to}: {error}") from error

