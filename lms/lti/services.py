"""LTI registrations, deployments and the tool configuration NordLearn offers platforms."""

from __future__ import annotations

from dataclasses import dataclass
from urllib.parse import urlsplit

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import selectinload

from lms.accounts import permissions
from lms.accounts import services as accounts
from lms.core import errors
from lms.lti import http as lti_http
from lms.accounts.models import Organisation, User
from lms.extensions import db
from lms.lti.models import DeploymentPolicy, DeploymentStatus, LtiDeployment, LtiIdentity, LtiRegistration

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
    if not lti_http.acceptable_url(value):
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
        "dynamic_registration_url": f"{base_url}/lti/register",
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


# ---------------------------------------------------------------- launches

CLAIM = "https://purl.imsglobal.org/spec/lti/claim/"
INSTRUCTOR_ROLES = ("#Instructor", "#Administrator", "#ContentDeveloper", "#TeachingAssistant", "/Instructor",
                    "/Administrator", "/ContentDeveloper", "/TeachingAssistant")


@dataclass(frozen=True)
class LaunchTarget:
    course_slug: str | None
    module_slug: str | None


def is_instructor(claims: dict) -> bool:
    return any(role.endswith(INSTRUCTOR_ROLES) for role in claims.get(CLAIM + "roles", []))


def launch_user(*, registration: LtiRegistration, claims: dict) -> User:
    """The NordLearn user of this platform user, made on their first launch.

    Identified by (issuer, subject) only: an e-mail address never joins two accounts.
    """
    name = claims.get("name") or " ".join(p for p in (claims.get("given_name"), claims.get("family_name")) if p)
    identity = db.session.scalar(
        select(LtiIdentity).where(LtiIdentity.issuer == claims["iss"], LtiIdentity.subject == claims["sub"])
    )
    if identity is None:
        user = User(display_name=(name or "")[:120] or claims["sub"][:120])
        db.session.add(user)
        db.session.flush()
        identity = LtiIdentity(user_id=user.id, registration_id=registration.id, issuer=claims["iss"],
                               subject=claims["sub"])
        db.session.add(identity)
    user = db.session.get(User, identity.user_id)
    if name:
        identity.name = name[:200]
        user.display_name = name[:120]
    if claims.get("email"):
        identity.email = str(claims["email"])[:254]
    accounts.confirm_member(user=user, organisation_id=registration.organisation_id)
    db.session.flush()
    return user


def launch_locale(claims: dict) -> str | None:
    presentation = claims.get(CLAIM + "launch_presentation") or {}
    return presentation.get("locale") or claims.get("locale")


def launch_context(claims: dict) -> str | None:
    context = claims.get(CLAIM + "context") or {}
    return str(context["id"])[:255] if context.get("id") else None


def launch_target(*, claims: dict, base_url: str) -> LaunchTarget:
    """The course or module a resource link names: its custom parameters (as NordLearn's
    deep links set them) or its target link URI."""
    custom = claims.get(CLAIM + "custom") or {}
    if custom.get("course"):
        return LaunchTarget(str(custom["course"]), str(custom["module"]) if custom.get("module") else None)
    target = str(claims.get(CLAIM + "target_link_uri") or "")
    path = urlsplit(target).path if target.startswith(base_url) or target.startswith("/") else ""
    parts = [p for p in path.split("/") if p]
    if len(parts) >= 2 and parts[0] == "courses":
        module = parts[3] if len(parts) >= 4 and parts[2] == "modules" else None
        return LaunchTarget(parts[1], module)
    return LaunchTarget(None, None)


def frame_origins(*, registration: LtiRegistration, claims: dict) -> list[str]:
    """The web origins of the platform that launched: they may show NordLearn in a frame."""
    candidates = [
        registration.issuer,
        registration.auth_login_url,
        (claims.get(CLAIM + "tool_platform") or {}).get("url"),
        (claims.get(CLAIM + "launch_presentation") or {}).get("return_url"),
    ]
    origins = set()
    for url in candidates:
        parts = urlsplit(str(url or ""))
        if parts.scheme in ("https", "http") and parts.netloc and not any(c in parts.netloc for c in " ;'\""):
            origins.add(f"{parts.scheme}://{parts.netloc}")
    return sorted(origins)


def registered_frame_origins() -> list[str]:
    """The origins of every enabled platform: a page shown before NordLearn knows which
    platform launched (a refused launch) may be framed by any of them."""
    rows = db.session.scalars(select(LtiRegistration).where(LtiRegistration.enabled.is_(True)))
    return sorted({o for row in rows for o in frame_origins(registration=row, claims={})})


def record_pending_deployment(*, registration_id: int, deployment_id: str) -> None:
    """Note a deployment NordLearn has not seen, for an admin to approve."""
    registration = get_registration(registration_id)
    if not any(d.deployment_id == deployment_id for d in registration.deployments):
        registration.deployments.append(LtiDeployment(deployment_id=deployment_id, status=DeploymentStatus.PENDING))
    db.session.flush()


# ---------------------------------------------------------------- roster

NRPS_CLAIM = "https://purl.imsglobal.org/spec/lti-nrps/claim/namesroleservice"


@dataclass(frozen=True)
class RosterRow:
    name: str
    instructor: bool
    active: bool
    progress: object | None  # learning.services.CourseProgress, or None: never opened NordLearn


def memberships_url(claims: dict) -> str | None:
    return (claims.get(NRPS_CLAIM) or {}).get("context_memberships_url")


def roster(*, registration: LtiRegistration, url: str, course, language: str) -> list[RosterRow]:
    """The platform course's members with their progress in ``course``, learners first."""
    from lms.learning import services as learning
    from lms.lti import platform_services

    members = platform_services.members(registration=registration, memberships_url=url)
    subjects = [str(m.get("user_id")) for m in members if m.get("user_id")]
    users = dict(db.session.execute(
        select(LtiIdentity.subject, LtiIdentity.user_id).where(
            LtiIdentity.issuer == registration.issuer, LtiIdentity.subject.in_(subjects))
    ).all())
    progress = learning.progress_of_users(user_ids=list(users.values()), course=course, language=language)
    rows = []
    for member in members:
        subject = str(member.get("user_id"))
        name = member.get("name") or " ".join(
            p for p in (member.get("given_name"), member.get("family_name")) if p) or subject
        user_id = users.get(subject)
        rows.append(RosterRow(
            name=name,
            instructor=any(str(role).endswith(INSTRUCTOR_ROLES) for role in member.get("roles", [])),
            active=member.get("status", "Active") == "Active",
            progress=progress.get(user_id) if user_id else None,
        ))
    return sorted(rows, key=lambda r: (r.instructor, r.name.lower()))


# ---------------------------------------------------------------- administration


class NotAllowed(RegistrationError, errors.Forbidden):
    pass


def require_admin(user: User) -> None:
    """Only NordLearn's admins manage platform registrations."""
    if not permissions.is_admin(user):
        raise NotAllowed()
