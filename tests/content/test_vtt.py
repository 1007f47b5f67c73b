"""Subtitle tracks: every file the WebVTT specification's parser reads as written is accepted with
the cues a browser shows; authors' mistakes are reported on their lines; transcripts are plain text;
SubRip files become WebVTT. The files under tests/data/vtt/ are written from the specification's
parsing rules (https://www.w3.org/TR/webvtt1/#parsing)."""

from __future__ import annotations

import re
import time
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from lms.content import subrip, tracks, vtt
from lms.content.vtt import Cue

DATA = Path(__file__).resolve().parent.parent / "data" / "vtt"


def read(name: str) -> str:
    text, problems = tracks.decode((DATA / name).read_bytes())
    assert problems == []
    return text


def problems_of(text: str) -> list[tuple[int, str]]:
    return [(problem.line, problem.message) for problem in vtt.parse(text)[1]]


def assert_problems(found: list[tuple[int, str]], expected: list[tuple[int, str]]) -> None:
    """Each problem on its line, saying (at least) the expected words."""
    assert [line for line, _message in found] == [line for line, _words in expected], found
    for (_line, message), (_line2, words) in zip(found, expected, strict=True):
        assert words in message, (message, words)


# ------------------------------------------------------------------------------ valid files

VALID = {
    "header-text.vtt": [Cue(1.0, 4.0, "Welcome to the lecture.", 3)],
    "kind-language-header.vtt": [Cue(1.0, 4.0, "Welcome to the lecture.", 5), Cue(4.0, 6.5, "Let us begin.", 8)],
    "note-style-region.vtt": [Cue(1.0, 4.0, "Welcome.", 20), Cue(5.0, 8.0, "Let us begin.", 25)],
    "tabs-and-settings.vtt": [Cue(1.0, 2.0, "\tTabs around the arrow.", 3),
                              Cue(2.0, 3.0, "No spaces around the arrow.", 6),
                              Cue(3.0, 4.0, "Settings after the end time.", 9),
                              Cue(4.0, 5.0, "Settings players ignore.", 12)],
    "cr-line-endings.vtt": [Cue(1.0, 2.0, "Old Mac line ends.", 3), Cue(2.0, 3.0, "Second line\nof the cue.", 6)],
    "crlf-line-endings.vtt": [Cue(1.0, 2.0, "Windows line ends.", 3), Cue(2.0, 3.0, "Second.", 6)],
    "long-hours.vtt": [Cue(3599.999, 3600.0, "Almost an hour.", 3),
                       Cue(3600.0, 3601.0, "Hours need not have two digits.", 6),
                       Cue(360000.0, 3600000.5, "A long recording.", 9)],
    "empty-cue-text.vtt": [Cue(1.0, 2.0, "", 3), Cue(2.0, 3.0, "", 6), Cue(3.0, 4.0, "The only cue with text.", 8),
                           Cue(4.0, 5.0, "", 11)],
    "arrow-in-text-starts-new-block.vtt": [Cue(1.0, 2.0, "The first cue.", 3),
                                           Cue(3.0, 4.0, "The second cue, with no blank line above it.", 5),
                                           Cue(5.0, 6.0, "", 9), Cue(7.0, 8.0, "After a cue with no text.", 10)],
    "entities.vtt": [Cue(1.0, 3.0, "<v Roger Bingham>Q&amp;A with &lt;b&gt; as text", 3),
                     Cue(3.0, 5.0, "<c.yellow.loud>Cost:</c>&nbsp;5&#8364; or 5&#x20AC;, <i>not</i> <b>free</b>\n"
                                   "<u>caf&eacute;</u> &amp;lt; stays &amp;lt;", 6),
                     Cue(5.0, 7.0, "<ruby>漢<rt>kan</rt></ruby> <lang fi>Hei</lang> <00:05.500>then <00:06.000>later",
                         10)],
    "bom.vtt": [Cue(1.0, 2.0, "After a byte order mark.", 3)],
    "identifiers.vtt": [Cue(1.0, 2.0, "Numbered.", 4), Cue(2.0, 3.0, "Named, with spaces.", 8),
                        Cue(3.0, 4.0, "A block whose first line is an identifier that happens to read NOTE.", 12)],
    "no-blank-line-after-header.vtt": [Cue(1.0, 2.0, "Right below the signature.", 2)],
    "nul.vtt": [Cue(1.0, 2.0, "A\ufffdB", 3)],
}


@pytest.mark.parametrize("name", sorted(VALID))
def test_valid_files_give_their_cues_and_no_problem(name):
    assert vtt.parse(read(name)) == (VALID[name], [])


@pytest.mark.parametrize("name", sorted(VALID))
def test_valid_uploads_are_kept_as_webvtt_text_without_problems(name):
    text, problems = tracks.read_track(name, (DATA / name).read_bytes())
    assert problems == []
    assert "\r" not in text and not text.startswith("\ufeff")
    assert vtt.parse(text) == (VALID[name], [])


def test_pasted_text_may_keep_its_byte_order_mark():
    assert vtt.parse("\ufeff" + read("bom.vtt")) == (VALID["bom.vtt"], [])


# ---------------------------------------------------------------------------- author mistakes

INVALID = {
    "no-signature.vtt": [(1, "WEBVTT")],
    "signature-run-on.vtt": [(1, "WEBVTT")],
    "bad-timestamp.vtt": [(3, "start time cannot be read"), (6, "start time cannot be read"),
                          (9, "start time cannot be read"), (12, "start time cannot be read"),
                          (15, "start time cannot be read"), (19, "with the arrow “-->”"),
                          (22, "end time cannot be read")],
    "end-before-start.vtt": [(3, "this cue ends before it starts"), (6, "ends when it starts")],
    "out-of-order.vtt": [(9, "starts before the cue on line 6"), (12, "starts before the cue on line 6")],
    "text-outside-cue.vtt": [(6, "belongs to no cue"), (8, "belongs to no cue")],
    "arrow-in-cue-text.vtt": [(4, "write “--&gt;”"), (8, "a note cannot contain “-->”")],
    "style-after-cue.vtt": [(6, "STYLE and REGION blocks after the first cue"),
                            (9, "STYLE and REGION blocks after the first cue")],
    "no-cues.vtt": [(1, "no cues")],
}


@pytest.mark.parametrize("name", sorted(INVALID))
def test_mistakes_are_reported_on_their_lines(name):
    assert_problems(problems_of(read(name)), INVALID[name])


def test_timing_problems_say_what_the_format_is():
    (_line, message), *_rest = problems_of(read("bad-timestamp.vtt"))
    assert "01:02.500 --> 01:05.000" in message and "00 to 59" in message and "three digits" in message


def test_players_still_show_the_cues_around_a_mistake():
    cues, _problems = vtt.parse(read("bad-timestamp.vtt"))
    assert cues == [Cue(11.0, 12.0, "The only cue players show.", 25)]
    cues, _problems = vtt.parse(read("end-before-start.vtt"))
    assert [cue.text for cue in cues] == ["Ends before it starts.", "Ends when it starts.", "Fine."]
    cues, _problems = vtt.parse(read("arrow-in-cue-text.vtt"))
    assert cues == [Cue(1.0, 3.0, "", 3)]


def test_a_timing_line_that_players_can_read_is_never_a_problem():
    lines = ["00:00.000 --> 00:01.000", "00:00:00.000 --> 00:00:01.000", "0:00:00.000 --> 0:00:01.000",
             "00:00.000\t-->\t00:01.000", "00:00.000-->00:01.000", "  00:00.000 --> 00:01.000  ",
             "00:00.000 --> 00:01.000 line:-1 position:50%,center size:80% align:middle whatever",
             "59:59.999 --> 60:00:00.000", "1234567890123456:00:00.000 --> 1234567890123457:00:00.000"]
    for line in lines:
        assert problems_of(f"WEBVTT\n\n{line}\ntext\n") == [], line


UNREADABLE_TIMES = ["0000:00.000", "00:0:00.000", "00:0000.000", "00:00:0.000", "00:00:00000", "00:00:00.00",
                    "00:00:00.0000", "00:00:00", "00:00", "60:00.000", "00:60.000", "00:00:60.000", "00:60:00.000",
                    "1:02.000", "00:01,000", "-00:01.000", "0x:01.000", "٠٠:٠١.٠٠٠"]


@pytest.mark.parametrize("time", UNREADABLE_TIMES)
def test_times_players_cannot_read_are_reported_and_their_cue_skipped(time):
    assert vtt.parse(f"WEBVTT\n\n{time} --> 00:02:00.000\nText.\n")[0] == []
    assert_problems(problems_of(f"WEBVTT\n\n{time} --> 00:02:00.000\nText.\n"), [(3, "start time cannot be read")])
    assert_problems(problems_of(f"WEBVTT\n\n00:00.000 --> {time}\nText.\n"), [(3, "end time cannot be read")])


@pytest.mark.parametrize("text", ["WEBVTT", "WEBVTT\n", "WEBVTT - no cues yet\n\n", "WEBVTT\nKind: captions\n"])
def test_a_file_of_only_a_header_has_no_cues(text):
    assert vtt.parse(text)[0] == []
    assert_problems(problems_of(text), [(1, "has no cues")])


def test_undecodable_bytes_are_problems_on_their_lines():
    text, problems = tracks.decode((DATA / "not-utf8.vtt").read_bytes())
    assert text.count("\ufffd") == 2
    assert [problem.line for problem in problems] == [4, 7]
    assert all("UTF-8" in problem.message for problem in problems)
    assert tracks.read_track("lecture.fr.vtt", (DATA / "not-utf8.vtt").read_bytes()) == (None, problems)


def test_a_utf16_file_is_refused_with_its_encoding_named():
    _text, problems = tracks.decode("WEBVTT\n\n00:01.000 --> 00:02.000\nHi\n".encode("utf-16"))
    assert [(problem.line, "UTF-16" in problem.message) for problem in problems] == [(1, True)]


def test_files_over_the_size_limit_are_refused():
    data = b"WEBVTT\n\n00:01.000 --> 00:02.000\n" + b"x" * vtt.MAX_TRACK_BYTES
    text, problems = tracks.read_track("big.vtt", data)
    assert text is None and [(problem.line, "1 MiB" in problem.message) for problem in problems] == [(1, True)]


# --------------------------------------------------------------------------------- transcripts


def test_transcript_is_plain_text_with_references_decoded_once():
    assert vtt.transcript(VALID["entities.vtt"]) == [
        (1.0, "Q&A with <b> as text"),
        (3.0, "Cost:\u00a05€ or 5€, not free café &lt; stays &lt;"),
        (5.0, "漢kan Hei then later"),
    ]


def test_transcript_leaves_out_cues_without_text():
    assert vtt.transcript(VALID["empty-cue-text.vtt"]) == [(3.0, "The only cue with text.")]


def test_transcript_collapses_whitespace_and_keeps_a_lone_less_than_sign_out_as_players_do():
    cues = [Cue(0.0, 1.0, "  one\n\ttwo  ", 1), Cue(1.0, 2.0, "a &amp b < c", 2), Cue(2.0, 3.0, "x&#0;y&#99999999;", 3)]
    assert vtt.transcript(cues) == [(0.0, "one two"), (1.0, "a & b"), (2.0, "x\ufffdy\ufffd")]


# ------------------------------------------------------------------------------------ SubRip


def test_subrip_files_become_webvtt_with_the_same_timings():
    text, problems = subrip.from_srt(read("plain.srt"))
    assert problems == []
    assert text == ("WEBVTT\n\n1\n00:00:01.000 --> 00:00:04.000\nWelcome to the lecture.\n\n"
                    "2\n00:00:04.500 --> 00:00:06.250\nToday: vigilance,\nstep by step.\n\n"
                    "3\n01:02:03.004 --> 01:02:05.000\nAn hour in.\n")
    assert vtt.parse(text) == ([Cue(1.0, 4.0, "Welcome to the lecture.", 4),
                                Cue(4.5, 6.25, "Today: vigilance,\nstep by step.", 8),
                                Cue(3723.004, 3725.0, "An hour in.", 13)], [])


def test_subrip_with_windows_line_ends():
    text, problems = subrip.from_srt(read("crlf.srt"))
    assert problems == []
    assert [(cue.start, cue.end, cue.text) for cue in vtt.parse(text)[0]] == [
        (1.0, 2.0, "Windows line ends."), (2.5, 3.0, "Second.")]


def test_subrip_formatting_tags_are_kept_and_style_codes_dropped():
    text, _problems = subrip.from_srt(read("tags-and-codes.srt"))
    cues, problems = vtt.parse(text)
    assert problems == []
    assert [cue.text for cue in cues] == ["<i>Q&amp;A</i> at the top",
                                          "<b>Bold</b> and yellow, <u>underlined</u>",
                                          "if a &lt; b then b &gt; a -&gt; true"]
    assert [line for _start, line in vtt.transcript(cues)] == [
        "Q&A at the top", "Bold and yellow, underlined", "if a < b then b > a -> true"]


def test_loose_subrip_is_read_as_players_read_it():
    """Dots for commas, a blank line inside a text, no blank line between subtitles, subtitles out
    of order, position codes after the times, a subtitle without its number."""
    text, problems = subrip.from_srt(read("loose.srt"))
    assert problems == []
    cues, problems = vtt.parse(text)
    assert problems == []
    assert [(cue.start, cue.end, cue.text) for cue in cues] == [
        (1.0, 2.0, "A blank line\ninside the text."),
        (3.0, 4.0, "No blank line above; position after the times."),
        (5.0, 6.0, "Out of order, with dots."),
        (7.0, 8.0, "No number."),
    ]


def test_unreadable_subrip_is_reported_on_the_subrip_lines():
    assert subrip.from_srt(read("malformed.srt"))[0] is None
    assert_problems([(p.line, p.message) for p in subrip.from_srt(read("malformed.srt"))[1]],
                    [(1, "cannot read this SubRip subtitle")])
    text, problems = subrip.from_srt(read("bad-timing.srt"))
    assert text is None
    assert_problems([(p.line, p.message) for p in problems],
                    [(6, "00:01:02,500 --> 00:01:05,000"), (10, "ends before or when it starts"),
                     (14, "00:01:02,500 --> 00:01:05,000")])
    assert_problems([(p.line, p.message) for p in subrip.from_srt("\n\n")[1]], [(1, "no subtitles")])


def test_uploads_are_recognised_as_subrip_by_name_or_by_content():
    expected = subrip.from_srt(read("plain.srt"))
    data = (DATA / "plain.srt").read_bytes()
    assert tracks.read_track("lecture.en.srt", data) == expected
    assert tracks.read_track("lecture.en.vtt", data) == expected  # renamed, still SubRip
    assert tracks.read_track("lecture.en.SRT", (DATA / "malformed.srt").read_bytes())[0] is None
    webvtt = (DATA / "header-text.vtt").read_bytes()
    assert tracks.read_track("misnamed.srt", webvtt) == (webvtt.decode(), [])


# ---------------------------------------------------------------------------- never raises


def test_huge_inputs_are_read_quickly():
    mib = vtt.MAX_TRACK_BYTES
    texts = ["WEBVTT\n\n" + "1" * mib + " --> 00:01.000", "WEBVTT\n\n" + "-->" * (mib // 3),
             "WEBVTT\n\n00:01.000 --> 00:02.000\n" + "&#" + "0" * mib + "65;" + "<" * mib,
             "WEBVTT\n\n" + "9" * mib + ":00:00.000 --> " + "9" * mib + ":00:01.000\nx",
             "WEBVTT\n\n" + "00:01.000 --> 00:02.000\nx\n\n" * 50_000, "WEBVTT" + "\n" * mib]
    subrip = ["1" * mib, " " * mib, "1\n00:00:01,000 --> 00:00:02,000\nhi\n" + "1" * (mib - 100) + "\n",
              ("1:1:1,1 --> " + "1" * 100 + "\n") * 5000, "{\\" * (mib // 2)]
    began = time.perf_counter()
    for text in texts:
        vtt.transcript(vtt.parse(text)[0])
    for text in subrip:
        tracks.read_track("big.srt", text.encode())
    assert time.perf_counter() - began < 20


def test_hours_beyond_any_float_give_no_transcript_line():
    cues, _problems = vtt.parse("WEBVTT\n\n" + "9" * 500 + ":00:00.000 --> " + "9" * 501 + ":00:00.000\nlate\n")
    assert len(cues) == 1 and vtt.transcript(cues) == []


PIECES = ["WEBVTT", "WEBVTT ", "\n", "\n\n", "\r", "\r\n", " ", "\t", "-->", "->", "00:01.000", "1:00:00.000",
          "59:59.999", "00:60.000", ":", ".", ",", "NOTE", "STYLE", "REGION", "<v a>", "</v>", "<", ">", "&amp;",
          "&#", "&#x", "&", "1", "0", "\ufeff", "\0", "x", "é", "{\\an8}", "<i>", "<font color=red>"]
soups = st.lists(st.sampled_from(PIECES), max_size=60).map("".join)


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.one_of(st.text(), soups, soups.map(lambda text: "WEBVTT\n\n" + text)))
def test_any_text_is_read_without_error(text):
    cues, problems = vtt.parse(text)
    vtt.transcript(cues)
    assert cues or problems
    assert all(problem.line >= 1 and problem.message for problem in problems)
    converted, problems = subrip.from_srt(text)
    assert (converted is None) == bool(problems)


@settings(max_examples=300, deadline=None)
@given(st.one_of(st.binary(), soups.map(str.encode)), st.sampled_from(["a.vtt", "a.srt"]))
def test_any_upload_is_read_without_error(data, filename):
    text, problems = tracks.read_track(filename, data)
    assert text is not None or problems


# --------------------------------------------------------------------------- round trips

TEXT = st.text(st.characters(blacklist_characters="<>&\n\r\0", blacklist_categories=("Cs",)), min_size=1,
               max_size=20)
NAME = st.text(st.characters(blacklist_characters=">\n\r\0", blacklist_categories=("Cs",)), min_size=1, max_size=12)
# SubRip text as authors type it, "&", "<" and ">" included; no blank lines, no times, no formatting tags
SUBRIP_TEXT = st.text(st.characters(blacklist_characters=":{\n\r\0", blacklist_categories=("Cs",)), min_size=1,
                      max_size=20).filter(lambda line: line.strip() != "" and not re.search(r"</?(?:[ibu]>|font)", line,
                                                                                            re.IGNORECASE))


def stamp(milliseconds: int, hours_digits: int) -> str:
    hours, rest = divmod(milliseconds, 3_600_000)
    minutes, rest = divmod(rest, 60_000)
    clock = f"{minutes:02d}:{rest // 1000:02d}.{rest % 1000:03d}"
    return clock if hours == 0 and hours_digits == 0 else f"{hours:0{max(hours_digits, 1)}d}:{clock}"


@st.composite
def webvtt_files(draw) -> tuple[str, list[Cue]]:
    starts = sorted(draw(st.lists(st.integers(0, 10**10), min_size=1, max_size=8)))
    newline = draw(st.sampled_from(["\n", "\r\n", "\r"]))
    lines = [draw(st.sampled_from(["WEBVTT", "WEBVTT - a title", "WEBVTT\tx"]))]
    lines += draw(st.sampled_from([[], ["Kind: captions", "Language: fi"]])) + [""]
    cues = []
    for start in starts:
        end = start + draw(st.integers(1, 10**7))
        identifier = draw(st.none() | NAME)
        if identifier is not None:
            lines.append(identifier)
        gap = draw(st.sampled_from([" --> ", "\t-->\t", " \t-->  "]))
        setting = draw(st.sampled_from(["", " align:start", "\tposition:10% size:50%"]))
        hours_digits = draw(st.integers(0, 3))
        lines.append(f"{stamp(start, hours_digits)}{gap}{stamp(end, hours_digits)}{setting}")
        text = draw(st.lists(TEXT, max_size=3))
        cues.append(Cue(start / 1000, end / 1000, "\n".join(text), len(lines)))
        lines += text + [""] * draw(st.integers(1, 3))
    return newline.join(lines), cues


@settings(max_examples=300, deadline=None)
@given(webvtt_files())
def test_valid_cues_written_as_webvtt_read_back_the_same(file):
    text, cues = file
    assert vtt.parse(text) == (cues, [])


@st.composite
def subrip_files(draw) -> tuple[str, list[tuple[float, float, str]]]:
    starts = sorted(set(draw(st.lists(st.integers(0, 10**9), min_size=1, max_size=8))))
    blocks, expected = [], []
    for number, start in enumerate(starts, start=1):
        end = start + draw(st.integers(1, 10**6))
        text = draw(st.lists(SUBRIP_TEXT, min_size=1, max_size=3))
        times = f"{srt_stamp(start)} --> {srt_stamp(end)}"
        blocks.append("\n".join([str(number), times, *text]))
        expected.append((start / 1000, end / 1000, re.sub(r"[ \t\n\r\f]+", " ", " ".join(text)).strip(" ")))
    return "\n\n".join(blocks) + "\n", expected


def srt_stamp(milliseconds: int) -> str:
    hours, rest = divmod(milliseconds, 3_600_000)
    return f"{hours:02d}:{rest // 60_000:02d}:{rest // 1000 % 60:02d},{rest % 1000:03d}"


@settings(max_examples=200, deadline=None)
@given(subrip_files())
def test_subrip_converts_to_webvtt_with_the_same_timings_and_text(file):
    text, expected = file
    converted, problems = subrip.from_srt(text)
    assert problems == []
    cues, problems = vtt.parse(converted)
    assert problems == []
    assert [(cue.start, cue.end) for cue in cues] == [(start, end) for start, end, _text in expected]
    shown = dict(vtt.transcript(cues))
    assert [shown.get(start, "") for start, _end, _words in expected] == [words for _start, _end, words in expected]
