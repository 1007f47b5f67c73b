"""LTI Dynamic Registration 1.0: a platform administrator registers NordLearn in one step.

The platform opens /lti/register with its OpenID configuration URL and a
registration token; NordLearn fetches the configuration, checks that the URL
belongs to the issuer it names, posts its client registration (with the LTI
tool configuration claim) and stores what the platform answers.
"""

from __future__ import annotations

from dataclasses import dataclass
from urllib.parse import urlsplit

import requests

from lms.extensions import db
from lms.lti import http, services
from lms.lti.models import DeploymentStatus, LtiDeployment, LtiRegistration

TOOL_CONFIGURATION = "https://purl.imsglobal.org/spec/lti-tool-configuration"
PLATFORM_CONFIGURATION = "https://purl.imsglobal.org/spec/lti-platform-configuration"
DEFAULT_PORTS = {"https": 443, "http": 80}


class DynamicRegistrationError(Exception):
    pass


@dataclass(frozen=True)
class PlatformConfiguration:
    issuer: str
    authorization_endpoint: str
    token_endpoint: str
    jwks_uri: str
    registration_endpoint: str
    product: str
    audience: str | None

    @property
    def origin(self) -> str:
        parts = urlsplit(self.issuer)
        return f"{parts.scheme}://{parts.netloc}"


def issued_by(issuer: str, url: str) -> bool:
    """Whether the configuration at ``url`` may speak for ``issuer``: the issuer is the URL's prefix,
    exactly (OpenID Connect Discovery 1.0, section 4.3): the same scheme, host and port, and its path
    whole segments of the URL's path (``https://lms.example/a`` is no prefix of ``https://lms.example/ab``,
    nor ``https://lms.example`` of ``https://lms.example.attacker.net``)."""
    try:
        theirs, ours = urlsplit(issuer), urlsplit(url)
        ports = (theirs.port or DEFAULT_PORTS.get(theirs.scheme), ours.port or DEFAULT_PORTS.get(ours.scheme))
    except ValueError:
        return False
    if theirs.query or theirs.fragment or theirs.username or not theirs.hostname:
        return False
    if (theirs.scheme, theirs.hostname, ports[0]) != (ours.scheme, ours.hostname, ports[1]):
        return False
    prefix = theirs.path.rstrip("/")
    return ours.path == prefix or ours.path.startswith(prefix + "/")


def fetch_configuration(openid_configuration: str) -> PlatformConfiguration:
    if not http.acceptable_url(openid_configuration):
        raise DynamicRegistrationError("the OpenID configuration URL must use https")
    try:
        with http.session() as client:
            document = client.get(openid_configuration).json()
    except (requests.RequestException, ValueError) as error:
        raise DynamicRegistrationError(f"could not read the OpenID configuration: {error}") from error
    if not isinstance(document, dict):
        raise DynamicRegistrationError("the OpenID configuration is not a JSON object")
    try:
        config = PlatformConfiguration(
            issuer=str(document["issuer"]),
            authorization_endpoint=str(document["authorization_endpoint"]),
            token_endpoint=str(document["token_endpoint"]),
            jwks_uri=str(document["jwks_uri"]),
            registration_endpoint=str(document["registration_endpoint"]),
            product=str((document.get(PLATFORM_CONFIGURATION) or {}).get("product_family_code") or "platform"),
            audience=document.get("authorization_server"),
        )
    except (KeyError, TypeError) as error:
        raise DynamicRegistrationError(f"the OpenID configuration lacks {error}") from error
    # The configuration must come from the issuer it names (LTI-DR 1.0, section 3.5.1).
    if not issued_by(config.issuer, openid_configuration):
        raise DynamicRegistrationError("the OpenID configuration URL does not belong to its issuer")
    for url in (config.authorization_endpoint, config.token_endpoint, config.jwks_uri, config.registration_endpoint):
        if not http.acceptable_url(url):
            raise DynamicRegistrationError(f"the platform names an endpoint NordLearn will not use: {url[:200]}")
    return config


def client_registration(base_url: str) -> dict:
    tool = services.tool_configuration(base_url)
    return {
        "application_type": "web",
        "response_types": ["id_token"],
        "grant_types": ["implicit", "client_credentials"],
        "initiate_login_uri": tool["oidc_initiation_url"],
        "redirect_uris": tool["redirect_uris"],
        "client_name": tool["title"],
        "jwks_uri": tool["public_jwk_url"],
        "logo_uri": tool["icon_url"],
        "token_endpoint_auth_method": "private_key_jwt",
        "scope": " ".join(tool["scopes"]),
        TOOL_CONFIGURATION: {
            "domain": urlsplit(base_url).netloc,
            "description": tool["description"],
            "target_link_uri": tool["target_link_uri"],
            "claims": tool["claims"],
            "messages": [
                {"type": "LtiResourceLinkRequest", "target_link_uri": tool["target_link_uri"]},
                {"type": "LtiDeepLinkingRequest", "target_link_uri": tool["target_link_uri"],
                 "label": tool["title"], "placements": ["link_selection", "assignment_selection"]},
            ],
        },
    }


def register(*, config: PlatformConfiguration, registration_token: str | None, base_url: str,
             organisation_id: int) -> LtiRegistration:
    """Post NordLearn's client registration and keep the platform's answer.

    The new registration waits, disabled, until a NordLearn admin enables it:
    anyone can run a platform, so none is trusted on its own word.
    """
    headers = {"Authorization": f"Bearer {registration_token}"} if registration_token else {}
    try:
        with http.session() as client:
            answer = client.post(config.registration_endpoint, json=client_registration(base_url), headers=headers)
            answer.raise_for_status()
            document = answer.json()
        if not isinstance(document, dict):
            raise ValueError("not a JSON object")
    except (requests.RequestException, ValueError) as error:
        raise DynamicRegistrationError(f"the platform refused the registration: {error}") from error
    client_id = document.get("client_id")
    if not client_id:
        raise DynamicRegistrationError("the platform answered without a client_id")
    deployment_id = (document.get(TOOL_CONFIGURATION) or {}).get("deployment_id")
    details = services.PlatformDetails(
        name=f"{config.product} {urlsplit(config.issuer).netloc}"[:200], issuer=config.issuer,
        client_id=str(client_id), auth_login_url=config.authorization_endpoint,
        auth_token_url=config.token_endpoint, key_set_url=config.jwks_uri, auth_audience=config.audience,
    )
    try:
        registration = services.add_registration(details=details, organisation_id=organisation_id)
    except services.RegistrationError as error:
        raise DynamicRegistrationError(f"the registration could not be stored: {error!r}") from error
    registration.enabled = False
    if deployment_id:
        registration.deployments.append(LtiDeployment(deployment_id=str(deployment_id),
                                                      status=DeploymentStatus.APPROVED))
    db.session.flush()
    return registration
