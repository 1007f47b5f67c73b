"""WebVTT subtitle tracks: read as browsers read them, checked for authors, turned into a transcript.

``parse`` follows the parser of the W3C WebVTT specification (https://www.w3.org/TR/webvtt1/#parsing,
"WebVTT parser algorithm" and "collect a WebVTT block"): the cues it returns are the cues a <track>
element shows. A file the specification's parser reads as written has no problems; a problem names a
line where the author's text would be skipped or misread (a timing line that cannot be read, text
outside any cue), or a rule of the WebVTT syntax that players rely on (cues in order of their start
times, each ending after it starts).

Uploaded and packaged files are read by ``lms.content.tracks`` (bytes, SubRip), then by ``parse``.
"""

from __future__ import annotations

import html
import math
import re
from dataclasses import dataclass, field

from flask_babel import lazy_gettext as _l

from lms.content.syntax import Problem

MAX_TRACK_BYTES = 1024 * 1024

NO_SIGNATURE = _l("a subtitle file starts with the line “WEBVTT”")
NO_CUES = _l("the subtitle file has no cues")
START_UNREADABLE = _l("write cue times as “01:02.500 --> 01:05.000” or “01:01:02.500 --> 01:01:05.000”: the start "
                      "time cannot be read (minutes and seconds go from 00 to 59, with three digits after the point)")
NO_ARROW = _l("write cue times as “01:02.500 --> 01:05.000”, with the arrow “-->” between the start and end times")
END_UNREADABLE = _l("write cue times as “01:02.500 --> 01:05.000” or “01:01:02.500 --> 01:01:05.000”: the end "
                    "time cannot be read (minutes and seconds go from 00 to 59, with three digits after the point)")
TEXT_ARROW = _l("“-->” ends the cue above and starts a new one here, but this is no timing line: to show an "
                "arrow in cue text, write “--&gt;”")
NOTE_ARROW = _l("a note cannot contain “-->”: players read it as the start of a cue")
OUTSIDE_CUE = _l("players skip this text because it belongs to no cue: a cue starts with a timing line such as "
                 "“00:01.000 --> 00:04.000” (after an optional identifier line), and a blank line ends it")
LATE_BLOCK = _l("players ignore STYLE and REGION blocks after the first cue: move this block above it")
ENDS_BEFORE_START = _l("this cue ends before it starts")
ENDS_AT_START = _l("this cue ends when it starts, so it is never shown")

# The specification's "collect a WebVTT timestamp": digit runs are taken whole, then their lengths
# and values are checked, so the expression never backtracks into a run.
STAMP_RE = re.compile(r"([0-9]+):([0-9]+)(?::([0-9]+))?\.([0-9]+)")
SPACE_RE = re.compile(r"[ \t\n\r\f]*")  # ASCII whitespace, as "skip whitespace" skips it
LOOKS_TIMED_RE = re.compile(r"[ \t\f]*[0-9]+:[0-9]")
NOTE_RE = re.compile(r"NOTE(?:[ \t]|$)")
TAG_RE = re.compile(r"<[^>]*(?:>|\Z)")  # the cue text tokenizer: "<" opens a tag that ">" (or the end) closes
BLANKS_RE = re.compile(r"[ \t\n\r\f]+")
# Numeric references are shortened before html.unescape, whose int() refuses decimal numbers of
# more than 4300 digits: leading zeros go, and a number past U+10FFFF is U+FFFD, as in HTML.
ZEROS_RE = re.compile(r"(&#[xX]?)0{2,}")
HUGE_REFERENCE_RE = re.compile(r"&#(?:[xX][1-9a-fA-F][0-9a-fA-F]{6,}|[1-9][0-9]{7,});?")

@dataclass(frozen=True)
class Cue:
    start: float
    end: float
    text: str
    line: int


# --------------------------------------------------------------------------------------- WebVTT


def parse(text: str) -> tuple[list[Cue], list[Problem]]:
    """The cues of a WebVTT file as the specification's parser reads them, and the problems an
    author should fix, each on its 1-based line. Never raises."""
    rows = lines(text)
    if not signed(rows[0]):
        return [], [Problem(1, str(NO_SIGNATURE))]
    reader = _Reader(rows)
    reader.read()
    if not reader.cues and not reader.problems:
        return [], [Problem(1, str(NO_CUES))]
    return reader.cues, reader.problems


def lines(text: str, nul: bool = True) -> list[str]:
    """The specification's preprocessing: NUL to U+FFFD, CRLF and CR to LF; split at LF."""
    text = text.removeprefix("\ufeff")
    if nul:
        text = text.replace("\0", "\ufffd")
    return text.replace("\r\n", "\n").replace("\r", "\n").split("\n")


def signed(first: str) -> bool:
    """"WEBVTT" alone on the first line, or followed by a space or tab and any header text."""
    return first == "WEBVTT" or first.startswith(("WEBVTT ", "WEBVTT\t"))


def _definition(line: str) -> str:
    """"style" or "region" for the line that opens such a block (the keyword, then only whitespace)."""
    for keyword in ("STYLE", "REGION"):
        if line.startswith(keyword) and not line[len(keyword):].strip(" \t\n\r\f"):
            return keyword.lower()
    return ""


def _timestamp(line: str, at: int) -> tuple[float, int] | None:
    """The specification's "collect a WebVTT timestamp" at ``at``: seconds and the position after
    it, or None. ``mm:ss.ttt`` or ``h+:mm:ss.ttt``; minutes and seconds 00-59, three fraction digits."""
    match = STAMP_RE.match(line, at)
    if match is None:
        return None
    first, minutes, seconds, fraction = match.groups()
    if seconds is None:
        if len(first) != 2 or first > "59":  # one, three or more digits, or over 59: hours, which need seconds
            return None
        hours, minutes, seconds = "0", first, minutes
    else:
        hours = first.lstrip("0") or "0"
    if len(minutes) != 2 or len(seconds) != 2 or len(fraction) != 3 or minutes > "59" or seconds > "59":
        return None
    return _seconds(hours, int(minutes), int(seconds), int(fraction)), match.end()


def _seconds(hours: str, minutes: int, seconds: int, thousandths: int) -> float:
    if len(hours) <= 15:  # exact: the same float as the milliseconds divided by 1000
        return (int(hours) * 3_600_000 + minutes * 60_000 + seconds * 1000 + thousandths) / 1000
    if len(hours) > 400:  # beyond any float (and beyond int()'s digit limit)
        return math.inf
    return float(hours) * 3600 + minutes * 60 + seconds + thousandths / 1000


def _timings(line: str) -> tuple[float, float] | str:
    """"Collect WebVTT cue timings and settings": start and end times, or why they cannot be read.
    Cue settings after the end time change only where a cue is drawn, and the specification's parser
    ignores the ones it does not know, so they are not read here."""
    start = _timestamp(line, SPACE_RE.match(line).end())
    if start is None:
        return str(START_UNREADABLE)
    at = SPACE_RE.match(line, start[1]).end()
    if not line.startswith("-->", at):
        return str(NO_ARROW)
    end = _timestamp(line, SPACE_RE.match(line, at + 3).end())
    if end is None:
        return str(END_UNREADABLE)
    return start[0], end[0]


@dataclass
class _Block:
    first: int  # 1-based line number of the block's first line
    opening: str  # that line
    after: str  # the block above, when this one starts at a "-->" line inside it: "cue" or "note"
    lines: list[str] = field(default_factory=list)  # a cue's text lines, or the lines of an ignored block
    cue: Cue | None = None
    kind: str = ""  # "style" or "region" (before the first cue)
    timing: tuple[int, str] | None = None  # a timing line that cannot be read, and why


class _Reader:
    """The specification's WebVTT parser over the lines of a file whose signature line is checked."""

    def __init__(self, lines: list[str]) -> None:
        self.lines = lines
        self.at = 1  # index of the next line to read
        self.seen_cue = False
        self.broken = ""  # what the last block was when a "-->" line ended it: "cue", "note" or ""
        self.cues: list[Cue] = []
        self.problems: list[Problem] = []
        self.latest: Cue | None = None  # the cue with the latest start so far

    def read(self) -> None:
        if self._at_end():
            return
        if self.lines[self.at]:
            self._collect(in_header=True)  # header lines ("Kind: captions", ...) are ignored
        else:
            self.at += 1
        self._skip_blanklines()
        while not self._at_end():
            self._take(self._collect())
            self._skip_blanklines()

    def _at_end(self) -> bool:
        return self.at >= len(self.lines) or (self.at == len(self.lines) - 1 and not self.lines[self.at])

    def _skip_blanklines(self) -> None:
        while self.at < len(self.lines) - 1 and not self.lines[self.at]:
            self.at += 1

    def _collect(self, in_header: bool = False) -> _Block:
        """"Collect a WebVTT block": lines up to a blank line; a line with "-->" is the block's
        timing line when it is its first line, or its second after an identifier; anywhere
        else it ends the block and starts the next one."""
        block = _Block(first=self.at + 1, opening=self.lines[self.at], after=self.broken)
        self.broken = ""
        count, seen_arrow = 0, False
        times: tuple[float, float, int] | None = None
        while True:
            index, line = self.at, self.lines[self.at]
            count += 1
            self.at += 1
            if "-->" in line:
                if in_header or not (count == 1 or (count == 2 and not seen_arrow)):
                    self.at = index
                    self.broken = "cue" if times else "note" if NOTE_RE.match(block.opening) else ""
                    break
                seen_arrow, timing = True, _timings(line)
                if isinstance(timing, str):
                    block.timing, times = (index + 1, timing), None
                else:
                    times, block.lines, self.seen_cue = (timing[0], timing[1], index + 1), [], True
            elif not line:
                break
            else:
                if not in_header and count == 2 and not self.seen_cue and block.lines:
                    block.kind = _definition(block.lines[0])
                    if block.kind:
                        block.lines = []
                block.lines.append(line)
            if self.at >= len(self.lines):
                break
        if times:
            block.cue = Cue(times[0], times[1], "\n".join(block.lines), times[2])
        return block

    def _take(self, block: _Block) -> None:
        if block.cue is not None:
            self._add(block.cue)
        elif not block.kind:
            problem = self._ignored(block)
            if problem is not None:
                self.problems.append(problem)

    def _add(self, cue: Cue) -> None:
        if cue.end < cue.start:
            self.problems.append(Problem(cue.line, str(ENDS_BEFORE_START)))
        elif cue.end == cue.start:
            self.problems.append(Problem(cue.line, str(ENDS_AT_START)))
        if self.latest is not None and cue.start < self.latest.start:
            self.problems.append(Problem(cue.line, str(_l(
                "this cue starts before the cue on line %(line)d: keep cues in the order of their start times",
                line=self.latest.line))))
        if self.latest is None or cue.start > self.latest.start:
            self.latest = cue
        self.cues.append(cue)

    def _ignored(self, block: _Block) -> Problem | None:
        """The problem of a block the parser returns nothing for, if it is a mistake: comments
        (NOTE), blocks of blank-looking lines and definitions before the first cue are not."""
        if block.timing is not None:
            line, reason = block.timing
            if LOOKS_TIMED_RE.match(self.lines[line - 1]):  # meant as a timing line: say what is wrong in it
                return Problem(line, reason)
            if block.after == "note" or NOTE_RE.match(block.opening):
                return Problem(line, str(NOTE_ARROW))
            return Problem(line, str(TEXT_ARROW) if block.after == "cue" else reason)
        if NOTE_RE.match(block.opening) or not any(line.strip() for line in block.lines):
            return None
        if _definition(block.opening):
            return Problem(block.first, str(LATE_BLOCK)) if self.seen_cue else None
        for offset, line in enumerate(block.lines[:2]):
            if LOOKS_TIMED_RE.match(line):  # a timing line with a mistake the arrow check missed
                reason = _timings(line)
                return Problem(block.first + offset, reason if isinstance(reason, str) else str(OUTSIDE_CUE))
        return Problem(block.first, str(OUTSIDE_CUE))


# ----------------------------------------------------------------------------------- transcript


def transcript(cues: list[Cue]) -> list[tuple[float, str]]:
    """Each cue's start time and its text as plain text: tags (voices, classes, styling, ruby,
    languages, inline timestamps) dropped, character references decoded once, whitespace
    collapsed. Cues without text, or starting at no finite time, are left out."""
    lines = []
    for cue in cues:
        text = _plain(cue.text)
        if text and math.isfinite(cue.start):
            lines.append((cue.start, text))
    return lines


def _plain(text: str) -> str:
    """Cue text as the specification's tokenizer splits it: the text between tags, with HTML
    character references decoded as in HTML text (``&amp;`` → ``&``, ``&nbsp;`` → U+00A0)."""
    words = "".join(html.unescape(_short_references(piece)) for piece in TAG_RE.split(text))
    return BLANKS_RE.sub(" ", words).strip(" ")


def _short_references(text: str) -> str:
    return HUGE_REFERENCE_RE.sub("\ufffd", ZEROS_RE.sub(r"\g<1>0", text))
