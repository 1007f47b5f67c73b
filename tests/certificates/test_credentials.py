"""Each certificate is also an Open Badges 3.0 credential, signed as a VC-JWT. An outside verifier
(tests/ob3/verify.mjs: panva/jose and Digital Bazaar's Bitstring Status List, on Node.js) reads the
issuer's published key and status list from a running NordLearn and checks it; revocation shows there."""

from __future__ import annotations

import base64
import gzip
import json
import shutil
import socket
import subprocess
import threading
from pathlib import Path

import pytest
from sqlalchemy import select
from werkzeug.serving import make_server

from lms.accounts.models import Role
from lms.certificates.models import Certificate
from lms.extensions import db
from tests.conftest import ROOT, login, post_form, unavailable
from tests.factories import make_quiz_course, make_user
from tests.helpers import finish_module

VERIFIER = ROOT / "tests" / "ob3"


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


PORT = _free_port()
BASE = f"http://127.0.0.1:{PORT}"


@pytest.fixture
def served(app):
    """The test app, also served over HTTP on 127.0.0.1 for the verifier to fetch keys and lists from."""
    server = make_server("127.0.0.1", PORT, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield BASE
    server.shutdown()
    thread.join(10)


def verify(token: str, tmp_path: Path) -> dict:
    if shutil.which("node") is None or not (VERIFIER / "node_modules").is_dir():
        unavailable("Node.js with tests/ob3/node_modules", "install nodejs and npm, then `make test` installs it")
    path = tmp_path / "credential.jwt"
    path.write_text(token)
    done = subprocess.run(["node", str(VERIFIER / "verify.mjs"), str(path)], capture_output=True, text=True,
                          timeout=60)
    return json.loads(done.stdout)


def earn(client) -> tuple[Certificate, str]:
    course = make_quiz_course(pool=4, draw=2)
    course.texts[0].title = "Vigilance for medical devices"
    db.session.commit()
    make_user(email="aino@example.fi", name="Aino Virtanen")
    login(client, "aino@example.fi")
    for slug in ("module-1", "module-2"):
        finish_module(client, course.slug, slug)
    certificate = db.session.scalar(select(Certificate))
    response = client.get(f"/certificates/{certificate.code}/credential")
    assert response.status_code == 200 and response.mimetype == "application/vc+jwt"
    return certificate, response.get_data(as_text=True)


@pytest.mark.app_settings(LMS_BASE_URL=BASE)
def test_the_credential_verifies_outside_nordlearn_and_shows_its_revocation(client, app, served, tmp_path):
    certificate, token = earn(client)
    report = verify(token, tmp_path)
    assert report["verified"], report["errors"]
    assert report["revoked"] is False and report["name"] == "Aino Virtanen"
    assert report["achievement"] == {"name": "Vigilance for medical devices", "version": "1.0",
                                     "creditsAvailable": 2}
    assert report["issuer"]["id"] == f"{BASE}/credentials/issuer"

    tampered = token.split(".")
    payload = json.loads(base64.urlsafe_b64decode(tampered[1] + "=="))
    payload["vc"]["credentialSubject"]["identifier"][0]["identityHash"] = "Somebody Else"
    tampered[1] = base64.urlsafe_b64encode(json.dumps(payload).encode()).decode().rstrip("=")
    forged = verify(".".join(tampered), tmp_path)
    assert not forged["verified"] and "signature" in " ".join(forged["errors"])

    admin = app.test_client()
    make_user(email="admin@example.org", role=Role.ADMIN)
    login(admin, "admin@example.org")
    path = f"/certificates/{certificate.code}"
    assert post_form(admin, path + "/revoke", {"reason": "Issued in error"}, token_from=path).status_code == 302
    after = verify(token, tmp_path)  # the same file the learner kept
    assert after["verified"] and after["revoked"] is True


@pytest.mark.app_settings(LMS_BASE_URL=BASE)
def test_the_credential_says_what_open_badges_asks_and_nothing_private(client, served):
    certificate, token = earn(client)
    payload = json.loads(base64.urlsafe_b64decode(token.split(".")[1] + "=="))
    header = json.loads(base64.urlsafe_b64decode(token.split(".")[0] + "=="))
    vc = payload["vc"]
    assert header["alg"] == "RS256" and header["kid"].startswith(f"{BASE}/credentials/keys/")
    assert vc["type"] == ["VerifiableCredential", "OpenBadgeCredential"]
    assert vc["@context"][0] == "https://www.w3.org/ns/credentials/v2"
    assert (payload["iss"], payload["jti"], payload["sub"]) == (vc["issuer"]["id"], vc["id"],
                                                               vc["credentialSubject"]["id"])
    achievement = vc["credentialSubject"]["achievement"]
    assert achievement["criteria"]["narrative"] and achievement["achievementType"] == "Course"
    assert vc["credentialSubject"]["result"][0]["value"] == "100"
    assert "aino@example.fi" not in json.dumps(payload), "no e-mail address in a credential"
    key = json.loads(post_free_get(header["kid"]))
    assert "d" not in key and key["kty"] == "RSA"
    profile = json.loads(post_free_get(vc["issuer"]["id"]))
    assert profile["type"] == ["Profile"] and profile["name"] == "NordLearn"
    listed = json.loads(post_free_get(vc["credentialStatus"]["statusListCredential"]))
    bits = gzip.decompress(base64.urlsafe_b64decode(listed["credentialSubject"]["encodedList"][1:] + "=="))
    assert len(bits) * 8 == 131_072 and not any(bits)


def post_free_get(url: str) -> str:
    import urllib.request

    with urllib.request.urlopen(url, timeout=10) as response:  # noqa: S310 (a test server on 127.0.0.1)
        return response.read().decode()
