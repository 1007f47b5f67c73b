"""An author writes, illustrates, translates, publishes and restores a module in Chromium;
two authors' simultaneous edits meet the conflict page; a learner reads the result."""

from __future__ import annotations

from playwright.sync_api import Browser, Page, expect

from tests.browser.conftest import AUTHOR_EMAIL, choose_language, log_in
from tests.content.test_packages import PNG

ENGLISH = """# Post-market surveillance

::: warning Sample material
Sample material pending expert review.
:::

Every manufacturer keeps a post-market surveillance system (MDR Article 83).

::: question single
Which MDR article requires a post-market surveillance system?
- [ ] Article 10
  > Article 10 lists the manufacturer's general obligations.
- [x] Article 83
  > Yes: Article 83(1).
:::
"""
SWEDISH = """# Övervakning efter utsläppande på marknaden

::: warning Exempelmaterial
Exempelmaterial i väntan på granskning av experter.
:::

Varje tillverkare har ett system för övervakning efter utsläppande på marknaden (MDR artikel 83).
"""


def test_an_author_writes_translates_and_publishes_and_a_learner_reads_both(
        page: Page, browser: Browser, live_server, axe_check, tmp_path):
    log_in(page, live_server, AUTHOR_EMAIL)
    page.get_by_role("link", name="Authoring").click()
    axe_check(page, "authoring home")
    page.get_by_role("link", name="New course").click()
    page.fill("#slug", "pms-basics")
    page.fill("#version", "1.0")
    page.fill("#estimated_hours", "1.5")
    page.check("#published")
    page.fill("#title_en", "Post-market surveillance basics")
    page.fill("#title_sv", "Grunderna i övervakning efter utsläppande")
    axe_check(page, "new course form")
    page.get_by_role("button", name="Create course").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Post-market surveillance basics")

    page.fill("#title", "Post-market surveillance")
    page.fill("#slug", "surveillance")
    axe_check(page, "course workspace")
    page.get_by_role("button", name="Add module").click()

    # English, with an image and a knowledge check, previewed with the learners' renderer.
    page.fill("#text", ENGLISH)
    image = tmp_path / "pms-cycle.png"
    image.write_bytes(PNG)
    page.set_input_files("#image", str(image))
    page.fill("#alt", "The post-market surveillance cycle: collect, analyse, act")
    page.get_by_role("button", name="Upload image").click()
    expect(page.locator("#text")).to_have_value(
        ENGLISH + "\n![The post-market surveillance cycle: collect, analyse, act](media/pms-cycle.png)\n")
    page.get_by_role("button", name="Preview").click()
    preview = page.locator(".preview .module-content")
    expect(preview.locator("fieldset.knowledge-check legend")).to_have_text(
        "Which MDR article requires a post-market surveillance system?")
    expect(preview.locator(".knowledge-check-right")).to_have_count(1)
    expect(preview.get_by_role("img", name="The post-market surveillance cycle: collect, analyse, act")).to_be_visible()
    axe_check(page, "editor with preview")
    page.get_by_role("button", name="Publish").click()
    expect(page.locator(".flash, [role=status]").first).to_contain_text("Published")

    # Swedish beside the English source.
    page.get_by_role("link", name="svenska").click()
    expect(page.locator(".source-text")).to_contain_text("MDR Article 83")
    page.fill("#text", SWEDISH)
    axe_check(page, "translation editor")
    page.get_by_role("button", name="Publish").click()

    # A learner sees the English text with its image and question, and the Swedish one.
    learner_context = browser.new_context(locale="en-GB")
    learner = learner_context.new_page()
    log_in(learner, live_server)
    choose_language(learner, "en")  # the reader's saved choice may be another from an earlier test
    learner.goto(live_server + "/courses/pms-basics/modules/surveillance")
    content = learner.locator(".module-content")
    expect(content).to_contain_text("Every manufacturer keeps a post-market surveillance system")
    expect(content.locator("fieldset.knowledge-check")).to_have_count(1)
    expect(content.locator(".knowledge-check-right")).to_have_count(0)  # no answers for learners
    expect(content.get_by_role("img", name="The post-market surveillance cycle: collect, analyse, act")).to_be_visible()
    choose_language(learner, "sv")
    expect(learner.locator(".module-content")).to_contain_text("Varje tillverkare har ett system")
    learner_context.close()


def test_two_authors_meet_the_conflict_page_and_a_restore_brings_back_an_earlier_text(
        page: Page, browser: Browser, live_server, axe_check):
    log_in(page, live_server, AUTHOR_EMAIL)
    page.goto(live_server + "/author/new")
    page.fill("#slug", "conflict-demo")
    page.fill("#estimated_hours", "1")
    page.fill("#title_en", "Conflict demo")
    page.get_by_role("button", name="Create course").click()
    page.fill("#title", "Vigilance")
    page.fill("#slug", "vigilance")
    page.get_by_role("button", name="Add module").click()
    page.fill("#text", "# Vigilance\n\nReport serious incidents (MDR Article 87).\n")
    page.get_by_role("button", name="Publish").click()
    editor = page.url

    other_context = browser.new_context(locale="en-GB")
    other = other_context.new_page()
    log_in(other, live_server, AUTHOR_EMAIL)
    other.goto(editor)  # both now edit the same version
    page.fill("#text", "# Vigilance\n\nReport serious incidents within 15 days (MDR Article 87(3)).\n")
    page.get_by_role("button", name="Save draft").click()
    other.fill("#text", "# Vigilance\n\nReport serious incidents and field safety corrective actions.\n")
    other.get_by_role("button", name="Save draft").click()
    expect(other.get_by_role("heading", level=1)).to_have_text("Someone else saved this text")
    expect(other.locator(".source-text")).to_contain_text("within 15 days (MDR Article 87(3))")
    expect(other.locator("#text")).to_have_value(
        "# Vigilance\n\nReport serious incidents and field safety corrective actions.\n")
    axe_check(other, "conflict page")
    other.get_by_role("button", name="Save my text as a draft").click()
    expect(other.locator("#text")).to_have_value(
        "# Vigilance\n\nReport serious incidents and field safety corrective actions.\n")
    other_context.close()

    page.goto(editor + "/history")
    axe_check(page, "history")
    page.locator("tbody tr", has_text="published").get_by_role("button", name="Restore").click()
    expect(page.locator("#text")).to_have_value("# Vigilance\n\nReport serious incidents (MDR Article 87).\n")
    page.goto(live_server + "/author/conflict-demo/log")
    expect(page.locator("table")).to_contain_text("Earlier text restored as a draft (English)")
    axe_check(page, "change log")
    for path, label in (("/author/conflict-demo/settings", "course settings"),
                        ("/author/conflict-demo/package", "course package"),
                        ("/author/conflict-demo/modules/vigilance/remove", "remove confirmation")):
        page.goto(live_server + path)
        axe_check(page, label)
