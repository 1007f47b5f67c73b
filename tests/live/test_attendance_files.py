"""Attendance reports as Teams, Zoom, Google Meet and Excel write them: the addresses NordLearn
finds in each, whatever the language of the headers, and the files it refuses, and why."""

from __future__ import annotations

import codecs
import csv
import importlib.util
import io
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from lms.live.attendance import (
    MAX_BYTES,
    MAX_ROWS,
    AttendanceFileError,
    NoAddresses,
    Report,
    Unreadable,
    read_report,
)

DATA = Path(__file__).parents[1] / "data" / "attendance"


def read(name: str) -> Report:
    return read_report((DATA / name).read_bytes())


def guest_upn(address: str) -> str:
    """How Teams names a guest in the organiser's tenant (its "Participant ID (UPN)" column)."""
    return address.replace("@", "_") + "#ext#@nordlearn.onmicrosoft.com"


# Per file: the e-mail column's header, then organiser, presenter, guest, attendee. The
# unverified joiner and the phone caller have no address.
TEAMS = {
    "teams_en.csv": ("Email", ["kari.nordmann@example.no", "aino.virtanen@example.fi",
                               "erik.lindqvist@example.se", "liga.berzina@example.lv"]),
    "teams_fi.csv": ("Sähköposti", ["jussi.makinen@example.fi", "pirkko.hakkinen@example.fi",
                                    "sanna.lahteenmaki@example.org", "ville.jarvinen@example.fi"]),
    "teams_sv.csv": ("E-postadress", ["karin.oberg@example.se", "jons.akesson@example.se",
                                      "marta.soderstrom@example.fi", "bjorn.nystrom@example.se"]),
    "teams_nb.csv": ("E-post", ["ingrid.solberg@example.no", "oystein.braten@example.no",
                                "ase.lie@example.org", "hakon.daehli@example.no"]),
    "teams_et.csv": ("E-post", ["mari.tamm@example.ee", "juri.saar@example.ee",
                                "kart.magi@example.org", "tonu.kask@example.ee"]),
    "teams_lv.csv": ("E-pasts", ["janis.ozols@example.lv", "liga.berzina@example.lv",
                                 "eriks.kalnins@example.org", "ilze.liepina@example.lv"]),
    "teams_lt.csv": ("El. paštas", ["ruta.petrauskiene@example.lt", "jonas.kazlauskas@example.lt",
                                    "zydrunas.simkus@example.org", "egle.jankauskaite@example.lt"]),
    "teams_is.csv": ("Netfang", ["gudrun.jonsdottir@example.is", "thor.sigurdsson@example.is",
                                 "asta.olafsdottir@example.org", "bjork.einarsdottir@example.is"]),
}


@pytest.mark.parametrize("name", TEAMS)
def test_a_teams_report_in_any_language_gives_each_participant_once(name):
    column, (organiser, presenter, guest, attendee) = TEAMS[name]
    report = read(name)
    # The organiser and the presenter who rejoined are in both sections, and the guest is also
    # named by the tenant's UPN: each is counted once.
    assert guest_upn(guest) in (DATA / name).read_bytes().decode("utf-16").lower()
    assert report.addresses == [organiser, presenter, guest, attendee]
    assert report.column == column


def test_teams_reports_are_utf16_with_tabs_and_three_sections():
    data = (DATA / "teams_fi.csv").read_bytes()
    assert data.startswith(codecs.BOM_UTF16_LE)
    text = data.decode("utf-16")
    assert text.count("\r\n\r\n") == 2 and "\t" in text
    assert [line for line in text.splitlines() if line[:2] in ("1.", "2.", "3.")] == [
        "1. Yhteenveto", "2. Osallistujat", "3. Kokouksen aikaiset toiminnot"]


@pytest.mark.parametrize("encode", [
    lambda text: codecs.BOM_UTF16_BE + text.encode("utf-16-be"),
    lambda text: text.encode("utf-16-le"),
    lambda text: text.encode("utf-16-be"),
    lambda text: text.encode("utf-8-sig"),
    lambda text: text.encode("utf-8"),
], ids=["utf-16-be-with-bom", "utf-16-le-without-bom", "utf-16-be-without-bom", "utf-8-with-bom", "utf-8"])
def test_the_same_report_reads_the_same_in_every_unicode_encoding(encode):
    text = (DATA / "teams_lv.csv").read_bytes().decode("utf-16")
    assert read_report(encode(text)) == read("teams_lv.csv")


def test_a_zoom_export_with_its_meeting_lines_above_the_participants():
    report = read("zoom_participants.csv")
    # The host is in the meeting line and in the table; the rejoined participant has two rows;
    # the guest on a phone has no address.
    assert report.addresses == ["organiser@nordlearn.example.org", "mette.hansen@example.dk",
                                "jons.akesson@example.se", "janis.ozols@example.lv",
                                "gudrun.jonsdottir@example.is"]
    assert report.column == "User Email"


def test_a_google_meet_attendance_sheet():
    report = read("meet_attendance.csv")
    assert report.addresses == ["ingrid.solberg@example.no", "mari.tamm@example.ee", "anders.holm@example.dk",
                                "pekka.korhonen@example.fi"]
    assert report.column == "Email"


def test_an_excel_semicolon_list_in_windows_1252():
    data = (DATA / "excel_semicolon_cp1252.csv").read_bytes()
    with pytest.raises(UnicodeDecodeError):
        data.decode("utf-8")
    report = read_report(data)
    assert report.addresses == ["aino.virtanen@example.fi", "pirkko.hakkinen@example.fi",
                                "jons.akesson@example.se", "marta.soderstrom@example.fi"]
    assert report.column == "Sähköposti"


def test_a_field_longer_than_the_csv_modules_limit_does_not_stop_the_reader():
    data = (DATA / "long_field.csv").read_bytes()
    limit = csv.field_size_limit()
    with pytest.raises(csv.Error):  # what the file does to the csv module
        list(csv.reader(io.StringIO(data.decode())))
    report = read_report(data)
    assert report.addresses == ["aino.virtanen@example.fi", "erik.lindqvist@example.se"]
    assert report.column == "Email"
    assert csv.field_size_limit() == limit  # a process-wide setting: left alone


def test_a_report_without_any_address_says_so():
    with pytest.raises(NoAddresses) as raised:
        read("names_only.csv")
    assert "e-mail addresses" in str(raised.value.reason)


@pytest.mark.parametrize("name, says", [
    ("image.png", "not a text file"),
    ("report.zip", "not a CSV file"),
    ("empty.csv", "empty"),
])
def test_files_that_are_not_text_tables_are_unreadable(name, says):
    with pytest.raises(Unreadable) as raised:
        read(name)
    assert says in str(raised.value.reason)


@pytest.mark.parametrize("data", [b"   \r\n\r\n", b";;;\r\n;;;\r\n", codecs.BOM_UTF8, codecs.BOM_UTF16_LE,
                                  b"\x00\x01\x02\x03" * 64, bytes(range(256))])
def test_blank_and_binary_content_is_unreadable(data):
    with pytest.raises(Unreadable):
        read_report(data)


def test_more_than_the_limits_is_unreadable_with_the_limit_named():
    with pytest.raises(Unreadable) as raised:
        read_report(b"a@example.org\n" + b"x" * MAX_BYTES)
    assert "5 MiB" in str(raised.value.reason)
    with pytest.raises(Unreadable) as raised:
        read_report(b"a@example.org\n" * (MAX_ROWS + 1))
    assert "100000 rows" in str(raised.value.reason)
    assert read_report(b"a@example.org\n" * MAX_ROWS).addresses == ["a@example.org"]


def test_cells_in_quotes_with_display_names_and_lines_that_break_the_pattern():
    text = ("Participant;Address;Note\r\n"
            '"Virtanen; Aino";"Aino Virtanen <Aino.Virtanen@example.fi>";"said ""hi"""\r\n'
            '"Lindqvist, Erik";erik.lindqvist@example.se;"never closed\r\n'
            "Mägi Kärt,kart.magi@example.ee,pasted from another list\r\n"
            "Not an address;someone@;x@y\r\n")
    report = read_report(text.encode("utf-8"))
    assert report.addresses == ["aino.virtanen@example.fi", "erik.lindqvist@example.se", "kart.magi@example.ee"]
    assert report.column == "Address"


def test_a_plain_list_of_addresses_has_no_column_header():
    report = read_report(b"aino@example.fi\nERIK@example.se\naino@example.fi\n")
    assert report == Report(addresses=["aino@example.fi", "erik@example.se"], column=None)


def test_the_sample_files_are_what_their_generator_makes():
    spec = importlib.util.spec_from_file_location("make_attendance_files", DATA / "make_files.py")
    generator = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(generator)
    made = generator.files()
    on_disk = {path.name: path.read_bytes() for path in DATA.iterdir()
               if path.suffix != ".py" and not path.name.startswith(".")}
    assert made == on_disk


# Anything an organiser might upload ------------------------------------------------------

CELLS = st.one_of(
    st.sampled_from(["aino@example.fi", "Aino <AINO@example.fi>", '"Doe, Jane" <jane@example.org>', "@", "a@b",
                     "x@[1.2.3.4]", '"', '""', "Sähköposti", "E-pasts", "", " ", "\u2028", "\ufeff", "#EXT#"]),
    st.text(max_size=30),
)
TABLES = st.lists(st.lists(CELLS, max_size=6), max_size=12).flatmap(
    lambda rows: st.tuples(st.just(rows), st.sampled_from(["\t", ";", ",", "|"]),
                           st.sampled_from(["\r\n", "\n", "\r", "\n\n"]),
                           st.sampled_from(["utf-8", "utf-8-sig", "utf-16", "utf-16-le", "utf-16-be", "cp1252"])))


def assert_reads_or_refuses(data: bytes) -> None:
    try:
        report = read_report(data)
    except AttendanceFileError as error:
        assert str(error.reason)
    else:
        assert report.addresses
        assert len(set(report.addresses)) == len(report.addresses)
        assert all(a == a.lower() and "@" in a for a in report.addresses)


@settings(max_examples=300, deadline=None)
@given(st.binary(max_size=4096))
def test_arbitrary_bytes_give_a_report_or_an_attendance_file_error(data):
    assert_reads_or_refuses(data)


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(TABLES)
def test_arbitrary_tables_give_a_report_or_an_attendance_file_error(table):
    rows, delimiter, newline, encoding = table
    text = newline.join(delimiter.join(row) for row in rows)
    assert_reads_or_refuses(text.encode(encoding, errors="replace"))


@pytest.mark.parametrize("cell, address", [
    ("aino.virtanen_example.fi#EXT#@nordlearn.onmicrosoft.com", "aino.virtanen@example.fi"),
    ("first_last_partner.example.org#EXT#@tenant.onmicrosoft.com", "first_last@partner.example.org"),
    ("noseparator#EXT#@tenant.onmicrosoft.com", "noseparator#ext#@tenant.onmicrosoft.com"),
    ("member@nordlearn.onmicrosoft.com", "member@nordlearn.onmicrosoft.com"),
])
def test_a_guests_tenant_name_is_read_as_the_guests_own_address(cell, address):
    assert read_report(f"Email\n{cell}\n".encode()).addresses == [address]
