"""What an input file really is: container, codec, sample rate, channels, duration, size.

The format is read from the file's contents with PyAV (FFmpeg's demuxers), not
from its extension, so a renamed file is caught before upload. The AWS service
limits are checked by :func:`check_for_aws`; the offline engine uses
:func:`probe` alone and is more lenient.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from pathlib import Path

from medscribe.errors import MediaError
from medscribe.request import (
    AWS_MAX_CHANNELS,
    AWS_MAX_DURATION_S,
    AWS_MAX_FILE_BYTES,
    AWS_MAX_SAMPLE_RATE,
    AWS_MIN_SAMPLE_RATE,
)

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
        raise MediaError(f"{p}: no such file")
    if p.is_dir():
        raise MediaError(f"{p}: is a directory, not an audio file")
    size = p.stat().st_size
    if size == 0:
        raise MediaError(f"{p}: the file is empty")
    try:
        with av.open(str(p), metadata_errors="ignore") as container:
            streams = container.streams.audio
            if not streams:
                raise MediaError(f"{p}: the file has no audio stream")
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
        raise MediaError(f"{p}: not a readable audio file ({_short(exc)})") from None
    except av.error.FFmpegError as exc:
        raise MediaError(f"{p}: cannot read audio ({_short(exc)})") from None


def _media_format(demuxer: str, path: Path) -> str:
    if demuxer == _MP4_FAMILY:
        return "m4a" if path.suffix.lower() == ".m4a" else "mp4"
    for name, fmt in _FORMATS.items():
        if demuxer == name or name in demuxer.split(","):
            return fmt
    return demuxer.split(",")[0]


def _duration(container: object, stream: object) -> float:
    if getattr(stream, "duration", None) and getattr(stream, "time_base", None):
        return float(stream.duration * stream.time_base)  # type: ignore[attr-defined]
    if getattr(container, "duration", None):
        return float(container.duration) / 1_000_000  # type: ignore[attr-defined]
    return 0.0


def _short(exc: BaseException) -> str:
    text = getattr(exc, "strerror", None) or str(exc)
    return text.split(":")[0].strip() or type(exc).__name__


AWS_MEDIA_FORMATS = frozenset({"mp3", "mp4", "m4a", "wav", "flac", "ogg", "amr", "webm"})


def check_for_aws(info: MediaInfo, *, channel_identification: bool = False) -> None:
    """The service's limits on batch media: format, sample rate, duration, size, channels."""
    p = info.path
    if info.format not in AWS_MEDIA_FORMATS:
        raise MediaError(f"{p}: format {info.format} is not accepted by Transcribe Medical")
    if info.sample_rate < AWS_MIN_SAMPLE_RATE:
        raise MediaError(
            f"{p}: sample rate {info.sample_rate} Hz is below the 16 kHz that "
            "Transcribe Medical requires"
        )
    if info.sample_rate > AWS_MAX_SAMPLE_RATE:
        raise MediaError(f"{p}: sample rate {info.sample_rate} Hz is above 48 kHz")
    if info.duration > AWS_MAX_DURATION_S:
        raise MediaError(f"{p}: {info.duration / 3600:.1f} h is longer than the 4 h limit")
    if info.size > AWS_MAX_FILE_BYTES:
        raise MediaError(f"{p}: {info.size / 1024**3:.1f} GB is larger than the 2 GB limit")
    if channel_identification and info.channels > AWS_MAX_CHANNELS:
        raise MediaError(
            f"{p}: {info.channels} channels; channel identification takes at most 2 "
            "without a quota increase"
        )
