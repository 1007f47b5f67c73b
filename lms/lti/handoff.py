"""Where a launch goes once it is accepted: every launch ends at /lti/continue/<key>.

If the frame kept the session cookie the launch set, the reader goes straight on. If the
browser refused it (third-party cookies blocked even when partitioned), the page offers to
open NordLearn in a window of its own, where the launch starts again at top level: the
platform signs the reader in there. No key signs anyone in, so a copied link is worth
nothing. Keys are random and kept server side for five minutes.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass

from lms.extensions import cache

PREFIX = "lti-handoff:"
LIFETIME = 300


@dataclass(frozen=True)
class Handoff:
    user: str  # the login session the launch started
    next_path: str
    frame_origins: list[str]
    locale: str | None
    restart: str  # the launch's login, to start again at top level


def issue(*, user_session_id: str, next_path: str, frame_origins: list[str], locale: str | None,
          restart: str) -> str:
    key = secrets.token_urlsafe(24)
    cache.set(PREFIX + key, {"user": user_session_id, "next": next_path, "frame_origins": frame_origins,
                             "locale": locale, "restart": restart}, timeout=LIFETIME)
    return key


def peek(key: str) -> Handoff | None:
    record = cache.get(PREFIX + key[:100]) if key else None
    if not record:
        return None
    return Handoff(record["user"], record["next"], record["frame_origins"], record["locale"], record["restart"])


def discard(key: str) -> None:
    cache.delete(PREFIX + key)
