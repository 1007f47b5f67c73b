"""Which language a request is shown in, and where a reader goes when a text is missing."""

from __future__ import annotations

import pytest

from lms.i18n import LTI_SESSION_KEY
from lms.i18n.languages import FALLBACKS, fallback_chain, pick
from tests.conftest import login, post_form
from tests.factories import make_course, make_user

ALL = ("en", "nb", "nn", "sv", "da", "fi", "is", "et", "lv", "lt", "se", "fo", "kl")


def shown_language(client, path: str, **headers) -> str:
    """The language the module text is shown in, read from its lang attribute."""
    html = client.get(path, headers=headers).get_data(as_text=True)
    return html.split('class="module-content" lang="')[1].split('"')[0]


def test_choice_order_explicit_then_saved_then_lti_then_browser_then_course(client):
    course = make_course(modules=1, languages=ALL, default_language="da")
    path = f"/courses/{course.slug}/modules/module-1"
    user = make_user(email="a@example.org", language="sv")
    login(client, "a@example.org")
    # The saved preference beats the LTI claim and the browser.
    with client.session_transaction() as session:
        session.pop("language", None)
        session[LTI_SESSION_KEY] = "lv"
    assert shown_language(client, path, **{"Accept-Language": "et"}) == "sv"
    # An explicit choice in the page beats the saved preference (and is saved in turn).
    post_form(client, "/language", {"language": "fi", "next": path}, token_from=path)
    assert shown_language(client, path, **{"Accept-Language": "et"}) == "fi"
    from lms.extensions import db

    db.session.refresh(user)
    assert user.preferred_language == "fi"
    # Without a saved preference, the LTI launch's locale beats the browser.
    user.preferred_language = None
    db.session.commit()
    with client.session_transaction() as session:
        session.pop("language", None)
        session[LTI_SESSION_KEY] = "lv-LV"
    assert shown_language(client, path, **{"Accept-Language": "et"}) == "lv"
    # Then the browser's Accept-Language, regional tags included.
    with client.session_transaction() as session:
        session.pop(LTI_SESSION_KEY)
    assert shown_language(client, path, **{"Accept-Language": "nb-NO,nb;q=0.9"}) == "nb"
    assert shown_language(client, path, **{"Accept-Language": "de-DE,fr;q=0.5,is;q=0.2"}) == "is"
    # Nothing usable: the course's default language.
    assert shown_language(client, path, **{"Accept-Language": "de-DE,fr;q=0.5"}) == "da"


@pytest.mark.parametrize("language", [code for code in FALLBACKS if code != "en"])
def test_every_fallback_chain_is_followed(client, language):
    """Take away the reader's language and each nearer one in turn: the next in the chain is picked;
    and a module page without the reader's language shows the first fallback and says so."""
    chain = fallback_chain(language)
    for missing in range(1, len(chain)):
        offered = tuple(code for code in ALL if code not in chain[:missing])
        assert pick(offered, language) == chain[missing]

    course = make_course(modules=1, languages=tuple(code for code in ALL if code != language))
    make_user(email="reader@example.org", language=None)
    login(client, "reader@example.org")
    html = client.get(f"/courses/{course.slug}/modules/module-1", headers={"Accept-Language": language})
    html = html.get_data(as_text=True)
    assert f'class="module-content" lang="{chain[1]}"' in html
    assert 'class="notice"' in html


def test_declared_chains_match_the_design():
    assert FALLBACKS["nn"] == ("nb", "da", "sv", "en")
    assert FALLBACKS["nb"] == ("nn", "da", "sv", "en")
    assert FALLBACKS["da"] == ("nb", "sv", "en")
    assert FALLBACKS["sv"] == ("nb", "da", "en")
    assert FALLBACKS["fi"] == ("sv", "en")
    assert FALLBACKS["is"] == ("da", "en")
    assert FALLBACKS["et"] == FALLBACKS["lv"] == FALLBACKS["lt"] == ("en",)
    assert FALLBACKS["se"] == ("nb", "sv", "fi", "en")
    assert FALLBACKS["fo"] == ("da", "en")
    assert FALLBACKS["kl"] == ("da", "en")
    # A course whose default is not English falls back to it last.
    assert fallback_chain("lt", "sv") == ("lt", "en", "sv")


def test_catalogue_filters_by_language_and_names_complete_languages(client):
    both = make_course(modules=2, languages=("en", "fi", "lv"))
    english_only = make_course(modules=2, languages=("en",))
    html = client.get("/?language=lv").get_data(as_text=True)
    assert f'/courses/{both.slug}"' in html and f'/courses/{english_only.slug}"' not in html
    assert '<span lang="fi">suomi</span>' in html and '<span lang="lv">latviešu</span>' in html
    html = client.get("/?language=xx").get_data(as_text=True)  # unknown: every course
    assert f'/courses/{both.slug}"' in html and f'/courses/{english_only.slug}"' in html
    html = client.get("/?language=kl").get_data(as_text=True)
    assert "No course is available in this language yet." in html and "Language: kalaallisut" in html
