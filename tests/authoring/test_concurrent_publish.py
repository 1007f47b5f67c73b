"""Two authors who publish from the same base at the same moment: the database lets exactly one win."""

from __future__ import annotations

import threading
from html import unescape

from sqlalchemy import func, select

from lms.catalog.models import ModuleRevision
from lms.content import revisions
from lms.extensions import db
from tests.authoring.test_authoring import ENGLISH, _base, two_authors_of_one_module
from tests.conftest import csrf_token


def test_two_simultaneous_publishes_from_one_base_let_exactly_one_through(app, monkeypatch):
    first, second, editor = two_authors_of_one_module(app)
    base = _base(first.get(editor).get_data(as_text=True))
    tokens = {client: csrf_token(client, editor) for client in (first, second)}
    before = db.session.scalar(select(func.count()).select_from(ModuleRevision))

    # Both requests pass every check in Python before either writes: only the database can decide.
    both_checked = threading.Barrier(2, timeout=20)
    add = revisions.add

    def add_after_both_checked(**kwargs):
        both_checked.wait()
        return add(**kwargs)

    monkeypatch.setattr(revisions, "add", add_after_both_checked)
    texts = {first: ENGLISH, second: ENGLISH.replace("surveillance system", "surveillance plan")}
    answers = {}

    def publish(client):
        answers[client] = client.post(editor, data={"text": texts[client], "action": "publish", "base": base,
                                                    "csrf_token": tokens[client]})

    threads = [threading.Thread(target=publish, args=(client,)) for client in (first, second)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(30)
    monkeypatch.setattr(revisions, "add", add)

    statuses = sorted(answer.status_code for answer in answers.values())
    assert statuses == [302, 409]
    winner = next(client for client, answer in answers.items() if answer.status_code == 302)
    loser = next(client for client, answer in answers.items() if answer.status_code == 409)
    page = unescape(answers[loser].get_data(as_text=True))
    assert texts[loser].splitlines()[-3] in page, "the loser's own text is on the conflict page"
    assert "surveillance system (MDR Article 83)" in page or "surveillance plan (MDR Article 83)" in page
    assert texts[winner].split("\n\n")[2] in page, "the text that won is shown beside it"
    db.session.expire_all()
    assert db.session.scalar(select(func.count()).select_from(ModuleRevision)) == before + 1
    newest = db.session.scalar(select(ModuleRevision).order_by(ModuleRevision.id.desc()))
    assert newest.body == texts[winner]
