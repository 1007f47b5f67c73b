"""Nonces of accepted id_tokens, each accepted once by every instance together.

Kept until the token could no longer be valid (its ``exp`` plus the leeway),
never evicted earlier: in Redis when LMS_REDIS_URL is set (``SET NX`` with that
expiry), otherwise in the ``lti_nonces`` table.
"""

from __future__ import annotations

from datetime import UTC, datetime

import redis
from flask import current_app
from sqlalchemy import delete

from lms.core.sql import insert_or_ignore
from lms.core.types import utcnow
from lms.extensions import db
from lms.lti.models import LtiNonce


def _redis() -> redis.Redis | None:
    url = current_app.config.get("LMS_REDIS_URL")
    if not url:
        return None
    client = current_app.extensions.get("lms_redis")
    if client is None:
        client = current_app.extensions["lms_redis"] = redis.Redis.from_url(url)
    return client


def use(nonce: str, *, expires_at: float) -> bool:
    """True the first time ``nonce`` is used; False for a replay."""
    store = _redis()
    if store is not None:
        return bool(store.set(f"lms:lti-nonce:{nonce}", 1, nx=True, exat=max(int(expires_at), 1)))
    db.session.execute(delete(LtiNonce).where(LtiNonce.expires_at < utcnow()))
    return insert_or_ignore(
        LtiNonce,
        {"nonce": nonce, "expires_at": datetime.fromtimestamp(expires_at, UTC)},
        conflict=("nonce",),
    )
