"""Regulatory currency: the sources a course cites come from course.yml and go back to it; marking one as
changed puts every module citing it up for review in each of its languages until that text is revised or
confirmed; learners see when a module was last reviewed and the law-as-at date."""

from __future__ import annotations

from datetime import date
from html import unescape

from sqlalchemy import select

from lms.accounts.models import Role
from lms.catalog.models import Course, Module, RevisionStatus
from lms.content import revisions
from lms.extensions import db
from lms.sources.models import CourseSource
from tests.conftest import login, post_form
from tests.content.test_packages import files_of, run_import, write_package
from tests.factories import make_user

MANIFEST = """\
slug: demo-course
default_language: en
version: '1.0'
estimated_hours: 2.5
published: true
law_as_at: '2026-12-01'
title:
  en: Demo course
  fi: Esimerkkikurssi
summary:
  en: A short course.
sources:
- id: mdr
  title: Regulation (EU) 2017/745 (MDR)
  version: latest consolidated version on EUR-Lex
  url: https://eur-lex.europa.eu/eli/reg/2017/745/oj
- id: mdcg-2019-11
  title: MDCG 2019-11, qualification and classification of software
  version: Rev.1, June 2025
modules:
- slug: first
  sources:
  - mdr
  - mdcg-2019-11
  translated_from:
    fi: en@6c66b4d2e7d5bbb8
- slug: second
  sources:
  - mdr
"""

def package(tmp_path):
    import hashlib

    files = {"first/en.md": "# First\n\nHello.\n", "first/fi.md": "# Ensimmäinen\n\nHei.\n",
             "second/en.md": "# Second\n\nMore.\n"}
    digest = hashlib.sha256(files["first/en.md"].encode()).hexdigest()[:16]
    return write_package(tmp_path, MANIFEST.replace("6c66b4d2e7d5bbb8", digest), files)


def test_sources_come_from_course_yml_and_go_back_to_it(app, runner, tmp_path):
    folder = package(tmp_path / "in")
    assert run_import(runner, folder).exit_code == 0
    assert [(s.key, s.version) for s in db.session.scalars(select(CourseSource))] == [
        ("mdr", "latest consolidated version on EUR-Lex"), ("mdcg-2019-11", "Rev.1, June 2025")]
    exported = runner.invoke(args=["courses", "export", "demo-course", str(tmp_path / "out")])
    assert exported.exit_code == 0, exported.output
    assert files_of(tmp_path / "out" / "demo-course") == files_of(folder)
    again = run_import(runner, folder)
    assert "0 new, 0 updated" in again.output


def test_a_changed_source_puts_its_modules_up_for_review_in_every_language(app, client, runner, tmp_path):
    assert run_import(runner, package(tmp_path)).exit_code == 0
    make_user(email="author@example.org", role=Role.ADMIN)
    login(client, "author@example.org")
    sources_page = "/author/demo-course/sources"
    assert "No module is due for review." in client.get(sources_page).get_data(as_text=True)
    marked = post_form(client, sources_page + "/mdcg-2019-11/changed", {"note": "Rev.2 published"},
                       token_from=sources_page)
    assert marked.status_code == 302
    page = unescape(client.get(sources_page).get_data(as_text=True))
    assert "Rev.2 published" in page and page.count("Reviewed, no change needed") == 2  # first: en and fi
    workspace = unescape(client.get("/author/demo-course").get_data(as_text=True))
    assert workspace.count("Review due") == 1 and "Languages: en, fi" in workspace  # second cites only mdr
    assert "Review due: en, fi" in unescape(client.get("/author/demo-course/translations").get_data(as_text=True))

    confirmed = post_form(client, sources_page + "/reviews/first", {"language": "fi"}, token_from=sources_page)
    assert confirmed.status_code == 302
    module = db.session.scalar(select(Module).where(Module.slug == "first"))
    revisions.add(module=module, language="en", text="# First\n\nHello, revised against Rev.2.\n",
                  status=RevisionStatus.PUBLISHED, author_id=None, base=revisions.newest(module, "en"))
    db.session.commit()
    assert "No module is due for review." in client.get(sources_page).get_data(as_text=True)
    assert "Review due" not in client.get("/author/demo-course").get_data(as_text=True)


def test_learners_see_when_a_module_was_reviewed_against_which_law(app, client, runner, tmp_path):
    assert run_import(runner, package(tmp_path)).exit_code == 0
    make_user(email="a@example.org")
    login(client, "a@example.org")
    page = unescape(client.get("/courses/demo-course/modules/first").get_data(as_text=True))
    assert "against the law as at December 1, 2026." in page and "Reviewed on" in page
    assert db.session.scalar(select(Course.law_as_at)) == date(2026, 12, 1)


def test_only_the_courses_authors_mark_sources_and_bad_sources_are_refused(app, client, runner, tmp_path):
    assert run_import(runner, package(tmp_path / "ok")).exit_code == 0
    make_user(email="a@example.org")
    login(client, "a@example.org")
    assert client.get("/author/demo-course/sources").status_code == 404
    assert post_form(client, "/author/demo-course/sources/mdr/changed", {"note": "x"},
                     token_from="/dashboard").status_code == 404
    assert db.session.scalar(select(CourseSource.changed_at).where(CourseSource.key == "mdr")) is None
    for n, (bad, message) in enumerate([
        (MANIFEST.replace("  - mdcg-2019-11\n", "  - gvp-ix\n"), "cites gvp-ix"),
        (MANIFEST.replace("- id: mdcg-2019-11", "- id: mdr"), "each given once"),
        (MANIFEST.replace("  version: Rev.1, June 2025\n", ""), "needs an id, a title and a version"),
        (MANIFEST.replace("https://eur-lex", "http://eur-lex"), "must start with https://"),
    ]):
        folder = write_package(tmp_path / str(n), bad, {"first/en.md": "# First\n\nHello.\n",
                                                        "first/fi.md": "# Ensimmäinen\n\nHei.\n",
                                                        "second/en.md": "# Second\n\nMore.\n"})
        result = run_import(runner, folder)
        assert result.exit_code != 0 and message in result.output, result.output
