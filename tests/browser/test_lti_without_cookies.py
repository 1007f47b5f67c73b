"""A browser that keeps no NordLearn cookie inside the platform's frame: the launch is
confirmed through the platform's storage, NordLearn offers a new window where the launch
starts again at top level, and the learner completes a module there; the worker sends the
score to the platform."""

from __future__ import annotations

import json
import time
import urllib.request

from babel.support import Translations
from playwright.sync_api import Page, expect

from tests.browser.conftest import complete_module_in_finnish
from tests.conftest import ROOT

FI = Translations.load(str(ROOT / "translations"), ["fi"])
COURSE = "eu-mdr-ivdr-essentials"


def test_storage_launch_and_new_window_fallback(page: Page, cookieless_platform, axe_check):
    platform = cookieless_platform
    with urllib.request.urlopen(platform.tool_base.replace("localhost", "127.0.0.1") + "/lti/jwks") as answer:
        platform.tool_jwks = json.load(answer)
    platform.link_custom = {"course": COURSE, "module": "classification"}
    platform.link_claims = platform.ags_claim(lineitem=f"{platform.issuer}/lineitems/3")
    page.goto(platform.issuer + "/course")
    frame = page.frame_locator("iframe#tool")
    link = frame.get_by_role("link", name=FI.gettext("Open NordLearn in a new window"))
    expect(link).to_be_visible()  # the storage confirmed the launch; the frame kept no session

    tool_frame = next(f for f in page.frames if "/lti/continue/" in f.url)
    check = page.context.new_page()
    check.goto(tool_frame.url)  # the same page on its own, for axe-core
    expect(check.locator("html")).to_have_attribute("lang", "fi")
    axe_check(check, "the new-window page")
    check.close()

    with page.expect_popup() as opened:
        link.click()
    window = opened.value  # the login, the platform and the launch, all at top level
    expect(window.locator(".module-content")).to_have_attribute("lang", "fi")
    complete_module_in_finnish(window, 2)
    for _ in range(100):  # sent by the worker, not by the request
        if platform.scores:
            break
        time.sleep(0.1)
    assert [(path, score["scoreGiven"], score["activityProgress"]) for path, score in platform.scores] == [
        ("/lineitems/3", 1, "Completed")]
