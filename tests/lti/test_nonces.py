"""A nonce is accepted once across every instance, and kept until its token has expired."""

from __future__ import annotations

import time

import redis

from lms.lti import nonces
from tests.conftest import make_app


def test_nonces_in_the_database_are_used_once_and_purged_after_expiry(app):
    now = time.time()
    assert nonces.use("n-1", expires_at=now + 360) is True
    assert nonces.use("n-1", expires_at=now + 360) is False
    assert nonces.use("old", expires_at=now - 1) is True  # already expired: purged by the next use
    assert nonces.use("n-2", expires_at=now + 360) is True
    assert nonces.use("old", expires_at=now + 360) is True
    assert nonces.use("n-1", expires_at=now + 360) is False  # the unexpired one is never dropped early


def test_nonces_in_redis_are_shared_by_two_instances_until_the_token_expires(redis_url, tmp_path, monkeypatch):
    store = redis.Redis.from_url(redis_url)
    store.flushdb()
    monkeypatch.setenv("LMS_REDIS_URL", redis_url)
    first = make_app(f"sqlite:///{tmp_path / 'a.sqlite3'}", tmp_path / "a")
    second = make_app(f"sqlite:///{tmp_path / 'b.sqlite3'}", tmp_path / "b")
    expires = time.time() + 360
    with first.app_context():
        assert nonces.use("shared", expires_at=expires) is True
    with second.app_context():
        assert nonces.use("shared", expires_at=expires) is False
    ttl = store.ttl("lms:lti-nonce:shared")
    assert 300 < ttl <= 361
    store.flushdb()
    for app in (first, second):
        app.extensions["lms_redis"].close()
    store.close()
