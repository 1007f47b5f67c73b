"""Request bodies: small everywhere, larger only where files are uploaded, and only once it is
known who is sending. An anonymous or unauthorised request to an upload page is answered before
a byte of its body is read (the check runs before any form, CSRF token included, is parsed).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from flask import Flask, abort, current_app, request
from flask_login import current_user

from lms.extensions import login_manager


@dataclass(frozen=True)
class Upload:
    max_bytes: int
    allowed: Callable[..., bool]  # (user, view_args) → may this user send files here?


def allow(app: Flask, endpoint: str, *, max_bytes: int, allowed: Callable[..., bool]) -> None:
    """Let ``endpoint`` take bodies up to ``max_bytes`` from users ``allowed`` lets in."""
    app.extensions.setdefault("lms_uploads", {})[endpoint] = Upload(max_bytes, allowed)


def _before_request():
    upload = current_app.extensions.get("lms_uploads", {}).get(request.endpoint)
    if upload is None or request.method not in ("POST", "PUT"):
        return None
    if not current_user.is_authenticated:
        return login_manager.unauthorized()
    if not upload.allowed(current_user, request.view_args or {}):
        abort(404)
    request.max_content_length = upload.max_bytes
    return None


def init_app(app: Flask) -> None:
    app.before_request(_before_request)
