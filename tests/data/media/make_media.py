"""Make the small media files beside this script, which the video reader's tests use.

Run from the repository root::

    .venv/bin/python tests/data/media/make_media.py            # every file
    .venv/bin/python tests/data/media/make_media.py vp9.webm   # only some

What makes each file (128×96 pixels, 15 frames a second; a 440 Hz tone):

=====================  =====================================================================
mediarecorder.webm     Debian's Chromium (``/usr/bin/chromium``), driven by Playwright,
                       records a canvas ``captureStream(30)`` and a WebAudio oscillator with
                       ``MediaRecorder`` (VP8 or VP9 + Opus) for 2.5 s; the blob comes back as
                       base64 from ``page.evaluate``. Like every file that MediaRecorder
                       writes, its header holds no duration.
moov-at-end.mp4        PyAV: libx264 + aac, 2.0 s, the mp4 muxer's default layout
                       (``mdat`` before ``moov``).
faststart.mp4          the same with ``movflags=faststart`` (``moov`` before ``mdat``).
vp9.webm               PyAV: libvpx-vp9 + libopus, 2.0 s.
av1.webm               PyAV: libaom-av1 or else libsvtav1 + libopus, 2.0 s (left out, with a
                       note, when neither encoder is there).
quicktime.mov          PyAV: libx264 + aac in the mov muxer (major brand ``qt  ``).
audio.m4a              PyAV: aac alone in the ipod muxer (major brand ``M4A ``).
hevc.mp4               PyAV: libx265 + aac, 2.0 s (left out when libx265 is missing).
h264-444.mp4           PyAV: libx264 from yuv444p frames (profile High 4:4:4 Predictive,
                       which browsers do not play) + aac.
matroska.mkv           PyAV: libvpx (VP8) + libopus in the matroska muxer (DocType
                       ``matroska``).
image.heic             pillow-heif: a still picture as HEIC.
image.avif             Pillow: a still picture as AVIF.
ftyp-then-html.mp4     by hand: ``\\x00\\x00\\x00\\x18ftyp`` + ``isom`` + an HTML page.
truncated.mp4          the first half of moov-at-end.mp4 (its ``moov`` is lost).
empty.webm             no bytes at all.
=====================  =====================================================================

Last made with Chromium 156 (its MediaRecorder chose VP9 + Opus), PyAV 18.1 and its FFmpeg 8
(libavformat 62; libaom-av1 missing, so av1.webm came from SVT-AV1 4.3), Pillow 13.0 and
pillow-heif 1.9.

Making them needs, beyond the project's own packages, ``pillow`` and ``pillow-heif`` (for the
two pictures) and Debian's Chromium (driven by the ``playwright`` package); the tests need none of
these.
"""

from __future__ import annotations

import base64
import fractions
import math
import os
import struct
import sys
from collections.abc import Callable
from pathlib import Path

import av

HERE = Path(__file__).resolve().parent
WIDTH, HEIGHT, FPS = 128, 96, 15
SAMPLE_RATE = 48_000
SECONDS = 2.0
RECORDED_MS = 2500
CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync", "--no-first-run"]


def has_encoder(name: str) -> bool:
    try:
        av.codec.Codec(name, "w")
    except (av.FFmpegError, ValueError):
        return False
    return True


def video_frame(index: int, pix_fmt: str) -> av.VideoFrame:
    """A grey ramp whose bright bar moves one column band a frame."""
    frame = av.VideoFrame(WIDTH, HEIGHT, pix_fmt)
    bar = (index * 8) % WIDTH
    for number, plane in enumerate(frame.planes):
        if number == 0:
            row = bytes(235 if bar <= x < bar + 16 else 16 + x for x in range(plane.width))
            row += bytes(plane.line_size - plane.width)
            plane.update(row * plane.height)
        else:
            plane.update(bytes([128]) * plane.buffer_size)
    frame.pts = index
    frame.time_base = fractions.Fraction(1, FPS)
    return frame


def audio_frames(encoder: av.AudioCodecContext, seconds: float):
    """A 440 Hz tone in frames of the encoder's size, in its sample format."""
    size = encoder.frame_size or 1024
    total = int(seconds * SAMPLE_RATE)
    float_samples = encoder.format.name in ("flt", "fltp")
    for start in range(0, total, size):
        count = min(size, total - start)
        values = [0.3 * math.sin(2 * math.pi * 440 * (start + i) / SAMPLE_RATE) for i in range(count)]
        frame = av.AudioFrame(format=encoder.format.name, layout="mono", samples=count)
        data = struct.pack(f"<{count}f", *values) if float_samples else \
            struct.pack(f"<{count}h", *(int(v * 32767) for v in values))
        frame.planes[0].update(data + bytes(frame.planes[0].buffer_size - len(data)))
        frame.sample_rate = SAMPLE_RATE
        frame.pts = start
        frame.time_base = fractions.Fraction(1, SAMPLE_RATE)
        yield frame


def encode(path: Path, *, format: str, video: str | None, audio: str | None, pix_fmt: str = "yuv420p",
           options: dict[str, str] | None = None, video_options: dict[str, str] | None = None) -> None:
    """``SECONDS`` of the moving bar and the tone, written by PyAV's own muxer."""
    with av.open(str(path), mode="w", format=format, options=options or {}) as container:
        streams = []
        if video:
            stream = container.add_stream(video, rate=FPS, options=video_options or {})
            stream.width, stream.height, stream.pix_fmt = WIDTH, HEIGHT, pix_fmt
            if "crf" not in (video_options or {}):
                stream.bit_rate = 100_000
            streams.append((stream, (video_frame(i, pix_fmt) for i in range(int(SECONDS * FPS)))))
        if audio:
            stream = container.add_stream(audio, rate=SAMPLE_RATE, layout="mono")
            stream.bit_rate = 32_000
            streams.append((stream, audio_frames(stream.codec_context, SECONDS)))
        for stream, frames in streams:
            for frame in frames:
                container.mux(stream.encode(frame))
            container.mux(stream.encode(None))


def make_mp4(path: Path, faststart: bool) -> None:
    encode(path, format="mp4", video="libx264", audio="aac",
           options={"movflags": "faststart"} if faststart else None,
           video_options={"preset": "veryfast", "crf": "32"})


def make_webm(path: Path, video: str, video_options: dict[str, str]) -> None:
    encode(path, format="webm", video=video, audio="libopus", video_options=video_options)


def make_av1(path: Path) -> None:
    if has_encoder("libaom-av1"):
        make_webm(path, "libaom-av1", {"cpu-used": "8", "crf": "45"})
    elif has_encoder("libsvtav1"):
        os.environ.setdefault("SVT_LOG", "1")  # errors only
        make_webm(path, "libsvtav1", {"preset": "11", "crf": "50"})
    else:
        raise LookupError("no AV1 encoder (libaom-av1 or libsvtav1) in this FFmpeg")


def make_hevc(path: Path) -> None:
    if not has_encoder("libx265"):
        raise LookupError("no H.265 encoder (libx265) in this FFmpeg")
    encode(path, format="mp4", video="libx265", audio="aac",
           video_options={"preset": "ultrafast", "crf": "35", "x265-params": "log-level=error"})


def make_picture(path: Path) -> None:
    from PIL import Image

    if path.suffix == ".heic":
        import pillow_heif

        pillow_heif.register_heif_opener()
    picture = Image.new("RGB", (WIDTH, HEIGHT))
    picture.putdata([(x * 2, y * 2, 128) for y in range(HEIGHT) for x in range(WIDTH)])
    picture.save(path, quality=50)


def make_ftyp_then_html(path: Path) -> None:
    page = b"<!DOCTYPE html><html><head><title>Lecture</title></head><body><p>Not a video.</p></body></html>\n"
    path.write_bytes(b"\x00\x00\x00\x18ftyp" + b"isom" + page)


def make_truncated(path: Path) -> None:
    whole = HERE / "moov-at-end.mp4"
    if not whole.exists():
        make_mp4(whole, faststart=False)
    data = whole.read_bytes()
    path.write_bytes(data[: len(data) // 2])


RECORDER_SCRIPT = """
async ({milliseconds, width, height}) => {
  const canvas = document.createElement("canvas");
  canvas.width = width; canvas.height = height;
  document.body.append(canvas);
  const paint = canvas.getContext("2d");
  let running = true;
  const draw = (now) => {
    paint.fillStyle = "#202020"; paint.fillRect(0, 0, canvas.width, canvas.height);
    paint.fillStyle = "#e0e0e0"; paint.fillRect((now / 10) % canvas.width, 0, 16, canvas.height);
    if (running) requestAnimationFrame(draw);
  };
  requestAnimationFrame(draw);
  const audio = new AudioContext();
  await audio.resume();
  const tone = audio.createOscillator();
  tone.frequency.value = 440;
  const out = audio.createMediaStreamDestination();
  tone.connect(out);
  tone.start();
  const stream = new MediaStream([...canvas.captureStream(30).getVideoTracks(), ...out.stream.getAudioTracks()]);
  const type = ["video/webm;codecs=vp9,opus", "video/webm;codecs=vp8,opus"].find(
    (t) => MediaRecorder.isTypeSupported(t));
  const recorder = new MediaRecorder(stream, {mimeType: type, videoBitsPerSecond: 150000, audioBitsPerSecond: 32000});
  const chunks = [];
  recorder.ondataavailable = (event) => chunks.push(event.data);
  const stopped = new Promise((resolve) => { recorder.onstop = resolve; });
  recorder.start(500);
  await new Promise((resolve) => setTimeout(resolve, milliseconds));
  recorder.stop();
  await stopped;
  running = false;
  tone.stop();
  await audio.close();
  const bytes = new Uint8Array(await new Blob(chunks, {type}).arrayBuffer());
  let text = "";
  for (let i = 0; i < bytes.length; i += 0x8000) text += String.fromCharCode(...bytes.subarray(i, i + 0x8000));
  return {type, data: btoa(text)};
}
"""


def make_mediarecorder(path: Path) -> None:
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        try:
            page = browser.new_page()
            page.set_content("<!DOCTYPE html><title>recorder</title><body></body>")
            result = page.evaluate(RECORDER_SCRIPT, {"milliseconds": RECORDED_MS, "width": WIDTH, "height": HEIGHT})
        finally:
            browser.close()
    path.write_bytes(base64.b64decode(result["data"]))
    with av.open(str(path)) as container:
        if container.duration is not None:
            raise RuntimeError(f"{path.name}: expected no duration in the header, found {container.duration}")
    print(f"{path.name}: {result['type']}")


MAKERS: dict[str, Callable[[Path], None]] = {
    "mediarecorder.webm": make_mediarecorder,
    "moov-at-end.mp4": lambda path: make_mp4(path, faststart=False),
    "faststart.mp4": lambda path: make_mp4(path, faststart=True),
    "vp9.webm": lambda path: make_webm(path, "libvpx-vp9", {"deadline": "realtime", "cpu-used": "8", "crf": "45"}),
    "av1.webm": make_av1,
    "quicktime.mov": lambda path: encode(path, format="mov", video="libx264", audio="aac",
                                         video_options={"preset": "veryfast", "crf": "32"}),
    "audio.m4a": lambda path: encode(path, format="ipod", video=None, audio="aac"),
    "hevc.mp4": make_hevc,
    "h264-444.mp4": lambda path: encode(path, format="mp4", video="libx264", audio="aac", pix_fmt="yuv444p",
                                        video_options={"preset": "veryfast", "crf": "32"}),
    "matroska.mkv": lambda path: encode(path, format="matroska", video="libvpx", audio="libopus"),
    "image.heic": make_picture,
    "image.avif": make_picture,
    "ftyp-then-html.mp4": make_ftyp_then_html,
    "truncated.mp4": make_truncated,
    "empty.webm": lambda path: path.write_bytes(b""),
}


def main(names: list[str]) -> int:
    for name in names or list(MAKERS):
        path = HERE / name
        try:
            MAKERS[name](path)
        except LookupError as missing:
            path.unlink(missing_ok=True)
            print(f"{name}: left out, {missing}")
            continue
        print(f"{name}: {path.stat().st_size:,} bytes")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
