"""Importing a package again applies only what the package changed, never undoing what authors
changed in the browser (as ``make run`` does at every start)."""

from __future__ import annotations

from sqlalchemy import delete, select

from lms.accounts.models import Role
from lms.authoring import services as authoring
from lms.catalog.models import Course, CourseMedia, Module, ModuleRevision, RevisionStatus
from lms.content import revisions
from lms.content.models import CoursePackageState
from lms.core.audit import AuditEvent, describe
from lms.extensions import db
from tests.content.test_packages import MANIFEST as PACKAGE_MANIFEST
from tests.content.test_packages import PNG, run_import, write_package
from tests.factories import make_user

PNG_2 = PNG[:-12] + bytes(12)  # other bytes with the same name (replaced in the browser)


def _course() -> Course:
    db.session.expire_all()
    return db.session.scalar(select(Course).where(Course.slug == "demo-course"))


def _module(slug: str) -> Module:
    return db.session.scalar(select(Module).where(Module.slug == slug))


def _shown(slug: str, language: str) -> str:
    revision = revisions.newest(_module(slug), language, published=True)
    return revision.body if revision else ""


def _author():
    return make_user(email="author@example.org", role=Role.ADMIN)


def _write(author, slug: str, text: str, *, publish: bool = True) -> None:
    """What an author does in the editor: save a text from the newest revision."""
    module = _module(slug)
    authoring.save_text(user=author, course=_course(), module=module, language="en", text=text,
                        base_id=revisions.newest(module, "en").id, publish=publish)
    db.session.commit()


def _edit_everything_in_the_browser(author) -> None:
    course = _course()
    details = authoring.CourseDetails(
        slug=course.slug, default_language="en", version="1.1", estimated_hours=course.estimated_hours,
        published=True, titles={"en": "Demo course, as edited", "fi": "Esimerkkikurssi"},
        summaries={"en": "A short course.", "fi": "Lyhyt kurssi."})
    authoring.update_course(user=author, course=course, details=details)
    _write(author, "first", "# First\n\nEdited here.\n")
    course, first = _course(), _module("first")
    authoring.move_module(user=author, course=course, module=_module("second"), offset=-1)
    authoring.set_module_published(user=author, course=course, module=first, published=False)
    authoring.remove_module(user=author, course=course, module=_module("third"))
    authoring.upload_image(user=author, course=course, filename="figure.png", data=PNG_2)
    db.session.commit()


MANIFEST = PACKAGE_MANIFEST.replace("- slug: second\n  published: false\n", "- slug: second\n- slug: third\n")
FILES = {
    "first/en.md": "# First\n\nHello.\n\n![A figure](media/figure.png)\n",
    "first/fi.md": "# Ensimmäinen\n\nHei.\n",
    "second/en.md": "# Second\n\nMore.\n",
    "third/en.md": "# Third\n\nLast.\n",
}


def _package(tmp_path):
    folder = write_package(tmp_path, MANIFEST, FILES)
    (folder / "media").mkdir()
    (folder / "media" / "figure.png").write_bytes(PNG)
    return folder


def test_importing_again_keeps_every_change_made_in_the_browser(app, runner, tmp_path):
    folder = _package(tmp_path)
    assert run_import(runner, folder).exit_code == 0
    _edit_everything_in_the_browser(_author())

    again = run_import(runner, folder)  # what `make run` does at every start
    assert again.exit_code == 0, again.output
    assert "0 new, 0 updated, 0 text(s) added, 0 module(s) archived" in again.output
    course = _course()
    assert course.version == "1.1"
    assert {t.language: t.title for t in course.texts}["en"] == "Demo course, as edited"
    assert "Edited here." in _shown("first", "en")
    assert _module("first").published is False
    assert _module("third").archived_at is not None
    assert [m.slug for m in sorted(course.modules, key=lambda m: m.position) if m.archived_at is None] == \
        ["second", "first"]
    figure = db.session.scalar(select(CourseMedia).where(CourseMedia.name == "figure.png"))
    assert figure.size == len(PNG_2)


def test_what_the_package_changed_is_applied_and_written_to_the_change_log(app, runner, tmp_path):
    folder = _package(tmp_path)
    assert run_import(runner, folder).exit_code == 0
    _write(_author(), "second", "# Second\n\nEdited here.\n")

    (folder / "modules" / "first" / "fi.md").write_text("# Ensimmäinen\n\nHei taas.\n", encoding="utf-8")
    (folder / "course.yml").write_text(MANIFEST.replace("version: '1.0'", "version: '1.2'")
                                       .replace("- slug: third\n", ""), encoding="utf-8")
    import shutil

    shutil.rmtree(folder / "modules" / "third")
    result = run_import(runner, folder)
    assert result.exit_code == 0, result.output
    assert "0 new, 1 updated, 1 text(s) added, 1 module(s) archived" in result.output
    assert "Hei taas." in _shown("first", "fi")
    assert _course().version == "1.2"
    assert _module("third").archived_at is not None
    assert "Edited here." in _shown("second", "en"), "what the package did not change stays as edited"
    log = [describe(e) for e in db.session.scalars(select(AuditEvent).where(AuditEvent.user_id.is_(None)))]
    assert "Text published by the package import (suomi)" in log
    assert "Setting changed by the package import" in log
    assert "Module removed by the package import" in log


def test_a_change_made_on_both_sides_keeps_the_browsers_version_unless_overwritten(app, runner, tmp_path):
    folder = _package(tmp_path)
    assert run_import(runner, folder).exit_code == 0
    _write(_author(), "first", "# First\n\nEdited here.\n")
    (folder / "modules" / "first" / "en.md").write_text("# First\n\nChanged in the package.\n", encoding="utf-8")

    kept = run_import(runner, folder)
    assert kept.exit_code == 0
    assert "kept the version changed in NordLearn since the last import: demo-course: modules/first/en.md" \
        in kept.output
    assert "--overwrite" in kept.output
    assert "Edited here." in _shown("first", "en")
    assert run_import(runner, folder).output.count("kept the version") == 0, "reported once, not at every start"

    (folder / "modules" / "first" / "en.md").write_text("# First\n\nChanged again.\n", encoding="utf-8")
    overwritten = runner.invoke(args=["courses", "import", str(folder), "--overwrite"])
    assert overwritten.exit_code == 0, overwritten.output
    assert "Changed again." in _shown("first", "en")
    history = db.session.scalars(select(ModuleRevision.body).where(
        ModuleRevision.module_id == _module("first").id, ModuleRevision.language == "en")).all()
    assert any("Edited here." in body for body in history), "the author's text stays in the history"


def test_a_draft_in_progress_counts_as_a_change_made_here(app, runner, tmp_path):
    folder = _package(tmp_path)
    assert run_import(runner, folder).exit_code == 0
    _write(_author(), "second", "# Second\n\nA draft.\n", publish=False)
    (folder / "modules" / "second" / "en.md").write_text("# Second\n\nNew in the package.\n", encoding="utf-8")
    result = run_import(runner, folder)
    assert "modules/second/en.md" in result.output
    newest = revisions.newest(_module("second"), "en")
    assert newest.status is RevisionStatus.DRAFT and "A draft." in newest.body


def test_a_course_imported_before_package_states_were_kept_is_not_undone(app, runner, tmp_path):
    folder = _package(tmp_path)
    assert run_import(runner, folder).exit_code == 0
    db.session.execute(delete(CoursePackageState))  # as after the upgrade of an older installation
    db.session.commit()
    _write(_author(), "first", "# First\n\nEdited here.\n")
    (folder / "modules" / "second" / "en.md").write_text("# Second\n\nNew in the package.\n", encoding="utf-8")

    result = run_import(runner, folder)
    assert result.exit_code == 0, result.output
    assert "Edited here." in _shown("first", "en")
    assert "New in the package." in _shown("second", "en"), "a text nobody edited here follows the package"
    assert db.session.get(CoursePackageState, _course().id) is not None
