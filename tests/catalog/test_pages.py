from __future__ import annotations

from html import escape

import pytest
from babel.support import Translations

from lms.core.types import utcnow
from lms.extensions import db
from lms.learning import services as learning
from tests.conftest import ROOT, count_queries, login, post_form
from tests.factories import make_course, make_member, make_user


def _seed(modules: int, learners: int, viewer_email: str):
    """A course of ``modules`` modules, other learners with progress, and a viewer halfway through."""
    course = make_course(modules=modules, languages=("en", "sv"))
    viewer = make_user(email=viewer_email)
    for n in range(learners):
        other = make_member()
        for module in course.modules[: n % modules + 1]:
            learning.complete_module(user=other, module=module, at=utcnow())
    for module in course.modules[: modules // 2]:
        learning.complete_module(user=viewer, module=module, at=utcnow())
    db.session.commit()
    return course


PAGES = {
    "catalogue": "/",
    "course": "/courses/{slug}",
    "module": "/courses/{slug}/modules/module-3",
    "dashboard": "/dashboard",
}


@pytest.mark.parametrize("page", PAGES)
def test_pages_run_a_fixed_number_of_queries(app, page):
    counts = {}
    for modules, learners in ((5, 2), (50, 20)):
        course = _seed(modules, learners, f"viewer{modules}@example.org")
        client = app.test_client()
        login(client, f"viewer{modules}@example.org")
        path = PAGES[page].format(slug=course.slug)
        assert client.get(path).status_code == 200  # a module's first visit also records it
        db.session.expunge_all()
        with count_queries() as statements:
            assert client.get(path).status_code == 200
        counts[modules] = len(statements)
    assert counts[5] == counts[50], counts
    print(f"{page}: {counts[5]} queries")


def test_module_page_falls_back_and_says_so(client):
    course = make_course(modules=2, languages=("en", "sv"))
    make_user(email="a@example.org", language="nb")
    login(client, "a@example.org")
    html = client.get(f"/courses/{course.slug}/modules/module-1").get_data(as_text=True)
    # Bokmål is missing: nb → nn → da → sv, so Swedish is shown and the page says so.
    assert "Text of module 1 in sv." in html
    assert 'class="module-content" lang="sv"' in html
    # ... in the reader's language.
    nb = Translations.load(str(ROOT / "translations"), ["nb"])
    notice = nb.gettext("This module is not yet available in the language you chose, so it is shown in another one.")
    assert escape(notice) in html
    assert escape(nb.gettext("Language: %(language)s") % {"language": "svenska"}) in html
    assert '<html lang="nb">' in html


def test_module_in_the_chosen_language_has_no_fallback_notice(client):
    course = make_course(modules=1, languages=("en", "fi"))
    make_user(email="a@example.org", language="fi")
    login(client, "a@example.org")
    html = client.get(f"/courses/{course.slug}/modules/module-1").get_data(as_text=True)
    assert "Text of module 1 in fi." in html and 'lang="fi"' in html
    assert 'class="notice"' not in html


def test_rendered_html_is_cached_per_revision(client, monkeypatch):
    from lms.content import markdown

    calls = []
    real = markdown.render_module_file
    monkeypatch.setattr(markdown, "render_module_file", lambda text, **kw: calls.append(text) or real(text, **kw))
    course = make_course(modules=1)
    make_user(email="a@example.org")
    login(client, "a@example.org")
    for _ in range(3):
        assert client.get(f"/courses/{course.slug}/modules/module-1").status_code == 200
    assert len(calls) == 1


def test_catalogue_and_course_page_in_the_learners_language(client):
    course = make_course(modules=2, languages=("en", "fi"))
    response = client.get("/", headers={"Accept-Language": "fi-FI,fi;q=0.9,en;q=0.5"})
    html = response.get_data(as_text=True)
    assert f"Course {course.slug.split('-')[1]} (fi)" in html
    html = client.get(f"/courses/{course.slug}", headers={"Accept-Language": "fi"}).get_data(as_text=True)
    assert "Module 1 (fi)" in html and "Module 2 (fi)" in html
    # A language choice in the page wins over the browser's.
    post_form(client, "/language", {"language": "en", "next": "/"}, token_from="/")
    html = client.get(f"/courses/{course.slug}", headers={"Accept-Language": "fi"}).get_data(as_text=True)
    assert "Module 1 (en)" in html


def test_language_switch_refuses_unknown_languages_and_foreign_redirects(client):
    response = post_form(client, "/language", {"language": "xx", "next": "/"}, token_from="/")
    assert response.status_code == 400
    response = post_form(client, "/language", {"language": "sv", "next": "https://evil.example/"}, token_from="/")
    assert response.headers["Location"] == "/"
