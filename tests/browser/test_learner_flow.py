"""A learner registers, takes a whole course in Finnish, passing its knowledge checks and its final test, and
sees 100 % — in Chromium, checked by axe-core."""

from __future__ import annotations

import re

from babel.support import Translations
from playwright.sync_api import Page, expect

from tests.browser.conftest import answer_questions, module_questions
from tests.conftest import ROOT

FI = Translations.load(str(ROOT / "translations"), ["fi"])
COURSE = "eu-mdr-ivdr-essentials"


def test_learner_completes_a_course_in_finnish(page: Page, live_server: str, axe_check):
    page.goto(live_server + "/account/register")
    axe_check(page, "register")
    page.get_by_label("E-mail address").fill("aino.virtanen@example.fi")
    page.get_by_label("Name").fill("Aino Virtanen")
    page.get_by_label("Password", exact=True).fill("turvallinen salasana")
    page.get_by_label("Repeat password").fill("turvallinen salasana")
    page.get_by_label("Country").select_option("FI")
    page.get_by_label("Organisation").select_option(label="Pharmaceutical Information Centre")
    page.get_by_label("Preferred language").select_option("fi")
    page.get_by_role("button", name="Create account").click()
    # From here on the interface speaks Finnish.
    expect(page.locator("html")).to_have_attribute("lang", "fi")

    # The catalogue, with the courses titled in Finnish.
    course_link = page.get_by_role("link", name=re.compile("lääkinnällisiä laitteita koskevan sääntelyn perusteet"))
    expect(course_link).to_be_visible()
    axe_check(page, "catalogue")
    course_link.click()
    expect(page.locator("h1")).to_contain_text("lääkinnällisiä laitteita")
    axe_check(page, "course page")
    modules = page.locator("ol.outline > li")
    count = modules.count()
    assert count >= 5

    page.get_by_role("button", name=FI.gettext("Start the course")).click()
    for number in range(1, count + 1):
        expect(page.locator(".module-position")).to_have_text(
            FI.gettext("Module %(number)d of %(total)d") % {"number": number, "total": count}
        )
        content = page.locator(".module-content")
        expect(content).to_have_attribute("lang", "fi")
        expect(page.locator(".notice")).to_have_count(0)  # Finnish exists: no fallback notice
        axe_check(page, f"module {number}")
        module_path = page.url.removeprefix(live_server)
        start_test = page.get_by_role("button", name=FI.gettext("Start the test"))
        if start_test.count():  # the final test: its attempt draws the questions
            start_test.click()
            axe_check(page, "final test")
        answer_questions(page, module_questions(COURSE, module_path.rsplit("/", 1)[1], "fi"))
        # Keyboard only: tab to the button and press Enter.
        button = page.get_by_role("button", name=FI.gettext("Send my answers"))
        button.focus()
        page.keyboard.press("Enter")
        page.wait_for_load_state()
        expect(page.locator(".attempt-result")).to_contain_text(FI.gettext("You passed."))
        if number == 1:
            axe_check(page, "result of an attempt")
        if number < count:
            page.goto(live_server + module_path)
            page.locator("a[rel=next]").click()

    # After the last module (the final test) the course page shows every module completed.
    page.goto(f"{live_server}/courses/{COURSE}")
    expect(page.locator("ol.outline .status")).to_have_text([FI.gettext("Completed")] * count)
    page.get_by_role("link", name=FI.gettext("My learning")).click()
    expect(page.locator(".progress-text")).to_contain_text(re.compile(r"100\s?%"))
    done = FI.ngettext("%(done)d of %(num)d module completed", "%(done)d of %(num)d modules completed", count)
    expect(page.locator(".progress-text")).to_contain_text(done % {"done": count, "num": count})
    axe_check(page, "dashboard")


def test_skip_link_moves_focus_to_the_main_content(page: Page, live_server: str):
    page.goto(live_server + "/")
    page.keyboard.press("Tab")
    skip = page.get_by_role("link", name="Skip to main content")
    expect(skip).to_be_focused()
    page.keyboard.press("Enter")
    assert page.evaluate("document.activeElement.id") == "main"
