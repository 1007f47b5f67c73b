"""Course media (images, videos, subtitle tracks): checked by their bytes, stored outside
the database by their SHA-256."""

from __future__ import annotations

import hashlib
import os
import re
import struct
import tempfile
from pathlib import Path

from flask import current_app
from sqlalchemy import select

from lms.catalog.models import Course, CourseMedia
from lms.core.types import utcnow
from lms.extensions import db

MAX_MEDIA_BYTES = 5 * 1024 * 1024  # an image
MAX_VIDEO_BYTES = 500 * 1024 * 1024
MAX_TRACK_BYTES = 1024 * 1024
NAME_RE = re.compile(r"^[a-z0-9][a-z0-9_-]{0,100}(?:\.(png|jpe?g|webp|gif|mp4|webm)|\.[a-z]{2}\.(vtt))$")
EXTENSION_TYPES = {"png": "image/png", "jpg": "image/jpeg", "jpeg": "image/jpeg", "webp": "image/webp",
                   "gif": "image/gif", "mp4": "video/mp4", "webm": "video/webm", "vtt": "text/vtt"}
VIDEO_TYPES = ("video/mp4", "video/webm")


def max_bytes(content_type: str) -> int:
    if content_type in VIDEO_TYPES:
        return int(current_app.config.get("LMS_MAX_VIDEO_BYTES", MAX_VIDEO_BYTES))
    if content_type == "text/vtt":
        return MAX_TRACK_BYTES
    return MAX_MEDIA_BYTES


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
    if data[4:8] == b"ftyp":
        return "video/mp4"
    if data.startswith(b"\x1a\x45\xdf\xa3") and b"webm" in data[:64]:
        return "video/webm"
    body = data[3:] if data.startswith(b"\xef\xbb\xbf") else data
    if body.startswith(b"WEBVTT") and body[6:7] in (b"", b"\n", b"\r", b" ", b"\t"):
        return "text/vtt"
    return None


def expected_type(name: str) -> str | None:
    match = NAME_RE.match(name)
    return EXTENSION_TYPES[match.group(1) or match.group(2)] if match else None


def track_language(name: str) -> str | None:
    """``lecture.fi.vtt`` → ``fi``."""
    parts = name.split(".")
    return parts[-2] if len(parts) == 3 and parts[-1] == "vtt" else None


def track_names(video: str, names) -> dict[str, str]:
    """The subtitle tracks of ``video`` (``lecture.webm``) among ``names``: language → track name."""
    stem = video.rsplit(".", 1)[0]
    return {track_language(n): n for n in names if n.startswith(stem + ".") and track_language(n)
            and n == f"{stem}.{track_language(n)}.vtt"}


def media_root() -> Path:
    return Path(current_app.config["LMS_MEDIA_DIR"])


def blob_path(sha256: str) -> Path:
    return media_root() / sha256[:2] / sha256


def sha256_of(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def shown_in(name: str, text: str) -> bool:
    """Whether a module text shows media ``name`` (a subtitle track counts with its video)."""
    language = track_language(name)
    if language is not None:
        stem = name[: -len(f".{language}.vtt")]
        return any(f"media/{stem}.{extension}" in text for extension in ("mp4", "webm"))
    return f"media/{name}" in text


def describe_stored(sha256: str, name: str) -> tuple[str, float | None]:
    """The content type and, for a video, the duration of stored bytes named ``name``."""
    content_type = expected_type(name) or "application/octet-stream"
    if content_type not in VIDEO_TYPES:
        return content_type, None
    return content_type, video_duration(blob_path(sha256).read_bytes())


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


def video_duration(data: bytes) -> float | None:
    """A WebM's or MP4's length in seconds from its header (Segment Info / ``mvhd``), if present."""
    kind = sniff(data)
    head = data[: 4 * 1024 * 1024]
    if kind == "video/webm":
        scale = 1_000_000
        at = head.find(b"\x2a\xd7\xb1")
        if at >= 0 and head[at + 3] & 0x80:
            length = head[at + 3] & 0x7F
            scale = int.from_bytes(head[at + 4: at + 4 + length], "big") or scale
        at = head.find(b"\x44\x89")
        if at < 0 or head[at + 2] not in (0x84, 0x88):
            return None
        fmt = ">d" if head[at + 2] == 0x88 else ">f"
        value = struct.unpack(fmt, head[at + 3: at + 3 + (8 if fmt == ">d" else 4)])[0]
        seconds = value * scale / 1e9
    elif kind == "video/mp4":
        at = head.find(b"mvhd")
        if at < 0:
            return None
        if head[at + 4] == 1:
            timescale, duration = struct.unpack(">IQ", head[at + 24: at + 36])
        else:
            timescale, duration = struct.unpack(">II", head[at + 16: at + 24])
        seconds = duration / timescale if timescale else 0
    else:
        return None
    return seconds if 0 < seconds < 24 * 3600 else None


# ---------------------------------------------------------------- the course's media rows (the one writer)


def record(*, course: Course, name: str, sha256: str, content_type: str, size: int,
           duration: float | None = None) -> tuple[CourseMedia, str]:
    """Name stored bytes ``sha256`` as ``name`` in ``course``. Returns the row and what happened:
    "added", "replaced" or "same". Every change bumps the course's media version."""
    row = db.session.scalar(select(CourseMedia).where(CourseMedia.course_id == course.id, CourseMedia.name == name))
    if row is not None and row.sha256 == sha256:
        return row, "same"
    if row is None:
        row = CourseMedia(course_id=course.id, name=name, sha256=sha256, content_type=content_type, size=size,
                          duration=duration, created_at=utcnow())
        db.session.add(row)
        what = "added"
    else:
        row.sha256, row.content_type, row.size, row.duration, row.created_at = \
            sha256, content_type, size, duration, utcnow()
        what = "replaced"
    course.media_version = (course.media_version or 0) + 1
    db.session.flush()
    return row, what


def forget(*, course: Course, row: CourseMedia) -> None:
    """Take ``row`` out of the course (the stored bytes stay: other courses may share them)."""
    db.session.delete(row)
    course.media_version = (course.media_version or 0) + 1
    db.session.flush()
