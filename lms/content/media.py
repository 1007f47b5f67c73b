"""Course media (images, videos, subtitle tracks): checked by their bytes, stored outside
the database by their SHA-256."""

from __future__ import annotations

import hashlib
import os
import re
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO

from flask import current_app
from sqlalchemy import select

from lms.catalog.models import Course, CourseMedia
from lms.content import probe
from lms.core.types import utcnow
from lms.extensions import db

MAX_MEDIA_BYTES = 5 * 1024 * 1024  # an image
MAX_VIDEO_BYTES = 500 * 1024 * 1024
MAX_TRACK_BYTES = 1024 * 1024
NAME_RE = re.compile(r"^[a-z0-9][a-z0-9_-]{0,100}(?:\.(png|jpe?g|webp|gif|mp4|webm)|\.[a-z]{2}\.(vtt))$")
EXTENSION_TYPES = {"png": "image/png", "jpg": "image/jpeg", "jpeg": "image/jpeg", "webp": "image/webp",
                   "gif": "image/gif", "mp4": "video/mp4", "webm": "video/webm", "vtt": "text/vtt"}
VIDEO_TYPES = ("video/mp4", "video/webm")
IMAGE_TYPES = ("image/png", "image/jpeg", "image/webp", "image/gif")
HEAD_BYTES = 64 * 1024


def max_bytes(content_type: str) -> int:
    if content_type in VIDEO_TYPES:
        return int(current_app.config.get("LMS_MAX_VIDEO_BYTES", MAX_VIDEO_BYTES))
    if content_type == "text/vtt":
        return MAX_TRACK_BYTES
    return MAX_MEDIA_BYTES


def sniff(data: bytes) -> str | None:
    """The image type (or WebVTT) the first bytes really are, whatever the file is called. Videos are
    told by reading them whole (``lms.content.probe``), never by their first bytes."""
    if data.startswith(b"\x89PNG\r\n\x1a\n"):
        return "image/png"
    if data.startswith(b"\xff\xd8\xff"):
        return "image/jpeg"
    if data[:6] in (b"GIF87a", b"GIF89a"):
        return "image/gif"
    if data[:4] == b"RIFF" and data[8:12] == b"WEBP":
        return "image/webp"
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
    """The content type and, for a video, the duration of stored bytes named ``name`` (a video is
    read whole, with PyAV: see ``lms.content.probe``)."""
    content_type = expected_type(name) or "application/octet-stream"
    if content_type not in VIDEO_TYPES:
        return content_type, None
    return content_type, probe.probe(blob_path(sha256)).duration


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


# ---------------------------------------------------------------- uploads


class TooLarge(Exception):
    pass


@dataclass(frozen=True)
class Incoming:
    """An upload copied to a private temporary file (never into memory), with its hash and size."""

    path: Path
    sha256: str
    size: int
    head: bytes  # its first bytes, to tell what it is


@contextmanager
def receive(stream: BinaryIO, *, max_bytes: int) -> Iterator[Incoming]:
    """Copy ``stream`` into a temporary file beside the media store, at most ``max_bytes`` (TooLarge
    beyond). The file is deleted when the block ends, unless ``keep`` took it: a refused upload
    leaves nothing behind."""
    folder = media_root() / "incoming"
    folder.mkdir(parents=True, exist_ok=True)
    fd, name = tempfile.mkstemp(dir=folder, prefix="upload-")
    path = Path(name)
    try:
        digest, size, head = hashlib.sha256(), 0, b""
        with os.fdopen(fd, "wb") as sink:
            while chunk := stream.read(1 << 20):
                size += len(chunk)
                if size > max_bytes:
                    raise TooLarge(max_bytes)
                if len(head) < HEAD_BYTES:
                    head += chunk[: HEAD_BYTES - len(head)]
                digest.update(chunk)
                sink.write(chunk)
        yield Incoming(path, digest.hexdigest(), size, head)
    finally:
        path.unlink(missing_ok=True)


def keep(incoming: Incoming) -> str:
    """Move an accepted upload into the store, under its SHA-256 (once: the same bytes are kept once)."""
    target = blob_path(incoming.sha256)
    if not target.exists():
        target.parent.mkdir(parents=True, exist_ok=True)
        os.replace(incoming.path, target)
    return incoming.sha256


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


def refusal(reason: str, *, kind: str = "video") -> str:
    """Why an upload was refused, in the reader's language (``reason``: see ``upload_media``)."""
    from flask_babel import gettext as _

    if reason == "size":
        return _("The file is larger than %(size)d MiB.", size=max_bytes("video/webm" if kind == "video"
                                                                           else "image/png") // 2**20)
    if kind == "image":
        return (_("SVG images are not accepted; please upload PNG, JPEG, WebP or GIF.") if reason == "svg"
                else _("This file is not a PNG, JPEG, WebP or GIF image."))
    return {
        "not-video": _("This file has no picture: it is sound only, or a still image. Upload a video."),
        "container": _("Browsers cannot play this kind of file. Save the video as MP4 (H.264 with AAC sound) or "
                       "WebM (VP8, VP9 or AV1)."),
        "codec": _("Browsers cannot play the way this video is encoded. Export it as MP4 with H.264 and AAC "
                   "sound, or as WebM with VP9 or AV1."),
        "duration": _("The length of this video cannot be read, so the share watched could not be checked; it "
                      "may be incomplete. Export it again and upload the new file."),
    }.get(reason, _("This file is not a video NordLearn can read, or it is incomplete. Upload an MP4 or WebM "
                    "video."))
