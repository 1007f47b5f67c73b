"""The sample courses' questions: 4 to 6 per module, a final test of at least 15 drawing 10 with 70 % to
pass, every question valid in every language, and every translation asking the same question (same kind,
options, right answers) as the English text it was made from."""

from __future__ import annotations

import pytest

from lms.content import checks, package_reader
from tests.conftest import ROOT

SPECS = package_reader.read_packages(package_reader.find_packages(ROOT / "courses"))
MODULES = [(spec.slug, module) for spec in SPECS for module in spec.modules]


def shape(text: str) -> list[tuple]:
    questions, problems = checks.questions(text)
    assert not problems
    return [(q.kind, [o.correct for o in q.options], q.answer, q.tolerance) for q in questions]


@pytest.mark.parametrize(("course", "module"), MODULES, ids=[f"{c}/{m.slug}" for c, m in MODULES])
def test_every_language_asks_the_same_questions(app, course, module):
    english = shape(module.files["en"])
    if module.checks["draw"]:
        assert len(english) >= 15 and module.checks["draw"] == 10 and module.checks["pass_mark"] == 70
    else:
        assert 4 <= len(english) <= 6, f"{course}/{module.slug}: {len(english)} questions"
    for language, text in module.files.items():
        assert shape(text) == english, f"{course}/{module.slug}/{language}.md"
        assert not checks.check_module_text(text, publishing=False), f"{course}/{module.slug}/{language}.md"


def test_both_courses_end_with_a_final_test():
    for spec in SPECS:
        assert spec.modules[-1].checks["draw"] == 10, spec.slug
