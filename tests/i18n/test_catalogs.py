"""The interface catalogs are complete and correct, and no user-facing text escapes them."""

from __future__ import annotations

import ast
import gettext
import re
from collections import Counter

import pytest
from babel import Locale
from babel.messages.pofile import read_po

from lms.i18n.languages import UI_LANGUAGES
from tests.conftest import ROOT

TRANSLATIONS = ROOT / "translations"
LANGUAGES = [code for code in UI_LANGUAGES if code != "en"]
PLACEHOLDER = re.compile(r"%\((\w+)\)[sd]")
TAG = re.compile(r"<[!/]?[a-zA-Z][^>]*>")
# The order of the plural forms in each catalog, by CLDR category (integers only).
PLURAL_ORDER = {"lv": ("zero", "one", "other"), "lt": ("one", "few", "other"), "is": ("one", "other")}
SAMPLES = (0, 1, 2, 3, 5, 10, 11, 12, 19, 20, 21, 22, 25, 100, 101, 102, 111, 1000, 1001)


def catalog(language: str):
    with open(TRANSLATIONS / language / "LC_MESSAGES" / "messages.po", "rb") as handle:
        return read_po(handle, locale=language)


def template_ids() -> set[str]:
    with open(TRANSLATIONS / "messages.pot", "rb") as handle:
        return {m.id if isinstance(m.id, str) else m.id[0] for m in read_po(handle) if m.id}


def messages(language: str):
    return [m for m in catalog(language) if m.id]


@pytest.mark.parametrize("language", LANGUAGES)
def test_every_message_is_translated_and_none_is_fuzzy(language):
    found = messages(language)
    ids = {m.id if isinstance(m.id, str) else m.id[0] for m in found}
    missing = template_ids() - ids
    assert not missing, f"not in the {language} catalog: {sorted(missing)[:5]}"
    untranslated = [m.id for m in found if not all(m.string) if isinstance(m.string, tuple)] + \
                   [m.id for m in found if isinstance(m.string, str) and not m.string]
    assert untranslated == [], f"{language}: untranslated {untranslated[:5]}"
    fuzzy = [m.id for m in found if m.fuzzy]
    assert fuzzy == [], f"{language}: fuzzy {fuzzy[:5]}"


@pytest.mark.parametrize("language", LANGUAGES)
def test_placeholders_and_markup_are_kept(language):
    problems = []
    for message in messages(language):
        sources = message.id if isinstance(message.id, tuple) else (message.id,)
        strings = message.string if isinstance(message.string, tuple) else (message.string,)
        wanted = set().union(*(set(PLACEHOLDER.findall(s)) for s in sources))
        for string in strings:
            got = set(PLACEHOLDER.findall(string))
            # A singular form may leave out the count (lv "viens modulis"); nothing else may go or come.
            if not (got <= wanted and wanted - got <= {"num"}):
                problems.append(f"{message.id!r}: placeholders {sorted(got)} instead of {sorted(wanted)}")
            if Counter(TAG.findall(string)) != Counter(TAG.findall(sources[0])):
                problems.append(f"{message.id!r}: markup differs")
            # A literal percent sign is written %% (the strings are %-formatted); any other % is a mistake.
            if "%" in re.sub(r"%\(\w+\)[sd]|%%", "", string):
                problems.append(f"{message.id!r}: stray % in {string!r}")
            if string.count("%%") != sources[0].count("%%"):
                problems.append(f"{message.id!r}: a percent sign must be written %% as in the source")
    assert problems == [], f"{language}: " + "; ".join(problems[:5])


@pytest.mark.parametrize("language", LANGUAGES)
def test_plural_forms_follow_cldr(language):
    po = catalog(language)
    order = PLURAL_ORDER.get(language, ("one", "other"))
    assert po.num_plurals == len(order), f"{language}: nplurals {po.num_plurals}, CLDR has {len(order)}"
    choose = gettext.c2py(po.plural_expr)
    rule = Locale.parse(language).plural_form
    for n in SAMPLES:
        category = rule(n)
        category = "other" if category == "many" else category  # lt "many" is for fractions only
        assert choose(n) == order.index(category), f"{language}: {n} takes form {choose(n)}, CLDR says {category}"
    for message in messages(language):
        if isinstance(message.string, tuple):
            assert len(message.string) == len(order), f"{language}: {message.id[0]!r} has {len(message.string)} forms"


# ---------------------------------------------------------------- nothing left unmarked

JINJA = re.compile(r"{{.*?}}|{%.*?%}|{#.*?#}", re.S)
ALLOWED_TEXT = {"NordLearn", "·", "›", "/", ":", ","}


def _visible_text(source: str) -> list[str]:
    text = JINJA.sub(" ", source)
    text = re.sub(r"<(script|style)\b.*?</\1>", " ", text, flags=re.S)
    text = TAG.sub("\n", text)
    text = re.sub(r"&\w+;", " ", text)
    text = re.sub(r'[\w-]+="[^"]*"', " ", text)  # attribute fragments left by a macro
    text = text.replace("NordLearn", " ")  # the name is the same in every language
    return [chunk.strip() for chunk in text.split("\n")
            if chunk.strip() and chunk.strip() not in ALLOWED_TEXT and re.search(r"[A-Za-z]{2}", chunk)]


def test_templates_have_no_untranslated_text():
    problems = []
    for template in sorted((ROOT / "lms" / "templates").rglob("*.html")):
        source = template.read_text(encoding="utf-8")
        for chunk in _visible_text(source):
            problems.append(f"{template.relative_to(ROOT)}: {chunk!r}")
        for attribute in re.findall(r'\b(?:aria-label|alt|title|placeholder)="([^"{]*[A-Za-z][^"{]*)"', source):
            problems.append(f"{template.relative_to(ROOT)}: attribute {attribute!r}")
    assert problems == []


USER_FACING_CALLS = {"flash", "StringField", "PasswordField", "EmailField", "SelectField", "BooleanField",
                     "TextAreaField", "SubmitField", "ValidationError"}
USER_FACING_KEYWORDS = {"description", "message", "label"}


def test_python_user_facing_strings_are_marked_for_translation():
    """Flash messages, form labels, descriptions and validation messages. (The command line
    speaks English to operators, so ``cli.py`` files are not checked.)"""
    problems = []
    for path in sorted(p for p in (ROOT / "lms").rglob("*.py") if p.name != "cli.py"):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            if not isinstance(node, ast.Call):
                continue
            name = node.func.id if isinstance(node.func, ast.Name) else getattr(node.func, "attr", "")
            checked = list(node.args[:1]) if name in USER_FACING_CALLS else []
            checked += [k.value for k in node.keywords if k.arg in USER_FACING_KEYWORDS]
            for value in checked:
                if isinstance(value, ast.Constant) and isinstance(value.value, str) and value.value.strip():
                    problems.append(f"{path.relative_to(ROOT)}:{value.lineno}: {value.value!r}")
                if isinstance(value, ast.JoinedStr):
                    problems.append(f"{path.relative_to(ROOT)}:{value.lineno}: f-string")
    assert problems == []


def test_no_f_strings_inside_translation_calls():
    problems = []
    for path in sorted((ROOT / "lms").rglob("*.py")):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Call) and getattr(node.func, "id", "") in {"_", "_l", "gettext", "lazy_gettext"}:
                if any(isinstance(arg, ast.JoinedStr) for arg in node.args):
                    problems.append(f"{path.relative_to(ROOT)}:{node.lineno}")
    assert problems == []


@pytest.mark.parametrize("language", ["lt", "lv", "is"])
def test_the_app_picks_the_cldr_plural_form(language, tmp_path):
    """"%(num)d modules" at 0, 1, 2, 5, 11, 21 and 101, as NordLearn renders it."""
    from flask_babel import force_locale, ngettext

    from tests.conftest import make_app

    po = catalog(language)
    forms = po.get(("%(num)d module", "%(num)d modules")).string
    order = PLURAL_ORDER[language]
    rule = Locale.parse(language).plural_form
    app = make_app(f"sqlite:///{tmp_path / 'plural.sqlite3'}", tmp_path)
    with app.test_request_context(), force_locale(language):
        for n in (0, 1, 2, 5, 11, 21, 101):
            category = "other" if rule(n) == "many" else rule(n)
            expected = forms[order.index(category)] % {"num": n}
            assert ngettext("%(num)d module", "%(num)d modules", n) == expected, (language, n, category)
