"""Calls from NordLearn to a platform's LTI Advantage services, with OAuth2 client credentials.

NordLearn signs a client assertion with its current key (the kid platforms find
at /lti/jwks), and keeps each access token until shortly before it expires.
"""

from __future__ import annotations

import time
import uuid
from urllib.parse import urlsplit

import jwt
import requests

from lms.extensions import cache
from lms.lti import keys
from lms.lti.models import LtiRegistration

TIMEOUT = 15
NRPS_SCOPE = "https://purl.imsglobal.org/spec/lti-nrps/scope/contextmembership.readonly"
MEMBERSHIP_TYPE = "application/vnd.ims.lti-nrps.v2.membershipcontainer+json"
MAX_PAGES = 100


class PlatformServiceError(Exception):
    pass


def access_token(*, registration: LtiRegistration, scopes: tuple[str, ...], http: requests.Session) -> str:
    cache_key = f"lti-token:{registration.id}:{' '.join(sorted(scopes))}"
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
    with requests.Session() as http:
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
