"""LTI registrations, deployments and the tool configuration NordLearn offers platforms."""

from __future__ import annotations

from dataclasses import dataclass
from urllib.parse import urlsplit

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import selectinload

from lms.accounts.models import Organisation
from lms.extensions import db
from lms.lti.models import DeploymentPolicy, DeploymentStatus, LtiDeployment, LtiRegistration

SCOPES = (
    "https://purl.imsglobal.org/spec/lti-ags/scope/lineitem",
    "https://purl.imsglobal.org/spec/lti-ags/scope/result.readonly",
    "https://purl.imsglobal.org/spec/lti-ags/scope/score",
    "https://purl.imsglobal.org/spec/lti-nrps/scope/contextmembership.readonly",
)
TOOL_NAME = "NordLearn"
TOOL_DESCRIPTION = (
    "Nordplus continuing-education courses on pharmaceuticals and medical devices, "
    "in the Nordic and Baltic languages."
)


class RegistrationError(Exception):
    pass


class RegistrationExists(RegistrationError):
    pass


class UnknownRegistration(RegistrationError):
    pass


class UnknownOrganisation(RegistrationError):
    pass


class InvalidUrl(RegistrationError):
    pass


@dataclass(frozen=True)
class PlatformDetails:
    name: str
    issuer: str
    client_id: str
    auth_login_url: str
    auth_token_url: str
    key_set_url: str
    auth_audience: str | None = None


def _check_url(value: str, what: str) -> None:
    parts = urlsplit(value)
    if parts.scheme not in ("https", "http") or not parts.netloc:
        raise InvalidUrl(what)


def add_registration(*, details: PlatformDetails, organisation_id: int,
                     policy: DeploymentPolicy = DeploymentPolicy.APPROVE,
                     deployment_ids: tuple[str, ...] = ()) -> LtiRegistration:
    for value, what in ((details.issuer, "issuer"), (details.auth_login_url, "auth_login_url"),
                        (details.auth_token_url, "auth_token_url"), (details.key_set_url, "key_set_url")):
        _check_url(value, what)
    if db.session.get(Organisation, organisation_id) is None:
        raise UnknownOrganisation(organisation_id)
    registration = LtiRegistration(
        name=details.name, issuer=details.issuer, client_id=details.client_id,
        auth_login_url=details.auth_login_url, auth_token_url=details.auth_token_url,
        key_set_url=details.key_set_url, auth_audience=details.auth_audience,
        organisation_id=organisation_id, deployment_policy=policy,
    )
    registration.deployments = [LtiDeployment(deployment_id=d, status=DeploymentStatus.APPROVED)
                                for d in dict.fromkeys(deployment_ids)]
    try:
        with db.session.begin_nested():
            db.session.add(registration)
    except IntegrityError:
        raise RegistrationExists((details.issuer, details.client_id)) from None
    return registration


def list_registrations() -> list[LtiRegistration]:
    return list(db.session.scalars(
        select(LtiRegistration).options(selectinload(LtiRegistration.deployments)).order_by(LtiRegistration.id)
    ))


def get_registration(registration_id: int) -> LtiRegistration:
    registration = db.session.get(LtiRegistration, registration_id)
    if registration is None:
        raise UnknownRegistration(registration_id)
    return registration


def set_enabled(*, registration_id: int, enabled: bool) -> LtiRegistration:
    registration = get_registration(registration_id)
    registration.enabled = enabled
    db.session.flush()
    return registration


def set_deployment_status(*, registration_id: int, deployment_id: str, status: DeploymentStatus) -> LtiDeployment:
    registration = get_registration(registration_id)
    deployment = next((d for d in registration.deployments if d.deployment_id == deployment_id), None)
    if deployment is None:
        deployment = LtiDeployment(deployment_id=deployment_id, status=status)
        registration.deployments.append(deployment)
    deployment.status = status
    db.session.flush()
    return deployment


def tool_configuration(base_url: str) -> dict:
    """What a platform needs to register NordLearn by hand (also the basis of
    Dynamic Registration's tool configuration)."""
    launch = f"{base_url}/lti/launch"
    return {
        "title": TOOL_NAME,
        "description": TOOL_DESCRIPTION,
        "oidc_initiation_url": f"{base_url}/lti/login",
        "target_link_uri": launch,
        "redirect_uris": [launch],
        "public_jwk_url": f"{base_url}/lti/jwks",
        "deep_linking_url": launch,
        "scopes": list(SCOPES),
        "claims": ["iss", "sub", "name", "given_name", "family_name", "email", "locale"],
        "messages": ["LtiResourceLinkRequest", "LtiDeepLinkingRequest"],
        "privacy_level": "public",
        "custom_fields": {},
        "icon_url": f"{base_url}/static/favicon.svg",
        "extensions": [
            {
                "platform": "canvas.instructure.com",
                "privacy_level": "public",
                "settings": {
                    "placements": [
                        {"placement": "link_selection", "message_type": "LtiDeepLinkingRequest",
                         "target_link_uri": launch, "text": TOOL_NAME},
                        {"placement": "assignment_selection", "message_type": "LtiDeepLinkingRequest",
                         "target_link_uri": launch, "text": TOOL_NAME},
                    ],
                },
            }
        ],
    }
