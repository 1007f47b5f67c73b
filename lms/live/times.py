"""A session's time as a reader sees it: in their language and time zone."""

from __future__ import annotations

from zoneinfo import ZoneInfo

from babel.dates import format_date, format_time


def session_time(session, zone: str | None, language: str) -> str:
    """“Tuesday 1 December 2026, 11:00–12:30 (Europe/Helsinki)” in ``language`` and ``zone`` (the
    session's own zone for a reader without one)."""
    zone = zone or session.timezone
    tz = ZoneInfo(zone)
    locale = "en_GB" if language == "en" else language  # 24-hour times, day before month, as the region writes
    start, end = session.starts_at.astimezone(tz), session.ends_at.astimezone(tz)
    day = format_date(start, "full", locale=locale)
    return (f"{day}, {format_time(start, 'short', tzinfo=tz, locale=locale)}–"
            f"{format_time(end, 'short', tzinfo=tz, locale=locale)} ({zone})")
