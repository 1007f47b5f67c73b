"""Recorded lectures: range requests, subtitles per language with a transcript, the watched
share against a forged jump, uploads and packages."""

from __future__ import annotations

import io
import re
from datetime import timedelta
from pathlib import Path

import pytest
from sqlalchemy import select

from lms.accounts.models import Role, User
from lms.authoring import services as authoring
from lms.catalog.models import Course, CourseMedia, Module
from lms.core.types import utcnow
from lms.extensions import db
from lms.learning import services as learning
from lms.learning.models import ModuleProgress, ProgressStatus
from tests.conftest import ROOT, login, post_form
from tests.content.test_packages import write_package
from tests.factories import make_user
from tests.videos import vtt, webm

MANIFEST = """\
slug: demo-course
default_language: en
version: '1.0'
estimated_hours: 1
title:
  en: Demo course
summary:
  en: A short course.
modules:
- slug: lecture
"""
LECTURE = "# Lecture\n\nThe recorded lecture.\n\n::: video media/lecture.webm\nVigilance in practice.\n:::\n"
EN = vtt(("00:00.000", "00:05.000", "Welcome to the lecture on vigilance."),
         ("00:05.000", "00:10.000", "<v Speaker>Serious incidents are reported.</v>"))
FI = vtt(("00:00.000", "00:05.000", "Tervetuloa vaaratilanneluentoon."),
         ("00:05.000", "00:10.000", "Vakavista vaaratilanteista ilmoitetaan."))
SV = vtt(("00:00.000", "00:05.000", "Välkommen till föreläsningen."),)


def package(tmp_path: Path, *, tracks: dict[str, str] | None = None) -> Path:
    folder = write_package(tmp_path / "in", manifest=MANIFEST, files={"lecture/en.md": LECTURE,
                                                                       "lecture/fi.md": LECTURE.replace("Lecture", "Luento")})
    (folder / "media").mkdir()
    (folder / "media" / "lecture.webm").write_bytes(webm())
    for language, text in (tracks if tracks is not None else {"en": EN, "fi": FI, "sv": SV}).items():
        (folder / "media" / f"lecture.{language}.vtt").write_text(text, encoding="utf-8")
    return folder


@pytest.fixture
def lecture(runner, tmp_path):
    result = runner.invoke(args=["courses", "import", str(package(tmp_path))])
    assert result.exit_code == 0, result.output
    module = db.session.scalar(select(Module).where(Module.slug == "lecture"))
    module.required_watch_percent = 80
    db.session.commit()
    return module


def learner(app, language: str):
    client = app.test_client()
    make_user(email=f"{language}@example.org", language=language)
    login(client, f"{language}@example.org")
    return client


def test_the_video_is_streamed_with_range_requests(client, lecture):
    data = webm()
    with client.get("/courses/demo-course/media/lecture.webm", headers={"Range": "bytes=100-199"}) as part:
        assert part.status_code == 206
        assert part.headers["Content-Range"] == f"bytes 100-199/{len(data)}"
        assert part.data == data[100:200]
    with client.get("/courses/demo-course/media/lecture.webm") as whole:
        assert whole.status_code == 200 and whole.headers["Accept-Ranges"] == "bytes" and whole.data == data
    row = db.session.scalar(select(CourseMedia).where(CourseMedia.name == "lecture.webm"))
    assert (row.content_type, row.duration) == ("video/webm", 60.0)


@pytest.mark.parametrize(("language", "track", "words"), [
    ("fi", "fi", "Tervetuloa vaaratilanneluentoon."),
    ("sv", "sv", "Välkommen till föreläsningen."),
    ("nb", "sv", "Välkommen till föreläsningen."),  # nb → nn → da → sv
    ("lv", "en", "Serious incidents are reported."),
])
def test_the_readers_track_is_the_default_and_its_transcript_is_shown(app, lecture, language, track, words):
    html = learner(app, language).get("/courses/demo-course/modules/lecture").get_data(as_text=True)
    assert html.count("<track ") == 3
    defaults = re.findall(r'<track kind="subtitles" srclang="(\w+)"[^>]*default>', html)
    assert defaults == [track]
    assert f'class="transcript" open lang="{track}"' in html and words in html
    assert "<v Speaker>" not in html  # voice tags are not shown as text


def test_the_watched_share_is_not_fooled_by_a_forged_jump_to_the_end(app, lecture):
    client = learner(app, "en")
    client.get("/courses/demo-course/modules/lecture")  # the page is opened now
    forged = client.post("/courses/demo-course/modules/lecture/watched",
                         json={"video": "lecture.webm", "ranges": [[0, 60]]},
                         headers={"X-CSRFToken": _csrf(client)})
    assert forged.status_code == 200 and forged.get_json()["share"] < 0.1  # a few seconds at most
    refused = post_form(client, "/courses/demo-course/modules/lecture/complete",
                        token_from="/courses/demo-course/modules/lecture")
    assert refused.status_code == 302
    assert "Watch at least 80" in client.get(refused.headers["Location"]).get_data(as_text=True)
    user = db.session.scalar(select(User).where(User.email == "en@example.org"))
    progress = db.session.scalar(select(ModuleProgress).where(ModuleProgress.user_id == user.id))
    assert progress.status is ProgressStatus.STARTED

    # Really watching: reports as the player sends them, with time passing, seeking back and forth.
    module = db.session.get(Module, lecture.id)
    start = progress.last_seen_at
    share = None
    for seconds, ranges in ((10, [[0, 10]]), (20, [[0, 20]]), (25, [[0, 20], [40, 45]]),
                            (35, [[0, 20], [35, 45]]), (60, [[0, 60]])):
        share = learning.record_watching(user=user, module=module, video="lecture.webm", ranges=ranges,
                                         at=start + timedelta(seconds=seconds))
    db.session.commit()
    assert share == 1.0
    done = post_form(client, "/courses/demo-course/modules/lecture/complete",
                     token_from="/courses/demo-course/modules/lecture")
    assert done.status_code == 302
    db.session.refresh(progress)
    assert progress.status is ProgressStatus.COMPLETED


def test_a_report_about_another_video_or_malformed_is_refused(app, lecture):
    client = learner(app, "en")
    client.get("/courses/demo-course/modules/lecture")
    headers = {"X-CSRFToken": _csrf(client)}
    assert client.post("/courses/demo-course/modules/lecture/watched", json={"video": "other.webm", "ranges": []},
                       headers=headers).status_code == 404
    assert client.post("/courses/demo-course/modules/lecture/watched", json={"ranges": "all"},
                       headers=headers).status_code == 400
    assert client.post("/courses/demo-course/modules/lecture/watched",
                       json={"video": "lecture.webm", "ranges": [[0, 5]]}).status_code == 400  # no CSRF token


def _csrf(client) -> str:
    html = client.get("/courses/demo-course/modules/lecture").get_data(as_text=True)
    return re.search(r'data-csrf="([^"]+)"', html).group(1)


def test_malformed_subtitles_in_a_package_are_refused_by_line(runner, tmp_path):
    broken = "WEBVTT\n\n00:00.000 --> 00:05.000\nFine.\n\n00:07.000 --> 00:06.000\nBackwards.\n\n00:08,000 --> 00:09.000\nComma.\n"
    result = runner.invoke(args=["courses", "import", str(package(tmp_path, tracks={"en": broken}))])
    assert result.exit_code != 0
    assert "media/lecture.en.vtt:6: this cue ends before it starts" in result.output
    assert "media/lecture.en.vtt:9: write cue times as" in result.output
    assert db.session.scalar(select(Course)) is None


def test_a_video_without_subtitles_is_refused(runner, tmp_path):
    result = runner.invoke(args=["courses", "import", str(package(tmp_path, tracks={}))])
    assert result.exit_code != 0 and "needs subtitles" in result.output


def test_videos_and_tracks_round_trip_through_packages(runner, tmp_path, lecture):
    assert runner.invoke(args=["courses", "export", "demo-course", str(tmp_path / "out")]).exit_code == 0
    out = tmp_path / "out" / "demo-course" / "media"
    assert (out / "lecture.webm").read_bytes() == webm()
    assert (out / "lecture.fi.vtt").read_text(encoding="utf-8") == FI


@pytest.mark.app_settings(LMS_MAX_VIDEO_BYTES=6000)
def test_authors_upload_videos_and_write_subtitles_checked_by_line(app, lecture):
    make_user(email="admin@example.org", role=Role.ADMIN)
    admin = app.test_client()
    login(admin, "admin@example.org")
    editor = "/author/demo-course/modules/lecture/en"

    def upload(name: str, data: bytes):
        page = admin.get(editor).get_data(as_text=True)
        base = re.search(r'id="base" name="base" type="hidden" value="(\d+)"', page).group(1)
        return post_form(admin, editor, {"text": LECTURE, "action": "upload-video", "base": base,
                                         "video": (io.BytesIO(data), name)},
                         token_from=editor, content_type="multipart/form-data")

    assert upload("talk.webm", b"\x1aE\xdf\xa3 not a video").status_code == 422
    large = webm(seconds=120)
    assert len(large) > 6000 > len(webm())
    assert "larger than" in upload("talk.webm", large).get_data(as_text=True)  # the limit is 6000 bytes here
    small = webm(seconds=4, fps=1)
    done = upload("Talk 2.webm", small)
    assert done.status_code == 200 and "::: video media/talk-2.webm\n:::" in done.get_data(as_text=True)

    subtitles = "/author/demo-course/subtitles/talk-2.webm/sv"
    bad = post_form(admin, subtitles, {"text": "WEBVTT\n\n00:01.000 --> 00:00.500\nBakåt.\n"}, token_from=subtitles)
    assert bad.status_code == 422 and "Line 3: this cue ends before it starts" in bad.get_data(as_text=True)
    good = post_form(admin, subtitles, {"text": vtt(("00:00.000", "00:04.000", "Hej."))}, token_from=subtitles)
    assert good.status_code == 302
    states = {(s.video, s.language): s.state for s in authoring.track_states(
        course=db.session.scalar(select(Course)))}
    assert states[("talk-2.webm", "sv")] == "current" and states[("talk-2.webm", "en")] == "missing"
    assert states[("lecture.webm", "en")] == "source" and states[("lecture.webm", "fi")] == "current"
    en = "/author/demo-course/subtitles/lecture.webm/en"
    assert post_form(admin, en, {"text": EN + "\n00:10.000 --> 00:12.000\nThanks.\n"}, token_from=en).status_code == 302
    states = {(s.video, s.language): s.state for s in authoring.track_states(
        course=db.session.scalar(select(Course)))}
    assert states[("lecture.webm", "fi")] == "outdated"  # the source track changed after it


def test_watching_counts_the_time_that_passed(app, lecture):
    user = make_user(email="w@example.org")
    module = db.session.get(Module, lecture.id)
    now = utcnow()
    learning.record_visit(user=user, module=module, at=now)
    share = learning.record_watching(user=user, module=module, video="lecture.webm", ranges=[[0, 60]],
                                     at=now + timedelta(seconds=10))
    assert share == pytest.approx((10 * 2 + 3) / 60)  # 10 s passed: at most 2× speed, plus 3 s


def test_the_translation_table_shows_each_videos_subtitles(app, lecture):
    make_user(email="admin@example.org", role=Role.ADMIN)
    admin = app.test_client()
    login(admin, "admin@example.org")
    html = admin.get("/author/demo-course/translations").get_data(as_text=True)
    assert "<code>lecture.webm</code>" in html
    assert 'href="/author/demo-course/subtitles/lecture.webm/fi">Current' in html
    assert 'href="/author/demo-course/subtitles/lecture.webm/en">Source' in html
    assert 'href="/author/demo-course/subtitles/lecture.webm/da">Missing' in html


def test_ordinary_subtitle_files_and_subrip_are_taken_and_the_transcript_reads_right(app, lecture):
    """Files as captioning tools write them: a header with Kind and Language, NOTE, STYLE and REGION
    blocks, tabs and cue settings; a SubRip file converted; character references decoded once."""
    data = ROOT / "tests" / "data" / "vtt"
    make_user(email="admin@example.org", role=Role.ADMIN)
    admin = app.test_client()
    login(admin, "admin@example.org")
    page = "/author/demo-course/subtitles/lecture.webm/{}"

    def upload(language: str, name: str):
        return post_form(admin, page.format(language), {"upload": (io.BytesIO((data / name).read_bytes()), name)},
                         token_from=page.format(language), content_type="multipart/form-data")

    for language, name in (("da", "kind-language-header.vtt"), ("nb", "note-style-region.vtt"),
                           ("nn", "tabs-and-settings.vtt"), ("fi", "entities.vtt"), ("is", "plain.srt")):
        answer = upload(language, name)
        assert answer.status_code == 302, (name, answer.get_data(as_text=True))
    converted = authoring.track_text(user=db.session.scalar(select(User).where(User.role == Role.ADMIN)),
                                     course=db.session.scalar(select(Course)), video="lecture.webm", language="is")
    assert converted.startswith("WEBVTT") and "-->" in converted and "," not in converted.split("\n")[2]
    reader = learner(app, "fi")
    html = reader.get("/courses/demo-course/modules/lecture").get_data(as_text=True)
    transcript = html[html.index('class="transcript"'):]
    assert "Q&amp;A with &lt;b&gt; as text" in transcript  # shown as "Q&A with <b> as text"
    assert "&amp;amp;" not in transcript and "Roger Bingham" not in transcript
    refused = upload("lt", "bad-timing.srt")
    assert refused.status_code == 422 and "SubRip" in refused.get_data(as_text=True)
