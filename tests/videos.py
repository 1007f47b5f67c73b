"""Small real videos and subtitle tracks for the tests, made on the spot."""

from __future__ import annotations

import io
from functools import cache


@cache
def webm(seconds: int = 60, fps: int = 2) -> bytes:
    """A playable VP8 WebM of ``seconds`` seconds (a few KiB), with its length in the header."""
    import av

    buffer = io.BytesIO()
    with av.open(buffer, mode="w", format="webm") as container:
        stream = container.add_stream("libvpx", rate=fps)
        stream.width, stream.height, stream.pix_fmt = 64, 48, "yuv420p"
        for index in range(seconds * fps):
            frame = av.VideoFrame(64, 48, "yuv420p")
            for plane in frame.planes:
                plane.update(bytes([(index * 7) % 255]) * plane.buffer_size)
            for packet in stream.encode(frame):
                container.mux(packet)
        for packet in stream.encode():
            container.mux(packet)
    return buffer.getvalue()


def vtt(*cues: tuple[str, str, str]) -> str:
    """``("00:00.000", "00:04.000", "text"), …`` as a WebVTT track."""
    return "WEBVTT\n\n" + "\n".join(f"{start} --> {end}\n{text}\n" for start, end, text in cues)
