"""How messages are written for translators: one meaning per message (a context where an English word
has two), a plural form for every count, language names never bent into a sentence's grammar, and the
catalog template keeping where each message is used and what translators are told about it."""

from __future__ import annotations

import re

from babel.messages.pofile import read_po

from tests.conftest import ROOT

POT = ROOT / "translations" / "messages.pot"


def _template():
    with open(POT, "rb") as handle:
        return read_po(handle)


def test_words_with_two_meanings_carry_a_context():
    catalog = _template()
    contexts = {(m.context, m.id) for m in catalog if m.id in ("Register", "Name")}
    assert contexts == {("create an account", "Register"), ("learning platform", "Register"),
                        ("person", "Name"), ("learning platform", "Name")}


def test_every_message_with_a_count_has_plural_forms():
    counts = [m.id for m in _template() if isinstance(m.id, str) and re.search(r"%\((num|count)\)d", m.id)]
    assert counts == []
    plurals = [m for m in _template() if isinstance(m.id, tuple)]
    assert all("%(num)d" in m.id[1] for m in plurals)


def test_language_names_stand_alone_never_inside_a_sentence():
    """A language's name is given in that language ("svenska"): a sentence such as "shown in %(language)s"
    would need it in a grammatical case many languages cannot give it. "Language: %(language)s" can."""
    bent = [m.id for m in _template() if isinstance(m.id, str)
            and re.search(r"\b(in|into|to|from) %\((language|wanted|shown)\)s", m.id)]
    assert bent == []


def test_the_template_keeps_where_each_message_is_used_and_the_notes_for_translators():
    catalog = _template()
    unplaced = [m.id for m in catalog if m.id and not m.locations]
    assert unplaced == []
    noted = [m for m in catalog if m.auto_comments]
    assert len(noted) >= 5
    po = (ROOT / "translations" / "fi" / "LC_MESSAGES" / "messages.po").read_text(encoding="utf-8")
    assert "#: lms/templates/base.html" in po and "#. the button that switches the interface" in po
