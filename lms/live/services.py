"""Live sessions of a course: scheduling, registration within capacity, calendar files,
reminders sent once, attendance (by hand or from a meeting service's CSV) counting as progress."""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError, available_timezones

from icalendar import Calendar, Event

from sqlalchemy import and_, exists, func, insert, literal, select, update

from lms.accounts.models import User
from lms.accounts.permissions import can_author
from lms.authoring.services import NotAllowed, NotFound, audit
from lms.catalog.models import Course, Module
from lms.core.types import utcnow
from lms.extensions import db
from lms.i18n.languages import pick
from lms.live import attendance
from lms.live.models import LiveSession, LiveSessionText, SessionRegistration, calendar_token

# Where a user's times are shown when they chose no time zone: their country's.
COUNTRY_ZONES = {"NO": "Europe/Oslo", "SE": "Europe/Stockholm", "DK": "Europe/Copenhagen", "FI": "Europe/Helsinki",
                 "IS": "Atlantic/Reykjavik", "EE": "Europe/Tallinn", "LV": "Europe/Riga", "LT": "Europe/Vilnius",
                 "FO": "Atlantic/Faroe", "GL": "America/Nuuk", "AX": "Europe/Mariehamn"}
REGION_ZONES = tuple(dict.fromkeys(COUNTRY_ZONES.values()))


class LiveError(Exception):
    pass


class Full(LiveError):
    pass


class InvalidSession(LiveError):
    def __init__(self, field: str):
        super().__init__(field)
        self.field = field


def valid_zone(name: str) -> bool:
    try:
        ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        return False
    return name in available_timezones() or name == "UTC"


def valid_join_url(url: str) -> bool:
    """An https address of a meeting, without spaces or control characters (it goes into e-mails
    and calendar files as it is)."""
    if len(url) > 500 or any(c.isspace() or unicodedata.category(c)[0] == "C" for c in url):
        return False
    try:
        parts = urlsplit(url)
    except ValueError:
        return False
    return parts.scheme == "https" and bool(parts.hostname) and not parts.username and not parts.password


def user_zone(user: User | None) -> str | None:
    """The time zone a user reads times in: their choice, else their country's."""
    if user is None or not user.is_authenticated:
        return None
    return user.timezone or COUNTRY_ZONES.get(user.country or "")


@dataclass(frozen=True)
class SessionDetails:
    starts_at: datetime  # wall-clock time in ``timezone`` (naive)
    ends_at: datetime
    timezone: str
    capacity: int
    join_url: str
    speakers: str
    titles: dict[str, str]
    descriptions: dict[str, str]
    module_id: int | None = None


def _aware(local: datetime, zone: str) -> datetime:
    return local.replace(tzinfo=ZoneInfo(zone))


def create_session(*, user: User, course: Course, details: SessionDetails) -> LiveSession:
    if not can_author(user, course):
        raise NotAllowed(course.slug)
    if not valid_zone(details.timezone):
        raise InvalidSession("timezone")
    starts, ends = _aware(details.starts_at, details.timezone), _aware(details.ends_at, details.timezone)
    if ends <= starts:
        raise InvalidSession("ends_at")
    if not valid_join_url(details.join_url):
        raise InvalidSession("join_url")
    if details.module_id is not None and db.session.scalar(select(Module.id).where(
            Module.id == details.module_id, Module.course_id == course.id)) is None:
        raise InvalidSession("module")
    titles = {lang: t.strip() for lang, t in details.titles.items() if t and t.strip()}
    if course.default_language not in titles:
        raise InvalidSession("title")
    session = LiveSession(course_id=course.id, starts_at=starts, ends_at=ends, timezone=details.timezone,
                          capacity=details.capacity, join_url=details.join_url, speakers=details.speakers.strip(),
                          module_id=details.module_id)
    session.texts = [LiveSessionText(language=lang, title=title,
                                     description=(details.descriptions.get(lang) or "").strip())
                     for lang, title in titles.items()]
    db.session.add(session)
    db.session.flush()
    audit(course=course, user=user, action="session-scheduled", subject=titles[course.default_language])
    db.session.flush()
    return session


def text_of(session: LiveSession, language: str, default_language: str) -> LiveSessionText:
    texts = {t.language: t for t in session.texts}
    return texts[pick(texts, language, default_language)]


@dataclass(frozen=True)
class SessionRow:
    session: LiveSession
    text: LiveSessionText
    registered: int
    # The reader's own registration's calendar token; None when they are not registered.
    calendar_token: str | None = None

    @property
    def mine(self) -> bool:
        return self.calendar_token is not None

    @property
    def places_left(self) -> int:
        return max(self.session.capacity - self.registered, 0)


def sessions_of(*, course: Course, user: User | None, language: str, upcoming_only: bool = True) -> list[SessionRow]:
    """The course's sessions in time order, with places taken and whether ``user`` is registered: three queries."""
    query = select(LiveSession).where(LiveSession.course_id == course.id).order_by(LiveSession.starts_at)
    if upcoming_only:
        query = query.where(LiveSession.ends_at >= utcnow())
    sessions = list(db.session.scalars(query))
    ids = [s.id for s in sessions]
    counts = dict(db.session.execute(select(SessionRegistration.session_id, func.count()).where(
        SessionRegistration.session_id.in_(ids)).group_by(SessionRegistration.session_id)).all()) if ids else {}
    mine: dict[int, str] = {}
    if ids and user is not None and user.is_authenticated:
        mine = dict(db.session.execute(select(SessionRegistration.session_id, SessionRegistration.calendar_token)
                                       .where(SessionRegistration.session_id.in_(ids),
                                              SessionRegistration.user_id == user.id)).all())
    return [SessionRow(s, text_of(s, language, course.default_language), counts.get(s.id, 0), mine.get(s.id))
            for s in sessions]


def get_session(session_id: int) -> LiveSession:
    session = db.session.get(LiveSession, session_id)
    if session is None:
        raise NotFound(session_id)
    return session


def register(*, user: User, session: LiveSession) -> int | None:
    """Register ``user`` unless the session is full: the new registration's id, or None if they
    were registered already.

    One statement inserts only while places are left; on PostgreSQL the session row is
    locked first, so concurrent sign-ups never exceed the capacity.
    """
    if session.ends_at < utcnow():
        raise Full(session.id)
    if db.session.get_bind().dialect.name == "postgresql":
        db.session.execute(select(LiveSession.id).where(LiveSession.id == session.id).with_for_update())
    taken = select(func.count()).select_from(SessionRegistration).where(
        SessionRegistration.session_id == session.id).scalar_subquery()
    already = exists().where(SessionRegistration.session_id == session.id, SessionRegistration.user_id == user.id)
    inserted = db.session.execute(
        insert(SessionRegistration).from_select(
            ["session_id", "user_id", "calendar_token", "created_at", "attended"],
            select(literal(session.id), literal(user.id), literal(calendar_token()),
                   literal(utcnow(), SessionRegistration.created_at.type),
                   literal(False)).where(and_(taken < session.capacity, ~already)),
        ).returning(SessionRegistration.id)  # (rowcount is not reliable for INSERT … SELECT with psycopg)
    ).first()
    if inserted is not None:
        return inserted[0]
    if db.session.scalar(select(SessionRegistration.id).where(
            SessionRegistration.session_id == session.id, SessionRegistration.user_id == user.id)) is not None:
        return None
    raise Full(session.id)


def unregister(*, user: User, session: LiveSession) -> None:
    row = db.session.scalar(select(SessionRegistration).where(
        SessionRegistration.session_id == session.id, SessionRegistration.user_id == user.id))
    if row is not None:
        db.session.delete(row)
        db.session.flush()


# ---------------------------------------------------------------- calendar


def calendar_text(value: str) -> str:
    """Text for a calendar property: line breaks as LF (escaped by the writer), other control
    characters (a lone CR, NUL, …) dropped, as RFC 5545's TEXT allows none."""
    value = value.replace("\r\n", "\n").replace("\r", "\n")
    return "".join(c for c in value if c in "\n\t" or unicodedata.category(c)[0] != "C")


def ics(*, session: LiveSession, title: str, description: str, local_time: str, base_url: str) -> bytes:
    """An iCalendar file of the session (RFC 5545, written by the icalendar library: every text
    escaped, lines folded at 75 octets): times in UTC, texts in the reader's language."""
    calendar = Calendar()
    calendar.add("prodid", "-//NordLearn//Live sessions//EN")
    calendar.add("version", "2.0")
    calendar.add("calscale", "GREGORIAN")
    calendar.add("method", "PUBLISH")
    event = Event()
    event.add("uid", f"live-session-{session.id}@{urlsplit(base_url).hostname or 'nordlearn'}")
    event.add("dtstamp", utcnow().replace(microsecond=0))
    event.add("dtstart", session.starts_at.astimezone(UTC))
    event.add("dtend", session.ends_at.astimezone(UTC))
    event.add("summary", calendar_text(title))
    parts = [local_time, description, session.join_url]
    event.add("description", calendar_text("\n\n".join(p for p in parts if p)))
    event.add("location", calendar_text(session.join_url))
    event.add("url", session.join_url)
    calendar.add_component(event)
    return calendar.to_ical()


def registration_by_token(token: str) -> tuple[SessionRegistration, LiveSession, User]:
    """The registration a private calendar link names (NotFound for any other token)."""
    row = db.session.execute(
        select(SessionRegistration, LiveSession, User)
        .join(LiveSession, LiveSession.id == SessionRegistration.session_id)
        .join(User, User.id == SessionRegistration.user_id)
        .where(SessionRegistration.calendar_token == token[:40])).first()
    if row is None:
        raise NotFound(token)
    return row[0], row[1], row[2]


# ---------------------------------------------------------------- reminders


REMINDER_LEASE = timedelta(minutes=15)  # a claimed reminder whose run died is taken again after this


def due_reminders(*, within: timedelta, now: datetime | None = None) -> list[int]:
    """Registrations for sessions starting within ``within`` whose reminder has not gone out (and
    is not being sent by another run right now)."""
    now = now or utcnow()
    return list(db.session.scalars(
        select(SessionRegistration.id)
        .join(User, User.id == SessionRegistration.user_id)
        .join(LiveSession, LiveSession.id == SessionRegistration.session_id)
        .where(SessionRegistration.reminded_at.is_(None), LiveSession.starts_at > now,
               LiveSession.starts_at <= now + within, User.email.is_not(None),
               (SessionRegistration.reminder_claimed_at.is_(None))
               | (SessionRegistration.reminder_claimed_at < now - REMINDER_LEASE))
        .order_by(LiveSession.starts_at, SessionRegistration.id)))


def claim_reminder(registration_id: int, *, now: datetime | None = None) -> bool:
    """Take one reminder for this run (one conditional update: no other run takes it meanwhile).
    The caller commits, sends, then calls ``reminder_sent`` or ``release_reminder``."""
    now = now or utcnow()
    return bool(db.session.execute(update(SessionRegistration).where(
        SessionRegistration.id == registration_id, SessionRegistration.reminded_at.is_(None),
        (SessionRegistration.reminder_claimed_at.is_(None))
        | (SessionRegistration.reminder_claimed_at < now - REMINDER_LEASE))
        .values(reminder_claimed_at=now)).rowcount)


def reminder_sent(registration_id: int) -> None:
    """The mail server took the reminder: it is never sent again."""
    db.session.execute(update(SessionRegistration).where(SessionRegistration.id == registration_id)
                       .values(reminded_at=utcnow()))


def release_reminder(registration_id: int) -> None:
    """The reminder could not be sent: the next run tries again."""
    db.session.execute(update(SessionRegistration).where(SessionRegistration.id == registration_id)
                       .values(reminder_claimed_at=None))


# ---------------------------------------------------------------- attendance


@dataclass(frozen=True)
class AttendeeRow:
    registration: SessionRegistration
    user: User


def attendees(*, user: User, course: Course, session: LiveSession) -> list[AttendeeRow]:
    if not can_author(user, course) or session.course_id != course.id:
        raise NotAllowed(course.slug)
    rows = db.session.execute(select(SessionRegistration, User).join(User, User.id == SessionRegistration.user_id)
                              .where(SessionRegistration.session_id == session.id)
                              .order_by(User.display_name)).all()
    return [AttendeeRow(r, u) for r, u in rows]


def mark_attendance(*, user: User, course: Course, session: LiveSession, attended_user_ids: set[int]) -> int:
    """Set who attended; attending completes the session's module. Returns how many attended."""
    return _mark(user=user, course=course, session=session,
                 rows=attendees(user=user, course=course, session=session), attended_user_ids=attended_user_ids)


def _mark(*, user: User, course: Course, session: LiveSession, rows: list[AttendeeRow],
          attended_user_ids: set[int]) -> int:
    for row in rows:
        row.registration.attended = row.user.id in attended_user_ids
    _progress_for(session, [row.user for row in rows if row.registration.attended])
    audit(course=course, user=user, action="attendance-marked", subject=str(session.id),
          attended=len(attended_user_ids))
    db.session.flush()
    return sum(1 for row in rows if row.registration.attended)


@dataclass(frozen=True)
class ImportReport:
    matched: int  # registered participants found in the report
    found: int  # addresses in the report
    unknown: list[str]  # addresses of people who are not registered


def import_attendance(*, user: User, course: Course, session: LiveSession, data: bytes) -> ImportReport:
    """A meeting service's attendance report (Teams, Zoom, Meet, or a list from Excel): registered
    participants found in it are marked as attended. Raises attendance.AttendanceFileError."""
    rows = attendees(user=user, course=course, session=session)  # access first, then the file
    emails = attendance.read_report(data).addresses
    registered = {row.user.email.lower(): row.user.id for row in rows if row.user.email}
    already = {row.user.id for row in rows if row.registration.attended}
    matched = {registered[e] for e in emails if e in registered}
    _mark(user=user, course=course, session=session, rows=rows, attended_user_ids=already | matched)
    return ImportReport(matched=len(matched), found=len(emails), unknown=[e for e in emails if e not in registered])


def attach_recording(*, user: User, course: Course, session: LiveSession, filename: str, stream) -> Module:
    """The session's recording becomes a new module of the course: a draft holding the video,
    for its authors to give subtitles and publish."""
    from lms.authoring import services as authoring

    if not can_author(user, course) or session.course_id != course.id:
        raise NotAllowed(course.slug)
    video = authoring.upload_media(user=user, course=course, filename=filename, stream=stream, kind="video")
    title = text_of(session, course.default_language, course.default_language).title
    slug, number = f"recording-{session.id}", 1
    while db.session.scalar(select(Module.id).where(Module.course_id == course.id, Module.slug == slug)):
        number += 1
        slug = f"recording-{session.id}-{number}"
    module = authoring.add_module(user=user, course=course, slug=slug, title=title)
    base = authoring.newest_revision(module, course.default_language)
    authoring.save_text(user=user, course=course, module=module, language=course.default_language,
                        text=f"# {title}\n\n::: video media/{video.name}\n:::\n", base_id=base.id, publish=False)
    return module


def _progress_for(session: LiveSession, users: list[User]) -> None:
    if session.module_id is None:
        return
    from lms.learning import services as learning

    module = db.session.get(Module, session.module_id)
    for attendee in users:
        learning.complete_module(user=attendee, module=module, at=session.ends_at)
