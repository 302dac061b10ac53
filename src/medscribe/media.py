"""What an input file really is: container, codec, sample rate, channels, duration, size.

The format is read from the file's contents with PyAV (FFmpeg's demuxers), not
from its extension, so a renamed file is caught before upload. What a backend
accepts is not decided here: the service's limits are in
:mod:`medscribe.backends.aws.rules`, the engine's in
:mod:`medscribe.backends.local.rules`; both start from :func:`probe`.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from medscribe.errors import MediaError

if TYPE_CHECKING:
    import av

log = logging.getLogger(__name__)

#: FFmpeg demuxer names -> the MediaFormat values of StartMedicalTranscriptionJob.
_FORMATS = {
    "wav": "wav",
    "flac": "flac",
    "mp3": "mp3",
    "ogg": "ogg",
    "amr": "amr",
    "matroska,webm": "webm",
    "webm": "webm",
}
_MP4_FAMILY = "mov,mp4,m4a,3gp,3g2,mj2"


@dataclass(frozen=True, slots=True)
class MediaInfo:
    path: Path
    #: The service's MediaFormat: wav, flac, mp3, mp4, m4a, ogg, amr or webm.
    format: str
    codec: str
    sample_rate: int
    channels: int
    duration: float
    size: int


def probe(path: str | Path) -> MediaInfo:
    """Open ``path`` with FFmpeg and describe its first audio stream.

    Raises :class:`MediaError` with one clear sentence for a missing file, a
    file that is not audio, or one that is truncated or corrupt.
    """
    import av  # imported here: the CLI's start-up should not pay for FFmpeg

    p = Path(path)
    if not p.exists():
        raise MediaError(f"{p}: no such file", path=p)
    if p.is_dir():
        raise MediaError(f"{p}: is a directory, not an audio file", path=p)
    size = p.stat().st_size
    if size == 0:
        raise MediaError(f"{p}: the file is empty", path=p)
    try:
        with av.open(str(p), metadata_errors="ignore") as container:
            streams = container.streams.audio
            if not streams:
                raise MediaError(f"{p}: the file has no audio stream", path=p)
            stream = streams[0]
            fmt = _media_format(container.format.name, p)
            duration = _duration(container, stream)
            return MediaInfo(
                path=p,
                format=fmt,
                codec=stream.codec_context.name,
                sample_rate=int(stream.codec_context.sample_rate or 0),
                channels=int(stream.codec_context.channels or 0),
                duration=duration,
                size=size,
            )
    except MediaError:
        raise
    except (av.error.InvalidDataError, av.error.EOFError, ValueError) as exc:
        raise MediaError(f"{p}: not a readable audio file ({_short(exc)})", path=p) from None
    except av.error.FFmpegError as exc:
        raise MediaError(f"{p}: cannot read audio ({_short(exc)})", path=p) from None


def _media_format(demuxer: str, path: Path) -> str:
    if demuxer == _MP4_FAMILY:
        return "m4a" if path.suffix.lower() == ".m4a" else "mp4"
    for name, fmt in _FORMATS.items():
        if demuxer == name or name in demuxer.split(","):
            return fmt
    return demuxer.split(",")[0]


def _duration(container: av.container.InputContainer, stream: av.audio.AudioStream) -> float:
    if stream.duration and stream.time_base:
        return float(stream.duration * stream.time_base)
    if container.duration:
        return float(container.duration) / 1_000_000  # microseconds (av.time_base)
    return 0.0


def _short(exc: BaseException) -> str:
    text = getattr(exc, "strerror", None) or str(exc)
    return text.split(":")[0].strip() or type(exc).__name__
