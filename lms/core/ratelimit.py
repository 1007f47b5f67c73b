"""Rate-limit counters that every worker shares without Redis: a table in NordLearn's own database.

Flask-Limiter counts with a storage of the ``limits`` library. Its ``memory://`` storage counts per
process, so four workers would allow four times each limit. With ``LMS_REDIS_URL`` the counters live in
Redis; without it, in the ``rate_limits`` table through this storage (``nordlearn+db://``). Each count
is one atomic statement (``INSERT … ON CONFLICT DO UPDATE … RETURNING``) in a transaction of its own,
committed at once, apart from the request's.
"""

from __future__ import annotations

import random
import time

from limits.storage import Storage
from sqlalchemy import Float, String, delete, select, text
from sqlalchemy.orm import Mapped, mapped_column

from lms.extensions import db

SCHEME = "nordlearn+db"
_INCREMENT = text(
    "INSERT INTO rate_limits (bucket, hits, expires_at) VALUES (:key, :amount, :expires) "
    "ON CONFLICT (bucket) DO UPDATE SET "
    "hits = CASE WHEN rate_limits.expires_at <= :now THEN :amount ELSE rate_limits.hits + :amount END, "
    "expires_at = CASE WHEN rate_limits.expires_at <= :now THEN :expires ELSE rate_limits.expires_at END "
    "RETURNING hits"
)


class RateLimitCounter(db.Model):
    """One rate-limit window: how many hits ``key`` had, until when (seconds since the epoch)."""

    __tablename__ = "rate_limits"

    bucket: Mapped[str] = mapped_column(String(255), primary_key=True)
    hits: Mapped[int]
    expires_at: Mapped[float] = mapped_column(Float, index=True)


class DatabaseStorage(Storage):
    """A ``limits`` storage on the application's database (fixed-window counting)."""

    STORAGE_SCHEME = [SCHEME]

    def __init__(self, uri: str | None = None, wrap_exceptions: bool = False, **options) -> None:
        super().__init__(uri, wrap_exceptions=wrap_exceptions, **options)

    @property
    def base_exceptions(self) -> type[Exception] | tuple[type[Exception], ...]:
        from sqlalchemy.exc import SQLAlchemyError

        return SQLAlchemyError

    @staticmethod
    def _engine():
        return db.engine  # the requests that are counted run in an application context

    def incr(self, key: str, expiry: int, amount: int = 1) -> int:
        now = time.time()
        with self._engine().begin() as connection:
            count = connection.execute(_INCREMENT, {"key": key[:255], "amount": amount, "expires": now + expiry,
                                                    "now": now}).scalar_one()
            if random.random() < 0.01:  # now and then, forget windows long over
                connection.execute(delete(RateLimitCounter).where(RateLimitCounter.expires_at < now - 3600))
        return int(count)

    def get(self, key: str) -> int:
        with self._engine().connect() as connection:
            count = connection.execute(select(RateLimitCounter.hits).where(
                RateLimitCounter.bucket == key[:255], RateLimitCounter.expires_at > time.time())).scalar()
        return int(count or 0)

    def get_expiry(self, key: str) -> float:
        with self._engine().connect() as connection:
            expires = connection.execute(select(RateLimitCounter.expires_at).where(
                RateLimitCounter.bucket == key[:255])).scalar()
        return float(expires or time.time())

    def check(self) -> bool:
        try:
            with self._engine().connect() as connection:
                connection.execute(text("SELECT 1"))
        except self.base_exceptions:
            return False
        return True

    def reset(self) -> int | None:
        with self._engine().begin() as connection:
            return connection.execute(delete(RateLimitCounter)).rowcount

    def clear(self, key: str) -> None:
        with self._engine().begin() as connection:
            connection.execute(delete(RateLimitCounter).where(RateLimitCounter.bucket == key[:255]))
