"""SubRip (.srt) subtitle files, converted to WebVTT for the browser's <track>.

The ``srt`` library reads each subtitle's number and timing lines; the lines themselves are matched
here first, because its own expression backtracks for minutes on long runs of digits or spaces.
"""

from __future__ import annotations

import html
import re
from dataclasses import dataclass
from datetime import timedelta

import srt
from flask_babel import lazy_gettext as _l

from lms.content import vtt
from lms.content.syntax import Problem

SRT_UNREADABLE = _l("cannot read this SubRip subtitle: each one is a number, a timing line such as "
                    "“00:01:02,500 --> 00:01:05,000” and its text, with a blank line after it")
SRT_TIMING = _l("cannot read these SubRip times: write them as “00:01:02,500 --> 00:01:05,000”")
SRT_ENDS_BEFORE_START = _l("this subtitle ends before or when it starts")
SRT_EMPTY = _l("the SubRip file has no subtitles")

# SubRip lines, matched here before the ``srt`` library sees them: its own expression backtracks
# for minutes on long runs of digits or spaces, so it is given one subtitle's number and timing
# lines at a time. Separators and the "- >" arrow are the ones ``srt`` accepts.
SRT_STAMP = r"[0-9]{1,15}[,.:，．。：][0-9]{1,15}[,.:，．。：][0-9]{1,15}(?:[,.:，．。：][0-9]{0,15})?"
SRT_TIMING_RE = re.compile(rf"[ \t]*{SRT_STAMP} *-[ -] *> *{SRT_STAMP}(?:[ \t].*)?")
SRT_INDEX_RE = re.compile(r"[ \t]*-?[0-9]{1,18}(?:\.[0-9]*)?[ \t]*")
SRT_CODE_RE = re.compile(r"\{\\[^{}]*\}")  # style codes such as {\an8}
SRT_TAG_RE = re.compile(r"<(/?)([ibu])>|</?font(?:[ \t][^<>]*)?>", re.IGNORECASE)





@dataclass
class _Subtitle:
    line: int  # 1-based line of its timing line in the SubRip file
    entry: srt.Subtitle
    text: list[str]  # WebVTT cue text lines


def from_srt(text: str) -> tuple[str | None, list[Problem]]:
    """A SubRip file as WebVTT text, subtitles in the order of their start times, or None and the
    problems (on the SubRip file's lines) when it cannot be read. Italic, bold and underline tags
    are kept; style codes such as ``{\\an8}`` and font tags are dropped; ``&``, ``<`` and ``>``
    in the text are written as character references, so that the text shows as written."""
    subtitles, problems = _srt_subtitles(vtt.lines(text))
    for subtitle in subtitles:
        if subtitle.entry.end <= subtitle.entry.start:
            problems.append(Problem(subtitle.line, str(SRT_ENDS_BEFORE_START)))
    if problems:
        return None, sorted(problems, key=lambda problem: problem.line)
    if not subtitles:
        return None, [Problem(1, str(SRT_EMPTY))]
    out = ["WEBVTT", ""]
    for subtitle in sorted(subtitles, key=lambda subtitle: subtitle.entry.start):
        if subtitle.entry.index is not None:
            out.append(str(subtitle.entry.index))
        out.append(f"{_vtt_time(subtitle.entry.start)} --> {_vtt_time(subtitle.entry.end)}")
        out.extend(subtitle.text)
        out.append("")
    return "\n".join(out), []


def _srt_blocks(lines: list[str]) -> list[tuple[int, list[str]]]:
    """Runs of non-blank lines, each with the 1-based number of its first line. As in ``srt``, a
    number line followed by a timing line starts a new run even without a blank line before it."""
    blocks: list[tuple[int, list[str]]] = []
    current: list[str] = []
    for number, line in enumerate(lines, start=1):
        if not line.strip():
            current = []
            continue
        if current and number < len(lines) and SRT_INDEX_RE.fullmatch(line) and SRT_TIMING_RE.fullmatch(lines[number]):
            current = []
        if not current:
            blocks.append((number, current))
        current.append(line)
    return blocks


def _srt_header(lines: list[str]) -> tuple[str, int] | None:
    """A subtitle's number line (or "") and the offset of its timing line, if the block starts so."""
    if SRT_TIMING_RE.fullmatch(lines[0]):
        return "", 0
    if SRT_INDEX_RE.fullmatch(lines[0]) and len(lines) > 1 and SRT_TIMING_RE.fullmatch(lines[1]):
        return lines[0].strip(), 1
    return None


def starts_like_srt(lines: list[str]) -> bool:
    """Whether the first non-blank lines are a SubRip subtitle's number and timing lines."""
    start = next((number for number, line in enumerate(lines) if line.strip()), None)
    if start is None:
        return False
    head = lines[start:start + 2]
    return _srt_header(head if head[-1].strip() else head[:1]) is not None


def _srt_subtitles(lines: list[str]) -> tuple[list[_Subtitle], list[Problem]]:
    """Every subtitle, read block by block. A block without a timing line continues the text of
    the subtitle above (a blank line inside a subtitle's text, as players allow)."""
    subtitles: list[_Subtitle] = []
    problems: list[Problem] = []
    current: _Subtitle | None = None
    for first, block in _srt_blocks(lines):
        header = _srt_header(block)
        if header is None:
            problem = _srt_stray(first, block, started=bool(subtitles or problems))
            if problem is not None:
                problems.append(problem)
                current = None
            elif current is not None:
                current.text.extend(_srt_text(block))
            continue
        index, offset = header
        entry = _srt_entry(index, block[offset])
        if entry is None:
            problems.append(Problem(first + offset, str(SRT_TIMING)))
            current = None
            continue
        current = _Subtitle(first + offset, entry, _srt_text(block[offset + 1:]))
        subtitles.append(current)
    return subtitles, problems


def _srt_stray(first: int, block: list[str], started: bool) -> Problem | None:
    """The problem of a block that starts no subtitle, if it cannot be the text of the one above:
    a number without its timing line, a line with an arrow, or text before the first subtitle."""
    if SRT_INDEX_RE.fullmatch(block[0]):
        return Problem(first + 1, str(SRT_TIMING))
    for offset, line in enumerate(block[:2]):
        if "-->" in line:
            return Problem(first + offset, str(SRT_TIMING))
    return None if started else Problem(first, str(SRT_UNREADABLE))


def _srt_entry(index: str, timing: str) -> srt.Subtitle | None:
    """The ``srt`` library's reading of a subtitle's number and timing lines."""
    header = f"{index}\n{timing.strip()}\n" if index else f"{timing.strip()}\n"
    try:
        entries = list(srt.parse(header))
    except (srt.SRTParseError, ValueError, OverflowError):
        return None
    return entries[0] if len(entries) == 1 else None


def _srt_text(lines: list[str]) -> list[str]:
    """SubRip text lines as WebVTT cue text lines (never blank: a blank line would end the cue)."""
    converted = (_srt_line(line) for line in lines)
    return [line for line in converted if line.strip()]


def _srt_line(line: str) -> str:
    line = SRT_CODE_RE.sub("", line)
    parts, at = [], 0
    for match in SRT_TAG_RE.finditer(line):
        parts.append(html.escape(line[at:match.start()], quote=False))
        if match.group(2):
            parts.append(f"<{match.group(1)}{match.group(2).lower()}>")
        at = match.end()
    parts.append(html.escape(line[at:], quote=False))
    return "".join(parts)


def _vtt_time(value: timedelta) -> str:
    """A ``timedelta`` as a WebVTT timestamp with hours: ``01:02:03.450``."""
    milliseconds = value.days * 86_400_000 + value.seconds * 1000 + value.microseconds // 1000
    hours, rest = divmod(milliseconds, 3_600_000)
    minutes, rest = divmod(rest, 60_000)
    return f"{hours:02d}:{minutes:02d}:{rest // 1000:02d}.{rest % 1000:03d}"
