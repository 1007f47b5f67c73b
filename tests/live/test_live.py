"""Live sessions: times in the reader's zone and language, calendar files, capacity under
concurrent sign-ups, reminders sent exactly once, attendance counting as progress."""

from __future__ import annotations

import re
import threading
from datetime import datetime, timedelta

import pytest
from sqlalchemy import func, select

from lms.accounts.models import Role, User
from lms.catalog.models import Course, Module
from lms.core.types import utcnow
from lms.extensions import db
from lms.learning.models import ModuleProgress, ProgressStatus
from lms.live import services
from lms.live.models import LiveSession, SessionRegistration
from tests.conftest import login, post_form
from tests.factories import make_course, make_user
from tests.mail.test_email import SMTP, inbox  # noqa: F401  (the SMTP server fixture)


def schedule(course: Course, *, starts: datetime, capacity: int = 30, module_id: int | None = None) -> LiveSession:
    """A session at ``starts`` (wall clock in Europe/Oslo), 90 minutes long."""
    admin = db.session.scalar(select(User).where(User.role == Role.ADMIN)) or make_user(
        email="admin@example.org", role=Role.ADMIN)
    session = services.create_session(user=admin, course=course, details=services.SessionDetails(
        starts_at=starts, ends_at=starts + timedelta(minutes=90), timezone="Europe/Oslo", capacity=capacity,
        join_url="https://meet.example.org/pv-2026", speakers="Dr. Ingrid Hansen",
        titles={"en": "Signal detection in practice", "fi": "Signaalien havaitseminen käytännössä"},
        descriptions={"en": "Questions and answers."}, module_id=module_id))
    db.session.commit()
    return session


def calendar_link(page: str) -> str:
    """The private calendar link a registered reader finds on the course page."""
    match = re.search(r'href="(/live/calendar/[A-Za-z0-9_-]{20,}\.ics)"', page)
    assert match, "no calendar link on the page"
    return match.group(1)


def next_december() -> datetime:
    year = utcnow().year + 1
    return datetime(year, 12, 1, 10, 0)


def test_a_session_at_10_oslo_shows_11_in_helsinki_in_the_readers_language(client):
    course = make_course(slug="pv", modules=1, languages=("en", "fi"))
    session = schedule(course, starts=next_december())
    reader = make_user(email="helsinki@example.org", language="en")
    reader.timezone = "Europe/Helsinki"
    db.session.commit()
    login(client, "helsinki@example.org")
    html = client.get("/courses/pv").get_data(as_text=True)
    assert "11:00\u2009–\u200912:30 (Europe/Helsinki)" in html or "11:00–12:30 (Europe/Helsinki)" in html
    assert "Signal detection in practice" in html and "30 places left" in html

    services.register(user=reader, session=session)
    db.session.commit()
    calendar = client.get(calendar_link(client.get("/courses/pv").get_data(as_text=True)))
    assert calendar.headers["Content-Type"].startswith("text/calendar")
    text = calendar.get_data(as_text=True).replace("\r\n ", "")
    year = next_december().year
    assert f"DTSTART:{year}1201T090000Z" in text and f"DTEND:{year}1201T103000Z" in text  # 10:00 Oslo = 09:00 UTC
    assert "SUMMARY:Signal detection in practice" in text and "(Europe/Helsinki)" in text
    assert all(len(line.encode()) <= 75 for line in calendar.get_data(as_text=True).split("\r\n"))

    finn = make_user(email="fi@example.org", language="fi")
    finn.country = "FI"  # no zone chosen: the country's
    db.session.commit()
    other = client.application.test_client()
    login(other, "fi@example.org")
    html = other.get("/courses/pv").get_data(as_text=True)
    assert "Signaalien havaitseminen käytännössä" in html and "11.00" in html and "(Europe/Helsinki)" in html
    services.register(user=finn, session=session)
    db.session.commit()
    ics_fi = other.get(calendar_link(other.get("/courses/pv").get_data(as_text=True))).get_data(as_text=True)
    assert "SUMMARY:Signaalien havaitseminen käytännössä" in ics_fi.replace("\r\n ", "")


@pytest.mark.app_settings(**SMTP)
def test_registration_is_confirmed_by_e_mail_and_can_be_cancelled(client, inbox):  # noqa: F811
    course = make_course(slug="pv", modules=1)
    session = schedule(course, starts=next_december(), capacity=1)
    make_user(email="first@example.org")
    login(client, "first@example.org")
    assert post_form(client, f"/live/{session.id}/register", token_from="/courses/pv").status_code == 302
    [confirmation] = inbox.messages
    assert confirmation["To"] == "first@example.org" and "Signal detection in practice" in confirmation["Subject"]
    text = confirmation.get_body(("plain",)).get_content()
    assert "http://127.0.0.1:5000/live/calendar/" in text and f"/live/{session.id}.ics" not in text
    page = client.get("/courses/pv").get_data(as_text=True)
    assert "You are registered." in page and "https://meet.example.org/pv-2026" in page

    second = client.application.test_client()
    make_user(email="second@example.org")
    login(second, "second@example.org")
    assert "This session is full." in second.get("/courses/pv").get_data(as_text=True)
    post_form(second, f"/live/{session.id}/register", token_from="/courses/pv")
    assert db.session.scalar(select(func.count()).select_from(SessionRegistration)) == 1

    post_form(client, f"/live/{session.id}/unregister", token_from="/courses/pv")
    assert post_form(second, f"/live/{session.id}/register", token_from="/courses/pv").status_code == 302
    assert db.session.scalar(select(func.count()).select_from(SessionRegistration)) == 1


def test_concurrent_sign_ups_never_exceed_the_capacity(app):
    course = make_course(slug="pv", modules=1)
    session_id = schedule(course, starts=next_december(), capacity=5).id
    users = [make_user(email=f"rush{n}@example.org").id for n in range(12)]
    results: list[str] = []
    barrier = threading.Barrier(len(users))

    def sign_up(user_id: int) -> None:
        with app.app_context():
            barrier.wait()
            try:
                new = services.register(user=db.session.get(User, user_id),
                                        session=db.session.get(LiveSession, session_id))
                db.session.commit()
                results.append("in" if new else "again")
            except services.Full:
                db.session.rollback()
                results.append("full")
            finally:
                db.session.remove()

    threads = [threading.Thread(target=sign_up, args=(user_id,)) for user_id in users]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(results) == ["full"] * 7 + ["in"] * 5
    assert db.session.scalar(select(func.count()).select_from(SessionRegistration)) == 5


@pytest.mark.app_settings(**SMTP)
def test_reminders_are_sent_exactly_once_in_the_recipients_language(app, runner, inbox):  # noqa: F811
    course = make_course(slug="pv", modules=1, languages=("en", "fi"))
    soon = (utcnow() + timedelta(hours=3)).astimezone(services.ZoneInfo("Europe/Oslo")).replace(tzinfo=None)
    session = schedule(course, starts=soon.replace(second=0, microsecond=0))
    later = schedule(course, starts=next_december())
    for email, language in (("aino@example.fi", "fi"), ("bo@example.se", "en")):
        user = make_user(email=email, language=language)
        services.register(user=user, session=session)
        services.register(user=user, session=later)
    db.session.commit()
    first = runner.invoke(args=["live", "remind", "--hours", "24"])
    again = runner.invoke(args=["live", "remind", "--hours", "24"])
    assert "sent 2 reminder(s)" in first.output and "sent 0 reminder(s)" in again.output
    assert sorted(m["To"] for m in inbox.messages) == ["aino@example.fi", "bo@example.se"]
    finnish = next(m for m in inbox.messages if m["To"] == "aino@example.fi")
    assert "Signaalien havaitseminen käytännössä" in finnish["Subject"]
    assert finnish["Content-Language"] == "fi"


def test_attendance_from_a_meeting_report_completes_the_sessions_module(client):
    course = make_course(slug="pv", modules=2)
    module = db.session.scalar(select(Module).where(Module.course_id == course.id, Module.slug == "module-2"))
    session = schedule(course, starts=next_december(), module_id=module.id)
    people = [make_user(email=f"p{n}@example.org") for n in range(3)]
    for person in people:
        services.register(user=person, session=session)
    db.session.commit()
    login(client, "admin@example.org")
    report = ("Meeting ID,Topic\n123,PV\n\nName (original name),User Email,Join time\n"
              "P Zero,P0@example.org,10:01\nP Two,p2@example.org,10:03\nGuest,guest@example.org,10:05\n")
    import io

    path = f"/author/pv/live/{session.id}"
    response = post_form(client, path, {"action": "import", "report": (io.BytesIO(report.encode()), "report.csv")},
                         token_from=path, content_type="multipart/form-data")
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    assert "guest@example.org" in html  # not registered: listed for the organiser
    attended = db.session.scalars(select(SessionRegistration.user_id).where(SessionRegistration.attended)).all()
    assert sorted(attended) == sorted([people[0].id, people[2].id])
    done = db.session.scalars(select(ModuleProgress.user_id).where(
        ModuleProgress.module_id == module.id, ModuleProgress.status == ProgressStatus.COMPLETED)).all()
    assert sorted(done) == sorted([people[0].id, people[2].id])
    learner = client.application.test_client()
    login(learner, "p1@example.org")
    assert learner.get(path).status_code == 404  # organisers only


def test_sessions_are_scheduled_by_the_courses_authors_only(client):
    make_course(slug="pv", modules=1)
    make_user(email="author@example.org", role=Role.AUTHOR)
    login(client, "author@example.org")
    assert client.get("/author/pv/live").status_code == 404
    fields = {"starts_at": "2030-12-01T10:00", "ends_at": "2030-12-01T09:00", "timezone": "Europe/Oslo",
              "capacity": "20", "join_url": "https://meet.example.org/x", "title_en": "Q&A"}
    assert post_form(client, "/author/pv/live", fields, token_from="/dashboard").status_code == 404
    make_user(email="admin@example.org", role=Role.ADMIN)
    admin = client.application.test_client()
    login(admin, "admin@example.org")
    refused = post_form(admin, "/author/pv/live", fields, token_from="/author/pv/live")
    assert refused.status_code == 422 and "must end after it starts" in refused.get_data(as_text=True)
    fields["ends_at"] = "2030-12-01T11:00"
    assert post_form(admin, "/author/pv/live", fields, token_from="/author/pv/live").status_code == 302
    assert db.session.scalar(select(func.count()).select_from(LiveSession)) == 1


def test_the_recording_becomes_a_draft_video_module(client):
    import io

    from lms.catalog.models import ModuleRevision, RevisionStatus
    from tests.videos import webm

    course = make_course(slug="pv", modules=1)
    session = schedule(course, starts=next_december())
    login(client, "admin@example.org")
    path = f"/author/pv/live/{session.id}"
    refused = post_form(client, path, {"action": "recording", "recording": (io.BytesIO(b"not a video"), "x.mp4")},
                        token_from=path, content_type="multipart/form-data")
    assert refused.status_code == 200 and db.session.scalar(select(func.count()).select_from(Module)) == 1
    done = post_form(client, path, {"action": "recording", "recording": (io.BytesIO(webm()), "Q&A recording.webm")},
                     token_from=path, content_type="multipart/form-data")
    assert done.status_code == 302 and done.headers["Location"].endswith(f"/author/pv/modules/recording-{session.id}/en")
    draft = db.session.scalar(select(ModuleRevision).order_by(ModuleRevision.id.desc()))
    assert draft.status is RevisionStatus.DRAFT
    assert draft.body == "# Signal detection in practice\n\n::: video media/q-a-recording.webm\n:::\n"
