"""Course images: checked by their bytes, stored outside the database by their SHA-256."""

from __future__ import annotations

import hashlib
import os
import re
import tempfile
from pathlib import Path

from flask import current_app

MAX_MEDIA_BYTES = 5 * 1024 * 1024
NAME_RE = re.compile(r"^[a-z0-9][a-z0-9_-]{0,100}\.(png|jpe?g|webp|gif)$")
EXTENSION_TYPES = {"png": "image/png", "jpg": "image/jpeg", "jpeg": "image/jpeg", "webp": "image/webp",
                   "gif": "image/gif"}


def sniff(data: bytes) -> str | None:
    """The image type the bytes really are, whatever the file is called."""
    if data.startswith(b"\x89PNG\r\n\x1a\n"):
        return "image/png"
    if data.startswith(b"\xff\xd8\xff"):
        return "image/jpeg"
    if data[:6] in (b"GIF87a", b"GIF89a"):
        return "image/gif"
    if data[:4] == b"RIFF" and data[8:12] == b"WEBP":
        return "image/webp"
    return None


def expected_type(name: str) -> str | None:
    match = NAME_RE.match(name)
    return EXTENSION_TYPES[match.group(1)] if match else None


def media_root() -> Path:
    return Path(current_app.config["LMS_MEDIA_DIR"])


def blob_path(sha256: str) -> Path:
    return media_root() / sha256[:2] / sha256


def store(data: bytes) -> str:
    """Keep ``data`` once, under its SHA-256; safe to call again and from several processes."""
    digest = hashlib.sha256(data).hexdigest()
    path = blob_path(digest)
    if not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=".incoming-")
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
        os.replace(tmp, path)
    return digest
