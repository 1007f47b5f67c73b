"""Carrying a launch's sign-in to a browser window that keeps NordLearn's cookies.

Every launch ends at /lti/continue/<key>. If the frame kept the session cookie the
launch set, the reader goes straight on. If the browser refused it (third-party
cookies blocked even when partitioned), the page offers to open NordLearn in a new
window, where /lti/handoff/<key> signs the same user in once. Keys are random,
kept server side for five minutes and used once.
"""

from __future__ import annotations

import secrets
import time
from dataclasses import dataclass

from lms.extensions import cache
from lms.lti import nonces

PREFIX = "lti-handoff:"
LIFETIME = 300


@dataclass(frozen=True)
class Handoff:
    user: str  # the login-session id (user id and session version)
    next_path: str
    session_values: dict
    frame_origins: list[str]


def issue(*, user_session_id: str, next_path: str, session_values: dict, frame_origins: list[str]) -> str:
    key = secrets.token_urlsafe(24)
    cache.set(PREFIX + key, {"user": user_session_id, "next": next_path, "session": session_values,
                             "frame_origins": frame_origins}, timeout=LIFETIME)
    return key


def peek(key: str) -> Handoff | None:
    record = cache.get(PREFIX + key) if key else None
    if not record:
        return None
    return Handoff(record["user"], record["next"], record["session"], record["frame_origins"])


def take(key: str) -> Handoff | None:
    """The handoff, once: a second use (or a late one) gets None."""
    handoff = peek(key)
    if handoff is None or not nonces.use(PREFIX + key, expires_at=time.time() + LIFETIME):
        return None
    cache.delete(PREFIX + key)
    return handoff


def discard(key: str) -> None:
    cache.delete(PREFIX + key)
