"""What a course page tells before anyone starts: level, audience, prerequisites, outcomes, the content
version with its date and law-as-at date, who reviews it and when next: from course.yml, in the reader's
language, and written back to it unchanged."""

from __future__ import annotations

from html import unescape

from tests.conftest import login
from tests.content.test_packages import files_of, run_import, write_package
from tests.factories import make_user

MANIFEST = """\
slug: demo-course
default_language: en
version: '2.0'
version_date: '2026-12-07'
estimated_hours: 2.5
published: true
level: advanced
law_as_at: '2026-12-01'
next_review: '2027-06-01'
title:
  en: Demo course
  fi: Esimerkkikurssi
summary:
  en: A short course.
  fi: Lyhyt kurssi.
audience:
  en: Vigilance officers at device manufacturers.
  fi: Valmistajien vaaratilanneasioista vastaavat.
prerequisites:
  en: Basic knowledge of the MDR.
outcomes:
  en:
  - Report a serious incident on time.
  - Tell a trend report from a serious incident report.
  fi:
  - Ilmoittaa vakavasta vaaratilanteesta ajallaan.
reviewer:
  en: A vigilance specialist
modules:
- slug: first
"""
FILES = {"first/en.md": "# First\n\nHello.\n"}


def test_course_facts_come_from_course_yml_show_on_the_course_page_and_go_back(app, client, runner, tmp_path):
    folder = write_package(tmp_path / "in", MANIFEST, FILES)
    assert run_import(runner, folder).exit_code == 0, run_import(runner, folder).output
    exported = runner.invoke(args=["courses", "export", "demo-course", str(tmp_path / "out")])
    assert exported.exit_code == 0 and files_of(tmp_path / "out" / "demo-course") == files_of(folder)

    make_user(email="a@example.org")
    login(client, "a@example.org")
    page = unescape(client.get("/courses/demo-course").get_data(as_text=True))
    for text in ("About this course", "Advanced", "Vigilance officers at device manufacturers.",
                 "Basic knowledge of the MDR.", "Report a serious incident on time.", "A vigilance specialist",
                 "pending: this is sample material", "2.0 · December 7, 2026 · law as at December 1, 2026",
                 "June 1, 2027"):
        assert text in page, text
    make_user(email="f@example.org", language="fi")
    other = app.test_client()
    login(other, "f@example.org")
    page = unescape(other.get("/courses/demo-course").get_data(as_text=True))
    assert "Valmistajien vaaratilanneasioista vastaavat." in page and "Ilmoittaa vakavasta" in page


def test_bad_course_facts_are_refused_with_their_line(app, runner, tmp_path):
    for n, (bad, message) in enumerate([
        (MANIFEST.replace("level: advanced", "level: expert"), "“level” must be foundation, intermediate or advanced"),
        (MANIFEST.replace("  fi: Valmistajien", "  sv: Valmistajien"), "has a language the course has no title in"),
        (MANIFEST.replace("next_review: '2027-06-01'", "next_review: soon"), "must be a date"),
        (MANIFEST.replace("  fi:\n  - Ilmoittaa vakavasta vaaratilanteesta ajallaan.\n", "  fi: yes\n"),
         "what learners will be able to do"),
    ]):
        result = run_import(runner, write_package(tmp_path / str(n), bad, FILES))
        assert result.exit_code != 0 and message in result.output, result.output
