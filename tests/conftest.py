"""Fixtures: an app per test on SQLite and, when reachable (always with CI=true), PostgreSQL."""

from __future__ import annotations

import os
import re
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
from flask.globals import _cv_app
from flask.testing import FlaskClient
from sqlalchemy import create_engine, event, make_url, text

from lms import create_app
from lms.accounts import services as accounts
from lms.extensions import db

ROOT = Path(__file__).resolve().parent.parent
ON_CI = os.environ.get("CI", "").lower() == "true"
POSTGRES_URL = os.environ.get("LMS_TEST_DATABASE_URL") or "postgresql+psycopg://postgres@127.0.0.1:5432/test"
REDIS_URL = os.environ.get("LMS_TEST_REDIS_URL") or "redis://127.0.0.1:6379/15"


@pytest.fixture(scope="session", autouse=True)
def compiled_catalogs() -> None:
    """Build the interface catalogs (``make install`` does too) so that a bare ``pytest`` sees them."""
    from babel.messages.mofile import write_mo
    from babel.messages.pofile import read_po

    for po in (ROOT / "translations").glob("*/LC_MESSAGES/messages.po"):
        mo = po.with_suffix(".mo")
        if not mo.exists() or mo.stat().st_mtime < po.stat().st_mtime:
            with po.open("rb") as source, mo.open("wb") as target:
                write_mo(target, read_po(source, locale=po.parent.parent.name))


def unavailable(what: str, why: str) -> None:
    """Skip a test whose service is missing; with CI=true that is a failure instead."""
    message = f"{what} is not available ({why})"
    if ON_CI:
        pytest.fail(f"{message}; CI must run these tests", pytrace=False)
    pytest.skip(f"{message}; set it up to run these tests")


@pytest.fixture(scope="session")
def postgres_url(tmp_path_factory) -> Iterator[str]:
    """A database of this test run's own on the PostgreSQL server, dropped at the end,
    so that two runs (a developer's and CI's) never share tables."""
    admin = create_engine(POSTGRES_URL, isolation_level="AUTOCOMMIT")
    name = f"nordlearn_test_{os.getpid()}"
    try:
        with admin.connect() as connection:
            connection.execute(text(f"DROP DATABASE IF EXISTS {name}"))
            connection.execute(text(f"CREATE DATABASE {name}"))
    except Exception as error:  # any failure to connect means: not available
        admin.dispose()
        unavailable(f"PostgreSQL at {POSTGRES_URL}", type(error).__name__)
    url = make_url(POSTGRES_URL).set(database=name).render_as_string(hide_password=False)
    app = create_app({"SQLALCHEMY_DATABASE_URI": url, "SECRET_KEY": "test"}, instance_path=tmp_path_factory.mktemp("pg"))
    with app.app_context():
        db.create_all()
        db.engine.dispose()
    yield url
    with admin.connect() as connection:
        connection.execute(text(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)"))
    admin.dispose()


@pytest.fixture(scope="session")
def redis_url() -> str:
    import redis

    client = redis.Redis.from_url(REDIS_URL)
    try:
        client.ping()
    except Exception as error:  # any failure to connect means: not available
        unavailable(f"Redis at {REDIS_URL}", type(error).__name__)
    finally:
        client.close()
    return REDIS_URL


BACKENDS = ["sqlite", "postgresql"]


@pytest.fixture(params=BACKENDS)
def database_url(request, tmp_path) -> str:
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path / 'test.sqlite3'}"
    return request.getfixturevalue("postgres_url")


def make_app(database_url: str, tmp_path: Path, **overrides):
    settings = {
        "TESTING": True,
        "SECRET_KEY": "test-secret",
        "SQLALCHEMY_DATABASE_URI": database_url,
        "CACHE_TYPE": "SimpleCache",
        "LMS_JOBS": "immediate",  # jobs run as they are queued; tests of the queue itself say otherwise
        "RATELIMIT_ENABLED": False,  # on in the tests of the limits themselves
        **overrides,
    }
    app = create_app(settings, instance_path=tmp_path / "instance")
    app.test_client_class = IsolatedClient
    return app


@pytest.fixture
def app(request, database_url, tmp_path):
    """The app on a fresh database; ``@pytest.mark.app_settings(KEY=value)`` overrides settings."""
    marker = request.node.get_closest_marker("app_settings")
    app = make_app(database_url, tmp_path, **(marker.kwargs if marker else {}))
    with app.app_context():
        if database_url.startswith("sqlite"):
            db.create_all()
        accounts.seed_partner_organisations()
        db.session.commit()
        yield app
        empty_database()


def empty_database() -> None:
    """After a test, inside its app context: the shared PostgreSQL database is emptied for the next
    one (a SQLite file goes with the test's folder), and the app's connections are closed."""
    db.session.remove()
    if db.engine.dialect.name == "postgresql":
        tables = ", ".join(t.name for t in db.metadata.sorted_tables)
        with db.engine.begin() as connection:
            connection.execute(text(f"TRUNCATE {tables} RESTART IDENTITY CASCADE"))
    db.engine.dispose()


class IsolatedClient(FlaskClient):
    """A browser: each request gets its own app context (own ``g``, own database
    session), as on a real server, even though the test holds one open."""

    def open(self, *args, **kwargs):
        outer = _cv_app.get(None)
        if outer is not None:
            db.session.commit()  # the test's writes are visible; its next read sees the request's
        token = _cv_app.set(None)
        try:
            return super().open(*args, **kwargs)
        finally:
            _cv_app.reset(token)


@pytest.fixture
def client(app):
    return app.test_client()


@pytest.fixture
def runner(app):
    return app.test_cli_runner()


@pytest.fixture
def sample_courses(app):
    """The sample courses of ``courses/``, imported."""
    from lms.content import packages

    specs = packages.read_packages(packages.find_packages(ROOT / "courses"))
    packages.import_packages(packages.import_items(specs))
    db.session.commit()
    return specs


_CSRF = re.compile(r'name="csrf_token"[^>]*value="([^"]+)"')


def csrf_token(client, path: str = "/account/login") -> str:
    """The form token a browser would have, read from a page as a browser would."""
    html = client.get(path).get_data(as_text=True)
    match = _CSRF.search(html)
    assert match, f"no CSRF token on {path}"
    return match.group(1)


def post_form(client, path: str, data: dict | None = None, *, token_from: str | None = None, **kwargs):
    token = csrf_token(client, token_from or "/account/login")
    return client.post(path, data={**(data or {}), "csrf_token": token}, **kwargs)


def login(client, email: str, password: str = "correct horse battery"):
    response = post_form(client, "/account/login", {"email": email, "password": password})
    assert response.status_code == 302, response.get_data(as_text=True)
    return response


@contextmanager
def count_queries() -> Iterator[list[str]]:
    """Collect the SQL statements run inside the block."""
    statements: list[str] = []

    def before(_conn, _cursor, statement, _params, _context, _executemany):
        statements.append(statement)

    event.listen(db.engine, "before_cursor_execute", before)
    try:
        yield statements
    finally:
        event.remove(db.engine, "before_cursor_execute", before)
