"""Uploads: videos are what real tools produce, read whole; an upload is refused before its body is
read unless its sender may change the course; a refused upload leaves nothing behind."""

from __future__ import annotations

import io

import pytest
from sqlalchemy import func, select

from lms.accounts.models import Role
from lms.catalog.models import CourseMedia
from lms.extensions import db
from tests.conftest import ROOT, login, post_form
from tests.factories import make_course, make_user

MEDIA = ROOT / "tests" / "data" / "media"
EDITOR = "/author/demo/modules/module-1/en"


def _files_left(app) -> list[str]:
    from pathlib import Path

    folders = (Path(app.config["LMS_MEDIA_DIR"]) / "incoming", Path(app.instance_path) / "uploads")
    return [p.name for folder in folders if folder.is_dir() for p in folder.iterdir()]


@pytest.fixture
def author(app, client):
    make_course(slug="demo", modules=1)
    make_user(email="admin@example.org", role=Role.ADMIN)
    login(client, "admin@example.org")
    return client


def _upload_video(client, name: str):
    data = (MEDIA / name).read_bytes()
    return post_form(client, EDITOR, {"action": "upload-video", "text": "# Module 1\n\nText.\n", "base": "0",
                                      "video": (io.BytesIO(data), name)}, token_from=EDITOR,
                     content_type="multipart/form-data")


@pytest.mark.parametrize(("name", "content_type", "seconds"), [
    ("mediarecorder.webm", "video/webm", 2.5),  # Chromium's MediaRecorder: no duration in its header
    ("moov-at-end.mp4", "video/mp4", 2.0),  # ffmpeg's default layout: the index after the media
    ("faststart.mp4", "video/mp4", 2.0),
    ("vp9.webm", "video/webm", 2.0),
])
def test_real_videos_are_accepted_with_the_length_read_over_the_whole_file(app, author, name, content_type, seconds):
    response = _upload_video(author, name)
    assert response.status_code == 200, response.get_data(as_text=True)
    row = db.session.scalar(select(CourseMedia))
    assert row.content_type == content_type and abs(row.duration - seconds) < 0.2
    assert _files_left(app) == []


@pytest.mark.parametrize(("name", "message"), [
    ("image.heic", "Browsers cannot play this kind of file"),
    ("image.avif", "Browsers cannot play this kind of file"),
    ("audio.m4a", "This file has no picture"),
    ("quicktime.mov", "Browsers cannot play this kind of file"),
    ("hevc.mp4", "Browsers cannot play the way this video is encoded"),
    ("ftyp-then-html.mp4", "not a video NordLearn can read"),
    ("truncated.mp4", "not a video NordLearn can read"),
])
def test_files_that_are_not_browser_playable_videos_are_refused_and_deleted(app, author, name, message):
    response = _upload_video(author, name)
    assert response.status_code == 422
    assert message in response.get_data(as_text=True)
    assert db.session.scalar(select(func.count()).select_from(CourseMedia)) == 0
    assert _files_left(app) == []


class _Body(io.RawIOBase):
    """A request body that notes how much of it was read."""

    def __init__(self) -> None:
        self.read_bytes = 0

    def readable(self) -> bool:
        return True

    def seekable(self) -> bool:
        return True

    def tell(self) -> int:  # the test client asks where the body starts
        return 0

    def seek(self, offset: int, whence: int = 0) -> int:
        return 0

    def readinto(self, buffer) -> int:
        self.read_bytes += len(buffer)
        buffer[:] = b"x" * len(buffer)
        return len(buffer)


@pytest.mark.parametrize("path", [EDITOR, "/author/demo/package", "/author/demo/subtitles/a.webm/en",
                                  "/author/demo/live/1"])
def test_an_upload_from_someone_not_allowed_is_refused_before_its_body_is_read(app, client, path):
    make_course(slug="demo", modules=1)
    make_user(email="learner@example.org")
    make_user(email="other-author@example.org", role=Role.AUTHOR)
    headers = {"Content-Type": "multipart/form-data; boundary=x", "Content-Length": str(400 * 2**20)}
    anonymous_body = _Body()
    answer = client.post(path, input_stream=anonymous_body, headers=headers)
    assert answer.status_code == 302 and "/account/login" in answer.headers["Location"]
    assert anonymous_body.read_bytes == 0
    for email in ("learner@example.org", "other-author@example.org"):
        login(client, email)
        body = _Body()
        assert client.post(path, input_stream=body, headers=headers).status_code == 404
        assert body.read_bytes == 0
        post_form(client, "/account/logout", token_from="/dashboard")
    assert _files_left(app) == []


def test_a_refused_package_upload_is_deleted_at_once(app, author):
    response = post_form(author, "/author/demo/package", {"package": (io.BytesIO(b"not a zip"), "demo.zip")},
                         token_from="/author/demo/package", content_type="multipart/form-data")
    assert response.status_code == 422 and "not a zip archive" in response.get_data(as_text=True)
    assert _files_left(app) == []


def test_a_video_of_unknown_length_never_waives_the_watch_rule(app, client, author):
    from lms.catalog.models import Module, RevisionStatus
    from lms.content import revisions

    assert _upload_video(author, "vp9.webm").status_code == 200
    row = db.session.scalar(select(CourseMedia))
    row.duration = None  # as a video stored before lengths were read whole
    module = db.session.scalar(select(Module))
    module.required_watch_percent = 50
    track = CourseMedia(course_id=module.course_id, name="vp9.en.vtt", sha256=row.sha256, content_type="text/vtt",
                        size=1)
    db.session.add(track)
    revisions.add(module=module, language="en", text=f"# Module 1\n\n::: video media/{row.name}\n:::\n",
                  status=RevisionStatus.PUBLISHED, author_id=None, base=revisions.newest(module, "en"))
    db.session.commit()
    assert "The length of these videos is not known" in author.get("/author/demo").get_data(as_text=True)
    learner = app.test_client()
    make_user(email="learner@example.org")
    login(learner, "learner@example.org")
    done = post_form(learner, "/courses/demo/modules/module-1/complete", token_from="/courses/demo/modules/module-1")
    assert done.status_code == 302
    page = learner.get(done.headers["Location"]).get_data(as_text=True)
    assert "Watch at least 50" in page
