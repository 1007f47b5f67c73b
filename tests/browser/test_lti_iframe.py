"""NordLearn launched inside an iframe of a platform page on another site, third-party cookies blocked."""

from __future__ import annotations

from babel.support import Translations
from playwright.sync_api import Page, expect

from tests.browser.conftest import complete_module_in_finnish
from tests.conftest import ROOT

FI = Translations.load(str(ROOT / "translations"), ["fi"])
COURSE = "eu-mdr-ivdr-essentials"


def test_a_learner_completes_a_module_inside_the_platforms_iframe(page: Page, lti_platform):
    lti_platform.link_custom = {"course": COURSE, "module": "scope-and-roles"}
    page.goto(lti_platform.issuer + "/course")  # http://127.0.0.1:…, the tool is at http://localhost:…
    frame = page.frame_locator("iframe#tool")
    # Signed in by the launch, in the platform's language (fi-FI), on the module the link names.
    expect(frame.locator(".module-content")).to_have_attribute("lang", "fi")
    expect(frame.locator("html")).to_have_attribute("lang", "fi")
    complete_module_in_finnish(frame, 1)
    frame.get_by_role("link", name=FI.gettext("My learning")).click()
    done = FI.ngettext("%(done)d of %(num)d module completed", "%(done)d of %(num)d modules completed", 6)
    expect(frame.locator(".progress-text")).to_contain_text(done % {"done": 1, "num": 6})
    # The tool's own page, checked where it runs.
    tool = next(f for f in page.frames if "localhost" in f.url)
    assert "/dashboard" in tool.url
