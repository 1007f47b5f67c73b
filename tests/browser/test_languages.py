"""Every page in each of the ten interface languages: no English left, the right lang, no axe violations."""

from __future__ import annotations

import pytest
from playwright.sync_api import Page, expect

from lms.i18n.languages import UI_LANGUAGES
from tests.browser.conftest import choose_language, log_in

PAGES = {
    "catalogue": "/",
    "course": "/courses/eu-mdr-ivdr-essentials",
    "module": "/courses/eu-mdr-ivdr-essentials/modules/classification",
}
# Interface text: every text node whose nearest lang attribute is the page's own
# (content in another language carries its own lang), plus labels in attributes.
UI_TEXT = """() => {
  const found = new Set([document.title]);
  const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
  while (walker.nextNode()) {
    const element = walker.currentNode.parentElement;
    const text = walker.currentNode.textContent.replace(/\\s+/g, " ").trim();
    if (text && element.closest("[lang]") === document.documentElement) found.add(text);
  }
  for (const element of document.querySelectorAll("[aria-label], [alt], [title], [placeholder]")) {
    if (element.closest("[lang]") !== document.documentElement) continue;
    for (const name of ["aria-label", "alt", "title", "placeholder"]) {
      if (element.getAttribute(name)) found.add(element.getAttribute(name).trim());
    }
  }
  return [...found].filter(text => /[A-Za-z]{3}/.test(text));
}"""
SAME_IN_EVERY_LANGUAGE = {"NordLearn"}


@pytest.fixture(scope="module")
def english_text(browser, live_server) -> dict[str, set[str]]:
    context = browser.new_context(bypass_csp=True, locale="en-GB")
    page = context.new_page()
    log_in(page, live_server)
    choose_language(page, "en")
    text = {}
    for name, path in PAGES.items():
        page.goto(live_server + path)
        text[name] = set(page.evaluate(UI_TEXT)) - SAME_IN_EVERY_LANGUAGE
    context.close()
    return text


@pytest.mark.parametrize("language", list(UI_LANGUAGES))
def test_pages_in_each_language(page: Page, live_server: str, axe_check, english_text, language):
    log_in(page, live_server)
    choose_language(page, language)
    for name, path in PAGES.items():
        page.goto(live_server + path)
        expect(page.locator("html")).to_have_attribute("lang", language)
        if language != "en":
            left = sorted(set(page.evaluate(UI_TEXT)) & english_text[name])
            assert left == [], f"English text left on the {name} page in {language}: {left}"
            assert page.locator(".notice").count() == 0, f"{name} in {language} fell back to another language"
        axe_check(page, f"{name} page in {language}")
    # The language is remembered on the reader: a new session starts in it.
    page.context.clear_cookies()
    log_in(page, live_server)
    expect(page.locator("html")).to_have_attribute("lang", language)
