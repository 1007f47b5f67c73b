"""Settings: safe local defaults, each overridable by an ``LMS_*`` environment variable."""

from __future__ import annotations

import contextlib
import os
import secrets
from pathlib import Path
from urllib.parse import urlsplit
from typing import Any

PROJECT_ROOT = Path(__file__).resolve().parent.parent


def _secret_key(instance: Path) -> str:
    """Return the key kept in ``instance/secret_key``, creating it exactly once.

    Several worker processes may start together: ``O_EXCL`` lets one of them
    write the key while the others read what it wrote.
    """
    path = instance / "secret_key"
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        for _ in range(50):
            key = path.read_text(encoding="ascii").strip()
            if key:
                return key
            import time

            time.sleep(0.02)
        raise RuntimeError(f"{path} exists but is empty") from None
    key = secrets.token_hex(32)
    with os.fdopen(fd, "w", encoding="ascii") as handle:
        handle.write(key + "\n")
    return key


def load_settings(instance: Path, overrides: dict[str, Any] | None = None) -> dict[str, Any]:
    """Build the Flask config from the environment, then apply ``overrides`` (tests)."""
    env = os.environ
    overrides = overrides or {}
    instance.mkdir(parents=True, exist_ok=True, mode=0o700)
    with contextlib.suppress(PermissionError):  # a folder someone else owns keeps its own mode
        instance.chmod(0o700)  # the database, secret key, media and cache are NordLearn's alone
    database_url = env.get("LMS_DATABASE_URL") or f"sqlite:///{instance / 'nordlearn.sqlite3'}"
    base_url = env.get("LMS_BASE_URL", "http://127.0.0.1:5000").rstrip("/")
    redis_url = env.get("LMS_REDIS_URL") or None
    settings: dict[str, Any] = {
        "SQLALCHEMY_DATABASE_URI": database_url,
        "SQLALCHEMY_ENGINE_OPTIONS": {"pool_pre_ping": True},
        "LMS_BASE_URL": base_url,
        "LMS_REDIS_URL": redis_url,
        "LMS_MEDIA_DIR": env.get("LMS_MEDIA_DIR") or str(instance / "media"),
        "LMS_PROXY_HOPS": int(env.get("LMS_PROXY_HOPS", "0")),
        "SESSION_COOKIE_HTTPONLY": True,
        "REMEMBER_COOKIE_HTTPONLY": True,
        "PREFERRED_URL_SCHEME": "https" if base_url.startswith("https://") else "http",
        # Forms; pages that take files allow more, to those allowed to send them (lms.core.uploads).
        "MAX_CONTENT_LENGTH": 2 * 1024 * 1024,
        "WTF_CSRF_TIME_LIMIT": None,
        "BABEL_DEFAULT_LOCALE": "en",
        "BABEL_TRANSLATION_DIRECTORIES": str(PROJECT_ROOT / "translations"),
        "CACHE_DEFAULT_TIMEOUT": 24 * 3600,
        "LMS_MAX_VIDEO_BYTES": int(env.get("LMS_MAX_VIDEO_MB", "500")) * 1024 * 1024,
        # E-mail: written to the log locally; SMTP in production.
        "LMS_MAIL_BACKEND": env.get("LMS_MAIL_BACKEND", "console"),
        "LMS_MAIL_HOST": env.get("LMS_MAIL_HOST", "127.0.0.1"),
        "LMS_MAIL_PORT": int(env.get("LMS_MAIL_PORT", "587")),
        "LMS_MAIL_SECURITY": env.get("LMS_MAIL_SECURITY", "starttls"),
        "LMS_MAIL_USERNAME": env.get("LMS_MAIL_USERNAME") or None,
        "LMS_MAIL_PASSWORD": env.get("LMS_MAIL_PASSWORD") or None,
        "LMS_MAIL_FROM": env.get("LMS_MAIL_FROM", "NordLearn <no-reply@nordlearn.example>"),
        # Background jobs: "queue" (a worker runs them), "immediate" (at once, in the process that queues).
        "LMS_JOBS": env.get("LMS_JOBS", "queue"),
        # Accounts inactive this long are deleted (`flask privacy retention`, run by a scheduler), after an
        # e-mail warning sent this many days before.
        "LMS_RETENTION_DAYS": int(env.get("LMS_RETENTION_DAYS", "730")),
        "LMS_RETENTION_NOTICE_DAYS": int(env.get("LMS_RETENTION_NOTICE_DAYS", "30")),
        # The longest any request to another server (a platform, its key set) may take, in seconds.
        "LMS_OUTBOUND_DEADLINE": float(env.get("LMS_OUTBOUND_DEADLINE", "10")),
    }
    # Inside a platform's iframe NordLearn is a third party: its cookies must be
    # SameSite=None; Secure; Partitioned (CHIPS), which browsers accept over HTTPS and on
    # http://127.0.0.1 and http://localhost (secure contexts): so on by default there, and `make run`
    # works inside a platform's frame out of the box. Over plain HTTP elsewhere they stay Lax.
    host = urlsplit(base_url).hostname or ""
    secure_context = base_url.startswith("https://") or host in ("127.0.0.1", "localhost", "::1")
    embedded = env.get("LMS_EMBEDDED_COOKIES", "1" if secure_context else "0") == "1"
    settings.update(
        LMS_EMBEDDED_COOKIES=embedded,
        SESSION_COOKIE_SAMESITE="None" if embedded else "Lax",
        SESSION_COOKIE_SECURE=embedded or base_url.startswith("https://"),
        SESSION_COOKIE_PARTITIONED=embedded,
        REMEMBER_COOKIE_SAMESITE="None" if embedded else "Lax",
        REMEMBER_COOKIE_SECURE=embedded or base_url.startswith("https://"),
    )
    # Rate limits are counted where every worker and instance sees them: Redis when configured, else
    # a table in the database (never per-process memory).
    settings["RATELIMIT_STORAGE_URI"] = redis_url or "nordlearn+db://"
    settings["RATELIMIT_KEY_PREFIX"] = "lms-limits"
    if redis_url:
        settings.update(CACHE_TYPE="RedisCache", CACHE_REDIS_URL=redis_url, CACHE_KEY_PREFIX="lms:")
    else:
        # Shared by the workers of one machine: LTI logins, held launches and hand-offs
        # may reach any worker. Several machines need LMS_REDIS_URL.
        settings.update(CACHE_TYPE="FileSystemCache", CACHE_DIR=str(instance / "cache"), CACHE_THRESHOLD=20000)
    settings.update(overrides)
    if "SECRET_KEY" not in settings:
        settings["SECRET_KEY"] = env.get("LMS_SECRET_KEY") or _secret_key(instance)
    return settings
