"""Course packages from the browser, and knowledge-check questions in module Markdown."""

from __future__ import annotations

import io
import zipfile
from pathlib import Path

import pytest
from sqlalchemy import func, select

from lms.accounts.models import Role
from lms.catalog.models import ModuleRevision
from lms.content import checks
from lms.extensions import db
from tests.authoring.test_authoring import author_client
from tests.conftest import ROOT, post_form
from tests.content.test_packages import write_package

COURSE = "eu-mdr-ivdr-essentials"


def unzip(data: bytes) -> dict[str, bytes]:
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        return {name: archive.read(name) for name in archive.namelist()}


def files_of(folder: Path) -> dict[str, bytes]:
    return {p.relative_to(folder.parent).as_posix(): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()}


def zipped(folder: Path, *, prefix: str = "") -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        for path in sorted(folder.rglob("*")):
            if path.is_file():
                archive.write(path, prefix + path.relative_to(folder.parent).as_posix())
    return buffer.getvalue()


def upload(client, course: str, data: bytes, name: str = "package.zip"):
    path = f"/author/{course}/package"
    return post_form(client, path, {"package": (io.BytesIO(data), name)}, token_from=path,
                     content_type="multipart/form-data")


def test_the_downloaded_package_is_byte_identical_to_the_cli_export(app, runner, sample_courses, tmp_path):
    admin = author_client(app, "admin@example.org", role=Role.ADMIN)
    response = admin.get(f"/author/{COURSE}/package.zip")
    assert response.status_code == 200 and response.headers["Content-Type"] == "application/zip"
    downloaded = unzip(response.data)
    result = runner.invoke(args=["courses", "export", COURSE, str(tmp_path)])
    assert result.exit_code == 0, result.output
    exported = files_of(tmp_path / COURSE)
    assert downloaded == exported
    assert downloaded == files_of(ROOT / "courses" / COURSE)  # and the sample package in the repository
    assert len(downloaded) == 1 + 10 * 6 + 1  # course.yml, 5 modules and the final test in 10 languages, one image
    again = admin.get(f"/author/{COURSE}/package.zip").data
    assert again == response.data  # fixed timestamps: the same course gives the same zip


def test_an_upload_shows_what_it_would_change_and_changes_nothing_until_applied(app, sample_courses, tmp_path):
    admin = author_client(app, "admin@example.org", role=Role.ADMIN)
    folder = tmp_path / COURSE
    for name, data in unzip(admin.get(f"/author/{COURSE}/package.zip").data).items():
        (tmp_path / name).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / name).write_bytes(data)
    (folder / "modules/classification/sv.md").write_text(
        (folder / "modules/classification/sv.md").read_text(encoding="utf-8") + "\nEn ny mening.\n", encoding="utf-8")
    (folder / "modules/post-market/is.md").unlink()
    manifest = (folder / "course.yml").read_text(encoding="utf-8")
    head, tail = manifest.split("- slug: post-market\n")
    block, rest = tail.split("- slug: final-test\n")  # only post-market's Icelandic source goes
    block = "\n".join(line for line in block.split("\n") if not line.startswith("    is: "))
    (folder / "course.yml").write_text(head + "- slug: post-market\n" + block + "- slug: final-test\n" + rest,
                                       encoding="utf-8")
    before = db.session.scalar(select(func.count()).select_from(ModuleRevision))

    preview = upload(admin, COURSE, zipped(folder))
    html = preview.get_data(as_text=True)
    assert preview.status_code == 200
    assert "<code>classification</code>" in html and "changed languages: sv" in html
    assert "<code>post-market</code>" in html and "withdrawn languages: is" in html
    assert "scope-and-roles" not in html  # unchanged modules are not listed
    assert db.session.scalar(select(func.count()).select_from(ModuleRevision)) == before

    key = html.split('name="key" value="')[1].split('"')[0]
    applied = post_form(admin, f"/author/{COURSE}/package/apply", {"key": key}, token_from=f"/author/{COURSE}/package")
    assert applied.status_code == 302
    assert db.session.scalar(select(func.count()).select_from(ModuleRevision)) == before + 2
    assert post_form(admin, f"/author/{COURSE}/package/apply", {"key": key},
                     token_from=f"/author/{COURSE}/package").status_code == 404  # applied once
    assert "package applied" in admin.get(f"/author/{COURSE}/log").get_data(as_text=True)


@pytest.mark.parametrize(("case", "expected"), [
    ("broken-question", "demo-course/modules/first/en.md:3"),
    ("other-course", "this package is for the course"),
    ("not-a-zip", "this file is not a zip archive"),
    ("escaping-path", "the zip holds a file outside its folder"),
    ("too-large", "the zip is too large"),
])
def test_malformed_uploads_are_refused_with_file_and_line(app, tmp_path, case, expected):
    author = author_client(app)
    post_form(author, "/author/new", {"slug": "demo-course", "default_language": "en", "version": "1.0",
                                      "estimated_hours": "1", "title_en": "Demo"}, token_from="/author/new")
    files = {"first/en.md": "# First\n\n::: question single\nWhich?\n- [ ] A\n:::\n", "first/fi.md": "# E\n\nHei.\n",
             "second/en.md": "# Second\n\nMore.\n"} if case == "broken-question" else None
    folder = write_package(tmp_path / "in", files=files)
    data = zipped(folder)
    if case == "other-course":
        data = zipped(write_package(tmp_path / "other", manifest=(folder / "course.yml").read_text().replace(
            "slug: demo-course", "slug: other-course")).rename(tmp_path / "other" / "other-course"))
    elif case == "not-a-zip":
        data = b"PK\x03\x04 not really"
    elif case == "too-large":  # 201 MiB of zeros: a few hundred KiB zipped
        buffer = io.BytesIO()
        with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_DEFLATED, compresslevel=9) as archive:
            archive.writestr("demo-course/modules/first/en.md", b"\0" * (201 * 1024 * 1024))
        data = buffer.getvalue()
    elif case == "escaping-path":
        buffer = io.BytesIO()
        with zipfile.ZipFile(buffer, "w") as archive:
            archive.writestr("../../evil.txt", "x")
        data = buffer.getvalue()
    before = db.session.scalar(select(func.count()).select_from(ModuleRevision))
    response = upload(author, "demo-course", data)
    assert response.status_code == 422
    assert expected in response.get_data(as_text=True)
    assert db.session.scalar(select(func.count()).select_from(ModuleRevision)) == before
    assert not (tmp_path.parent / "evil.txt").exists()


def test_every_question_kind_parses_and_bad_ones_are_named_by_line():
    text = """# Checks

Text.

::: question single
Who signs the declaration of conformity?
- [ ] The notified body
  > No: Article 56.
- [x] The manufacturer
:::

::: question multiple
Which are economic operators?
- [x] Importers
- [x] Distributors
- [ ] Patients
:::

::: question true-false
A class I device always needs a notified body.
- [ ] True
- [x] False
  > Only class I devices that are sterile, measuring or reusable surgical instruments do.
:::

```
::: question nonsense
```
"""
    found, problems = checks.questions(text)
    assert problems == []
    assert [q.kind for q in found] == ["single", "multiple", "true-false"]
    assert [o.correct for o in found[1].options] == [True, True, False]
    assert found[0].options[0].feedback == ["No: Article 56."] and found[0].line == 5

    bad = "# T\n\nx\n\n::: question\nWhich?\n- [x] A\n- [ ] B\n:::\n\n::: question multiple\nWhich?\n- [ ] A\n- [ ] B\n" \
          ":::\n\n::: question true-false\nTrue?\n- [x] Yes\n- [ ] No\n- [ ] Maybe\n:::\n\n::: question single\nOpen?\n"
    lines = [(p.line, p.message.split(":")[0]) for p in checks.check_module_text(bad)]
    assert lines == [(5, "say which kind of question this is"), (11, "a multiple-choice question needs at least one "
                     "right option “- [x] …”"), (17, "a true-false question has exactly two options, one of them right "
                     "“- [x] …”"), (24, "this question is never closed with a line “")]


def test_a_package_with_questions_imports_and_exports_the_same_bytes(runner, tmp_path):
    text = "# First\n\nHello.\n\n::: question true-false\nThe MDR applies from 26 May 2021.\n- [x] True\n  > " \
           "Article 123(2).\n- [ ] False\n:::\n"
    folder = write_package(tmp_path / "in", files={"first/en.md": text, "first/fi.md": "# E\n\nHei.\n",
                                                   "second/en.md": "# Second\n\nMore.\n"})
    assert runner.invoke(args=["courses", "import", str(folder)]).exit_code == 0
    assert runner.invoke(args=["courses", "export", "demo-course", str(tmp_path / "out")]).exit_code == 0
    assert (tmp_path / "out/demo-course/modules/first/en.md").read_bytes() == text.encode()
