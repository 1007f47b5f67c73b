"""Deep Linking 2.0: an instructor picks courses or modules; NordLearn answers with
signed ``ltiResourceLink`` content items (and line items when the platform takes them)."""

from __future__ import annotations

import time
import uuid
from dataclasses import dataclass

import jwt

from lms.catalog import services as catalog
from lms.catalog.models import Course
from lms.lti import keys
from lms.lti.models import LtiRegistration

CLAIM = "https://purl.imsglobal.org/spec/lti/claim/"
DL_CLAIM = "https://purl.imsglobal.org/spec/lti-dl/claim/"
RESOURCE_LINK = "ltiResourceLink"


class DeepLinkError(Exception):
    pass


class NothingChosen(DeepLinkError):
    pass


class OnlyOneAccepted(DeepLinkError):
    pass


class UnknownItem(DeepLinkError):
    pass


@dataclass(frozen=True)
class Request:
    """What the platform asked for, kept in the session between the launch and the choice."""

    registration_id: int
    deployment_id: str
    return_url: str
    accept_multiple: bool
    accept_lineitem: bool
    data: str | None

    @classmethod
    def from_claims(cls, *, registration: LtiRegistration, claims: dict) -> Request:
        settings = claims.get(DL_CLAIM + "deep_linking_settings") or {}
        if RESOURCE_LINK not in (settings.get("accept_types") or []) or not settings.get("deep_link_return_url"):
            raise DeepLinkError("the platform takes no LTI resource links here")
        return cls(
            registration_id=registration.id,
            deployment_id=str(claims[CLAIM + "deployment_id"]),
            return_url=str(settings["deep_link_return_url"]),
            accept_multiple=str(settings.get("accept_multiple", "true")).lower() == "true",
            accept_lineitem=str(settings.get("accept_lineitem", "true")).lower() == "true",
            data=settings.get("data"),
        )

    def to_session(self) -> dict:
        return self.__dict__.copy()

    @classmethod
    def from_session(cls, value: dict) -> Request:
        return cls(**value)


@dataclass(frozen=True)
class Choice:
    course: Course
    title: catalog.Localised
    modules: list[catalog.ModuleEntry]


def choices(language: str) -> list[Choice]:
    """Every published course with its modules, to pick from."""
    cards = catalog.published_courses(reader_language=language)
    outlines = catalog.course_outlines([c.course for c in cards], language)
    return [Choice(card.course, card.title, outlines[card.course.id]) for card in cards]


def content_items(*, picked: list[str], request: Request, base_url: str, language: str) -> list[dict]:
    """``course:SLUG`` or ``module:SLUG/MODULE`` values → content items, in the order picked."""
    if not picked:
        raise NothingChosen()
    if len(picked) > 1 and not request.accept_multiple:
        raise OnlyOneAccepted()
    available = {c.course.slug: c for c in choices(language)}
    items = []
    for value in picked:
        kind, _, ref = value.partition(":")
        course_slug, _, module_slug = ref.partition("/")
        choice = available.get(course_slug)
        if choice is None or kind not in ("course", "module") or (kind == "module") != bool(module_slug):
            raise UnknownItem(value)
        custom = {"course": course_slug}
        title = choice.title.text
        if module_slug:
            entry = next((m for m in choice.modules if m.module.slug == module_slug), None)
            if entry is None:
                raise UnknownItem(value)
            custom["module"] = module_slug
            title = f"{entry.title.text} · {choice.title.text}"
        item = {"type": RESOURCE_LINK, "title": title, "url": f"{base_url}/lti/launch", "custom": custom}
        if request.accept_lineitem:
            item["lineItem"] = {"scoreMaximum": 1, "label": title, "resourceId": ref, "tag": "nordlearn"}
        items.append(item)
    return items


def response_jwt(*, request: Request, registration: LtiRegistration, items: list[dict]) -> str:
    """The LtiDeepLinkingResponse, signed with NordLearn's current key."""
    now = int(time.time())
    message = {
        "iss": registration.client_id,
        "aud": [registration.issuer],
        "iat": now,
        "exp": now + 600,
        "nonce": uuid.uuid4().hex,
        CLAIM + "deployment_id": request.deployment_id,
        CLAIM + "message_type": "LtiDeepLinkingResponse",
        CLAIM + "version": "1.3.0",
        DL_CLAIM + "content_items": items,
    }
    if request.data is not None:
        message[DL_CLAIM + "data"] = request.data
    key = keys.signing_key()
    return jwt.encode(message, key.private_pem, algorithm="RS256", headers={"kid": key.kid})
