"""Translation state per module and language: missing, current or outdated."""

from __future__ import annotations

import hashlib
import re
from pathlib import Path

from lms.accounts.models import Role
from tests.conftest import login, post_form
from tests.content.test_packages import files_of, run_import
from tests.factories import make_user

EN = "# Risk classes\n\nFour classes: I, IIa, IIb and III.\n"
EN_CHANGED = "# Risk classes\n\nFour classes: I, IIa, IIb and III, set by Annex VIII.\n"
FI = "# Riskiluokat\n\nNeljä luokkaa: I, IIa, IIb ja III.\n"
SV = "# Riskklasser\n\nFyra klasser: I, IIa, IIb och III.\n"


def short_hash(text: str) -> str:
    return hashlib.sha256(text.encode()).hexdigest()[:16]


def write(root: Path, en: str, fi_source: str, sv_source: str | None = None) -> Path:
    folder = root / "risk-course"
    (folder / "modules" / "classes").mkdir(parents=True, exist_ok=True)
    (folder / "modules" / "other").mkdir(parents=True, exist_ok=True)
    # In the canonical order of languages, as export writes them: sv before fi.
    sources = f"    sv: en@{short_hash(sv_source)}\n" if sv_source else ""
    sources += f"    fi: en@{short_hash(fi_source)}\n"
    (folder / "course.yml").write_text(
        "slug: risk-course\ndefault_language: en\nversion: '1.0'\nestimated_hours: 1\npublished: true\n"
        "title:\n  en: Risk\n  fi: Riski\nsummary:\n  en: About risk.\n"
        f"modules:\n- slug: classes\n  translated_from:\n{sources}- slug: other\n",
        encoding="utf-8",
    )
    (folder / "modules" / "classes" / "en.md").write_text(en, encoding="utf-8")
    (folder / "modules" / "classes" / "fi.md").write_text(FI, encoding="utf-8")
    (folder / "modules" / "classes" / "sv.md").write_text(SV, encoding="utf-8")
    (folder / "modules" / "other" / "en.md").write_text("# Other\n\nText.\n", encoding="utf-8")
    return folder


def states(client) -> dict[tuple[str, str], str]:
    """(module title, language) → the state the author sees in the table."""
    html = client.get("/author/risk-course/translations").get_data(as_text=True)
    header = re.findall(r'<th scope="col"><abbr title="[^"]*" lang="[^"]*">([a-z]{2})</abbr></th>', html)
    table = {}
    for title, cells in re.findall(r'<th scope="row" lang="en">([^<]+)</th>(.*?)</tr>', html, re.S):
        values = re.findall(r'<td class="state state-[a-z]+">(?:<a href="[^"]*">)?([^<]+)', cells)
        table.update({(title, lang): value for lang, value in zip(header, values, strict=True)})
    return table


def test_outdated_translation_is_flagged_after_the_source_changes(app, client, runner, tmp_path):
    folder = write(tmp_path, EN, fi_source=EN)  # fi made from the current English; sv: no source recorded
    assert run_import(runner, folder).exit_code == 0
    make_user(email="author@example.org", role=Role.ADMIN)
    login(client, "author@example.org")
    table = states(client)
    assert table[("Risk classes", "en")] == "Source"
    assert table[("Risk classes", "fi")] == "Current"
    assert table[("Risk classes", "sv")] == "Current"
    assert table[("Risk classes", "da")] == "Missing"
    assert table[("Other", "fi")] == "Missing"

    # The English text changes; the translations stay as they were.
    (folder / "modules" / "classes" / "en.md").write_text(EN_CHANGED, encoding="utf-8")
    assert run_import(runner, folder).exit_code == 0
    table = states(client)
    assert table[("Risk classes", "fi")] == "Outdated"
    assert table[("Risk classes", "sv")] == "Outdated"

    # The Finnish translation is brought up to date against the new source.
    write(tmp_path, EN_CHANGED, fi_source=EN_CHANGED)
    assert run_import(runner, folder).exit_code == 0
    table = states(client)
    assert table[("Risk classes", "fi")] == "Current"
    assert table[("Risk classes", "sv")] == "Outdated"


def test_export_keeps_the_translation_sources(app, runner, tmp_path):
    folder = write(tmp_path / "in", EN_CHANGED, fi_source=EN, sv_source=EN_CHANGED)  # fi outdated, sv current
    assert run_import(runner, folder).exit_code == 0
    assert runner.invoke(args=["courses", "export", "risk-course", str(tmp_path / "out")]).exit_code == 0
    exported = tmp_path / "out" / "risk-course"
    assert files_of(exported) == files_of(folder)

    # On another NordLearn (an empty database) the exported package gives the same states.
    from lms.extensions import db

    db.session.execute(db.text("DELETE FROM module_revisions"))
    db.session.execute(db.text("DELETE FROM modules"))
    db.session.execute(db.text("DELETE FROM course_texts"))
    db.session.execute(db.text("DELETE FROM courses"))
    db.session.commit()
    assert run_import(runner, exported).exit_code == 0
    from lms.authoring.translations import translation_table
    from lms.catalog.services import get_course

    author = make_user(email="author@example.org", role=Role.ADMIN)
    table = translation_table(viewer=author, course=get_course("risk-course"))
    row = next(r for r in table.rows if r.module.slug == "classes")
    assert (row.states["fi"].value, row.states["sv"].value) == ("outdated", "current")


def test_bad_translation_sources_are_refused_with_the_line(app, runner, tmp_path):
    folder = write(tmp_path, EN, fi_source=EN)
    manifest = (folder / "course.yml").read_text(encoding="utf-8")
    (folder / "course.yml").write_text(manifest.replace(f"fi: en@{short_hash(EN)}", "fi: english"), encoding="utf-8")
    result = run_import(runner, folder)
    assert result.exit_code != 0
    assert "course.yml:14: write the source as language@hash" in result.output
    (folder / "course.yml").write_text(manifest.replace(f"fi: en@{short_hash(EN)}", f"da: en@{short_hash(EN)}"),
                                       encoding="utf-8")
    result = run_import(runner, folder)
    assert "course.yml:14: there is no da.md for this translation" in result.output


def test_only_the_courses_own_authors_see_its_translation_table(app, client, runner, tmp_path):
    assert run_import(runner, write(tmp_path, EN, fi_source=EN)).exit_code == 0
    make_user(email="learner@example.org")
    make_user(email="other-author@example.org", role=Role.AUTHOR)  # an author, but of other courses
    for email in ("learner@example.org", "other-author@example.org"):
        login(client, email)
        assert client.get("/author/risk-course/translations").status_code == 404
        assert "Translation state of this course" not in client.get("/courses/risk-course").get_data(as_text=True)
        post_form(client, "/account/logout", token_from="/dashboard")
    own = make_user(email="own-author@example.org", role=Role.AUTHOR)
    runner.invoke(args=["authors", "add", "risk-course", own.email])
    make_user(email="admin@example.org", role=Role.ADMIN)
    assert runner.invoke(args=["authors", "add", "risk-course", own.email]).exit_code == 0
    login(client, own.email)
    assert client.get("/author/risk-course/translations").status_code == 200
    assert "Translation state of this course" in client.get("/courses/risk-course").get_data(as_text=True)


def test_sample_courses_are_complete_and_current_in_their_languages(app, sample_courses):
    """One course in all ten interface languages, the other in five; every translation current."""
    from lms.authoring.translations import translation_table
    from lms.catalog.services import get_course
    from lms.i18n.languages import UI_LANGUAGES

    author = make_user(email="author@example.org", role=Role.ADMIN)
    expected = {
        "eu-mdr-ivdr-essentials": set(UI_LANGUAGES),
        "pharmacovigilance-fundamentals": {"en", "nb", "sv", "fi", "da"},
    }
    for slug, languages in expected.items():
        table = translation_table(viewer=author, course=get_course(slug))
        for row in table.rows:
            have = {language for language, state in row.states.items() if state.value in ("source", "current")}
            assert have == languages, (slug, row.module.slug, sorted(have ^ languages))
