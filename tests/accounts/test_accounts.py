from __future__ import annotations

import pytest
from sqlalchemy import select

from lms.accounts import services
from lms.accounts.models import Organisation, User
from lms.extensions import db
from tests.conftest import csrf_token, login, post_form
from tests.factories import PASSWORD, make_user

REGISTRATION = {
    "email": "Ingrid@Example.org",
    "display_name": "Ingrid Olsen",
    "password": "a long enough secret",
    "password_confirm": "a long enough secret",
    "country": "NO",
    "organisation": "",
    "language": "nb",
}


def test_register_creates_a_logged_in_learner(client):
    lmi = db.session.scalar(select(Organisation).where(Organisation.name.contains("LMI")))
    response = post_form(client, "/account/register", {**REGISTRATION, "organisation": str(lmi.id)},
                         token_from="/account/register")
    assert response.status_code == 302
    user = db.session.scalar(select(User).where(User.email == "ingrid@example.org"))
    assert (user.display_name, user.country, user.preferred_language) == ("Ingrid Olsen", "NO", "nb")
    [membership] = services.memberships_of(user)
    assert (membership.organisation.id, membership.membership.status.value) == (lmi.id, "requested")
    assert user.password_hash and "a long enough secret" not in user.password_hash
    assert client.get("/dashboard").status_code == 200


def test_registration_errors_keep_what_was_typed_and_create_nothing(client):
    make_user(email="ingrid@example.org")
    response = post_form(client, "/account/register", {**REGISTRATION, "password_confirm": "something else"},
                         token_from="/account/register")
    html = response.get_data(as_text=True)
    assert response.status_code == 422
    assert "The two passwords differ." in html
    assert 'value="Ingrid Olsen"' in html
    response = post_form(client, "/account/register", REGISTRATION, token_from="/account/register")
    assert "already exists" in response.get_data(as_text=True)
    assert len(db.session.scalars(select(User)).all()) == 1


def test_short_password_and_unknown_organisation_are_refused(client):
    response = post_form(client, "/account/register",
                         {**REGISTRATION, "password": "short", "password_confirm": "short", "organisation": "999"},
                         token_from="/account/register")
    assert response.status_code == 422
    assert db.session.scalar(select(User)) is None


def test_forms_without_a_csrf_token_are_refused(client):
    response = client.post("/account/register", data=REGISTRATION)
    assert response.status_code == 400
    assert "This form has expired" in response.get_data(as_text=True)
    assert db.session.scalar(select(User)) is None


def test_login_logout_and_wrong_password(client):
    make_user(email="aino@example.fi")
    wrong = post_form(client, "/account/login", {"email": "aino@example.fi", "password": "not it at all"})
    assert wrong.status_code == 422
    assert "not right" in wrong.get_data(as_text=True)
    assert client.get("/dashboard").status_code == 302
    login(client, "AINO@example.fi")
    assert client.get("/dashboard").status_code == 200
    post_form(client, "/account/logout", token_from="/dashboard")
    assert client.get("/dashboard").status_code == 302


def test_login_never_redirects_to_another_site(client):
    make_user(email="aino@example.fi")
    for target in ("https://evil.example/", "//evil.example/", "/\\evil.example"):
        token = csrf_token(client)
        response = client.post(f"/account/login?next={target}",
                               data={"email": "aino@example.fi", "password": PASSWORD, "csrf_token": token})
        assert response.status_code == 302
        assert response.headers["Location"] in ("/dashboard", "http://localhost/dashboard")
        post_form(client, "/account/logout", token_from="/dashboard")


def test_changing_the_password_logs_out_other_sessions(app):
    make_user(email="sven@example.se")
    here, elsewhere = app.test_client(), app.test_client()
    login(here, "sven@example.se")
    login(elsewhere, "sven@example.se")
    response = post_form(here, "/account/password",
                         {"current": PASSWORD, "new": "a brand new password", "confirm": "a brand new password"},
                         token_from="/account/password")
    assert response.status_code == 302
    assert here.get("/dashboard").status_code == 200
    assert elsewhere.get("/dashboard").status_code == 302
    login(elsewhere, "sven@example.se", "a brand new password")


def test_wrong_current_password_changes_nothing(client):
    user = make_user(email="sven@example.se")
    login(client, "sven@example.se")
    old_hash = user.password_hash
    response = post_form(client, "/account/password",
                         {"current": "not the password", "new": "a brand new password",
                          "confirm": "a brand new password"}, token_from="/account/password")
    assert response.status_code == 422
    db.session.refresh(user)
    assert user.password_hash == old_hash


def test_profile_saves_name_country_and_language(client):
    user = make_user(email="liis@example.ee")
    login(client, "liis@example.ee")
    response = post_form(client, "/account/profile",
                         {"display_name": "Liis Tamm", "country": "EE", "language": "et"},
                         token_from="/account/profile")
    assert response.status_code == 302
    db.session.refresh(user)
    assert (user.display_name, user.country, user.preferred_language) == ("Liis Tamm", "EE", "et")
    bad = post_form(client, "/account/profile",
                    {"display_name": "", "country": "ZZZ", "language": "xx"},
                    token_from="/account/profile")
    assert bad.status_code == 422
    db.session.refresh(user)
    assert user.display_name == "Liis Tamm"


def test_cli_creates_users_with_password_from_stdin(runner):
    result = runner.invoke(args=["users", "create", "admin@example.org", "--password", "-", "--role", "admin"],
                           input="a secret from stdin\n")
    assert result.exit_code == 0, result.output
    user = db.session.scalar(select(User).where(User.email == "admin@example.org"))
    assert user.role.value == "admin"
    again = runner.invoke(args=["users", "create", "admin@example.org", "--password", "another password"])
    assert again.exit_code != 0 and "already exists" in again.output
    weak = runner.invoke(args=["users", "create", "x@example.org", "--password", "short"])
    assert weak.exit_code != 0 and "at least 10 characters" in weak.output


@pytest.mark.app_settings(RATELIMIT_ENABLED=True)
def test_repeated_wrong_passwords_are_slowed_down_and_change_nothing(client):
    user = make_user(email="target@example.org")
    statuses = [
        post_form(client, "/account/login", {"email": "target@example.org", "password": "guess guess guess"}).status_code
        for _ in range(11)
    ]
    assert statuses == [422] * 10 + [429]
    blocked = post_form(client, "/account/login", {"email": "target@example.org", "password": PASSWORD})
    assert blocked.status_code == 429
    assert "Too many attempts" in blocked.get_data(as_text=True)
    # Another account from the same address is not locked out by these attempts.
    make_user(email="other@example.org")
    assert post_form(client, "/account/login", {"email": "other@example.org", "password": PASSWORD}).status_code == 302
    assert services.authenticate(email="target@example.org", password=PASSWORD).id == user.id
