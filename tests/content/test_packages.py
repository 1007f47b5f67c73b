from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from sqlalchemy import func, select

from lms.catalog.models import Course, CourseText, Module, ModuleRevision
from lms.content import packages
from lms.core.types import utcnow
from lms.extensions import db
from lms.learning import services as learning
from lms.learning.models import ModuleProgress
from tests.conftest import ROOT
from tests.factories import make_user

MANIFEST = """\
slug: demo-course
default_language: en
version: '1.0'
estimated_hours: 2.5
published: true
title:
  en: Demo course
  fi: Esimerkkikurssi
summary:
  en: A short course.
  fi: Lyhyt kurssi.
modules:
- slug: first
- slug: second
  published: false
"""


# The smallest valid PNG: a 1×1 transparent pixel.
PNG = bytes.fromhex(
    "89504e470d0a1a0a0000000d4948445200000001000000010806000000"
    "1f15c4890000000d49444154789c6300010000000500010d0a2db40000000049454e44ae426082"
)


def write_package(root: Path, manifest: str = MANIFEST, files: dict[str, str] | None = None) -> Path:
    folder = root / "demo-course"
    folder.mkdir(parents=True)
    (folder / "course.yml").write_text(manifest, encoding="utf-8")
    files = files if files is not None else {
        "first/en.md": "# First\n\nHello.\n",
        "first/fi.md": "# Ensimmäinen\n\nHei.\n",
        "second/en.md": "# Second\n\nMore.\n",
    }
    for name, text in files.items():
        path = folder / "modules" / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(text.encode("utf-8"))
    return folder


def snapshot() -> dict[str, int]:
    """Row counts of everything an import may write."""
    return {model.__tablename__: db.session.scalar(select(func.count()).select_from(model))
            for model in (Course, CourseText, Module, ModuleRevision, ModuleProgress)}


def files_of(folder: Path) -> dict[str, bytes]:
    return {str(p.relative_to(folder)): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()}


def run_import(runner, path: Path):
    return runner.invoke(args=["courses", "import", str(path)])


def test_sample_courses_import_then_export_byte_identical(runner, tmp_path):
    result = run_import(runner, ROOT / "courses")
    assert result.exit_code == 0, result.output
    assert "Importing courses" in result.output
    for package in packages.find_packages(ROOT / "courses"):
        exported = runner.invoke(args=["courses", "export", package.name, str(tmp_path / "out")])
        assert exported.exit_code == 0, exported.output
        original = {k: v for k, v in files_of(package).items() if k != "README.md"}
        assert files_of(tmp_path / "out" / package.name) == original


def test_import_is_idempotent_and_reimport_updates_without_touching_progress(app, runner, tmp_path):
    folder = write_package(tmp_path)
    assert run_import(runner, folder).exit_code == 0
    first = snapshot()
    again = run_import(runner, folder)
    assert again.exit_code == 0
    assert "0 new, 0 updated, 0 text(s) added" in again.output
    assert snapshot() == first

    learner = make_user()
    module = db.session.scalar(select(Module).where(Module.slug == "first"))
    completed = learning.complete_module(user=learner, module=module, at=utcnow())
    db.session.commit()

    (folder / "modules" / "first" / "en.md").write_text("# First, revised\n\nHello again.\n", encoding="utf-8")
    updated = run_import(runner, folder)
    assert updated.exit_code == 0, updated.output
    assert "0 new, 1 updated, 1 text(s) added" in updated.output
    counts = snapshot()
    assert counts["courses"] == 1 and counts["modules"] == 2
    assert counts["module_revisions"] == first["module_revisions"] + 1
    progress = db.session.scalars(select(ModuleProgress)).all()
    assert [(p.user_id, p.module_id, p.completed_at) for p in progress] == [
        (learner.id, module.id, completed.completed_at)
    ]


def test_export_gives_back_a_generated_package_byte_for_byte(runner, tmp_path):
    folder = write_package(tmp_path / "in")
    assert run_import(runner, folder).exit_code == 0
    result = runner.invoke(args=["courses", "export", "demo-course", str(tmp_path / "out")])
    assert result.exit_code == 0, result.output
    assert files_of(tmp_path / "out" / "demo-course") == files_of(folder)
    refused = runner.invoke(args=["courses", "export", "demo-course", str(tmp_path / "out")])
    assert refused.exit_code != 0 and "--force" in refused.output
    assert runner.invoke(args=["courses", "export", "nope", str(tmp_path / "x")]).exit_code != 0


def test_a_module_left_out_of_the_package_is_archived_and_keeps_progress(app, runner, tmp_path):
    folder = write_package(tmp_path)
    assert run_import(runner, folder).exit_code == 0
    learner = make_user()
    second = db.session.scalar(select(Module).where(Module.slug == "second"))
    learning.complete_module(user=learner, module=second, at=utcnow())
    db.session.commit()
    (folder / "course.yml").write_text(MANIFEST.replace("- slug: second\n  published: false\n", ""), encoding="utf-8")
    shutil.rmtree(folder / "modules" / "second")
    result = run_import(runner, folder)
    assert result.exit_code == 0, result.output
    assert "1 module(s) archived" in result.output
    db.session.expire_all()
    assert db.session.get(Module, second.id).archived_at is not None
    assert db.session.scalar(select(func.count()).select_from(ModuleProgress)) == 1


BROKEN = [
    # (what is wrong, change to make, file named in the message, line or None)
    ("yaml syntax", {"course.yml": MANIFEST.replace("title:\n", "title: [\n")}, "course.yml", 8),
    ("unknown key", {"course.yml": MANIFEST.replace("published: true\n", "published: true\ncolour: red\n")},
     "course.yml", 6),
    ("bad language", {"course.yml": MANIFEST.replace("  fi: Lyhyt", "  xx: Lyhyt")}, "course.yml", 11),
    ("hours not a number", {"course.yml": MANIFEST.replace("2.5", "two")}, "course.yml", 4),
    ("slug differs from folder", {"course.yml": MANIFEST.replace("slug: demo-course", "slug: other")},
     "course.yml", 1),
    ("module listed twice", {"course.yml": MANIFEST.replace("- slug: second\n", "- slug: first\n")},
     "course.yml", 14),
    ("missing module folder", {"course.yml": MANIFEST + "- slug: third\n"}, "course.yml", 16),
    ("no default-language title", {"course.yml": MANIFEST.replace("  en: Demo course\n", "")}, "course.yml", 6),
    ("missing title line", {"modules/first/en.md": "Hello without a title\n"}, "first/en.md", 1),
    ("title but no text", {"modules/first/fi.md": "# Otsikko\n\n"}, "first/fi.md", 2),
    ("not utf-8", {"modules/first/fi.md": b"# Otsikko\n\nHyv\xe4\n"}, "first/fi.md", 3),
    ("file with unknown language", {"modules/first/xx.md": "# X\n\ny\n"}, "first/xx.md", None),
    ("folder not listed", {"modules/stray/en.md": "# Stray\n\ny\n"}, "modules/stray", None),
    ("image not in media", {"modules/first/en.md": "# First\n\n![A chart](media/missing.png)\n"}, "first/en.md", 3),
    ("image without alt text", {"modules/first/en.md": "# First\n\n![](media/chart.png)\n",
                                "media/chart.png": PNG}, "first/en.md", 3),
    ("not really a png", {"media/chart.png": b"<svg onload=alert(1)>"}, "media/chart.png", None),
    ("unsafe media name", {"media/Chart 1.PNG": PNG}, "media/Chart 1.PNG", None),
    ("svg is not accepted", {"media/chart.svg": b"<svg></svg>"}, "media/chart.svg", None),
    ("no default-language file", {"modules/second/en.md": None, "modules/second/fi.md": "# T\n\nb\n"},
     "modules/second", None),
]


@pytest.mark.parametrize(("case", "changes", "named", "line"), BROKEN, ids=[b[0] for b in BROKEN])
def test_malformed_package_is_refused_whole_with_file_and_line(app, runner, tmp_path, case, changes, named, line):
    # A good course imported first: a refused import must leave it exactly as it was.
    good = write_package(tmp_path / "good")
    assert run_import(runner, good).exit_code == 0
    (good / "modules" / "first" / "en.md").write_text("# First\n\nChanged in the good one.\n", encoding="utf-8")
    before = snapshot()

    bad_root = tmp_path / "bad"
    shutil.copytree(good, bad_root / "demo-course")
    for name, content in changes.items():
        path = bad_root / "demo-course" / name
        if content is None:
            path.unlink()
            continue
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(content if isinstance(content, bytes) else content.encode("utf-8"))
    # The broken package travels with a valid one: neither may be imported.
    shutil.copytree(ROOT / "courses" / "pharmacovigilance-fundamentals", bad_root / "pharmacovigilance-fundamentals")

    result = run_import(runner, bad_root)
    assert result.exit_code != 0
    assert "nothing was imported" in result.output
    error_lines = [l for l in result.output.splitlines() if l.startswith("error:")]
    assert any(named in l and (line is None or f":{line}:" in l) for l in error_lines), result.output
    db.session.expire_all()
    assert snapshot() == before
    assert db.session.scalar(select(Course).where(Course.slug == "pharmacovigilance-fundamentals")) is None


def test_empty_folder_is_refused(runner, tmp_path):
    result = run_import(runner, tmp_path)
    assert result.exit_code != 0 and "no course package here" in result.output


def test_course_images_are_imported_served_and_exported(app, client, runner, tmp_path):
    folder = write_package(tmp_path / "in", files={
        "first/en.md": "# First\n\n![A tiny transparent square](media/pixel.png)\n",
        "second/en.md": "# Second\n\nMore.\n",
    })
    (folder / "media").mkdir()
    (folder / "media" / "pixel.png").write_bytes(PNG)
    assert run_import(runner, folder).exit_code == 0
    assert "0 new, 0 updated" in run_import(runner, folder).output  # unchanged image: nothing to do

    with client.get("/courses/demo-course/media/pixel.png") as response:
        assert response.status_code == 200
        assert response.headers["Content-Type"] == "image/png"
        assert response.get_data() == PNG
    assert client.get("/courses/demo-course/media/other.png").status_code == 404
    assert client.get("/courses/demo-course/media/../course.yml").status_code == 404

    from tests.conftest import login
    from tests.factories import make_user

    make_user(email="a@example.org")
    login(client, "a@example.org")
    html = client.get("/courses/demo-course/modules/first").get_data(as_text=True)
    assert '<img src="/courses/demo-course/media/pixel.png" alt="A tiny transparent square" loading="lazy">' in html

    exported = runner.invoke(args=["courses", "export", "demo-course", str(tmp_path / "out")])
    assert exported.exit_code == 0, exported.output
    assert files_of(tmp_path / "out" / "demo-course") == files_of(folder)

    course = db.session.scalar(select(Course).where(Course.slug == "demo-course"))
    course.published = False
    db.session.commit()
    assert client.get("/courses/demo-course/media/pixel.png").status_code == 404
