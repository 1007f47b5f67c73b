"""The video reader on real files (made by tests/data/media/make_media.py) and on arbitrary bytes."""

from __future__ import annotations

import struct
import tempfile
from pathlib import Path

import av
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from lms.content.probe import NotPlayable, VideoInfo, probe
from tests.conftest import ROOT

MEDIA = ROOT / "tests" / "data" / "media"
ENCODED_SECONDS = 2.0       # make_media.SECONDS
RECORDED_SECONDS = 2.5      # make_media.RECORDED_MS
TOLERANCE = 0.2
REASONS = {"not-media", "not-video", "container", "codec", "duration"}


def media(name: str) -> Path:
    path = MEDIA / name
    if not path.exists():
        pytest.skip(f"{name} was not made: its encoder is missing where make_media.py last ran")
    return path


def top_level_boxes(path: Path) -> list[bytes]:
    data, at, boxes = path.read_bytes(), 0, []
    while at + 8 <= len(data):
        size = int.from_bytes(data[at: at + 4], "big")
        boxes.append(data[at + 4: at + 8])
        if size == 1:
            size = int.from_bytes(data[at + 8: at + 16], "big")
        at += size if size else len(data)
    return boxes


@pytest.mark.parametrize(("name", "content_type", "video_codecs", "audio_codec", "seconds"), [
    ("moov-at-end.mp4", "video/mp4", {"h264"}, "aac", ENCODED_SECONDS),
    ("faststart.mp4", "video/mp4", {"h264"}, "aac", ENCODED_SECONDS),
    ("vp9.webm", "video/webm", {"vp9"}, "opus", ENCODED_SECONDS),
    ("av1.webm", "video/webm", {"av1"}, "opus", ENCODED_SECONDS),
    ("mediarecorder.webm", "video/webm", {"vp8", "vp9"}, "opus", RECORDED_SECONDS),
])
def test_playable_videos_are_accepted_with_their_length(name, content_type, video_codecs, audio_codec, seconds):
    info = probe(media(name))

    assert isinstance(info, VideoInfo)
    assert info.content_type == content_type
    assert info.video_codec in video_codecs
    assert info.audio_codec == audio_codec
    assert (info.width, info.height) == (128, 96)
    assert info.duration == pytest.approx(seconds, abs=TOLERANCE)


def test_the_bytes_decide_the_type_not_the_name(tmp_path):
    misnamed = tmp_path / "lecture.mp4"
    misnamed.write_bytes(media("vp9.webm").read_bytes())

    assert probe(misnamed).content_type == "video/webm"


def test_both_mp4_layouts_are_read_the_moov_box_after_or_before_the_media():
    assert top_level_boxes(media("moov-at-end.mp4")) == [b"ftyp", b"free", b"mdat", b"moov"]
    assert top_level_boxes(media("faststart.mp4")) == [b"ftyp", b"moov", b"free", b"mdat"]
    assert probe(media("moov-at-end.mp4")).duration == probe(media("faststart.mp4")).duration


def test_a_mediarecorder_webm_has_no_duration_in_its_header_yet_gets_one():
    path = media("mediarecorder.webm")
    with av.open(str(path)) as container:
        assert container.duration is None
        assert container.format.name == "matroska,webm"

    assert probe(path).duration == pytest.approx(RECORDED_SECONDS, abs=TOLERANCE)


@pytest.mark.parametrize(("name", "reason"), [
    ("quicktime.mov", "container"),
    ("audio.m4a", "not-video"),
    ("hevc.mp4", "codec"),
    ("h264-444.mp4", "codec"),
    ("image.heic", "container"),
    ("image.avif", "container"),
    ("matroska.mkv", "container"),
    ("ftyp-then-html.mp4", "not-media"),
    ("truncated.mp4", "not-media"),
    ("empty.webm", "not-media"),
])
def test_files_that_browsers_do_not_all_play_are_refused_with_a_reason(name, reason):
    with pytest.raises(NotPlayable) as refused:
        probe(media(name))

    assert refused.value.reason == reason


@pytest.mark.parametrize(("name", "brand"), [
    ("quicktime.mov", b"qt  "), ("audio.m4a", b"M4A "), ("image.heic", b"heic"), ("image.avif", b"avif"),
])
def test_the_refused_iso_files_carry_the_brand_they_are_refused_for(name, brand):
    head = media(name).read_bytes()[:12]
    assert head[4:8] == b"ftyp" and head[8:12] == brand


def test_the_refused_matroska_file_is_matroska_but_not_webm():
    head = media("matroska.mkv").read_bytes()[:64]
    assert head.startswith(b"\x1a\x45\xdf\xa3")
    assert b"\x42\x82\x88matroska" in head and b"webm" not in head


def test_an_mp4_that_breaks_off_before_its_last_sample_is_refused(tmp_path):
    whole = media("faststart.mp4").read_bytes()
    cut = tmp_path / "cut.mp4"
    cut.write_bytes(whole[: len(whole) * 9 // 10])

    with pytest.raises(NotPlayable) as refused:
        probe(cut)

    assert refused.value.reason == "not-media"


def test_a_webm_cut_short_is_refused_by_the_length_its_header_promises(tmp_path):
    whole = media("vp9.webm").read_bytes()
    cut = tmp_path / "cut.webm"
    cut.write_bytes(whole[: len(whole) * 4 // 10])

    with pytest.raises(NotPlayable) as refused:
        probe(cut)

    assert refused.value.reason == "duration"


def webm_with_header_duration(tmp_path: Path, milliseconds: float) -> Path:
    """vp9.webm with another Segment Duration (an 8-byte float in milliseconds) in its header."""
    data = media("vp9.webm").read_bytes()
    at = data.index(b"\x44\x89\x88") + 3
    path = tmp_path / "changed.webm"
    path.write_bytes(data[:at] + struct.pack(">d", milliseconds) + data[at + 8:])
    return path


@pytest.mark.parametrize("milliseconds", [float("nan"), float("inf"), 0.0, -2000.0])
def test_a_header_duration_that_is_no_length_gives_way_to_the_packets(tmp_path, milliseconds):
    info = probe(webm_with_header_duration(tmp_path, milliseconds))

    assert info.duration == pytest.approx(ENCODED_SECONDS, abs=TOLERANCE)


@pytest.mark.parametrize("milliseconds", [25 * 3600 * 1000.0, 60_000.0, 1.0])
def test_a_header_duration_the_packets_do_not_bear_out_is_refused(tmp_path, milliseconds):
    with pytest.raises(NotPlayable) as refused:
        probe(webm_with_header_duration(tmp_path, milliseconds))

    assert refused.value.reason == "duration"


@pytest.mark.parametrize(("head", "reason"), [
    (b"\x89PNG\r\n\x1a\n", "not-video"),
    (b"ID3\x04\x00\x00\x00\x00\x00\x00", "not-video"),
    (b"RIFF\x00\x00\x00\x00AVI LIST", "container"),
    (b"\x00\x00\x00\x08wide\x00\x00\x00\x10mdat", "container"),
    (b"<!DOCTYPE html><html></html>", "not-media"),
])
def test_other_files_are_told_apart_by_their_first_bytes(tmp_path, head, reason):
    path = tmp_path / "upload"
    path.write_bytes(head + bytes(64))

    with pytest.raises(NotPlayable) as refused:
        probe(path)

    assert refused.value.reason == reason


SAMPLES = ("moov-at-end.mp4", "faststart.mp4", "vp9.webm", "mediarecorder.webm", "quicktime.mov",
           "matroska.mkv", "image.heic")


@st.composite
def hostile_bytes(draw) -> bytes:
    """Arbitrary bytes, bytes behind a real MP4 or WebM opening, or a real file with bytes changed
    or cut off."""
    kind = draw(st.sampled_from(["any", "behind-a-header", "changed"]))
    if kind == "any":
        return draw(st.binary(max_size=4096))
    if kind == "behind-a-header":
        opening = draw(st.sampled_from([
            b"\x00\x00\x00\x18ftypisom\x00\x00\x02\x00isomiso2",
            (b"\x1a\x45\xdf\xa3\x9f\x42\x86\x81\x01\x42\xf7\x81\x01\x42\xf2\x81\x04\x42\xf3\x81\x08"
             b"\x42\x82\x84webm\x42\x87\x81\x04\x42\x85\x81\x02"),
        ]))
        return opening + draw(st.binary(max_size=4096))
    data = bytearray((MEDIA / draw(st.sampled_from(SAMPLES))).read_bytes())
    for at, value in draw(st.lists(st.tuples(st.integers(0, len(data) - 1), st.integers(0, 255)), max_size=16)):
        data[at] = value
    return bytes(data[: draw(st.integers(0, len(data)))])


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(data=hostile_bytes())
def test_any_bytes_are_either_a_video_or_refused_with_a_reason(data):
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "upload"
        path.write_bytes(data)
        try:
            info = probe(path)
        except NotPlayable as refused:
            assert refused.reason in REASONS
        else:
            assert info.content_type in ("video/mp4", "video/webm")
            assert 0 < info.duration <= 24 * 3600
            assert info.width > 0 and info.height > 0
