"""Calls from NordLearn to a platform's LTI Advantage services, with OAuth2 client credentials.

NordLearn signs a client assertion with its current key (the kid platforms find
at /lti/jwks), and keeps each access token until shortly before it expires.
"""

from __future__ import annotations

import time
import uuid
from urllib.parse import urlencode, urlsplit, urlunsplit

import jwt
import requests

from lms.extensions import cache
from lms.lti import http as lti_http
from lms.lti import keys
from lms.lti.models import LtiRegistration

TIMEOUT = 15
ROSTER_BYTES = 8 * 1024 * 1024  # a platform that does not split a large roster into pages
NRPS_SCOPE = "https://purl.imsglobal.org/spec/lti-nrps/scope/contextmembership.readonly"
MEMBERSHIP_TYPE = "application/vnd.ims.lti-nrps.v2.membershipcontainer+json"
MAX_PAGES = 100
SCORE_SCOPE = "https://purl.imsglobal.org/spec/lti-ags/scope/score"
LINEITEM_SCOPE = "https://purl.imsglobal.org/spec/lti-ags/scope/lineitem"
LINEITEM_TYPE = "application/vnd.ims.lis.v2.lineitem+json"
LINEITEMS_TYPE = "application/vnd.ims.lis.v2.lineitemcontainer+json"
SCORE_TYPE = "application/vnd.ims.lis.v1.score+json"
LINE_ITEM_TAG = "nordlearn"


class PlatformServiceError(Exception):
    pass


def _token_cache_key(registration: LtiRegistration, scopes: tuple[str, ...]) -> str:
    return f"lti-token:{registration.id}:{' '.join(sorted(scopes))}"


def forget_token(*, registration: LtiRegistration, scopes: tuple[str, ...]) -> None:
    """Drop a cached token the platform no longer accepts (a 401), so the next call asks anew."""
    cache.delete(_token_cache_key(registration, scopes))


def access_token(*, registration: LtiRegistration, scopes: tuple[str, ...], http: requests.Session) -> str:
    cache_key = _token_cache_key(registration, scopes)
    cached = cache.get(cache_key)
    if cached:
        return cached
    now = int(time.time())
    signing = keys.signing_key()
    assertion = jwt.encode(
        {"iss": registration.client_id, "sub": registration.client_id,
         "aud": registration.auth_audience or registration.auth_token_url,
         "iat": now, "exp": now + 300, "jti": uuid.uuid4().hex},
        signing.private_pem, algorithm="RS256", headers={"kid": signing.kid},
    )
    try:
        answer = http.post(registration.auth_token_url, timeout=TIMEOUT, data={
            "grant_type": "client_credentials",
            "client_assertion_type": "urn:ietf:params:oauth:client-assertion-type:jwt-bearer",
            "client_assertion": assertion,
            "scope": " ".join(scopes),
        })
        answer.raise_for_status()
        document = answer.json()
        token = str(document["access_token"])
    except (requests.RequestException, ValueError, KeyError) as error:
        raise PlatformServiceError(f"no access token from {registration.auth_token_url}: {error}") from error
    lifetime = int(document.get("expires_in", 3600))
    cache.set(cache_key, token, timeout=max(lifetime - 60, 1))
    return token


def members(*, registration: LtiRegistration, memberships_url: str) -> list[dict]:
    """Every member of the platform course, following ``Link: rel="next"`` pages."""
    if urlsplit(memberships_url).scheme not in ("https", "http"):
        raise PlatformServiceError("the memberships URL is not a web address")
    found: list[dict] = []
    with lti_http.session(max_bytes=ROSTER_BYTES) as http:
        token = access_token(registration=registration, scopes=(NRPS_SCOPE,), http=http)
        url: str | None = memberships_url
        for _page in range(MAX_PAGES):
            if url is None:
                break
            try:
                answer = http.get(url, timeout=TIMEOUT,
                                  headers={"Authorization": f"Bearer {token}", "Accept": MEMBERSHIP_TYPE})
                answer.raise_for_status()
                found.extend(answer.json().get("members", []))
            except (requests.RequestException, ValueError) as error:
                raise PlatformServiceError(f"could not read the roster: {error}") from error
            url = answer.links.get("next", {}).get("url")
    return found


def _check_web_address(url: str, what: str) -> None:
    if urlsplit(url).scheme not in ("https", "http"):
        raise PlatformServiceError(f"the {what} is not a web address")


def _call(http: requests.Session, method: str, url: str, *, token: str, **kwargs) -> requests.Response:
    headers = {"Authorization": f"Bearer {token}", **kwargs.pop("headers", {})}
    try:
        answer = http.request(method, url, timeout=TIMEOUT, headers=headers, **kwargs)
    except requests.RequestException as error:
        raise PlatformServiceError(f"{method} {url}: {error}") from error
    if answer.status_code == 401:
        raise TokenRefused(f"{method} {url}: 401 {answer.text[:200]}")
    if not answer.ok:
        raise PlatformServiceError(f"{method} {url}: {answer.status_code} {answer.text[:200]}")
    return answer


class TokenRefused(PlatformServiceError):
    pass


def find_or_create_line_item(*, http: requests.Session, token: str, lineitems_url: str, resource_link_id: str,
                             resource_id: str, label: str, score_maximum: float) -> str:
    """The line item NordLearn made for this resource link in the platform's container,
    made now if there is none; returns its URL."""
    _check_web_address(lineitems_url, "line-item container")
    parts = urlsplit(lineitems_url)
    query = "&".join(p for p in (parts.query, urlencode({"resource_link_id": resource_link_id})) if p)
    answer = _call(http, "GET", urlunsplit(parts._replace(query=query)), token=token,
                   headers={"Accept": LINEITEMS_TYPE})
    try:
        items = answer.json()
    except ValueError as error:
        raise PlatformServiceError(f"the line items of {lineitems_url} are not JSON") from error
    for item in items if isinstance(items, list) else []:
        if (isinstance(item, dict) and item.get("id") and item.get("resourceLinkId") == resource_link_id
                and item.get("tag") == LINE_ITEM_TAG):
            return str(item["id"])
    answer = _call(http, "POST", lineitems_url, token=token,
                   headers={"Content-Type": LINEITEM_TYPE, "Accept": LINEITEM_TYPE},
                   json={"scoreMaximum": score_maximum, "label": label, "resourceId": resource_id,
                         "resourceLinkId": resource_link_id, "tag": LINE_ITEM_TAG})
    try:
        return str(answer.json()["id"])
    except (ValueError, KeyError, TypeError) as error:
        raise PlatformServiceError(f"the platform made no line item at {lineitems_url}") from error


def scores_url(lineitem_url: str) -> str:
    """``{lineitem}/scores``, keeping any query string of the line item's URL."""
    parts = urlsplit(lineitem_url)
    return urlunsplit(parts._replace(path=parts.path.rstrip("/") + "/scores"))


def post_score(*, http: requests.Session, token: str, lineitem_url: str, score: dict) -> None:
    _check_web_address(lineitem_url, "line item")
    _call(http, "POST", scores_url(lineitem_url), token=token, json=score,
          headers={"Content-Type": SCORE_TYPE})
