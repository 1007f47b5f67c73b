"""A course's images, videos and subtitles are for learners only where a module they can see shows
them: those of a draft, a hidden or removed module, or an unpublished course are for its authors."""

from __future__ import annotations

import io

import pytest

from sqlalchemy import select

from lms.accounts.models import Role, User
from lms.authoring import services as authoring
from lms.catalog.models import RevisionStatus
from lms.content import revisions
from lms.extensions import db
from tests.conftest import login
from tests.content.test_packages import PNG
from tests.factories import make_course, make_user
from tests.videos import vtt, webm


def _status(client, url: str) -> int:
    response = client.get(url)
    response.close()  # a file answer holds its file open until closed
    return response.status_code


def _image(admin, course, name: str) -> str:
    data = PNG[:-12] + name.encode().ljust(12, b"-")[:12]  # other bytes per image, so each keeps its name
    return authoring.upload_image(user=admin, course=course, filename=f"{name}.png", data=data).name


def _show(admin, course, module, text: str, *, publish: bool = True) -> None:
    revisions.add(module=module, language="en", text=f"# {module.slug}\n\n{text}\n",
                  status=RevisionStatus.PUBLISHED if publish else RevisionStatus.DRAFT, author_id=admin.id,
                  base=revisions.newest(module, "en"))


@pytest.fixture
def course_with_media(app):
    admin = make_user(email="admin@example.org", role=Role.ADMIN)
    course = make_course(slug="demo", modules=3)
    visible, hidden, removed = course.modules
    names = {what: _image(admin, course, what) for what in ("visible", "draft", "hidden", "removed")}
    video = authoring.upload_media(user=admin, course=course, filename="lecture.webm", stream=io.BytesIO(webm(4)),
                                   kind="video")
    authoring.save_track(user=admin, course=course, video=video.name, language="en",
                         data=vtt(("00:00.000", "00:02.000", "Hello")).encode())
    _show(admin, course, visible, f"![Shown](media/{names['visible']})")
    _show(admin, course, visible, f"![Not yet](media/{names['draft']})", publish=False)
    _show(admin, course, hidden, f"![Hidden](media/{names['hidden']})\n\n::: video media/{video.name}\n:::")
    _show(admin, course, removed, f"![Removed](media/{names['removed']})")
    authoring.set_module_published(user=admin, course=course, module=hidden, published=False)
    authoring.remove_module(user=admin, course=course, module=removed)
    db.session.commit()
    return course, {**names, "video": video.name, "track": "lecture.en.vtt"}


def test_learners_and_strangers_get_only_what_visible_modules_show(app, client, course_with_media):
    course, names = course_with_media
    make_user(email="learner@example.org")
    anonymous = app.test_client()
    login(client, "learner@example.org")
    for who in (client, anonymous):
        assert _status(who, f"/courses/demo/media/{names['visible']}") == 200
        for what in ("draft", "hidden", "removed", "video", "track"):
            assert _status(who, f"/courses/demo/media/{names[what]}") == 404, what


def test_the_courses_authors_get_every_file(app, client, course_with_media):
    course, names = course_with_media
    login(client, "admin@example.org")
    for what, name in names.items():
        assert _status(client, f"/courses/demo/media/{name}") == 200, what
        assert _status(client, f"/author/demo/media/{name}") == 200, what


def test_publishing_shows_a_file_and_unpublishing_the_course_hides_every_file(app, client, course_with_media):
    course, names = course_with_media
    admin = db.session.scalar(select(User).where(User.email == "admin@example.org"))
    hidden = course.modules[1]
    authoring.set_module_published(user=admin, course=course, module=hidden, published=True)
    db.session.commit()
    anonymous = app.test_client()
    for what in ("hidden", "video", "track"):
        assert _status(anonymous, f"/courses/demo/media/{names[what]}") == 200, what
    course.published = False
    db.session.commit()
    assert _status(anonymous, f"/courses/demo/media/{names['visible']}") == 404
