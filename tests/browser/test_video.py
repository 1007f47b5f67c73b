"""An author adds a recorded lecture with Swedish and Finnish subtitles; a learner reading in
Finnish plays it with the Finnish track, reads the transcript, and completes the module only
after watching the required share."""

from __future__ import annotations

from babel.support import Translations
from playwright.sync_api import Browser, Page, expect

from tests.browser.conftest import AUTHOR_EMAIL, choose_language, log_in
from tests.conftest import ROOT
from tests.videos import vtt, webm

FI = Translations.load(str(ROOT / "translations"), ["fi"])
SWEDISH = vtt(("00:00.000", "00:04.000", "Välkommen till föreläsningen om övervakning."),
              ("00:04.000", "00:08.000", "Allvarliga tillbud rapporteras."))
FINNISH = vtt(("00:00.000", "00:04.000", "Tervetuloa valvontaa käsittelevään luentoon."),
              ("00:04.000", "00:08.000", "Vakavista vaaratilanteista ilmoitetaan."))


def test_a_lecture_with_subtitles_is_watched_before_the_module_completes(
        page: Page, browser: Browser, live_server, axe_check, tmp_path):
    log_in(page, live_server, AUTHOR_EMAIL)
    page.goto(live_server + "/author/new")
    page.fill("#slug", "vigilance-lecture")
    page.fill("#estimated_hours", "1")
    page.check("#published")
    page.fill("#title_en", "Vigilance lecture")
    page.get_by_role("button", name="Create course").click()
    page.fill("#title", "Recorded lecture")
    page.fill("#slug", "lecture")
    page.get_by_role("button", name="Add module").click()

    video = tmp_path / "vigilance.webm"
    video.write_bytes(webm(seconds=8, fps=2))
    page.set_input_files("#video", str(video))
    page.fill("#video_caption", "Vigilance in practice")
    page.get_by_role("button", name="Upload video").click()
    expect(page.locator("#text")).to_have_value(
        "# Recorded lecture\n\n::: video media/vigilance.webm\nVigilance in practice\n:::\n")
    page.get_by_role("button", name="Save draft").click()  # a draft may wait for its subtitles
    for language, text in (("sv", SWEDISH), ("fi", FINNISH)):
        page.goto(f"{live_server}/author/vigilance-lecture/subtitles/vigilance.webm/{language}")
        page.fill("#text", text)
        page.get_by_role("button", name="Save subtitles").click()
        expect(page.locator("#text")).to_have_value(text)
    axe_check(page, "subtitle editor")
    page.goto(live_server + "/author/vigilance-lecture/modules/lecture/en")
    page.get_by_role("button", name="Publish").click()
    page.goto(live_server + "/author/vigilance-lecture")
    page.fill("#percent-lecture", "80")
    page.locator("form.watch-rule").get_by_role("button", name="Save").click()
    # A live session of the course, scheduled in Oslo time.
    page.goto(live_server + "/author/vigilance-lecture/live")
    axe_check(page, "live sessions")
    page.fill("#starts_at", "2030-12-03T10:00")
    page.fill("#ends_at", "2030-12-03T11:30")
    page.select_option("#timezone", "Europe/Oslo")
    page.fill("#capacity", "25")
    page.fill("#join_url", "https://meet.example.org/vigilance")
    page.fill("#title_en", "Vigilance Q&A")
    page.fill("#title_fi", "Vaaratilanteet: kysymyksiä ja vastauksia")
    page.get_by_role("button", name="Schedule").click()
    page.get_by_role("link", name="Vigilance Q&A").click()
    axe_check(page, "attendance")

    context = browser.new_context(locale="en-GB")
    learner = context.new_page()
    log_in(learner, live_server)
    choose_language(learner, "fi")
    learner.goto(live_server + "/courses/vigilance-lecture/modules/lecture")
    player = learner.locator("video")
    expect(player).to_have_attribute("data-video", "media/vigilance.webm")
    showing = learner.evaluate("""() => Array.from(document.querySelector('video').textTracks)
        .filter(t => t.mode === 'showing').map(t => t.language)""")
    assert showing == ["fi"]
    expect(learner.locator(".transcript")).to_contain_text("Vakavista vaaratilanteista ilmoitetaan.")
    axe_check(learner, "module with a lecture")

    learner.goto(live_server + "/account/profile")
    learner.select_option("#timezone", "Europe/Helsinki")
    learner.locator("form.form").first.locator("button[type=submit]").click()
    learner.goto(live_server + "/courses/vigilance-lecture")
    expect(learner.locator("#live-sessions")).to_contain_text("Vaaratilanteet: kysymyksiä ja vastauksia")
    expect(learner.locator(".session-time")).to_contain_text("11.00")  # 10:00 in Oslo; the reader is in Finland
    axe_check(learner, "course page with a live session")
    learner.locator("#live-sessions").get_by_role("button").first.click()
    expect(learner.locator("#live-sessions")).to_contain_text(".ics")
    learner.goto(live_server + "/courses/vigilance-lecture/modules/lecture")
    complete = learner.get_by_role("button", name=FI.gettext("Mark as complete"))
    complete.click()  # nothing watched yet
    expect(learner.locator(".flash, [role=alert], .notice").first).to_contain_text("80")
    expect(complete).to_be_visible()

    learner.evaluate("""() => { const v = document.querySelector('video');
        v.muted = true; v.playbackRate = 2; return v.play(); }""")
    learner.wait_for_function("() => document.querySelector('video').ended", timeout=20000)
    expect(learner.locator("[data-watch-status]")).to_contain_text("100", timeout=10000)
    complete.click()
    learner.wait_for_url(live_server + "/courses/vigilance-lecture")  # the last module: back to the course
    learner.goto(live_server + "/courses/vigilance-lecture/modules/lecture")
    expect(learner.locator(".done")).to_be_visible()
    context.close()
