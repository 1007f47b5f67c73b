"""An author's rules for a module's questions: set in course.yml or in the workspace, kept by re-imports."""

from __future__ import annotations

from pathlib import Path

from sqlalchemy import select

from lms.accounts.models import Role
from lms.catalog.models import Module
from lms.extensions import db
from tests.conftest import login, post_form
from tests.content.test_packages import files_of, run_import, write_package
from tests.factories import QUIZ, make_user, quiz_pool

MANIFEST = """\
slug: demo-course
default_language: en
version: '1.0'
estimated_hours: 2.5
published: true
title:
  en: Demo course
summary:
  en: A short course.
modules:
- slug: first
  pass_mark: 80
  max_attempts: 3
  attempt_wait: 60
  must_pass: false
- slug: second
  draw: 2
"""
FILES = {"first/en.md": QUIZ, "second/en.md": quiz_pool(3)}


def rules(slug: str) -> tuple:
    module = db.session.scalar(select(Module).where(Module.slug == slug).execution_options(populate_existing=True))
    return module.pass_mark, module.max_attempts, module.attempt_wait_minutes, module.must_pass, module.draw


def test_rules_come_from_course_yml_and_go_back_to_it(app, runner, tmp_path):
    folder = write_package(tmp_path / "in", MANIFEST, FILES)
    assert run_import(runner, folder).exit_code == 0
    assert rules("first") == (80, 3, 60, False, None)
    assert rules("second") == (70, None, None, True, 2), "unset rules take their defaults"
    exported = runner.invoke(args=["courses", "export", "demo-course", str(tmp_path / "out")])
    assert exported.exit_code == 0, exported.output
    assert files_of(tmp_path / "out" / "demo-course") == files_of(folder)


def test_a_reimport_applies_the_packages_new_rules_but_keeps_an_authors(app, client, runner, tmp_path):
    folder = write_package(tmp_path, MANIFEST, FILES)
    assert run_import(runner, folder).exit_code == 0
    make_user(email="author@example.org", role=Role.ADMIN)
    login(client, "author@example.org")
    workspace = "/author/demo-course"
    page = client.get(workspace).get_data(as_text=True)
    assert 'id="pass-mark-first"' in page and 'value="80"' in page
    saved = post_form(client, workspace + "/modules/first/check-rules",
                      {"pass_mark": "90", "max_attempts": "", "attempt_wait": "", "must_pass": "y"}, token_from=workspace)
    assert saved.status_code == 302
    assert rules("first") == (90, None, None, True, None)

    manifest = Path(folder / "course.yml")
    manifest.write_text(MANIFEST.replace("pass_mark: 80", "pass_mark: 75").replace("draw: 2", "draw: 3"))
    result = run_import(runner, folder)
    assert result.exit_code == 0, result.output
    assert rules("first") == (90, None, None, True, None), "the author's rules stay"
    assert "pass_mark, max_attempts, attempt_wait, must_pass and draw of module first" in result.output
    assert rules("second") == (70, None, None, True, 3), "what only the package changed is applied"


def test_bad_rules_in_the_workspace_change_nothing(app, client, runner, tmp_path):
    assert run_import(runner, write_package(tmp_path, MANIFEST, FILES)).exit_code == 0
    make_user(email="author@example.org", role=Role.ADMIN)
    login(client, "author@example.org")
    workspace = "/author/demo-course"
    for bad in ({"pass_mark": "0"}, {"pass_mark": "101"}, {"pass_mark": "x"}, {"pass_mark": "70", "draw": "-1"},
                {"pass_mark": "70", "max_attempts": "1.5"}):
        response = post_form(client, workspace + "/modules/first/check-rules", bad, token_from=workspace)
        assert response.status_code == 302
        assert "Nothing was saved. Give whole numbers" in client.get(workspace).get_data(as_text=True)
        assert rules("first") == (80, 3, 60, False, None)
    refused = client.post(workspace + "/modules/first/check-rules", data={"pass_mark": "90"})
    assert refused.status_code in (302, 400) and rules("first") == (80, 3, 60, False, None), "no CSRF token"


def test_course_yml_rules_out_of_range_or_a_draw_larger_than_the_pool_are_refused(app, runner, tmp_path):
    for n, (manifest, named) in enumerate([
        (MANIFEST.replace("pass_mark: 80", "pass_mark: 0"), "pass_mark"),
        (MANIFEST.replace("max_attempts: 3", "max_attempts: lots"), "max_attempts"),
        (MANIFEST.replace("must_pass: false", "must_pass: maybe"), "must_pass"),
        (MANIFEST.replace("draw: 2", "draw: 4"), "“draw” asks for 4 questions, but modules/second/en.md has 3"),
    ]):
        result = run_import(runner, write_package(tmp_path / str(n), manifest, FILES))
        assert result.exit_code != 0 and named in result.output, result.output
    assert db.session.scalar(select(Module)) is None
