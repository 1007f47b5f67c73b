"""A small LTI 1.3 platform for the tests: its own RSA keys, its key set served over
real HTTP on 127.0.0.1, and id_tokens signed the way Moodle or Canvas sign them."""

from __future__ import annotations

import json
import secrets
import threading
import time
import uuid
from html import escape
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qsl, urlencode

import jwt
from jwcrypto import jwk

CLAIM = "https://purl.imsglobal.org/spec/lti/claim/"
LEARNER = "http://purl.imsglobal.org/vocab/lis/v2/membership#Learner"
INSTRUCTOR = "http://purl.imsglobal.org/vocab/lis/v2/membership#Instructor"
AGS = "https://purl.imsglobal.org/spec/lti-ags/claim/endpoint"
SCORE_SCOPE = "https://purl.imsglobal.org/spec/lti-ags/scope/score"
LINEITEM_SCOPE = "https://purl.imsglobal.org/spec/lti-ags/scope/lineitem"


# The platform's side of LTI platform storage: values kept per tool origin and key.
STORAGE_SCRIPT = """<script>
const kept = {};
window.addEventListener("message", (event) => {
  const m = event.data;
  if (!m || typeof m !== "object" || !["lti.put_data", "lti.get_data"].includes(m.subject)) return;
  const answer = {subject: m.subject + ".response", message_id: m.message_id, key: m.key};
  const slot = event.origin + " " + m.key;
  if (m.subject === "lti.put_data") { kept[slot] = m.value; answer.value = m.value; }
  else if (slot in kept) { answer.value = kept[slot]; }
  else { answer.error = {code: "key_not_found", message: "nothing kept under this key"}; }
  event.source.postMessage(answer, event.origin);
});
</script>"""


class Platform:
    def __init__(self) -> None:
        self.keys: list[tuple[str, jwk.JWK]] = []
        self.rotate_key()
        self.key_set_requests = 0
        # For browser tests: where the tool is and what the course page's link opens.
        self.tool_base = ""
        self.link_custom: dict = {}
        # LTI platform storage: the frame that answers lti.put_data / lti.get_data, if offered.
        self.storage_target: str | None = None
        self.link_claims: dict = {}  # more claims for the course page's launches (e.g. AGS)
        self.link_id = str(uuid.uuid4())  # the course page's one resource link, the same at every launch
        # Dynamic registration: what NordLearn posted, and the token the platform expects.
        self.registration_token = "reg-token-1"
        self.registrations: list[dict] = []
        self.configured_issuer: str | None = None  # to test an issuer that does not match
        # Services: the tool's public key set (to check its client assertions), tokens
        # handed out, and the course members served two per page.
        self.tool_jwks: dict = {"keys": []}
        self.tokens_issued = 0
        self.token_scopes: dict[str, set[str]] = {}
        self.members: list[dict] = []
        # Assignment and Grade Services: the gradebook's line items and the scores received;
        # ``refuse_scores`` answers that many score posts with 503 (the platform is down).
        self.line_items: list[dict] = []
        self.scores: list[tuple[str, dict]] = []
        self.refuse_scores = 0
        platform = self

        class Handler(BaseHTTPRequestHandler):
            def _html(self, html: str) -> None:
                body = html.encode()
                self.send_response(200)
                self.send_header("Content-Type", "text/html; charset=utf-8")
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def do_GET(self):  # noqa: N802 (http.server's name)
                path, _, query = self.path.partition("?")
                if path == "/.well-known/openid-configuration":
                    self._json(platform.openid_configuration())
                elif path == "/course":
                    self._html(platform.course_page())
                elif path == "/auth":
                    self._html(platform.auth_response(dict(parse_qsl(query))))
                elif path == "/lineitems":
                    if not self._authorised(LINEITEM_SCOPE):
                        return
                    link = dict(parse_qsl(query)).get("resource_link_id")
                    self._json([i for i in platform.line_items if link in (None, i.get("resourceLinkId"))])
                elif path == "/memberships":
                    if not (self.headers.get("Authorization") or "").startswith("Bearer token-"):
                        self._json({"error": "unauthorised"}, 401)
                        return
                    page = int(dict(parse_qsl(query)).get("page", "1"))
                    chunk = platform.members[(page - 1) * 2: page * 2]
                    body = json.dumps({"id": self.path, "members": chunk}).encode()
                    self.send_response(200)
                    self.send_header("Content-Type", "application/vnd.ims.lti-nrps.v2.membershipcontainer+json")
                    if page * 2 < len(platform.members):
                        self.send_header("Link", f'<{platform.issuer}/memberships?page={page + 1}>; rel="next"')
                    self.send_header("Content-Length", str(len(body)))
                    self.end_headers()
                    self.wfile.write(body)
                elif self.path == "/jwks":
                    platform.key_set_requests += 1
                    body = json.dumps({"keys": [
                        {**json.loads(key.export_public()), "kid": kid, "alg": "RS256", "use": "sig"}
                        for kid, key in platform.keys
                    ]}).encode()
                    self.send_response(200)
                    self.send_header("Content-Type", "application/json")
                    self.send_header("Content-Length", str(len(body)))
                    self.end_headers()
                    self.wfile.write(body)
                else:
                    self.send_response(404)
                    self.end_headers()

            def _authorised(self, scope: str) -> bool:
                token = (self.headers.get("Authorization") or "").removeprefix("Bearer ")
                if scope not in platform.token_scopes.get(token, set()):
                    self._json({"error": "unauthorised"}, 401)
                    return False
                return True

            def _json(self, document, status: int = 200) -> None:
                body = json.dumps(document).encode()
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def do_POST(self):  # noqa: N802 (http.server's name)
                length = int(self.headers.get("Content-Length", "0"))
                raw = self.rfile.read(length) or b"{}"
                if self.path == "/token":
                    form = dict(parse_qsl(raw.decode()))
                    if not platform.check_client_assertion(form.get("client_assertion", "")):
                        self._json({"error": "invalid_client"}, 401)
                        return
                    platform.tokens_issued += 1
                    token = f"token-{platform.tokens_issued}"
                    platform.token_scopes[token] = set(form.get("scope", "").split())
                    self._json({"access_token": token, "token_type": "Bearer",
                                "expires_in": 3600, "scope": form.get("scope", "")})
                    return
                if self.path == "/lineitems":
                    if self._authorised(LINEITEM_SCOPE):
                        item = {**json.loads(raw), "id": f"{platform.issuer}/lineitems/{len(platform.line_items) + 1}"}
                        platform.line_items.append(item)
                        self._json(item, 201)
                    return
                if self.path.startswith("/lineitems/") and self.path.endswith("/scores"):
                    if not self._authorised(SCORE_SCOPE):
                        return
                    if self.headers.get("Content-Type") != "application/vnd.ims.lis.v1.score+json":
                        self._json({"error": "wrong media type"}, 415)
                    elif platform.refuse_scores:
                        platform.refuse_scores -= 1
                        self._json({"error": "maintenance"}, 503)
                    else:
                        platform.scores.append((self.path.removesuffix("/scores"), json.loads(raw)))
                        self.send_response(204)
                        self.end_headers()
                    return
                document = json.loads(raw)
                if self.path != "/register":
                    self._json({"error": "not found"}, 404)
                elif self.headers.get("Authorization") != f"Bearer {platform.registration_token}":
                    self._json({"error": "invalid token"}, 401)
                else:
                    platform.registrations.append(document)
                    self._json({**document, "client_id": platform.client_id,
                                "https://purl.imsglobal.org/spec/lti-tool-configuration": {
                                    **document["https://purl.imsglobal.org/spec/lti-tool-configuration"],
                                    "deployment_id": platform.deployment_id}})

            def log_message(self, *args):
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()
        self.issuer = f"http://127.0.0.1:{self.server.server_address[1]}"
        self.client_id = "nordlearn-client"
        self.deployment_id = "deployment-1"

    def check_client_assertion(self, assertion: str) -> bool:
        """A client assertion signed by a key the tool publishes, for this platform's token URL."""
        try:
            kid = jwt.get_unverified_header(assertion)["kid"]
            key = next(k for k in jwt.PyJWKSet.from_dict(self.tool_jwks).keys if k.key_id == kid)
            claims = jwt.decode(assertion, key.key, algorithms=["RS256"], audience=f"{self.issuer}/token")
        except (StopIteration, KeyError, jwt.PyJWTError):
            return False
        return claims["iss"] == claims["sub"] == self.client_id

    def openid_configuration(self) -> dict:
        return {
            "issuer": self.configured_issuer or self.issuer,
            "authorization_endpoint": f"{self.issuer}/auth",
            "token_endpoint": f"{self.issuer}/token",
            "jwks_uri": f"{self.issuer}/jwks",
            "registration_endpoint": f"{self.issuer}/register",
            "https://purl.imsglobal.org/spec/lti-platform-configuration": {
                "product_family_code": "moodle", "version": "4.5",
                "messages_supported": [{"type": "LtiResourceLinkRequest"}, {"type": "LtiDeepLinkingRequest"}],
            },
        }

    def course_page(self) -> str:
        """A course page of the platform with NordLearn in an iframe, as Moodle shows it; with
        ``storage_target``, the page also keeps data for its tools (LTI platform storage)."""
        params = {
            "iss": self.issuer, "login_hint": "user-1", "target_link_uri": self.tool_base + "/lti/launch",
            "client_id": self.client_id, "lti_message_hint": "link-1", "lti_deployment_id": self.deployment_id,
        }
        if self.storage_target:
            params["lti_storage_target"] = self.storage_target
        login = self.tool_base + "/lti/login?" + urlencode(params)
        return (f'<!doctype html><html lang="en"><head><title>Platform course</title></head><body>'
                f'<h1>Regulatory affairs 2026</h1><iframe id="tool" title="NordLearn" src="{escape(login)}" '
                f'width="1000" height="800"></iframe>{STORAGE_SCRIPT if self.storage_target else ""}'
                f'</body></html>')

    def auth_response(self, params: dict) -> str:
        """The platform's OIDC endpoint: sign an id_token for the nonce and post it back."""
        token = self.sign(self.claims(nonce=params["nonce"], custom=self.link_custom, target=self.tool_base + "/lti/launch",
                                      **{CLAIM + "resource_link": {"id": self.link_id}},
                                      **{CLAIM + "tool_platform": {"url": self.issuer}}, **self.link_claims))
        return (f'<!doctype html><html lang="en"><head><title>Launching</title></head><body>'
                f'<form method="post" action="{escape(params["redirect_uri"])}">'
                f'<input type="hidden" name="id_token" value="{token}">'
                f'<input type="hidden" name="state" value="{escape(params["state"])}">'
                + (f'<input type="hidden" name="lti_storage_target" value="{escape(self.storage_target)}">'
                   if self.storage_target else "")
                + '</form>'
                '<script>document.forms[0].submit()</script></body></html>')

    def ags_claim(self, *, lineitem: str | None = None) -> dict:
        """The AGS claim of a launch: the gradebook's container, and this link's line item if it has one."""
        claim = {"scope": [LINEITEM_SCOPE, SCORE_SCOPE], "lineitems": f"{self.issuer}/lineitems"}
        if lineitem:
            claim["lineitem"] = lineitem
        return {AGS: claim}

    def rotate_key(self, *, keep_old: bool = False) -> str:
        kid = secrets.token_hex(6)
        key = jwk.JWK.generate(kty="RSA", size=2048)
        self.keys = ([*self.keys] if keep_old else []) + [(kid, key)]
        return kid

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()

    def registration_args(self, organisation_id: int = 4) -> list[str]:
        return ["lti", "registrations", "add", "--name", "Test Moodle", "--issuer", self.issuer,
                "--client-id", self.client_id, "--auth-login-url", f"{self.issuer}/auth",
                "--auth-token-url", f"{self.issuer}/token", "--jwks-url", f"{self.issuer}/jwks",
                "--organisation", str(organisation_id), "--deployment", self.deployment_id]

    def claims(self, *, nonce: str, sub: str = "user-1", roles=(LEARNER,),
               target: str = "http://127.0.0.1:5000/lti/launch",
               custom: dict | None = None, **overrides) -> dict:
        now = int(time.time())
        claims = {
            "iss": self.issuer,
            "aud": self.client_id,
            "sub": sub,
            "iat": now,
            "exp": now + 300,
            "nonce": nonce,
            "name": "Aino Virtanen",
            "given_name": "Aino",
            "family_name": "Virtanen",
            "email": "aino@example.fi",
            CLAIM + "message_type": "LtiResourceLinkRequest",
            CLAIM + "version": "1.3.0",
            CLAIM + "deployment_id": self.deployment_id,
            CLAIM + "target_link_uri": target,
            CLAIM + "resource_link": {"id": str(uuid.uuid4())},
            CLAIM + "roles": list(roles),
            CLAIM + "context": {"id": "course-42", "title": "Regulatory affairs 2026"},
            CLAIM + "launch_presentation": {"locale": "fi-FI", "document_target": "iframe"},
            CLAIM + "custom": custom or {},
        }
        claims.update(overrides)
        return {k: v for k, v in claims.items() if v is not None}

    def sign(self, claims: dict, *, kid: str | None = None, algorithm: str = "RS256", key=None) -> str:
        kid = kid or self.keys[-1][0]
        if key is None:
            key = dict(self.keys)[kid].export_to_pem(private_key=True, password=None)
        return jwt.encode(claims, key, algorithm=algorithm, headers={"kid": kid})
