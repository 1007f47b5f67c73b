"""One reading of module Markdown: the editor, the package import and the page accept and refuse
the same texts; code hides what is in it; footnotes render once; titles and media behave."""

from __future__ import annotations

import re

import pytest
from sqlalchemy import select

from lms.accounts.models import Role
from lms.authoring import services as authoring
from lms.catalog.models import Module
from lms.content import checks, package_reader
from lms.content.markdown import render, render_module_file
from lms.extensions import db
from tests.conftest import login
from tests.content.test_packages import PNG, write_package
from tests.factories import make_user

QUESTION = "::: question single\nWhich article?\n- [ ] Article 10\n- [x] Article 83\n:::\n"
TEXTS = {
    "plain": "# T\n\nText.\n",
    "question": f"# T\n\nText.\n\n{QUESTION}",
    "question without a kind": "# T\n\nText.\n\n::: question\nWhich?\n- [x] A\n- [ ] B\n:::\n",
    "question never closed": "# T\n\nText.\n\n::: question single\nWhich?\n- [x] A\n- [ ] B\n",
    "question in a fenced block": "# T\n\nText.\n\n```\n::: question nonsense\n![](media/nowhere.png)\n```\n",
    "question in an indented block": "# T\n\nText.\n\n    ::: question nonsense\n    :::\n",
    "question in a tilde fence": "# T\n\nText.\n\n~~~markdown\n::: question\n~~~\n",
    "image with a title": '# T\n\n![A figure](media/figure.png "Figure 1: risk classes")\n',
    "image without alt": "# T\n\n![](media/figure.png)\n",
    "image on the third line": "# T\n\nOne\ntwo\n![](media/figure.png)\n",
    "image not in the media": "# T\n\n![A figure](media/other.png)\n",
    "image in inline code": "# T\n\nWrite `![](media/x.png)` for an image.\n",
    "video never closed": "# T\n\n::: video https://example.org/a.mp4\n",
    "video not https": "# T\n\n::: video http://example.org/a.mp4\n:::\n",
    "no title": "Text only.\n",
    "title only": "# T\n",
}


def _editor_problems(text: str) -> list[tuple[int, str]]:
    return [(p.line, p.message) for p in checks.check_module_text(text, media_names={"figure.png"})]


def _import_problems(tmp_path, text: str) -> list[tuple[int | None, str]]:
    folder = write_package(tmp_path, files={"first/en.md": text, "second/en.md": "# S\n\nMore.\n"})
    (folder / "media").mkdir()
    (folder / "media" / "figure.png").write_bytes(PNG)
    try:
        package_reader.read_packages([folder])
    except package_reader.PackageError as error:
        return [(p.line, p.message) for p in error.problems if p.path.name == "en.md"]
    return []


def _rendered_as_intended(text: str) -> bool:
    html = render_module_file(text)
    return "knowledge-check-invalid" not in html and not re.search(r"<p>::: (question|video)", html)


@pytest.mark.parametrize("name", list(TEXTS))
def test_editor_package_import_and_page_accept_and_refuse_the_same_texts(app, tmp_path, name):
    text = TEXTS[name]
    editor = _editor_problems(text)
    assert _import_problems(tmp_path, text) == editor
    if _rendered_as_intended(text) is False:
        assert editor, f"{name}: the page shows it broken, so the editor must refuse it"


def test_problems_name_the_right_lines(app):
    assert _editor_problems(TEXTS["image on the third line"])[0][0] == 5
    assert _editor_problems(TEXTS["question never closed"])[0][0] == 5
    assert _editor_problems(TEXTS["question without a kind"])[0][0] == 5
    for name in ("question in a fenced block", "question in an indented block", "question in a tilde fence",
                 "image in inline code", "image with a title", "question", "plain"):
        assert _editor_problems(TEXTS[name]) == [], name


def test_code_shows_what_is_in_it_as_text(app):
    html = render_module_file(TEXTS["question in a fenced block"])
    assert "<pre><code>::: question nonsense\n![](media/nowhere.png)\n</code></pre>" in html
    assert "<fieldset" not in html and "<img" not in html


def test_an_image_with_a_title_imports_renders_and_exports_unchanged(app, runner, tmp_path):
    text = TEXTS["image with a title"]
    folder = write_package(tmp_path / "in", files={"first/en.md": text, "second/en.md": "# S\n\nMore.\n"})
    (folder / "media").mkdir()
    (folder / "media" / "figure.png").write_bytes(PNG)
    assert runner.invoke(args=["courses", "import", str(folder)]).exit_code == 0
    assert runner.invoke(args=["courses", "export", "demo-course", str(tmp_path / "out")]).exit_code == 0
    assert (tmp_path / "out/demo-course/modules/first/en.md").read_bytes() == text.encode()
    html = render_module_file(text, media_base="/m/")
    assert '<img src="/m/figure.png" alt="A figure" title="Figure 1: risk classes" loading="lazy">' in html


def test_footnotes_in_questions_and_captions_are_listed_once_with_unique_ids(app):
    text = ("A claim.[^mdr]\n\n::: question single\nWhich article?[^art]\n- [ ] Article 10\n- [x] Article 83[^mdr]\n"
            ":::\n\n::: video https://example.org/lecture.mp4\nA lecture.[^rec]\n:::\n\n"
            "[^mdr]: Regulation (EU) 2017/745.\n[^art]: Article 83(1).\n[^rec]: Recorded in 2026.\n")
    html = render(text)
    assert html.count('class="footnotes"') == 1
    assert html.index('class="footnotes"') > html.index("</fieldset>") and html.index('class="footnotes"') > \
        html.index("</figure>")
    ids = re.findall(r'\bid="([^"]+)"', html)
    assert len(ids) == len(set(ids)), "every id once"
    for note in ("Regulation (EU) 2017/745.", "Article 83(1).", "Recorded in 2026."):
        assert html.count(note) == 1
    assert '<legend>Which article?<sup class="footnote-ref">' in html


def test_the_page_title_holds_no_markup(app, client, runner, tmp_path):
    folder = write_package(tmp_path, files={"first/en.md": "# First\n\nHello.\n", "second/en.md": "# S\n\nMore.\n"})
    assert runner.invoke(args=["courses", "import", str(folder)]).exit_code == 0
    make_user(email="learner@example.org")
    login(client, "learner@example.org")
    html = client.get("/courses/demo-course/modules/first").get_data(as_text=True)
    title = re.search(r"<title>(.*?)</title>", html, re.S).group(1)
    assert "<" not in title and title.strip() == "First · NordLearn"


def test_a_corrected_subtitle_reaches_learners_at_once(app, runner, tmp_path):
    from tests.learning.test_video import package

    assert runner.invoke(args=["courses", "import", str(package(tmp_path))]).exit_code == 0
    reader = app.test_client()
    make_user(email="fi@example.org", language="fi")
    login(reader, "fi@example.org")
    page = "/courses/demo-course/modules/lecture"
    assert "Tervetuloa vaaratilanneluentoon." in reader.get(page).get_data(as_text=True)  # now cached
    admin = make_user(email="admin@example.org", role=Role.ADMIN)
    course = db.session.scalar(select(Module).where(Module.slug == "lecture")).course
    authoring.save_track(user=admin, course=course, video="lecture.webm", language="fi",
                         data=b"WEBVTT\n\n00:00.000 --> 00:04.000\nTervetuloa korjatulle luennolle.\n")
    db.session.commit()
    html = reader.get(page).get_data(as_text=True)
    assert "Tervetuloa korjatulle luennolle." in html and "vaaratilanneluentoon" not in html
