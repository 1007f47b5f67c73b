"""Certificates as Open Badges 3.0 credentials: each an ``OpenBadgeCredential`` signed as a VC-JWT
(RS256, OB 3.0 section 8.2) by NordLearn's issuer key, with its revocation shown to any verifier
through a W3C Bitstring Status List.

Published, for verifiers:
- the issuer profile (``/credentials/issuer``) and its keys (``/credentials/keys/<kid>``, each a
  JWK that the credentials' ``kid`` header names; all of them at ``/credentials/jwks``);
- the achievement of each course version (``/credentials/achievements/<slug>/<version>``);
- the revocation status lists (``/credentials/status/<n>``), each a ``BitstringStatusListCredential``
  of 131,072 entries (the minimum the W3C recommendation sets, for group privacy), as JSON or, asked
  for with ``Accept: application/vc+jwt``, signed.
"""

from __future__ import annotations

import base64
import gzip
import json
import secrets
import uuid
from datetime import datetime

from jwcrypto import jwk, jwt
from sqlalchemy import func, select

from lms.catalog.models import Course
from lms.certificates import services
from lms.certificates.models import Certificate, CredentialKey
from lms.core.sql import insert_or_ignore
from lms.core.types import utcnow
from lms.core.urls import external_url
from lms.extensions import db

KEY_BITS = 2048
LIST_SIZE = 131_072  # entries per status list
CONTEXTS = ["https://www.w3.org/ns/credentials/v2", "https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.3.json"]
SCHEMA = {"id": "https://purl.imsglobal.org/spec/ob/v3p0/schema/json/ob_v3p0_achievementcredential_schema.json",
          "type": "1EdTechJsonSchemaValidator2019"}
_SUBJECTS = uuid.UUID("4f1c2b0e-8d3a-5e6f-9a7b-0c1d2e3f4a5b")  # namespace of the learners' credential ids


# ---------------------------------------------------------------- keys


def signing_key() -> CredentialKey:
    """The newest key not retired. The first is made on first use, once, however many workers ask."""
    key = db.session.scalar(select(CredentialKey).where(CredentialKey.retired_at.is_(None))
                            .order_by(CredentialKey.id.desc()).limit(1))
    if key is not None:
        return key
    private = jwk.JWK.generate(kty="RSA", size=KEY_BITS)
    insert_or_ignore(CredentialKey, {"id": 1, "kid": secrets.token_hex(8), "created_at": utcnow(),
                                     "private_pem": private.export_to_pem(private_key=True, password=None).decode()},
                     conflict=("id",))
    return db.session.scalars(select(CredentialKey).order_by(CredentialKey.id.desc()).limit(1)).one()


def rotate() -> CredentialKey:
    """A new signing key; the older ones stay published."""
    current = signing_key()
    private = jwk.JWK.generate(kty="RSA", size=KEY_BITS)
    newest = db.session.scalar(select(func.max(CredentialKey.id)))  # ids are given, as the first key's is
    key = CredentialKey(id=newest + 1, kid=secrets.token_hex(8), created_at=utcnow(),
                        private_pem=private.export_to_pem(private_key=True, password=None).decode())
    db.session.add(key)
    current.retired_at = utcnow()
    db.session.flush()
    return key


def key_url(key: CredentialKey) -> str:
    return external_url("certificates.credential_key", kid=key.kid)


def public_jwk(key: CredentialKey) -> dict:
    public = json.loads(jwk.JWK.from_pem(key.private_pem.encode()).export_public())
    return {**public, "kid": key_url(key), "alg": "RS256", "use": "sig"}


def key_by_kid(kid: str) -> CredentialKey | None:
    return db.session.scalar(select(CredentialKey).where(CredentialKey.kid == kid))


def jwks() -> dict:
    signing_key()
    return {"keys": [public_jwk(k) for k in db.session.scalars(select(CredentialKey).order_by(CredentialKey.id))]}


def _sign(payload: dict) -> str:
    key = signing_key()
    token = jwt.JWT(header={"alg": "RS256", "kid": key_url(key), "typ": "JWT"}, claims=payload)
    token.make_signed_token(jwk.JWK.from_pem(key.private_pem.encode()))
    return token.serialize()


# ---------------------------------------------------------------- documents


def _instant(moment: datetime) -> str:
    return moment.replace(microsecond=0).strftime("%Y-%m-%dT%H:%M:%SZ")


def issuer_profile() -> dict:
    return {
        "@context": CONTEXTS,
        "id": external_url("certificates.issuer"),
        "type": ["Profile"],
        "name": "NordLearn",
        "url": external_url("catalog.index"),
        "description": "Cross-border continuing education on pharmaceuticals and medical devices for "
                       "life-science professionals in the Nordic and Baltic countries (Nordplus).",
    }


def _issuer_summary() -> dict:
    profile = issuer_profile()
    return {key: profile[key] for key in ("id", "type", "name", "url")}


def achievement(course: Course, *, version: str, language: str) -> dict:
    """What completing ``course`` in ``version`` means: name, criteria, hours, version."""
    titles = {t.language: t for t in course.texts}
    text = titles.get(language) or titles.get(course.default_language) or next(iter(titles.values()))
    criteria = ("Complete every required module of the course, passing each module's knowledge check and "
                "the final test where the course has them")
    if course.minimum_minutes:
        criteria += f", after at least {course.minimum_minutes} minutes on its modules"
    return {
        "id": external_url("certificates.achievement", slug=course.slug, version=version),
        "type": ["Achievement"],
        "achievementType": "Course",
        "name": text.title,
        "description": text.summary or text.title,
        "criteria": {"narrative": criteria + "."},
        "creditsAvailable": float(course.estimated_hours),
        "version": version,
        "inLanguage": text.language,
        "creator": _issuer_summary(),
        "resultDescription": [{
            "id": external_url("certificates.achievement", slug=course.slug, version=version) + "#final-score",
            "type": ["ResultDescription"], "name": "Final score", "resultType": "Percent",
        }],
    }


def subject_id(certificate: Certificate) -> str:
    """The learner, as this credential names them: an id that says nothing about them elsewhere."""
    return uuid.uuid5(_SUBJECTS, certificate.code).urn


def credential(certificate: Certificate) -> dict:
    course = db.session.get(Course, certificate.course_id)
    title, _language = services.title(certificate, certificate.default_language)
    goal = achievement(course, version=certificate.course_version, language=certificate.default_language)
    goal["name"], goal["creditsAvailable"] = title, float(certificate.hours)
    index = certificate.id
    status_url = external_url("certificates.status_list", number=index // LIST_SIZE)
    subject = {
        "id": subject_id(certificate),
        "type": ["AchievementSubject"],
        "identifier": [{"type": "IdentityObject", "identityType": "name", "hashed": False,
                        "identityHash": certificate.learner_name}] if certificate.learner_name else [],
        "achievement": goal,
        "creditsEarned": float(certificate.hours),
        "activityEndDate": _instant(certificate.completed_at),
    }
    if certificate.score is not None:
        subject["result"] = [{"type": ["Result"], "resultDescription": goal["resultDescription"][0]["id"],
                              "value": str(int((certificate.score * 100).to_integral_value()))}]
    return {
        "@context": CONTEXTS,
        "id": external_url("certificates.verify", code=certificate.code),
        "type": ["VerifiableCredential", "OpenBadgeCredential"],
        "name": title,
        "issuer": _issuer_summary(),
        "validFrom": _instant(certificate.issued_at),
        "credentialSubject": subject,
        "credentialStatus": {
            "id": f"{status_url}#{index % LIST_SIZE}",
            "type": "BitstringStatusListEntry",
            "statusPurpose": "revocation",
            "statusListIndex": str(index % LIST_SIZE),
            "statusListCredential": status_url,
        },
        "credentialSchema": [SCHEMA],
    }


def signed_credential(certificate: Certificate) -> str:
    """The credential as a compact JWS (OB 3.0 section 8.2: iss, jti, nbf and sub mirror the credential)."""
    document = credential(certificate)
    return _sign({"iss": document["issuer"]["id"], "jti": document["id"],
                  "nbf": int(certificate.issued_at.replace(microsecond=0).timestamp()),
                  "sub": document["credentialSubject"]["id"], "vc": document})


def status_list(number: int) -> dict:
    """Revocation status list ``number``: the bit of every revoked certificate in it is set."""
    first = number * LIST_SIZE
    revoked = db.session.scalars(select(Certificate.id).where(
        Certificate.revoked_at.is_not(None), Certificate.id >= first, Certificate.id < first + LIST_SIZE))
    bits = bytearray(LIST_SIZE // 8)
    for certificate_id in revoked:
        position = certificate_id - first
        bits[position // 8] |= 0x80 >> (position % 8)  # index 0 is the left-most bit
    encoded = "u" + base64.urlsafe_b64encode(gzip.compress(bytes(bits), mtime=0)).decode().rstrip("=")
    url = external_url("certificates.status_list", number=number)
    return {
        "@context": ["https://www.w3.org/ns/credentials/v2"],
        "id": url,
        "type": ["VerifiableCredential", "BitstringStatusListCredential"],
        "issuer": external_url("certificates.issuer"),
        "validFrom": _instant(utcnow()),
        "credentialSubject": {"id": url + "#list", "type": "BitstringStatusList", "statusPurpose": "revocation",
                              "encodedList": encoded},
    }


def signed_status_list(number: int) -> str:
    document = status_list(number)
    return _sign({"iss": document["issuer"], "jti": document["id"], "sub": document["credentialSubject"]["id"],
                  "nbf": int(utcnow().timestamp()), "vc": document})
