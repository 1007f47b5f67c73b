"""Helpers the tests share (fixtures live in conftest.py)."""

from __future__ import annotations

import json
import os
from collections.abc import Iterator
from contextlib import contextmanager

from sqlalchemy import create_engine, text


@contextmanager
def scratch_database(database_url: str, purpose: str) -> Iterator[str]:
    """An empty database of its own for a test that runs migrations (a fresh SQLite file is
    empty already; on PostgreSQL a database is made for it and dropped after)."""
    if not database_url.startswith("postgresql"):
        yield database_url
        return
    name = f"nordlearn_{purpose}_{os.getpid()}"
    server = database_url.rsplit("/", 1)[0]
    admin = create_engine(f"{server}/postgres", isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.execute(text(f"DROP DATABASE IF EXISTS {name}"))
        connection.execute(text(f"CREATE DATABASE {name}"))
    try:
        yield f"{server}/{name}"
    finally:
        with admin.connect() as connection:
            connection.execute(text(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)"))
        admin.dispose()


def right_answers(questions: dict, shown: list) -> dict[str, object]:
    """The form fields that answer every question of ``shown`` ([key, option order] pairs) right."""
    from lms.content.markdown import format_number

    answers: dict[str, object] = {}
    for key, _order in shown:
        question = questions[key]
        if question.kind == "numeric":
            answers[f"q-{key}"] = format_number(question.answer)
        else:
            answers[f"q-{key}"] = [str(n) for n, option in enumerate(question.options, start=1) if option.correct]
    return answers


def finish_module(client, course: str, module: str):
    """Complete a module as a learner does in the browser: pass its questions or its final test by answering
    every question right, or press "Mark as complete" when it has none."""
    import re

    from sqlalchemy import select

    from lms.assessment import services as assessment
    from lms.assessment.models import Attempt
    from lms.catalog.models import ModuleRevision
    from lms.extensions import db
    from tests.conftest import post_form

    path = f"/courses/{course}/modules/{module}"
    html = client.get(path).get_data(as_text=True)
    if f'action="{path}/complete"' in html:
        response = post_form(client, f"{path}/complete", token_from=path)
    elif f'action="{path}/answers"' in html:
        revision = db.session.get(ModuleRevision, int(re.search(r'name="revision" value="(\d+)"', html).group(1)))
        questions = assessment.questions_of(revision)
        data = right_answers(questions, [(key, []) for key in questions])
        response = post_form(client, f"{path}/answers", {**data, "revision": str(revision.id)}, token_from=path)
    else:
        assert f'action="{path}/test"' in html, "the module can be completed, passed or started"
        started = post_form(client, f"{path}/test", token_from=path)
        attempt_id = int(started.headers["Location"].rstrip("/").rsplit("/", 1)[1])
        attempt = db.session.scalar(select(Attempt).where(Attempt.id == attempt_id))
        shown = json.loads(attempt.questions)
        data = right_answers(assessment.questions_of(attempt.revision), shown)
        response = post_form(client, started.headers["Location"], data, token_from=started.headers["Location"])
    assert response.status_code == 302, response.get_data(as_text=True)
    return response
