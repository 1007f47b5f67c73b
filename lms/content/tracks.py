"""Subtitle tracks as files: the bytes of an upload or a package turned into WebVTT text, with every
problem on its line. WebVTT is read by ``lms.content.vtt``; SubRip files are converted by
``lms.content.subrip``."""

from __future__ import annotations

import codecs
import re

from flask_babel import lazy_gettext as _l

from lms.content import subrip, vtt
from lms.content.syntax import Problem

MAX_TRACK_BYTES = vtt.MAX_TRACK_BYTES
MAX_ENCODING_PROBLEMS = 10  # lines reported for a file that is not UTF-8: enough to find them, not a page of them
TOO_LARGE = _l("the subtitle file is larger than 1 MiB")
UTF16 = _l("the file is saved as UTF-16 text: save it as UTF-8")
NOT_UTF8 = _l("this line is not UTF-8 text: save the file as UTF-8")
LINE_BREAK_RE = re.compile(r"\r\n|\r|\n")
ESCAPED_BYTE_RE = re.compile("[\udc80-\udcff]")  # undecodable bytes, kept by the "surrogateescape" handler

def decode(data: bytes) -> tuple[str, list[Problem]]:
    """The text of a track's bytes: UTF-8, with or without a byte order mark. Bytes that are not
    UTF-8 are problems on their lines (the text returned then shows them as U+FFFD)."""
    if data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return data.decode("utf-16", errors="replace"), [Problem(1, str(UTF16))]
    body = data.removeprefix(codecs.BOM_UTF8)
    text = body.decode("utf-8", errors="surrogateescape")
    if not ESCAPED_BYTE_RE.search(text):
        return text, []
    lines = [number for number, line in enumerate(LINE_BREAK_RE.split(text), start=1)
             if ESCAPED_BYTE_RE.search(line)]
    problems = [Problem(number, str(NOT_UTF8)) for number in lines[:MAX_ENCODING_PROBLEMS]]
    return body.decode("utf-8", errors="replace"), problems


def read_track(filename: str, data: bytes) -> tuple[str | None, list[Problem]]:
    """An uploaded subtitle file as WebVTT text (LF line ends), with every problem found on the way:
    bytes that are not UTF-8, a SubRip file that cannot be read (SubRip is recognised by a name
    ending in .srt or, when the text does not start with WEBVTT, by its first lines), and the
    problems ``parse`` finds. The text is None when there is no WebVTT text to keep."""
    if len(data) > MAX_TRACK_BYTES:
        return None, [Problem(1, str(TOO_LARGE))]
    text, problems = decode(data)
    if problems:
        return None, problems
    lines = vtt.lines(text, nul=False)
    if not vtt.signed(lines[0]) and (filename.lower().endswith(".srt") or subrip.starts_like_srt(lines)):
        converted, problems = subrip.from_srt(text)
        if converted is None:
            return None, problems
        text = converted
    else:
        text = "\n".join(lines)
    if len(text.encode("utf-8")) > MAX_TRACK_BYTES:
        return None, [Problem(1, str(TOO_LARGE))]
    return text, vtt.parse(text)[1]


