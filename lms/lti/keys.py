"""NordLearn's own RSA keys: created on first use, rotated, published at /lti/jwks."""

from __future__ import annotations

import json
import secrets

from jwcrypto import jwk
from sqlalchemy import select

from lms.core.types import utcnow
from lms.extensions import db
from lms.lti.models import LtiKey

KEY_BITS = 2048


class KeyProblem(Exception):
    pass


class UnknownKey(KeyProblem):
    pass


class LastKey(KeyProblem):
    """The only published key cannot be retired: nothing could be signed any more."""


def _new_key() -> LtiKey:
    kid = secrets.token_hex(8)  # hex: never starts with "-", which a command line would take for an option
    private = jwk.JWK.generate(kty="RSA", size=KEY_BITS)
    key = LtiKey(kid=kid, private_pem=private.export_to_pem(private_key=True, password=None).decode("ascii"))
    db.session.add(key)
    db.session.flush()
    return key


def published_keys() -> list[LtiKey]:
    return list(db.session.scalars(select(LtiKey).where(LtiKey.retired_at.is_(None)).order_by(LtiKey.id)))


def signing_key() -> LtiKey:
    """The newest key not retired; the first one is made on first use."""
    keys = published_keys()
    return keys[-1] if keys else _new_key()


def rotate() -> LtiKey:
    """A new signing key; the older ones stay published until retired."""
    return _new_key()


def retire(kid: str) -> LtiKey:
    key = db.session.scalar(select(LtiKey).where(LtiKey.kid == kid, LtiKey.retired_at.is_(None)))
    if key is None:
        raise UnknownKey(kid)
    if len(published_keys()) == 1:
        raise LastKey(kid)
    key.retired_at = utcnow()
    db.session.flush()
    return key


def public_jwk(key: LtiKey) -> dict:
    public = jwk.JWK.from_pem(key.private_pem.encode("ascii"))
    data = json.loads(public.export_public())
    return {**data, "kid": key.kid, "alg": "RS256", "use": "sig"}


def jwks() -> dict:
    keys = published_keys() or [signing_key()]
    return {"keys": [public_jwk(key) for key in keys]}
