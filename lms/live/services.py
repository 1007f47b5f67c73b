"""Live sessions of a course: scheduling, registration within capacity, calendar files,
reminders sent once, attendance (by hand or from a meeting service's CSV) counting as progress."""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError, available_timezones

from sqlalchemy import and_, exists, func, insert, literal, select, update

from lms.accounts.models import User
from lms.authoring.services import NotAllowed, NotFound, audit, can_author
from lms.catalog.models import Course, Module
from lms.core.types import utcnow
from lms.extensions import db
from lms.i18n.languages import pick
from lms.live.models import LiveSession, LiveSessionText, SessionRegistration

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
    if not details.join_url.startswith(("https://", "http://")):
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
    mine: bool

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
    mine = set()
    if ids and user is not None and user.is_authenticated:
        mine = set(db.session.scalars(select(SessionRegistration.session_id).where(
            SessionRegistration.session_id.in_(ids), SessionRegistration.user_id == user.id)))
    return [SessionRow(s, text_of(s, language, course.default_language), counts.get(s.id, 0), s.id in mine)
            for s in sessions]


def get_session(session_id: int) -> LiveSession:
    session = db.session.get(LiveSession, session_id)
    if session is None:
        raise NotFound(session_id)
    return session


def register(*, user: User, session: LiveSession) -> bool:
    """Register ``user`` unless the session is full; True if this call registered them.

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
            ["session_id", "user_id", "created_at", "attended"],
            select(literal(session.id), literal(user.id), literal(utcnow(), SessionRegistration.created_at.type),
                   literal(False)).where(and_(taken < session.capacity, ~already)),
        ).returning(SessionRegistration.id)  # (rowcount is not reliable for INSERT … SELECT with psycopg)
    ).first()
    if inserted is not None:
        return True
    if db.session.scalar(select(SessionRegistration.id).where(
            SessionRegistration.session_id == session.id, SessionRegistration.user_id == user.id)) is not None:
        return False
    raise Full(session.id)


def unregister(*, user: User, session: LiveSession) -> None:
    row = db.session.scalar(select(SessionRegistration).where(
        SessionRegistration.session_id == session.id, SessionRegistration.user_id == user.id))
    if row is not None:
        db.session.delete(row)
        db.session.flush()


# ---------------------------------------------------------------- calendar


def _ics_text(value: str) -> str:
    return value.replace("\\", "\\\\").replace(";", "\\;").replace(",", "\\,").replace("\n", "\\n")


def _fold(line: str) -> str:
    """RFC 5545 line folding: at most 75 octets a line, continued with a space."""
    out, current = [], b""
    for char in line:
        encoded = char.encode("utf-8")
        if len(current) + len(encoded) > (75 if not out else 74):
            out.append(current.decode("utf-8"))
            current = b""
        current += encoded
    out.append(current.decode("utf-8"))
    return "\r\n ".join(out)


def ics(*, session: LiveSession, title: str, description: str, local_time: str, base_url: str) -> str:
    """An iCalendar file of the session: times in UTC, texts in the reader's language."""
    stamp = "%Y%m%dT%H%M%SZ"
    lines = [
        "BEGIN:VCALENDAR", "VERSION:2.0", "PRODID:-//NordLearn//Live sessions//EN", "CALSCALE:GREGORIAN",
        "METHOD:PUBLISH", "BEGIN:VEVENT",
        f"UID:live-session-{session.id}@{base_url.split('//', 1)[-1].split('/')[0]}",
        f"DTSTAMP:{utcnow().strftime(stamp)}",
        f"DTSTART:{session.starts_at.astimezone(ZoneInfo('UTC')).strftime(stamp)}",
        f"DTEND:{session.ends_at.astimezone(ZoneInfo('UTC')).strftime(stamp)}",
        f"SUMMARY:{_ics_text(title)}",
        f"DESCRIPTION:{_ics_text(local_time + (chr(10) + chr(10) + description if description else '') + chr(10) + chr(10) + session.join_url)}",
        f"LOCATION:{_ics_text(session.join_url)}",
        f"URL:{session.join_url}",
        "END:VEVENT", "END:VCALENDAR",
    ]
    return "\r\n".join(_fold(line) for line in lines) + "\r\n"


# ---------------------------------------------------------------- reminders


@dataclass(frozen=True)
class Reminder:
    registration_id: int
    user: User
    session: LiveSession


def claim_reminders(*, within: timedelta, now: datetime | None = None) -> list[Reminder]:
    """Registrations for sessions starting within ``within`` that were not reminded yet, each
    claimed by one conditional update: a reminder is claimed once, however often or in how many
    processes this runs. Commits nothing; the caller commits after sending."""
    now = now or utcnow()
    candidates = db.session.execute(
        select(SessionRegistration.id, User, LiveSession)
        .join(User, User.id == SessionRegistration.user_id)
        .join(LiveSession, LiveSession.id == SessionRegistration.session_id)
        .where(SessionRegistration.reminded_at.is_(None), LiveSession.starts_at > now,
               LiveSession.starts_at <= now + within, User.email.is_not(None))
        .order_by(LiveSession.starts_at, SessionRegistration.id)
    ).all()
    claimed = []
    for registration_id, user, session in candidates:
        if db.session.execute(update(SessionRegistration).where(
                SessionRegistration.id == registration_id, SessionRegistration.reminded_at.is_(None))
                .values(reminded_at=now)).rowcount:
            claimed.append(Reminder(registration_id, user, session))
    return claimed


def release_reminder(registration_id: int) -> None:
    """The e-mail could not be sent: let the next run try again."""
    db.session.execute(update(SessionRegistration).where(SessionRegistration.id == registration_id)
                       .values(reminded_at=None))


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
    matched: int
    unknown: list[str]


def import_attendance(*, user: User, course: Course, session: LiveSession, data: bytes) -> ImportReport:
    """A meeting service's attendance report (CSV with an e-mail column, as Zoom, Teams and Meet
    export): registered participants found in it are marked as attended."""
    text = data.decode("utf-8-sig", errors="replace")
    sample = text[:4096]
    try:
        dialect = csv.Sniffer().sniff(sample, delimiters=",;\t")
    except csv.Error:
        dialect = csv.excel
    reader = csv.reader(io.StringIO(text), dialect)
    rows = list(reader)
    header_at = next((i for i, row in enumerate(rows[:20]) if any("mail" in c.lower() for c in row)), None)
    if header_at is None:
        raise InvalidSession("csv")
    column = next(i for i, c in enumerate(rows[header_at]) if "mail" in c.lower())
    emails = {row[column].strip().lower() for row in rows[header_at + 1:] if len(row) > column and "@" in row[column]}
    rows = attendees(user=user, course=course, session=session)
    registered = {row.user.email.lower(): row.user.id for row in rows if row.user.email}
    already = {row.user.id for row in rows if row.registration.attended}
    matched = {registered[e] for e in emails if e in registered}
    _mark(user=user, course=course, session=session, rows=rows, attended_user_ids=already | matched)
    return ImportReport(matched=len(matched), unknown=sorted(e for e in emails if e not in registered))


def attach_recording(*, user: User, course: Course, session: LiveSession, filename: str, data: bytes) -> Module:
    """The session's recording becomes a new module of the course: a draft holding the video,
    for its authors to give subtitles and publish."""
    from lms.authoring import services as authoring

    if not can_author(user, course) or session.course_id != course.id:
        raise NotAllowed(course.slug)
    video = authoring.upload_media(user=user, course=course, filename=filename, data=data, kind="video")
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
