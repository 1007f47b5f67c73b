from __future__ import annotations

import subprocess
import sys

from tests.conftest import ROOT


def test_healthz_reports_the_database(client, database_url):
    response = client.get("/healthz")
    assert response.status_code == 200
    body = response.get_json()
    assert body["status"] == "ok"
    assert body["database"] == {"ok": True, "dialect": database_url.split(":")[0].split("+")[0]}


def test_healthz_says_when_the_database_is_down(tmp_path):
    from tests.conftest import make_app

    app = make_app("postgresql+psycopg://nobody@127.0.0.1:1/none", tmp_path)
    response = app.test_client().get("/healthz")
    assert response.status_code == 503
    assert response.get_json()["database"]["ok"] is False


def test_pages_carry_security_headers_and_no_external_assets(client, sample_courses):
    response = client.get("/")
    assert "default-src 'self'" in response.headers["Content-Security-Policy"]
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    html = response.get_data(as_text=True)
    assert "https://" not in html.split("<body")[0], "the page head must load nothing from another site"
    assert '<html lang="en">' in html
    assert 'href="#main"' in html and 'id="main"' in html


def test_unknown_page_is_a_404_in_the_users_language(client):
    response = client.get("/courses/no-such-course")
    assert response.status_code == 404
    assert "We could not find that page" in response.get_data(as_text=True)


def _flask(env: dict, *args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "flask", "--app", "wsgi", *args], cwd=ROOT, env=env,
                          capture_output=True, text=True, timeout=120)


def test_migrations_match_the_models_and_seed_the_partners(database_url, tmp_path):
    """`flask db upgrade` on an empty database, then `flask db check` finds nothing to add."""
    import os

    from tests.helpers import scratch_database

    with scratch_database(database_url, "migrations") as url:
        env = {**os.environ, "LMS_DATABASE_URL": url, "LMS_SECRET_KEY": "test",
               "LMS_INSTANCE_DIR": str(tmp_path / "instance")}
        upgrade = _flask(env, "db", "upgrade")
        assert upgrade.returncode == 0, upgrade.stderr
        check = _flask(env, "db", "check")
        assert check.returncode == 0, check.stdout + check.stderr
        assert "No new upgrade operations detected" in check.stdout + check.stderr
        organisations = _flask(env, "organisations", "list")
        assert "Association of the Pharmaceutical Industry in Norway (LMI)" in organisations.stdout
        assert len(organisations.stdout.strip().splitlines()) == 5
        downgrade = _flask(env, "db", "downgrade", "base")
        assert downgrade.returncode == 0, downgrade.stderr


def test_secret_key_is_created_once_and_shared(tmp_path, monkeypatch):
    from lms.config import load_settings

    monkeypatch.delenv("LMS_SECRET_KEY", raising=False)
    first = load_settings(tmp_path)["SECRET_KEY"]
    second = load_settings(tmp_path)["SECRET_KEY"]
    assert first == second and len(first) == 64
    assert (tmp_path / "secret_key").stat().st_mode & 0o077 == 0
