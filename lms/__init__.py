"""NordLearn: the Nordplus courses on pharmaceuticals and medical devices."""

from __future__ import annotations

import contextlib
import os
from pathlib import Path
from typing import Any

from flask import Flask
from sqlalchemy import event
from werkzeug.middleware.proxy_fix import ProxyFix
from werkzeug.routing import IntegerConverter

from lms.config import PROJECT_ROOT, load_settings
from lms.core import ratelimit, uploads  # noqa: F401  (ratelimit: the counters' storage)
from lms.core.types import MAX_DATABASE_ID
from lms.extensions import cache, csrf, db, limiter, migrate


def create_app(overrides: dict[str, Any] | None = None, *, instance_path: str | Path | None = None) -> Flask:
    instance = instance_path or os.environ.get("LMS_INSTANCE_DIR") or PROJECT_ROOT / "instance"
    app = Flask(__name__, instance_path=str(Path(instance).resolve()), instance_relative_config=True)
    app.config.update(load_settings(Path(app.instance_path), overrides))
    app.url_map.converters["int"] = DatabaseId  # before any route is added

    db.init_app(app)
    migrate.init_app(app, db, directory=str(PROJECT_ROOT / "migrations"))
    # Before CSRF protection reads any form: a few endpoints take larger uploads, from those allowed.
    uploads.init_app(app)
    csrf.init_app(app)
    cache.init_app(app)
    limiter.init_app(app)
    with app.app_context():
        if db.engine.dialect.name == "sqlite":
            _private_file(db.engine.url.database)
            event.listen(db.engine, "connect", _sqlite_pragmas)

    from lms import (accounts, assessment, authoring, catalog, certificates, content, core, i18n, jobs, learning, live,
                     lti, mail, privacy, sources)

    for feature in (core, i18n, jobs, mail, accounts, catalog, learning, assessment, certificates, content, authoring,
                    sources, live, lti, privacy):
        feature.init_app(app)

    if app.config["LMS_PROXY_HOPS"]:
        hops = app.config["LMS_PROXY_HOPS"]
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=hops, x_proto=hops, x_host=hops, x_port=hops)
    return app


class DatabaseId(IntegerConverter):
    """``<int:…>`` in a URL: an id a database integer column can hold (1 to 2³¹ − 1); anything else
    matches no page (a 404), never reaches a query."""

    def __init__(self, url_map, fixed_digits: int = 0, min: int = 1, max: int = MAX_DATABASE_ID,  # noqa: A002
                 signed: bool = False) -> None:
        super().__init__(url_map, fixed_digits=fixed_digits, min=min, max=max, signed=signed)


def _private_file(path: str | None) -> None:
    """The SQLite file is readable by NordLearn's own user only (its -wal and -shm files follow it)."""
    if not path or path == ":memory:" or path.startswith("file:"):
        return
    os.close(os.open(path, os.O_RDWR | os.O_CREAT, 0o600))
    with contextlib.suppress(PermissionError):
        os.chmod(path, 0o600)


def _sqlite_pragmas(connection, _record) -> None:
    cursor = connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA busy_timeout=10000")
    cursor.close()
