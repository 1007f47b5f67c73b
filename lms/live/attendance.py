"""Reading the attendance reports that meeting services export (Microsoft Teams, Zoom, Google
Meet, or a list kept in Excel): the e-mail addresses a report holds, whatever its encoding,
separators, sections and header language.

Addresses are found by what the cells hold, not by what the headers say, so "Sähköposti",
"E-pasts", "El. paštas" or "Netfang" need no list of names. The cells are split here, line by
line, without the csv module: its field size limit is process-wide, and a reader that has no
limit to hit cannot fail on a long chat message. No request, no database: the live services
decide what the addresses mean.
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass, field
from functools import lru_cache

from email_validator import validate_email
from flask_babel import LazyString
from flask_babel import lazy_gettext as _l
from flask_babel import lazy_ngettext

MAX_BYTES = 5 * 2**20
MAX_ROWS = 100_000
DELIMITERS = ("\t", ";", ",")  # Teams writes tabs; Excel in the Nordic locales semicolons

_BOMS = ((b"\xef\xbb\xbf", "utf-8"), (b"\xff\xfe", "utf-16-le"), (b"\xfe\xff", "utf-16-be"))
_WORKBOOKS = (b"PK\x03\x04", b"PK\x05\x06", b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1")  # xlsx/zip, xls
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0e-\x1f\x7f\ufffd]")
_LINE_BREAK = re.compile(r"\r\n|\r|\n")
_SAMPLE_LINES = 100  # lines of a block that decide its separator
_LONGEST_ADDRESS_CELL = 512  # an address (254 at most) with a display name
_NAMED = re.compile(r"[^<>]*<([^<>]*)>")
_ADDRESS_LIKE = re.compile(r"[^\s@<>\"]+@[^\s@<>\"]+\.[^\s@<>\"]+")


class AttendanceFileError(Exception):
    """A file NordLearn cannot take attendance from; ``reason`` tells the organiser why."""

    def __init__(self, reason: LazyString) -> None:
        super().__init__(reason)
        self.reason = reason


class Unreadable(AttendanceFileError):
    """Not a text table at all: empty, binary, a workbook or archive, or too large."""


class NoAddresses(AttendanceFileError):
    """A readable table without a single e-mail address in it."""


@dataclass(frozen=True)
class Report:
    addresses: list[str]  # distinct, lower-cased, in order of first appearance
    column: str | None  # the header of the column that held most of them, if it had one


def read_report(data: bytes) -> Report:
    """The e-mail addresses of an attendance report: every cell that is an address, in any
    section, column or row (an organiser listed in two sections counts once). Raises
    ``Unreadable`` for what is not a text table and ``NoAddresses`` for a table without any."""
    found = _Found()
    for number, block in enumerate(_blocks(_lines(_text(data)))):
        _read_block(number, block, found)
    if not found.addresses:
        raise NoAddresses(_l("No e-mail addresses were found in this file. Export the attendance report "
                             "with the participants' e-mail addresses."))
    return found.report()


# Bytes to text ------------------------------------------------------------------------------

def _decode(data: bytes) -> str:
    """The text of a report: by its byte-order mark, else UTF-16 recognised by its zero bytes,
    else UTF-8, else Windows-1252 (Excel's CSV on Windows). Never raises."""
    for bom, codec in _BOMS:
        if data.startswith(bom):
            return data[len(bom):].decode(codec, errors="replace").lstrip("\ufeff")
    codec = _utf16_by_zero_bytes(data)
    if codec:
        return data.decode(codec, errors="replace").lstrip("\ufeff")
    try:
        return data.decode("utf-8").lstrip("\ufeff")
    except UnicodeDecodeError:
        return data.decode("cp1252", errors="replace")


def _utf16_by_zero_bytes(data: bytes) -> str | None:
    """UTF-16 without a mark: Latin letters leave a zero in every other byte."""
    pairs = min(len(data), 4096) // 2
    if pairs < 2:
        return None
    even, odd = data[0:pairs * 2:2].count(0), data[1:pairs * 2:2].count(0)
    if odd >= pairs * 0.4 and even <= pairs * 0.05:
        return "utf-16-le"
    if even >= pairs * 0.4 and odd <= pairs * 0.05:
        return "utf-16-be"
    return None


def _text(data: bytes) -> str:
    if len(data) > MAX_BYTES:
        raise Unreadable(_l("The file is larger than %(size)d MiB.", size=MAX_BYTES // 2**20))
    if data.startswith(_WORKBOOKS):
        raise Unreadable(_l("This is a spreadsheet workbook or an archive, not a CSV file. "
                            "Save the attendance report as CSV and upload that file."))
    text = _decode(data)
    if "\x00" in text or _share_of_controls(text[:65536]) > 0.02:
        raise Unreadable(_l("This is not a text file. Upload the attendance report as the CSV file "
                            "the meeting service exports."))
    return text


def _share_of_controls(sample: str) -> float:
    return sum(1 for _ in _CONTROL.finditer(sample)) / len(sample) if sample else 0.0


# Text to lines, blocks and cells ------------------------------------------------------------

def _lines(text: str) -> list[str]:
    breaks = text.count("\n") + text.count("\r") - text.count("\r\n")
    if breaks + (0 if text.endswith(("\n", "\r")) else 1) > MAX_ROWS:
        # Translators: the rows of a spreadsheet or CSV file.
        raise Unreadable(lazy_ngettext("The file has more than %(num)d row.", "The file has more than %(num)d rows.",
                                       MAX_ROWS))
    return _LINE_BREAK.split(text)


def _blank(line: str) -> bool:
    """Empty, or only separators: how Excel writes an empty row (";;;")."""
    return not line.strip(" \t;,\"\ufeff")


def _blocks(lines: list[str]) -> list[list[str]]:
    """The small tables of a report, as blank lines separate them (Teams' "1. Summary",
    "2. Participants", "3. In-Meeting Activities"; Zoom's meeting lines above its table)."""
    blocks: list[list[str]] = []
    current: list[str] = []
    for line in lines:
        if not _blank(line):
            current.append(line)
        elif current:
            blocks.append(current)
            current = []
    if current:
        blocks.append(current)
    if not blocks:
        raise Unreadable(_l("The file is empty."))
    return blocks


def _delimiter(lines: list[str]) -> str | None:
    """The separator that splits a block's lines into the same number of cells most often;
    None when no separator splits them (a list with one address a line)."""
    best, best_score = None, (0, 0)
    for delimiter in DELIMITERS:
        widths = Counter(len(_cells(line, delimiter)) for line in lines[:_SAMPLE_LINES])
        widths.pop(1, None)
        if widths:
            width, count = widths.most_common(1)[0]
            if (count, width) > best_score:
                best, best_score = delimiter, (count, width)
    return best


def _cells(line: str, delimiter: str | None) -> list[str]:
    """The cells of one line, quoted as spreadsheets quote them: a cell in double quotes may hold
    the separator, and a doubled quote inside stands for one. A quote that is never closed is an
    ordinary character. No length limit, nothing to fail on."""
    if delimiter is None:
        return [line]
    found: list[str] = []
    at = 0
    while True:
        cell, at = _cell(line, at, delimiter)
        found.append(cell)
        if at >= len(line):
            return found
        at += len(delimiter)


def _cell(line: str, start: int, delimiter: str) -> tuple[str, int]:
    """The cell starting at ``start`` and where it ends (its delimiter, or the line's end)."""
    if line.startswith('"', start):
        quoted = _quoted(line, start + 1)
        if quoted is not None:
            text, close = quoted
            end = _end(line, delimiter, close + 1)
            return text + line[close + 1:end], end  # text after the closing quote is kept, as Excel does
    end = _end(line, delimiter, start)
    return line[start:end], end


def _quoted(line: str, start: int) -> tuple[str, int] | None:
    parts = []
    while (close := line.find('"', start)) >= 0:
        if line.startswith('"', close + 1):
            parts.append(line[start:close + 1])
            start = close + 2
        else:
            parts.append(line[start:close])
            return "".join(parts), close
    return None


def _end(line: str, delimiter: str, start: int) -> int:
    at = line.find(delimiter, start)
    return len(line) if at < 0 else at


# Cells to addresses -------------------------------------------------------------------------

def _address(cell: str) -> str | None:
    """The e-mail address a cell holds ("aino@example.fi" or "Aino Virtanen <aino@example.fi>"),
    normalised and lower-cased; None for anything else."""
    value = cell.strip()
    if len(value) > _LONGEST_ADDRESS_CELL or "@" not in value:
        return None
    return _valid_address(value)


@lru_cache(maxsize=4096)
def _valid_address(value: str) -> str | None:
    named = _NAMED.fullmatch(value)
    if named:
        value = named.group(1).strip()
    if not _ADDRESS_LIKE.fullmatch(value):
        return None
    try:
        address = validate_email(value, check_deliverability=False).normalized.lower()
    except ValueError:  # EmailNotValidError, and the IDNA codec's UnicodeError
        return None
    return _guest_address(address) or address


def _guest_address(address: str) -> str | None:
    """A guest's user principal name in a Microsoft 365 tenant, ``aino_example.fi#ext#@tenant…``, is
    the guest's own address with ``@`` written as ``_``: the last ``_`` (host names hold none)."""
    local = address.rpartition("@")[0]
    if "#ext#" not in local:
        return None
    user, underscore, domain = local.split("#ext#", 1)[0].rpartition("_")
    if not underscore:
        return None
    try:
        return validate_email(f"{user}@{domain}", check_deliverability=False).normalized.lower()
    except ValueError:
        return None


@dataclass
class _Found:
    addresses: dict[str, None] = field(default_factory=dict)  # an ordered set
    per_column: Counter[tuple[int, int | None, int]] = field(default_factory=Counter)
    headers: dict[tuple[int, int | None, int], str | None] = field(default_factory=dict)

    def add(self, address: str, column: tuple[int, int | None, int] | None = None,
            header: str | None = None) -> None:
        self.addresses.setdefault(address, None)
        if column is not None:
            self.per_column[column] += 1
            self.headers.setdefault(column, header)

    def report(self) -> Report:
        column = max(self.per_column, key=self.per_column.__getitem__) if self.per_column else None
        return Report(addresses=list(self.addresses), column=self.headers[column] if column is not None else None)


def _read_block(number: int, lines: list[str], found: _Found) -> None:
    """Every address of a block, counted under its column: (block, header row, index). The
    header is the latest row above without addresses whose cells are all filled in."""
    delimiter = _delimiter(lines)
    header_at: int | None = None
    header: list[str] = []
    for at, line in enumerate(lines):
        row = _cells(line, delimiter)
        addresses = [(index, a) for index, cell in enumerate(row) if (a := _address(cell))]
        if addresses:
            for index, a in addresses:
                title = header[index].strip().lstrip("\ufeff") if index < len(header) else ""
                found.add(a, (number, header_at, index), title or None)
        elif others := _split_otherwise(line, delimiter):
            for a in others:  # a line that does not follow its block's separator
                found.add(a)
        elif _is_header(row):
            header_at, header = at, row


def _split_otherwise(line: str, delimiter: str | None) -> list[str]:
    for other in DELIMITERS:
        if other != delimiter and other in line:
            addresses = [a for cell in _cells(line, other) if (a := _address(cell))]
            if addresses:
                return addresses
    return []


def _is_header(row: list[str]) -> bool:
    labels = list(row)
    while labels and not labels[-1].strip():
        labels.pop()
    return len(labels) >= 2 and all(label.strip() for label in labels)
