"""Whether a file is a video that browsers play, and how long it lasts, read with PyAV over the whole file.

Accepted: MP4 (ISO base media, not QuickTime, not a HEIF/AVIF picture) with H.264 in a profile that
browsers decode and, if any, AAC sound; WebM (Matroska whose DocType is ``webm``) with VP8, VP9 or AV1
and, if any, Opus or Vorbis sound. Everything else raises :class:`NotPlayable`, and so does a file that
FFmpeg cannot read to its end, or that ends before its MP4 sample tables or its WebM header say.

The container is recognised here from its first bytes, not by FFmpeg's guess, so only FFmpeg's ``mov``
and ``matroska`` demuxers ever see a file. FFmpeg may decode a frame or two while it learns the
streams (within ``PROBE_BYTES``); after that every packet is read and none decoded. The duration is
the header's once the packets bear it out (to within a second, or 1 % of a long video); a WebM written
by a browser's MediaRecorder has none in its header and gets the end of its last packet.
"""

from __future__ import annotations

import math
import time
from dataclasses import dataclass
from pathlib import Path

import av
from av.audio.stream import AudioStream
from av.container import InputContainer
from av.stream import Stream
from av.video.stream import VideoStream

MP4, WEBM = "video/mp4", "video/webm"
HEAD_BYTES = 64 * 1024
MAX_SECONDS = 24 * 3600
PROBE_BYTES = 8 * 1024 * 1024          # what FFmpeg may read to learn the streams
ANALYZE_MICROSECONDS = 10_000_000
MAX_STREAMS = 16
READ_TIMEOUT = 30.0                     # seconds for any one FFmpeg call
SCAN_SECONDS = 300.0                    # for the pass over every packet
MAX_PACKETS = 20_000_000                # 24 hours at 60 frames a second, with sound, fit easily
LEEWAY_SECONDS = 1.0                    # how far the packets may end from where the header says

VIDEO_CODECS = {MP4: frozenset({"h264"}), WEBM: frozenset({"vp8", "vp9", "av1"})}
AUDIO_CODECS = {MP4: frozenset({"aac"}), WEBM: frozenset({"opus", "vorbis"})}
H264_PROFILES = frozenset({"Constrained Baseline", "Baseline", "Main", "High"})
QUICKTIME_BRANDS = frozenset({b"qt  "})
PICTURE_BRANDS = frozenset({b"heic", b"heix", b"heim", b"heis", b"hevc", b"hevx", b"mif1", b"msf1",
                            b"avif", b"avis", b"avio"})
BOXES_WITHOUT_FTYP = frozenset({b"moov", b"mdat", b"wide", b"free", b"skip", b"pnot"})
EBML_MAGIC = b"\x1a\x45\xdf\xa3"
EBML_DOCTYPE = 0x4282
PICTURE_OR_SOUND = (b"\x89PNG\r\n\x1a\n", b"\xff\xd8\xff", b"GIF87a", b"GIF89a", b"ID3", b"fLaC")
OTHER_CONTAINERS = (b"OggS", b"FLV\x01", b"\x00\x00\x01\xba", b"\x30\x26\xb2\x75\x8e\x66\xcf\x11")


class NotPlayable(Exception):
    """The file is not a video that NordLearn serves. ``reason`` is one of:

    ``not-media``: no container that can be read (nor a known picture or sound file), or one that
    breaks off before its end;
    ``not-video``: no moving picture: sound only, or a still picture;
    ``container``: a video, but not in MP4 or WebM (QuickTime, Matroska that is not WebM, AVI, Ogg,
    a HEIF/AVIF picture, ...);
    ``codec``: a picture or sound coding that browsers do not all play in that container;
    ``duration``: no positive, finite duration of at most 24 hours, or a header whose duration the
    packets do not bear out (a WebM cut short, or one whose header was changed).
    """

    def __init__(self, reason: str, detail: str = "") -> None:
        super().__init__(f"{reason}: {detail}" if detail else reason)
        self.reason = reason
        self.detail = detail


@dataclass(frozen=True)
class VideoInfo:
    content_type: str
    duration: float
    video_codec: str
    audio_codec: str | None
    width: int
    height: int


def probe(path: Path) -> VideoInfo:
    """What the video at ``path`` is, or :class:`NotPlayable` saying why it is refused."""
    with Path(path).open("rb") as handle:
        content_type = container_type(handle.read(HEAD_BYTES))
    try:
        with av.open(str(path), format="mov" if content_type == MP4 else "matroska",
                     container_options={"probesize": str(PROBE_BYTES),
                                        "analyzeduration": str(ANALYZE_MICROSECONDS),
                                        "max_streams": str(MAX_STREAMS)},
                     metadata_errors="replace", timeout=(READ_TIMEOUT, READ_TIMEOUT)) as container:
            video, audio = playable_streams(container, content_type)
            header = seconds(container.duration)
            start = seconds(container.start_time)
            if content_type == MP4:
                check_complete(container, Path(path).stat().st_size)
            end, first = packets_end(container)
            return VideoInfo(content_type=content_type,
                             duration=chosen_duration(header, end - (first if start is None else start)),
                             video_codec=codec_name(video),
                             audio_codec=codec_name(audio) if audio is not None else None,
                             width=video.codec_context.width, height=video.codec_context.height)
    except (av.FFmpegError, OSError, ValueError, EOFError, OverflowError, MemoryError, UnicodeError) as error:
        raise NotPlayable("not-media", f"{type(error).__name__}: {error}") from error


def seconds(microseconds: int | None) -> float | None:
    return microseconds / 1_000_000 if microseconds is not None else None


# ---------------------------------------------------------------- the container, from the first bytes


def container_type(head: bytes) -> str:
    """``video/mp4`` or ``video/webm`` from the file's first bytes, or :class:`NotPlayable`."""
    if head[4:8] == b"ftyp":
        check_brands(head)
        return MP4
    if head.startswith(EBML_MAGIC):
        doctype = ebml_doctype(head)
        if doctype != b"webm":
            raise NotPlayable("container", f"Matroska DocType {doctype!r}, not webm")
        return WEBM
    if head[4:8] in BOXES_WITHOUT_FTYP:
        raise NotPlayable("container", "QuickTime without a file type box")
    if head.startswith(PICTURE_OR_SOUND) or head[:4] == b"RIFF" and head[8:12] in (b"WEBP", b"WAVE"):
        raise NotPlayable("not-video", "a picture or sound file")
    if head.startswith(OTHER_CONTAINERS) or head[:4] == b"RIFF" and head[8:12] == b"AVI ":
        raise NotPlayable("container", "neither MP4 nor WebM")
    raise NotPlayable("not-media", "no MP4 or WebM header")


def check_brands(head: bytes) -> None:
    """Refuse QuickTime and HEIF/AVIF pictures by the ``ftyp`` box's major and compatible brands."""
    size = int.from_bytes(head[:4], "big")
    if size < 16 or size > len(head) or size % 4:
        raise NotPlayable("not-media", "unreadable file type box")
    major = head[8:12]
    compatible = {head[at: at + 4] for at in range(16, size, 4)}
    if major in QUICKTIME_BRANDS:
        raise NotPlayable("container", "QuickTime movie")
    if PICTURE_BRANDS & ({major} | compatible):
        raise NotPlayable("container", "HEIF or AVIF picture")


def ebml_doctype(head: bytes) -> bytes:
    """The DocType in the EBML header at the start of ``head`` (``matroska`` when absent, as the
    specification says)."""
    at = len(EBML_MAGIC)
    size, at = ebml_number(head, at, keep_marker=False)
    end = at + size
    if end > len(head):
        raise NotPlayable("not-media", "EBML header longer than expected")
    while at < end:
        element, at = ebml_number(head, at, keep_marker=True)
        size, at = ebml_number(head, at, keep_marker=False)
        if at + size > end:
            raise NotPlayable("not-media", "EBML header element runs past the header")
        if element == EBML_DOCTYPE:
            return head[at: at + size].rstrip(b"\x00")
        at += size
    return b"matroska"


def ebml_number(data: bytes, at: int, *, keep_marker: bool) -> tuple[int, int]:
    """An EBML variable-length integer at ``at``: its value and where the next one starts."""
    if at >= len(data) or data[at] == 0:
        raise NotPlayable("not-media", "unreadable EBML header")
    length = 9 - data[at].bit_length()
    if at + length > len(data):
        raise NotPlayable("not-media", "unreadable EBML header")
    value = int.from_bytes(data[at: at + length], "big")
    if not keep_marker:
        value &= (1 << (7 * length)) - 1
    return value, at + length


# ---------------------------------------------------------------- the streams, as FFmpeg reads them


def playable_streams(container: InputContainer, content_type: str) -> tuple[VideoStream, AudioStream | None]:
    """The first video stream and the first sound stream (or None), once every stream of either kind
    is one that browsers play in ``content_type``."""
    videos = [s for s in container.streams.video
              if not s.disposition & (av.stream.Disposition.attached_pic | av.stream.Disposition.still_image)]
    audios = list(container.streams.audio)
    if not videos:
        raise NotPlayable("not-video", "no video stream")
    for stream in videos:
        name = codec_name(stream)
        if name not in VIDEO_CODECS[content_type]:
            raise NotPlayable("codec", f"video {name or 'unknown'} in {content_type}")
        if name == "h264" and stream.codec_context.profile not in H264_PROFILES:
            raise NotPlayable("codec", f"H.264 profile {stream.codec_context.profile}")
        if stream.codec_context.width <= 0 or stream.codec_context.height <= 0:
            raise NotPlayable("codec", "video without a picture size")
    for stream in audios:
        name = codec_name(stream)
        if name not in AUDIO_CODECS[content_type]:
            raise NotPlayable("codec", f"audio {name or 'unknown'} in {content_type}")
    return videos[0], audios[0] if audios else None


def codec_name(stream: Stream) -> str | None:
    """FFmpeg's name for the coding (``h264``, ``av1``), whichever decoder would read it."""
    return stream.codec_context.codec.canonical_name if stream.codec_context is not None else None


def packets_end(container: InputContainer) -> tuple[float, float]:
    """Demux every packet, decoding none: where the last one ends and where the first starts, in
    seconds. A packet without a duration (Matroska's SimpleBlocks) lasts as long as the gap before
    it in its stream. A file with too many packets, or too slow to read, is refused."""
    deadline = time.monotonic() + SCAN_SECONDS
    end, first, count = -math.inf, math.inf, 0
    previous: dict[int, float] = {}
    gap: dict[int, float] = {}
    for packet in container.demux():
        stamp = packet.pts if packet.pts is not None else packet.dts
        if stamp is None or packet.time_base is None:
            continue
        at, index = stamp * float(packet.time_base), packet.stream.index
        if at > previous.get(index, math.inf):
            gap[index] = at - previous[index]
        previous[index] = at
        length = packet.duration * float(packet.time_base) if packet.duration else gap.get(index, 0.0)
        first, end = min(first, at), max(end, at + max(length, 0.0))
        count += 1
        if count % 1024 == 0 and (count > MAX_PACKETS or time.monotonic() > deadline):
            raise NotPlayable("duration", "too many packets to read the duration")
    if count == 0:
        raise NotPlayable("not-media", "no packets")
    return end, first


def check_complete(container: InputContainer, size: int) -> None:
    """An MP4's sample tables say where every packet lies: refuse a file that ends before the last."""
    for stream in container.streams:
        entries = stream.index_entries
        if len(entries) and entries[-1].pos + entries[-1].size > size:
            raise NotPlayable("not-media", f"the file breaks off at byte {size}")


def chosen_duration(header: float | None, packets: float) -> float:
    """The header's duration when it is plausible, else the packets'; in seconds."""
    if header is not None and math.isfinite(header) and header > 0:
        if header > MAX_SECONDS:
            raise NotPlayable("duration", f"{header:.0f} s is longer than 24 hours")
        if not abs(packets - header) <= max(LEEWAY_SECONDS, header / 100):
            raise NotPlayable("duration", f"the header says {header:.3f} s, the packets {packets:.3f} s")
        return round(header, 3)
    if not math.isfinite(packets) or packets <= 0:
        raise NotPlayable("duration", "no duration")
    if packets > MAX_SECONDS:
        raise NotPlayable("duration", f"{packets:.0f} s is longer than 24 hours")
    return round(packets, 3)
