"""NordLearn's LTI keys, its tool configuration and the platforms registered by hand."""

from __future__ import annotations

import jwt
from sqlalchemy import select

from lms.extensions import db
from lms.lti import keys
from lms.lti.models import LtiRegistration


def published_kids(client) -> list[str]:
    response = client.get("/lti/jwks")
    assert response.status_code == 200
    document = response.get_json()
    for key in document["keys"]:
        assert key["kty"] == "RSA" and key["alg"] == "RS256" and key["use"] == "sig"
        assert not {"d", "p", "q", "dp", "dq", "qi"} & key.keys(), "a private part was published"
    return [key["kid"] for key in document["keys"]]


def test_a_key_is_made_on_first_use_and_then_kept(client):
    first = published_kids(client)
    assert len(first) == 1
    assert published_kids(client) == first


def test_rotation_publishes_both_keys_until_the_old_one_is_retired(client, runner):
    (old,) = published_kids(client)
    result = runner.invoke(args=["lti", "rotate-key"])
    assert result.exit_code == 0, result.output
    kids = published_kids(client)
    assert len(kids) == 2 and kids[0] == old
    new = kids[1]
    assert keys.signing_key().kid == new

    # What the new key signs verifies against the published set; so does the old key's.
    key_set = jwt.PyJWKSet.from_dict(client.get("/lti/jwks").get_json())
    for kid in (old, new):
        stored = db.session.scalar(select(keys.LtiKey).where(keys.LtiKey.kid == kid))
        token = jwt.encode({"iss": "nordlearn"}, stored.private_pem, algorithm="RS256", headers={"kid": kid})
        public = next(k for k in key_set.keys if k.key_id == kid)
        assert jwt.decode(token, public.key, algorithms=["RS256"])["iss"] == "nordlearn"

    assert runner.invoke(args=["lti", "retire-key", old]).exit_code == 0
    assert published_kids(client) == [new]
    refused = runner.invoke(args=["lti", "retire-key", new])
    assert refused.exit_code != 0 and "only published key" in refused.output
    assert runner.invoke(args=["lti", "retire-key", "nope"]).exit_code != 0


def test_tool_configuration_names_the_fixed_endpoints(client, app):
    config = client.get("/lti/config.json").get_json()
    base = app.config["LMS_BASE_URL"]
    assert config["oidc_initiation_url"] == f"{base}/lti/login"
    assert config["target_link_uri"] == f"{base}/lti/launch"
    assert config["public_jwk_url"] == f"{base}/lti/jwks"
    assert "https://purl.imsglobal.org/spec/lti-ags/scope/score" in config["scopes"]
    assert "https://purl.imsglobal.org/spec/lti-nrps/scope/contextmembership.readonly" in config["scopes"]


def _add(runner, *extra: str, client_id: str = "client-1"):
    return runner.invoke(args=[
        "lti", "registrations", "add", "--name", "LMI Moodle", "--issuer", "https://moodle.lmi.example",
        "--client-id", client_id, "--auth-login-url", "https://moodle.lmi.example/mod/lti/auth.php",
        "--auth-token-url", "https://moodle.lmi.example/mod/lti/token.php",
        "--jwks-url", "https://moodle.lmi.example/mod/lti/certs.php", "--organisation", "4", *extra,
    ])


def test_registrations_by_hand_one_issuer_many_clients(runner):
    assert _add(runner, "--deployment", "1", "--deployment", "2").exit_code == 0
    assert _add(runner, client_id="client-2", *["--accept-new-deployments"]).exit_code == 0
    again = _add(runner)
    assert again.exit_code != 0 and "registered already" in again.output
    bad = _add(runner, "--organisation", "999", client_id="client-3")
    assert bad.exit_code != 0 and "no organisation" in bad.output
    listing = runner.invoke(args=["lti", "registrations", "list"]).output
    assert "client client-1" in listing and "1 (approved), 2 (approved)" in listing
    assert "client client-2" in listing and "new deployments: accept" in listing
    assert "Association of the Pharmaceutical Industry in Norway (LMI)" in listing

    first = db.session.scalar(select(LtiRegistration).where(LtiRegistration.client_id == "client-1"))
    assert runner.invoke(args=["lti", "registrations", "disable", str(first.id)]).exit_code == 0
    assert runner.invoke(args=["lti", "registrations", "deployment", str(first.id), "3", "pending"]).exit_code == 0
    db.session.expire_all()
    first = db.session.get(LtiRegistration, first.id)
    assert first.enabled is False
    assert [(d.deployment_id, d.status.value) for d in first.deployments] == [
        ("1", "approved"), ("2", "approved"), ("3", "pending")]


def test_registration_urls_are_checked(runner):
    result = runner.invoke(args=[
        "lti", "registrations", "add", "--name", "x", "--issuer", "moodle.example", "--client-id", "c",
        "--auth-login-url", "https://a.example/auth", "--auth-token-url", "https://a.example/token",
        "--jwks-url", "https://a.example/jwks", "--organisation", "1",
    ])
    assert result.exit_code != 0 and "--issuer must be an http(s) URL" in result.output
    assert db.session.scalar(select(LtiRegistration)) is None
