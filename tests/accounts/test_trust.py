"""Nobody joins an organisation by choosing it, logging out ends the session on the server,
passwords from breach lists are refused, and a reset request tells nothing about accounts."""

from __future__ import annotations

import os
import stat
import subprocess
import sys

import pytest
from sqlalchemy import create_engine, func, select, text

from lms.accounts import services
from lms.accounts.models import MembershipStatus, Organisation, OrganisationMembership, Role, User
from lms.core.types import utcnow
from lms.extensions import db
from lms.learning import services as learning
from tests.conftest import ROOT, count_queries, login, post_form
from tests.factories import PASSWORD, make_course, make_user
from tests.helpers import scratch_database


def _organisation(part: str) -> Organisation:
    return db.session.scalar(select(Organisation).where(Organisation.name.contains(part)))


def _logout(client) -> None:
    post_form(client, "/account/logout", token_from="/dashboard")


# ---------------------------------------------------------------- memberships


def test_a_manager_cannot_read_another_organisations_members_by_choosing_it(app, client):
    lmi, lif = _organisation("LMI"), _organisation("LIF")
    course = make_course(modules=1)
    member = make_user(email="member@example.org", organisation_id=lmi.id, name="Kari Nordmann")
    learning.complete_module(user=member, module=course.modules[0], at=utcnow())
    db.session.commit()
    make_user(email="intruder@example.org", role=Role.MANAGER, organisation_id=lif.id)
    login(client, "intruder@example.org")
    # Choosing LMI in the profile (as the old form allowed) does nothing; asking to join is a request.
    post_form(client, "/account/profile", {"display_name": "I", "language": "en", "organisation": str(lmi.id)},
              token_from="/account/profile")
    post_form(client, "/account/organisations", {"organisation": str(lmi.id)}, token_from="/account/profile")
    assert client.get(f"/users/{member.id}/progress").status_code == 404
    assert client.get(f"/account/organisations/{lmi.id}/members").status_code == 404
    assert "Kari Nordmann" not in client.get(f"/account/organisations/{lif.id}/members").get_data(as_text=True)
    requests = db.session.scalars(select(OrganisationMembership.status).where(
        OrganisationMembership.organisation_id == lmi.id, OrganisationMembership.user_id != member.id)).all()
    assert requests == [MembershipStatus.REQUESTED]


def test_a_request_counts_once_a_manager_of_that_organisation_confirms_it(app, client):
    lmi = _organisation("LMI")
    course = make_course(modules=2)
    make_user(email="boss@example.org", role=Role.MANAGER, organisation_id=lmi.id)
    newcomer = make_user(email="new@example.org", name="Nora Ny")
    learning.complete_module(user=newcomer, module=course.modules[0], at=utcnow())
    db.session.commit()
    asking = client.application.test_client()
    login(asking, "new@example.org")
    response = post_form(asking, "/account/organisations", {"organisation": str(lmi.id)}, token_from="/account/profile")
    assert response.status_code == 302
    assert "waiting for a manager to confirm" in asking.get("/account/profile").get_data(as_text=True)

    login(client, "boss@example.org")
    members = f"/account/organisations/{lmi.id}/members"
    assert client.get(f"/users/{newcomer.id}/progress").status_code == 404, "a request is not a membership"
    page = client.get(members).get_data(as_text=True)
    assert "Nora Ny" in page and "Asking to join" in page
    decided = post_form(client, f"{members}/{newcomer.id}", {"decision": "confirm"}, token_from=members)
    assert decided.status_code == 302
    assert "1 of 2 modules completed" in client.get(f"/users/{newcomer.id}/progress").get_data(as_text=True)
    assert post_form(client, f"{members}/{newcomer.id}", {"decision": "confirm"},
                     token_from=members).status_code == 404, "nothing left to decide"


def test_a_learner_cannot_confirm_themselves_and_an_admin_can(app, client):
    lmi = _organisation("LMI")
    learner = make_user(email="self@example.org")
    services.request_membership(user=learner, organisation_id=lmi.id)
    db.session.commit()
    login(client, "self@example.org")
    path = f"/account/organisations/{lmi.id}/members/{learner.id}"
    assert post_form(client, path, {"decision": "confirm"}, token_from="/account/profile").status_code == 404
    _logout(client)
    make_user(email="admin@example.org", role=Role.ADMIN)
    login(client, "admin@example.org")
    assert post_form(client, path, {"decision": "confirm"}, token_from="/account/profile").status_code == 302
    [row] = services.memberships_of(learner)
    assert row.membership.status is MembershipStatus.CONFIRMED


def test_memberships_chosen_before_become_requests_when_the_database_is_upgraded(database_url, tmp_path):
    with scratch_database(database_url, "memberships") as url:
        env = {**os.environ, "LMS_DATABASE_URL": url, "LMS_SECRET_KEY": "test",
               "LMS_INSTANCE_DIR": str(tmp_path / "instance")}

        def flask(*args):
            done = subprocess.run([sys.executable, "-m", "flask", "--app", "wsgi", *args], cwd=ROOT, env=env,
                                  capture_output=True, text=True, timeout=120)
            assert done.returncode == 0, done.stderr
        flask("db", "upgrade", "0010_revision_numbers")
        engine = create_engine(url)
        with engine.begin() as connection:
            connection.execute(text(
                "INSERT INTO users (email, display_name, organisation_id, role, session_version, created_at) VALUES "
                "('chose@example.org', 'Chose', 4, 'manager', 1, '2026-01-01 00:00:00'), "
                "('none@example.org', 'None', NULL, 'learner', 1, '2026-01-01 00:00:00')"))
        flask("db", "upgrade")
        with engine.connect() as connection:
            rows = connection.execute(text(
                "SELECT users.email, m.organisation_id, m.status FROM organisation_memberships m "
                "JOIN users ON users.id = m.user_id")).all()
        engine.dispose()
    assert rows == [("chose@example.org", 4, "requested")]


# ---------------------------------------------------------------- sessions


def _copy_of(client, into):
    """Another browser holding a copy of ``client``'s cookies."""
    for cookie in client._cookies.values():
        into.set_cookie(cookie.key, cookie.value, domain=cookie.domain, path=cookie.path)
    return into


def test_a_cookie_copied_before_logout_no_longer_works(app, client):
    make_user(email="aino@example.fi")
    login(client, "aino@example.fi")
    thief = _copy_of(client, app.test_client())
    assert thief.get("/dashboard").status_code == 200
    _logout(client)
    assert thief.get("/dashboard").status_code == 302, "the session ended on the server"


def test_log_out_everywhere_and_a_password_change_end_every_other_session(app):
    make_user(email="sven@example.se")
    laptop, phone, tablet = app.test_client(), app.test_client(), app.test_client()
    for device in (laptop, phone, tablet):
        login(device, "sven@example.se")
    post_form(laptop, "/account/password", {"current": PASSWORD, "new": "a brand new passphrase",
                                            "confirm": "a brand new passphrase"}, token_from="/account/password")
    assert laptop.get("/dashboard").status_code == 200
    assert phone.get("/dashboard").status_code == 302 and tablet.get("/dashboard").status_code == 302
    login(phone, "sven@example.se", "a brand new passphrase")
    stolen = _copy_of(phone, app.test_client())
    ended = post_form(laptop, "/account/logout-everywhere", token_from="/account/profile")
    assert ended.status_code == 302
    for device in (laptop, phone, stolen):
        assert device.get("/dashboard").status_code == 302
    assert db.session.scalar(text("SELECT count(*) FROM login_sessions WHERE ended_at IS NULL")) == 0


# ---------------------------------------------------------------- passwords, reset, headers, files


@pytest.mark.parametrize("password", ["aaaaaaaaaa", "1234567890", "qwertyuiop", "password123", "salasana123"])
def test_common_and_guessable_passwords_are_refused(client, password):
    fields = {"email": "ingrid@example.org", "display_name": "Ingrid Olsen", "password": password,
              "password_confirm": password, "language": "nb"}
    response = post_form(client, "/account/register", fields, token_from="/account/register")
    assert response.status_code == 422
    assert "too common or too easy to guess" in response.get_data(as_text=True)
    assert db.session.scalar(select(func.count()).select_from(User)) == 0


@pytest.mark.app_settings(LMS_JOBS="memory")
def test_a_reset_request_does_the_same_work_whether_or_not_the_account_exists(client):
    from lms.jobs import huey

    make_user(email="known@example.org")
    queries, queued, pages = [], [], []
    for email in ("nobody@example.org", "known@example.org"):
        before = huey.pending_count()
        with count_queries() as statements:
            response = post_form(client, "/account/reset", {"email": email}, token_from="/account/reset")
        queries.append([s.split(" WHERE")[0] for s in statements])
        queued.append(huey.pending_count() - before)
        pages.append((response.status_code, response.headers["Location"]))
    assert queries[0] == queries[1], "the same statements run for a known and an unknown address"
    assert queued == [1, 1], "the worker, not the request, looks the account up and sends"
    assert pages[0] == pages[1]


def test_hsts_is_sent_over_https_only(client):
    assert "Strict-Transport-Security" not in client.get("/").headers
    secure = client.get("/", base_url="https://nordlearn.example")
    assert secure.headers["Strict-Transport-Security"].startswith("max-age=31536000")


def test_the_database_file_and_the_instance_folder_are_not_readable_by_others(tmp_path):
    from tests.conftest import make_app

    instance = tmp_path / "instance"
    app = make_app(f"sqlite:///{instance / 'nordlearn.sqlite3'}", tmp_path)
    with app.app_context():
        db.create_all()
        db.session.execute(text("SELECT 1"))
        db.engine.dispose()
    assert stat.S_IMODE(instance.stat().st_mode) & 0o077 == 0
    for path in instance.glob("nordlearn.sqlite3*"):
        assert stat.S_IMODE(path.stat().st_mode) & 0o077 == 0, path.name


# ---------------------------------------------------------------- rate limits shared by every worker


def test_login_limits_hold_across_instances_without_redis(database_url, tmp_path):
    """Two instances on one database (as two workers or two machines): the failed logins of an
    account are counted together, so the limit is the limit, not the limit times the workers."""
    from tests.conftest import empty_database, make_app

    first = make_app(database_url, tmp_path / "one", RATELIMIT_ENABLED=True)
    second = make_app(database_url, tmp_path / "two", RATELIMIT_ENABLED=True)
    assert first.config["RATELIMIT_STORAGE_URI"] == "nordlearn+db://"
    with first.app_context():
        db.create_all()
        make_user(email="target@example.org")
    statuses = []
    for attempt in range(12):
        app = (first, second)[attempt % 2]
        with app.app_context():
            client = app.test_client()
            statuses.append(post_form(client, "/account/login", {"email": "target@example.org",
                                                                 "password": "guess guess guess"}).status_code)
    assert statuses == [422] * 10 + [429, 429]
    with first.app_context():
        empty_database()
    with second.app_context():
        db.engine.dispose()
