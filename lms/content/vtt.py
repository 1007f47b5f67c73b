"""WebVTT subtitle tracks: checked line by line, and turned into a transcript.

Accepted: the ``WEBVTT`` header, optional NOTE / STYLE / REGION blocks, and cues
of an optional identifier line, a timing line ``00:01:02.500 --> 00:01:05.000``
(hours optional) with optional settings, and one or more text lines. Cues must
start in order and end after they start.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from flask_babel import lazy_gettext as _l

from lms.content.checks import Problem

TIMING_RE = re.compile(
    r"^(?P<start>(?:\d{2,}:)?[0-5]\d:[0-5]\d\.\d{3}) +--> +(?P<end>(?:\d{2,}:)?[0-5]\d:[0-5]\d\.\d{3})(?: +.*)?$")
TAG_RE = re.compile(r"<[^>]*>")
MAX_TRACK_BYTES = 1024 * 1024


@dataclass(frozen=True)
class Cue:
    start: float
    end: float
    text: str
    line: int


def seconds(stamp: str) -> float:
    parts = stamp.split(":")
    if len(parts) == 2:
        parts.insert(0, "0")
    hours, minutes, rest = parts
    return int(hours) * 3600 + int(minutes) * 60 + float(rest)


def parse(text: str) -> tuple[list[Cue], list[Problem]]:
    lines = text.lstrip("\ufeff").replace("\r\n", "\n").replace("\r", "\n").split("\n")
    problems: list[Problem] = []
    if not lines or not (lines[0] == "WEBVTT" or lines[0].startswith(("WEBVTT ", "WEBVTT\t"))):
        return [], [Problem(1, str(_l("a subtitle file starts with the line “WEBVTT”")))]
    cues: list[Cue] = []
    index = 1
    while index < len(lines):
        if not lines[index].strip():
            index += 1
            continue
        block_start = index
        block = []
        while index < len(lines) and lines[index].strip():
            block.append(lines[index])
            index += 1
        if block[0].startswith(("NOTE", "STYLE", "REGION")):
            continue
        timing_at = 0 if "-->" in block[0] else 1
        if timing_at >= len(block) or "-->" not in block[timing_at]:
            problems.append(Problem(block_start + 1, str(_l("expected a cue timing such as "
                                                            "“00:01:02.500 --> 00:01:05.000”"))))
            continue
        number = block_start + timing_at + 1
        match = TIMING_RE.match(block[timing_at].strip())
        if not match:
            problems.append(Problem(number, str(_l("write cue times as “00:01:02.500 --> 00:01:05.000” "
                                                   "(hours, minutes, seconds and milliseconds)"))))
            continue
        start, end = seconds(match.group("start")), seconds(match.group("end"))
        words = [line for line in block[timing_at + 1:]]
        if end <= start:
            problems.append(Problem(number, str(_l("this cue ends before it starts"))))
        elif cues and start < cues[-1].start:
            problems.append(Problem(number, str(_l("this cue starts before the one above it; keep cues in order"))))
        elif not words:
            problems.append(Problem(number, str(_l("this cue has no text"))))
        else:
            cues.append(Cue(start, end, "\n".join(words), number))
    if not cues and not problems:
        problems.append(Problem(1, str(_l("the subtitle file has no cues"))))
    return cues, problems


def transcript(cues: list[Cue]) -> list[tuple[float, str]]:
    """Cue texts without markup (voice tags, styling), each with its start time."""
    return [(cue.start, " ".join(TAG_RE.sub("", cue.text).split())) for cue in cues]
