"""Live sessions keep their private parts private, and their reminders and calendar files are
written safely: a reminder counts as sent only once it has gone out, one bad address or
session never stops the rest, and no text a user typed can break a calendar file or an e-mail."""

from __future__ import annotations

from datetime import datetime, timedelta
from email import message_from_bytes, policy

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from icalendar import Calendar
from sqlalchemy import select

from lms.accounts.models import Role
from lms.core.types import utcnow
from lms.extensions import db
from lms.live import services
from lms.live.models import LiveSessionText, SessionRegistration
from tests.conftest import login, post_form
from tests.factories import make_course, make_user
from tests.live.test_live import calendar_link, next_december, schedule
from tests.mail.test_email import SMTP, Inbox, smtp_server


class Bouncing(Inbox):
    """A mail server that refuses one address, as a real one refuses an unknown mailbox."""

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):  # noqa: N802 (aiosmtpd's name)
        if address.startswith("bounce@"):
            return "550 5.1.1 No such mailbox"
        envelope.rcpt_tos.append(address)
        return "250 OK"


@pytest.fixture
def bouncing():
    with smtp_server(Bouncing()) as handler:
        yield handler


def _soon(hours: int = 3) -> datetime:
    local = (utcnow() + timedelta(hours=hours)).astimezone(services.ZoneInfo("Europe/Oslo"))
    return local.replace(tzinfo=None, second=0, microsecond=0)


def _registrations() -> dict[str, SessionRegistration]:
    db.session.expire_all()
    return {r.user.email: r for r in db.session.scalars(select(SessionRegistration))}


@pytest.mark.app_settings(**SMTP)
def test_a_bad_address_or_a_broken_session_never_stops_the_other_reminders(app, runner, bouncing):
    course = make_course(slug="pv", modules=1)
    session = schedule(course, starts=_soon())
    broken = schedule(course, starts=_soon(4))
    for email in ("aino@example.fi", "bounce@example.org", "bo@example.se"):
        services.register(user=make_user(email=email), session=session)
    services.register(user=make_user(email="carl@example.dk"), session=broken)
    # A session whose texts cannot be shown (here: all of them gone) must not stop the others.
    db.session.execute(LiveSessionText.__table__.delete().where(LiveSessionText.session_id == broken.id))
    db.session.commit()

    run = runner.invoke(args=["live", "remind"])
    assert run.exit_code == 0, run.output
    assert "sent 2 reminder(s); 2 failed and will be tried again" in run.output
    assert sorted(m["To"] for m in bouncing.messages) == ["aino@example.fi", "bo@example.se"]
    rows = _registrations()
    assert rows["aino@example.fi"].reminded_at is not None and rows["bo@example.se"].reminded_at is not None
    assert rows["bounce@example.org"].reminded_at is None and rows["carl@example.dk"].reminded_at is None

    again = runner.invoke(args=["live", "remind"])  # the failed ones are tried again, the sent ones never
    assert "sent 0 reminder(s); 2 failed" in again.output
    assert len(bouncing.messages) == 2


@pytest.mark.app_settings(**SMTP)
def test_a_reminder_is_marked_sent_only_once_it_has_gone_out(app, runner):
    course = make_course(slug="pv", modules=1)
    session = schedule(course, starts=_soon())
    services.register(user=make_user(email="aino@example.fi"), session=session)
    db.session.commit()
    down = runner.invoke(args=["live", "remind"])  # no mail server listening
    assert "sent 0 reminder(s); 1 failed" in down.output
    assert _registrations()["aino@example.fi"].reminded_at is None

    # A run that took a reminder and then died: its lease keeps other runs off it for a while only.
    registration = _registrations()["aino@example.fi"]
    registration.reminder_claimed_at = utcnow()
    db.session.commit()
    with smtp_server(Inbox()) as handler:
        assert "sent 0 reminder(s); 0 failed" in runner.invoke(args=["live", "remind"]).output
        registration = _registrations()["aino@example.fi"]
        registration.reminder_claimed_at = utcnow() - services.REMINDER_LEASE - timedelta(minutes=1)
        db.session.commit()
        assert "sent 1 reminder(s); 0 failed" in runner.invoke(args=["live", "remind"]).output
    assert [m["To"] for m in handler.messages] == ["aino@example.fi"]
    assert _registrations()["aino@example.fi"].reminded_at is not None


def test_join_link_and_calendar_are_for_registered_participants_only(app, client):
    course = make_course(slug="pv", modules=1)
    session = schedule(course, starts=next_december())
    participant = make_user(email="aino@example.fi")
    make_user(email="curious@example.org")
    login(client, "curious@example.org")
    page = client.get("/courses/pv").get_data(as_text=True)
    assert "meet.example.org" not in page and "/live/calendar/" not in page
    assert client.get(f"/live/{session.id}.ics").status_code == 404  # no calendar by sequential id
    anonymous = app.test_client()
    assert anonymous.get("/live/calendar/" + "A" * 32 + ".ics").status_code == 404

    services.register(user=participant, session=session)
    db.session.commit()
    mine = app.test_client()
    login(mine, "aino@example.fi")
    link = calendar_link(mine.get("/courses/pv").get_data(as_text=True))
    token = link.rsplit("/", 1)[1].removesuffix(".ics")
    assert len(token) >= 32
    calendar = anonymous.get(link)  # the private link works where the participant's calendar app fetches it
    assert calendar.status_code == 200 and b"https://meet.example.org/pv-2026" in calendar.data
    assert calendar.headers["Cache-Control"] == "private, no-store"
    assert "meet.example.org" not in client.get("/courses/pv").get_data(as_text=True)


@pytest.mark.parametrize("url", [
    "http://meet.example.org/x", "https://meet.example.org/a b", "https://meet.example.org/x\r\nBcc: a@b.c",
    "https://meet.example.org/\x00", "javascript:alert(1)", "https://user:pw@meet.example.org/x", "https:///x",
])
def test_join_links_must_be_https_without_spaces_or_control_characters(client, url):
    make_course(slug="pv", modules=1)
    make_user(email="admin@example.org", role=Role.ADMIN)
    login(client, "admin@example.org")
    fields = {"starts_at": "2030-12-01T10:00", "ends_at": "2030-12-01T11:00", "timezone": "Europe/Oslo",
              "capacity": "20", "join_url": url, "title_en": "Q&A"}
    response = post_form(client, "/author/pv/live", fields, token_from="/author/pv/live")
    assert response.status_code == 422
    assert services.valid_join_url(url) is False


def _calendar_of(title: str, description: str) -> bytes:
    session = services.LiveSession(id=7, starts_at=datetime(2030, 12, 1, 9, tzinfo=services.UTC),
                                   ends_at=datetime(2030, 12, 1, 10, tzinfo=services.UTC), timezone="Europe/Oslo",
                                   join_url="https://meet.example.org/x")
    return services.ics(session=session, title=title, description=description, local_time="Sunday, 10:00",
                        base_url="https://nordlearn.example")


def _expected(text: str) -> str:
    return services.calendar_text(text)


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(title=st.text(), description=st.text())
def test_any_title_and_description_give_a_valid_calendar_file(title, description):
    body = _calendar_of(title, description)
    lines = body.split(b"\r\n")
    assert lines[-1] == b"" and all(b"\r" not in line and b"\n" not in line for line in lines)
    assert all(len(line) <= 75 for line in lines), "lines are folded at 75 octets (RFC 5545 3.1)"
    event = Calendar.from_ical(body).walk("VEVENT")[0]
    assert str(event["SUMMARY"]) == _expected(title)
    assert _expected(description) in str(event["DESCRIPTION"])
    assert str(event["URL"]) == "https://meet.example.org/x"


def test_calendar_text_escapes_the_characters_rfc_5545_names():
    body = _calendar_of("Q&A; risk, benefit \\ and\r\nmore\rCR", "")
    unfolded = body.replace(b"\r\n ", b"")
    assert b"SUMMARY:Q&A\\; risk\\, benefit \\\\ and\\nmore\\nCR\r\n" in unfolded


@pytest.fixture(scope="module")
def mail_app(tmp_path_factory):
    from lms import create_app

    return create_app({"TESTING": True, "SECRET_KEY": "x", "SQLALCHEMY_DATABASE_URI": "sqlite://"},
                      instance_path=tmp_path_factory.mktemp("mail"))


@settings(max_examples=300, deadline=None)
@given(subject=st.text(), name=st.text())
def test_any_subject_gives_a_mail_whose_headers_hold_no_line_break(mail_app, subject, name):
    from lms import mail

    with mail_app.app_context():
        message = mail.message(mail.Mail(to="aino@example.fi", subject=subject, text=f"Hello {name}",
                                         html=f"<p>Hello {name}</p>", language="fi"))
        raw = message.as_bytes()
    parsed = message_from_bytes(raw, policy=policy.default)
    assert parsed["Subject"] == mail.header_text(subject)
    assert parsed["To"] == "aino@example.fi"
    head = raw.split(b"\n\n", 1)[0]
    assert sorted({line.split(b":")[0] for line in head.replace(b"\r\n", b"\n").split(b"\n")
                   if line and not line[:1].isspace()}) == \
        sorted({b"Subject", b"From", b"To", b"Message-ID", b"MIME-Version", b"Content-Type", b"Content-Language"})


def _upload_report(client, session, name: str):
    import io

    from tests.conftest import ROOT

    data = (ROOT / "tests" / "data" / "attendance" / name).read_bytes()
    path = f"/author/pv/live/{session.id}"
    return post_form(client, path, {"action": "import", "report": (io.BytesIO(data), name)}, token_from=path,
                     content_type="multipart/form-data")


def test_a_finnish_teams_report_in_utf_16_marks_the_registered_participants(app, client):
    course = make_course(slug="pv", modules=1)
    session = schedule(course, starts=next_december())
    for email in ("jussi.makinen@example.fi", "pirkko.hakkinen@example.fi", "not.there@example.fi"):
        services.register(user=make_user(email=email), session=session)
    db.session.commit()
    login(client, "admin@example.org")
    page = _upload_report(client, session, "teams_fi.csv").get_data(as_text=True)
    assert "2 registered participants were found in it and marked as attended." in page
    attended = {r.user.email for r in _registrations().values() if r.attended}
    assert attended == {"jussi.makinen@example.fi", "pirkko.hakkinen@example.fi"}
    assert "ville.jarvinen@example.fi" in page  # in the report, not registered: listed for the organiser


def test_a_report_without_addresses_says_so(app, client):
    course = make_course(slug="pv", modules=1)
    session = schedule(course, starts=next_december())
    services.register(user=make_user(email="someone@example.org"), session=session)
    db.session.commit()
    login(client, "admin@example.org")
    page = _upload_report(client, session, "names_only.csv").get_data(as_text=True)
    assert "No e-mail addresses were found in this file." in page and "0 registered" not in page
    page = _upload_report(client, session, "image.png").get_data(as_text=True)
    assert "This is not a text file." in page
    assert not any(r.attended for r in _registrations().values())
