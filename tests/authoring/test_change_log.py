"""The course change log reads as sentences in the reader's language, never as the codes it is stored with."""

from __future__ import annotations

import json
import re

from flask_babel import force_locale

from lms.accounts.models import Role
from lms.core.audit import LABELS, PLAIN, AuditEvent, describe
from lms.i18n.languages import UI_LANGUAGES
from tests.authoring.test_authoring import add_module, create_course
from tests.conftest import login
from tests.factories import make_user

CODE = re.compile(r"\b[a-z]+(?:-[a-z]+)+\b")  # how actions are stored: media-added, import-text …
VALUES = {"position": 3, "title": "Vigilance", "percent": 80, "language": "sv", "member": "Kari Nordmann"}


def test_every_entry_reads_as_a_sentence_in_each_interface_language(app):
    english = {}
    for language in UI_LANGUAGES:
        with force_locale(language):
            for action in LABELS:
                text = describe(AuditEvent(action=action, subject="", detail=json.dumps(VALUES)))
                assert text and not CODE.search(text), (language, action, text)
                assert "%(" not in text, (language, action, text)
                if language == "en":
                    english[action] = text
                else:
                    assert text != english[action], f"{action} is not translated into {language}: {text}"
            for action in PLAIN:  # entries kept before their values were
                assert not CODE.search(describe(AuditEvent(action=action, subject="", detail=""))), action


def test_an_authors_log_page_is_in_the_authors_language(app):
    make_user(email="kirjoittaja@example.org", role=Role.AUTHOR, language="fi")
    author = app.test_client()
    login(author, "kirjoittaja@example.org")
    create_course(author)
    add_module(author, "post-market")

    page = author.get("/author/post-market/log").get_data(as_text=True)
    with force_locale("fi"):
        expected = [describe(AuditEvent(action=a, subject="", detail="")) for a in ("course-created", "module-added")]
    assert all(sentence in page for sentence in expected)
    assert "Course created" not in page and "Module added" not in page
    assert not CODE.search(re.sub(r"<[^>]+>", " ", page.split("<main", 1)[1].split("</main>", 1)[0])
                           .replace("post-market", ""))
