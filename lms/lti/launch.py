"""OIDC login and id_token launch, through pylti1p3, with its known gaps closed here.

pylti1p3 2.0 checks state, the signature against the platform's key set, the
registration, the deployment and the message; on top of it NordLearn:
- consumes every nonce once, in a store all instances share (``nonces``);
- accepts RS256 only and checks ``aud``/``azp`` and ``exp``/``iat`` with 60 s
  of clock leeway (pylti1p3 passes no leeway and no audience to PyJWT);
- refetches the platform's key set once when a token names an unknown ``kid``
  (a platform key change), instead of failing on a cached set;
- checks the LTI ``version`` claim itself;
- accepts a login only for a ``target_link_uri`` on NordLearn's own origin, and a
  launch only when its ``target_link_uri`` claim is the one of its login (OIDC and
  LTI Core 1.3), checks ``azp`` whenever it is present;
- supports the LTI platform-storage flow (``lti_storage_target``, 1EdTech "OIDC
  Login with LTI Client Side postMessages"): when the browser sends no state
  cookie, the login's record (server side, once) stands in for it, and nobody is
  signed in until the browser shows a secret its login page kept in the platform's
  storage: that binds the launch to the browser that started it (the state alone
  travels in URLs and forms, so it proves nothing);
- when a frame keeps neither cookies nor platform storage, answers with a link
  that starts the launch again at top level, in a window of its own.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
import time
from dataclasses import dataclass, field
from urllib.parse import parse_qs, urlencode, urlsplit

import jwt
import requests
from flask import current_app
from pylti1p3.contrib.flask import FlaskCookieService, FlaskMessageLaunch, FlaskOIDCLogin, FlaskRequest
from pylti1p3.contrib.flask.launch_data_storage.cache import FlaskCacheDataStorage
from pylti1p3.deployment import Deployment
from pylti1p3.exception import LtiException, OIDCException
from pylti1p3.registration import Registration
from pylti1p3.tool_config.abstract import ToolConfAbstract
from sqlalchemy import select

from lms.extensions import cache, db
from lms.lti import http, keys, nonces
from lms.lti.models import DeploymentPolicy, DeploymentStatus, LtiDeployment, LtiRegistration

LEEWAY_SECONDS = 60
KEY_SET_LIFETIME = 3600
LTI_VERSION = "1.3.0"
LOGIN_PREFIX = "lti-login:"
LOGIN_LIFETIME = 600
CLAIM = "https://purl.imsglobal.org/spec/lti/claim/"


class Refusal(Exception):
    """A login or launch NordLearn will not accept. ``reason`` names it for the page."""

    def __init__(self, reason: str, detail: str = "", *, pending: tuple[int, str] | None = None,
                 restart: str | None = None, frame_origins: list[str] | None = None):
        super().__init__(f"{reason}: {detail}" if detail else reason)
        self.reason = reason
        self.detail = detail
        # (registration id, deployment id) of an unknown deployment, to record for an admin.
        self.pending = pending
        # The login URL that starts the launch again at top level, when a frame cannot keep it.
        self.restart = restart
        self.frame_origins = frame_origins or []


@dataclass
class DatabaseToolConf(ToolConfAbstract):
    """Registrations and deployments from NordLearn's tables; notes unknown deployments."""

    deployment_hint: str | None = None  # lti_deployment_id / deployment_id sent to the login
    unknown_deployment: tuple[int, str] | None = None
    rows: dict[tuple[str, str], LtiRegistration] = field(default_factory=dict)

    def __post_init__(self) -> None:
        super().__init__()

    def check_iss_has_one_client(self, iss: str) -> bool:
        return False  # always look registrations up by issuer and client id

    def check_iss_has_many_clients(self, iss: str) -> bool:
        return True

    def _row(self, iss: str, client_id: str | None) -> LtiRegistration | None:
        query = select(LtiRegistration).where(LtiRegistration.issuer == iss, LtiRegistration.enabled.is_(True))
        rows = list(db.session.scalars(query))
        if client_id:
            rows = [r for r in rows if r.client_id == client_id]
        elif len(rows) > 1 and self.deployment_hint:
            rows = [r for r in rows if any(d.deployment_id == self.deployment_hint for d in r.deployments)]
        if len(rows) != 1:
            return None  # unknown, disabled, or ambiguous without a client id
        self.rows[(iss, rows[0].client_id)] = rows[0]
        return rows[0]

    def find_registration_by_issuer(self, iss, *args, **kwargs):
        return self.find_registration_by_params(iss, None)

    def find_registration_by_params(self, iss, client_id, *args, **kwargs):
        row = self._row(iss, client_id)
        if row is None:
            return None
        signing = keys.signing_key()
        return (
            Registration()
            .set_issuer(row.issuer)
            .set_client_id(row.client_id)
            .set_auth_login_url(row.auth_login_url)
            .set_auth_token_url(row.auth_token_url)
            .set_auth_audience(row.auth_audience)
            .set_key_set_url(row.key_set_url)
            .set_tool_private_key(signing.private_pem)
        )

    def find_deployment(self, iss, deployment_id):
        return None  # not used: check_iss_has_one_client is always False

    def find_deployment_by_params(self, iss, deployment_id, client_id, *args, **kwargs):
        row = self.rows.get((iss, client_id)) or self._row(iss, client_id)
        if row is None:
            return None
        known = db.session.scalar(select(LtiDeployment).where(
            LtiDeployment.registration_id == row.id, LtiDeployment.deployment_id == deployment_id))
        if known is None and row.deployment_policy is DeploymentPolicy.ACCEPT:
            db.session.add(LtiDeployment(registration_id=row.id, deployment_id=deployment_id,
                                           status=DeploymentStatus.APPROVED))
            return Deployment().set_deployment_id(deployment_id)
        if known is None:
            self.unknown_deployment = (row.id, deployment_id)
            return None
        if known.status is not DeploymentStatus.APPROVED:
            return None
        return Deployment().set_deployment_id(deployment_id)


class _Launch(FlaskMessageLaunch):
    storage_login: dict | None = None  # the login's record, when the state came without a cookie
    login_record: dict | None = None  # the login's record, when the state cookie came back

    def validate_state(self):
        state = str(self._get_request_param("state") or "")[:200]
        record = cache.get(LOGIN_PREFIX + state) if state else None
        try:
            super().validate_state()
        except LtiException as error:
            if record is None:
                raise
            if record.get("storage_target"):
                cache.delete(LOGIN_PREFIX + state)  # one launch per login
                self.storage_login = {**record, "state": state}
                current_app.logger.info("LTI launch without a state cookie: platform storage will confirm (%s)",
                                        error)
                return self
            if self._get_request_param("resubmitted") != "1":
                # A cross-site form post carries no SameSite=Lax cookie: sent again from this site, it does.
                raise Refusal("resubmit", str(error), frame_origins=record["frame_origins"]) from error
            cache.delete(LOGIN_PREFIX + state)
            # No cookie and no platform storage: this frame cannot keep the launch.
            raise Refusal("restart", str(error), restart=record["restart"],
                          frame_origins=record["frame_origins"]) from error
        if record is None:
            raise Refusal("state", "the login of this state has expired or was used")
        cache.delete(LOGIN_PREFIX + state)  # one launch per login
        self.login_record = record
        return self

    def validate_nonce(self):
        body = self._get_jwt_body()
        if self.storage_login is not None:
            if not hmac.compare_digest(str(body.get("nonce", "")), self.storage_login["nonce"]):
                raise Refusal("state", "the nonce is not the one of the login")
        else:
            super().validate_nonce()  # issued by this browser's login
        expires = float(body.get("exp") or time.time()) + LEEWAY_SECONDS
        if not nonces.use(str(body["nonce"]), expires_at=expires):
            raise Refusal("replayed")
        return self

    def validate_jwt_signature(self):
        header = self._jwt.get("header", {})
        if header.get("alg") != "RS256":
            raise Refusal("signature", "only RS256 is accepted")
        public_key, _alg = self.get_public_key()
        body = self._get_jwt_body()
        client_id = self._registration.get_client_id()
        try:
            jwt.decode(self._get_id_token(), public_key, algorithms=["RS256"], audience=client_id,
                       issuer=self._registration.get_issuer(), leeway=LEEWAY_SECONDS,
                       options={"require": ["exp", "iat", "iss", "aud", "sub", "nonce"]})
        except jwt.ExpiredSignatureError as error:
            raise Refusal("expired", str(error)) from error
        except jwt.InvalidAudienceError as error:
            raise Refusal("audience", str(error)) from error
        except jwt.InvalidTokenError as error:
            raise Refusal("signature", str(error)) from error
        audiences = body["aud"] if isinstance(body["aud"], list) else [body["aud"]]
        if len(audiences) > 1 and body.get("azp") != client_id:
            raise Refusal("audience", "azp must name this client when there are several audiences")
        if "azp" in body and body["azp"] != client_id:
            raise Refusal("audience", "azp names another client")
        return self

    def get_public_key(self):
        try:
            return super().get_public_key()
        except LtiException as error:
            if "Unable to find public key" not in str(error):
                raise
        # A kid we have not seen: the platform may have changed keys. Fetch once more.
        key_set_url = self._registration.get_key_set_url()
        fresh = self._fetch_fresh(key_set_url)
        self._registration.set_key_set(fresh)
        try:
            return super().get_public_key()
        except LtiException as error:
            raise Refusal("signature", str(error)) from error

    def _fetch_fresh(self, key_set_url: str):
        try:
            response = self._requests_session.get(key_set_url, timeout=10)
            key_set = response.json()
        except Exception as error:  # network or JSON: the key set cannot be had
            raise Refusal("platform-keys", str(error)) from error
        cache_key = "key-set-url-" + hashlib.md5(key_set_url.encode("utf-8")).hexdigest()
        storage = self._public_key_cache_data_storage
        if storage is not None:
            storage.set_value(cache_key, key_set, KEY_SET_LIFETIME)
        return key_set

    def validate_message(self):
        body = self._get_jwt_body()
        if body.get(CLAIM + "version") != LTI_VERSION:
            raise Refusal("version")
        try:
            return super().validate_message()
        except LtiException as error:
            if "placement types" in str(error):  # a deep-linking request that takes no resource links
                raise Refusal("deep-link-types", str(error)) from error
            raise Refusal("message", str(error)) from error


class _Cookies(FlaskCookieService):
    """pylti1p3's state cookie, with the attributes a third-party iframe needs
    (SameSite=None; Secure; Partitioned) when NordLearn runs embedded."""

    def update_response(self, response):
        embedded = current_app.config["LMS_EMBEDDED_COOKIES"]
        for key, data in self._cookie_data_to_set.items():
            response.set_cookie(
                key=key, value=data["value"], max_age=data["exp"], path="/", httponly=True,
                secure=embedded or self._request.is_secure(), samesite="None" if embedded else "Lax",
                partitioned=embedded,
            )


def _storage() -> FlaskCacheDataStorage:
    return FlaskCacheDataStorage(cache)


@dataclass(frozen=True)
class StorageLogin:
    """What the login page needs to keep its secret in the platform's storage."""

    auth_url: str
    state: str
    binding: str  # the secret the launch page must read back from the platform's storage
    target: str  # lti_storage_target: the frame that answers lti.put_data
    platform_origin: str  # the OIDC endpoint's origin, the only one the page talks to
    frame_origins: list[str]


@dataclass(frozen=True)
class LoginAnswer:
    redirect: object  # the redirect response, with pylti1p3's state cookie
    storage: StorageLogin | None


def own_origin(url: str) -> bool:
    """Whether ``url`` is on NordLearn's own origin (scheme, host and port of ``LMS_BASE_URL``)."""
    try:
        ours, theirs = urlsplit(current_app.config["LMS_BASE_URL"]), urlsplit(url)
        return (theirs.scheme, theirs.hostname, theirs.port) == (ours.scheme, ours.hostname, ours.port) \
            and not theirs.username
    except ValueError:
        return False


def _binding_hash(binding: str) -> str:
    return hashlib.sha256(binding.encode("utf-8")).hexdigest()


def login_redirect() -> LoginAnswer:
    """Answer a platform's third-party initiated login (GET or POST): send the browser
    to the platform's OIDC endpoint with a fresh state and nonce, and keep the login's
    record (its target, how to start it again, and for ``lti_storage_target`` the nonce and
    the hash of a secret the page keeps in the platform's storage) for its launch."""
    from lms.lti.services import frame_origins

    request = FlaskRequest()
    target_link_uri = str(request.get_param("target_link_uri") or "")
    if not own_origin(target_link_uri):
        raise Refusal("target", f"target_link_uri {target_link_uri[:200]!r} is not on NordLearn's origin")
    hint = request.get_param("lti_deployment_id") or request.get_param("deployment_id")
    tool_conf = DatabaseToolConf(deployment_hint=hint)
    login = FlaskOIDCLogin(request, tool_conf, cookie_service=_Cookies(request))
    try:
        redirect = login.get_redirect_object(f"{current_app.config['LMS_BASE_URL']}/lti/launch")
    except OIDCException as error:
        raise Refusal("unknown-platform", str(error)) from error
    url = redirect.get_redirect_url()
    sent = {k: v[0] for k, v in parse_qs(urlsplit(url).query).items()}
    row = next(iter(tool_conf.rows.values()))
    origins = frame_origins(registration=row, claims={})
    storage_target = str(request.get_param("lti_storage_target") or "")[:100]
    binding = secrets.token_urlsafe(32)
    cache.set(LOGIN_PREFIX + sent["state"], {
        "nonce": sent["nonce"], "target": target_link_uri, "restart": _restart_url(request),
        "storage_target": storage_target, "binding": _binding_hash(binding), "frame_origins": origins,
    }, timeout=LOGIN_LIFETIME)
    if not storage_target:
        return LoginAnswer(redirect.do_redirect(), None)
    parts = urlsplit(url)
    return LoginAnswer(redirect.do_redirect(), StorageLogin(
        auth_url=url, state=sent["state"], binding=binding, target=storage_target,
        platform_origin=f"{parts.scheme}://{parts.netloc}", frame_origins=origins))


RESTART_PARAMS = ("iss", "login_hint", "target_link_uri", "lti_message_hint", "client_id", "lti_deployment_id",
                  "deployment_id")


def _restart_url(request: FlaskRequest) -> str:
    """This login again, at top level (without platform storage: a window of its own keeps cookies)."""
    params = {name: str(request.get_param(name)) for name in RESTART_PARAMS if request.get_param(name)}
    return f"{current_app.config['LMS_BASE_URL']}/lti/login?{urlencode(params)}"


def check_target(claims: dict, record: dict | None) -> None:
    """The launch goes where its login said, on NordLearn's own origin (OIDC, LTI Core 1.3 §5.4.1)."""
    target = str(claims.get(CLAIM + "target_link_uri") or "")
    if record is None or not hmac.compare_digest(target, record["target"]) or not own_origin(target):
        raise Refusal("target", f"target_link_uri {target[:200]!r} is not the one of its login")


@dataclass(frozen=True)
class AcceptedLaunch:
    registration: LtiRegistration
    claims: dict
    # Set when the browser sent no state cookie: the platform's storage must confirm the launch.
    storage_login: dict | None = None
    restart: str = ""  # the launch's login, to start again at top level


def accept_launch() -> AcceptedLaunch:
    """Validate the posted id_token; raise Refusal with the reason otherwise."""
    with http.session() as client:  # the platform's key set is fetched by the outbound rules
        return _accept(client)


def _accept(client: requests.Session) -> AcceptedLaunch:
    tool_conf = DatabaseToolConf()
    request = FlaskRequest()
    launch = _Launch(request, tool_conf, cookie_service=_Cookies(request), requests_session=client)
    launch.set_public_key_caching(_storage(), cache_lifetime=KEY_SET_LIFETIME)
    try:
        claims = launch.get_launch_data()
    except Refusal:
        raise
    except LtiException as error:
        message = str(error)
        if tool_conf.unknown_deployment is not None:
            raise Refusal("deployment-pending", message, pending=tool_conf.unknown_deployment) from error
        reason = {
            "Missing state param": "state",
            "State not found": "state",
            "Invalid Nonce": "state",
            "Registration not found.": "unknown-platform",
            "Client id not registered for this issuer": "unknown-platform",
            "Unable to find deployment": "deployment",
            "Missing id_token": "token",
        }.get(message, "token")
        raise Refusal(reason, message) from error
    record = launch.login_record or launch.storage_login
    check_target(claims, record)
    registration = tool_conf.rows[(claims["iss"], launch.get_client_id())]
    return AcceptedLaunch(registration=registration, claims=claims, storage_login=launch.storage_login,
                          restart=record["restart"])



PENDING_PREFIX = "lti-storage-launch:"
PENDING_LIFETIME = 300


def hold_for_storage_check(accepted: AcceptedLaunch) -> str:
    """Keep a launch that came without a state cookie until the browser shows, from the
    platform's storage, the secret its login page kept there. Returns the key for the page."""
    key = secrets.token_urlsafe(24)
    login = accepted.storage_login
    cache.set(PENDING_PREFIX + key, {"registration_id": accepted.registration.id, "claims": accepted.claims,
                                     "binding": login["binding"], "restart": login["restart"]},
              timeout=PENDING_LIFETIME)
    return key


def confirm_from_storage(*, key: str, binding: str) -> AcceptedLaunch:
    """The held launch, once, if ``binding`` (read from the platform's storage by the browser that
    started the login) is its login's secret. The state and the key alone prove nothing."""
    record = cache.get(PENDING_PREFIX + key) if key else None
    if record is None or not nonces.use(PENDING_PREFIX + key, expires_at=time.time() + PENDING_LIFETIME):
        raise Refusal("state", "no launch waits under this key (expired or used)")
    cache.delete(PENDING_PREFIX + key)
    if not binding or not hmac.compare_digest(_binding_hash(binding), record["binding"]):
        raise Refusal("state", "the platform's storage did not hold this browser's secret",
                      restart=record["restart"])
    registration = db.session.get(LtiRegistration, record["registration_id"])
    if registration is None or not registration.enabled:
        raise Refusal("unknown-platform", "the registration is gone or disabled")
    return AcceptedLaunch(registration=registration, claims=record["claims"], restart=record["restart"])
