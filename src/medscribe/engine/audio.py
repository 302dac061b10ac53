"""The decode stage: any common file -> 16 kHz float32 samples, in bounded blocks and windows.

This module owns decoding and resampling, and the engine's memory plan: the
recognition windows (:data:`WINDOW_S`). It uses PyAV (FFmpeg's demuxers,
decoders and ``swresample``), the library faster-whisper itself decodes with, so
wav, flac, mp3, ogg/opus, m4a and webm at 8 to 48 kHz all work and nothing is
shelled out. What is ours is small and has reasons:

* Blocks: :func:`iter_blocks` yields fixed-size blocks while it decodes, so a
  2-hour recording never exists in memory as one array plus copies
  (faster-whisper's ``decode_audio`` builds the whole signal twice).
* Windows: :func:`iter_windows` groups blocks into long windows (10 minutes by
  default) and cuts each at the quietest moment near its end, so a word is not
  split between two recognition calls; :func:`views` cuts an already decoded
  signal the same way (speaker partitioning needs the whole signal).
* Errors: a missing file, a file that is not audio, a corrupt or truncated one
  each raise :class:`~medscribe.errors.MediaError` with one sentence. Silent or
  zero-length audio is not an error: it decodes to an empty or silent array.

Rates below 16 kHz are accepted with a logging warning (the 16 kHz minimum is a
rule of the AWS service, not of Whisper, which resamples everything to 16 kHz).
"""

from __future__ import annotations

import logging
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np

from medscribe.errors import MediaError
from medscribe.media import MediaInfo, probe

if TYPE_CHECKING:  # PyAV is imported when a file is first decoded
    from av.audio.resampler import AudioResampler

log = logging.getLogger(__name__)

#: Whisper's input rate; every array this module returns is at this rate.
SAMPLE_RATE = 16_000
#: Length of the recognition windows (seconds) and how far around it a cut may move.
WINDOW_S = 600.0
WINDOW_SEARCH_S = 10.0
#: Below this a recording is accepted but quality suffers (warned once per file).
LOW_RATE_WARNING = 16_000
#: A file whose decoded length falls this far short of its header is truncated.
_TRUNCATION_TOLERANCE_S = 0.5
#: Decoding errors tolerated (skipped frames) before a file counts as corrupt.
_MAX_BAD_PACKETS = 3


@dataclass(frozen=True, slots=True)
class Window:
    """A stretch of decoded audio and where it starts in the file (seconds)."""

    offset: float
    audio: np.ndarray


def check(path: str | Path) -> MediaInfo:
    """Probe ``path`` and refuse, before any work, what can be seen up front (cut-off WAV data).

    Truncation of compressed formats only shows while decoding; :func:`iter_blocks`
    raises then.
    """
    info = probe(path)
    _check_wav_header(info)
    _check_ogg_end(info)
    return info


def decode(path: str | Path, *, split_channels: bool = False) -> np.ndarray:
    """The whole file at 16 kHz float32: mono ``(N,)``, or ``(channels, N)`` when split.

    For long recordings prefer :func:`iter_blocks`/:func:`iter_windows`.
    """
    blocks = list(iter_blocks(path, 60.0, split_channels=split_channels))
    if not blocks:
        info = probe(path)
        return _empty(info.channels if split_channels else None)
    if len(blocks) == 1:
        return blocks[0]
    return np.concatenate(blocks, axis=-1)


def iter_blocks(
    path: str | Path, seconds: float = 30.0, *, split_channels: bool = False
) -> Iterator[np.ndarray]:
    """Yield consecutive blocks of ``seconds`` of audio (the last one shorter).

    Memory stays bounded by one block plus one decoded frame, whatever the file's
    length. Blocks are mono ``(n,)`` or ``(channels, n)`` when ``split_channels``.
    Raises :class:`MediaError` for a bad file (before the first block when the
    file cannot be opened, at the end when it turns out truncated).
    """
    if seconds <= 0:
        raise ValueError("seconds must be positive")
    info = check(path)
    if 0 < info.sample_rate < LOW_RATE_WARNING:
        # No file name: logs (the worker's among them) never carry patient data.
        log.warning("sample rate %d Hz is below 16 kHz; accuracy may suffer", info.sample_rate)
    size = round(seconds * SAMPLE_RATE)
    pending: list[np.ndarray] = []
    pending_len = 0
    total = 0
    promised: list[float] = []
    for chunk in _decoded_chunks(info, promised, split_channels=split_channels):
        pending.append(chunk)
        pending_len += chunk.shape[-1]
        total += chunk.shape[-1]
        while pending_len >= size:
            joined = np.concatenate(pending, axis=-1) if len(pending) > 1 else pending[0]
            yield joined[..., :size]
            rest = joined[..., size:]
            # Copy the remainder so the yielded block's buffer can be freed.
            pending = [rest.copy()] if rest.shape[-1] else []
            pending_len = rest.shape[-1]
    if pending_len:
        yield np.concatenate(pending, axis=-1) if len(pending) > 1 else pending[0]
    _check_complete(info, total, promised[0] if promised else 0.0)


def iter_windows(
    path: str | Path,
    seconds: float = WINDOW_S,
    *,
    split_channels: bool = False,
    search: float = WINDOW_SEARCH_S,
) -> Iterator[Window]:
    """Yield windows of about ``seconds``, each cut at the quietest point of its last ``search`` s.

    The audio after the cut is carried into the next window, so windows cover the
    file exactly once and in order. Memory: about two windows at most.
    """
    block_s = min(30.0, seconds)
    offset_samples = 0
    buffer: list[np.ndarray] = []
    buffered = 0
    target = round(seconds * SAMPLE_RATE)
    for block in iter_blocks(path, block_s, split_channels=split_channels):
        buffer.append(block)
        buffered += block.shape[-1]
        if buffered < target + int(search * SAMPLE_RATE):
            continue
        joined = np.concatenate(buffer, axis=-1)
        cut = quiet_point(joined, target, int(search * SAMPLE_RATE))
        yield Window(offset_samples / SAMPLE_RATE, joined[..., :cut])
        offset_samples += cut
        rest = joined[..., cut:].copy()
        del joined
        buffer = [rest] if rest.shape[-1] else []
        buffered = rest.shape[-1]
    if buffered:
        joined = np.concatenate(buffer, axis=-1) if len(buffer) > 1 else buffer[0]
        yield Window(offset_samples / SAMPLE_RATE, joined)


def views(
    whole: np.ndarray, seconds: float = WINDOW_S, *, search: float = WINDOW_SEARCH_S
) -> Iterator[Window]:
    """Windows of an already decoded mono signal, as views (no copies), cut at quiet points."""
    target = int(seconds * SAMPLE_RATE)
    reach = int(search * SAMPLE_RATE)
    start = 0
    while start < whole.shape[0]:
        rest = whole[start:]
        if rest.shape[0] <= target + reach:
            yield Window(start / SAMPLE_RATE, rest)
            return
        cut = quiet_point(rest, target, reach)
        yield Window(start / SAMPLE_RATE, rest[:cut])
        start += cut


def quiet_point(audio: np.ndarray, target: int, search: int) -> int:
    """The sample index of the quietest 50 ms frame in ``[target - search, target + search)``.

    A simple energy minimum is enough here: the cut only has to avoid the middle
    of a word, and Silero VAD inside recognition handles the rest.
    """
    frame = SAMPLE_RATE // 20
    lo = max(frame, target - search)
    hi = min(audio.shape[-1] - frame, target + search)
    if hi <= lo:
        return min(target, int(audio.shape[-1]))
    mono = audio if audio.ndim == 1 else audio.mean(axis=0)
    region = mono[lo:hi]
    n = region.shape[0] // frame
    if n == 0:
        return lo
    energy = np.square(region[: n * frame].reshape(n, frame)).mean(axis=1)
    return lo + int(np.argmin(energy)) * frame + frame // 2


def duration(path: str | Path) -> float:
    """The file's duration in seconds as its header says (0.0 when unknown)."""
    return probe(path).duration


# --------------------------------------------------------------------------- internals


def _empty(channels: int | None) -> np.ndarray:
    if channels is None:
        return np.zeros(0, dtype=np.float32)
    return np.zeros((max(channels, 1), 0), dtype=np.float32)


def _decoded_chunks(
    info: MediaInfo, promised: list[float], *, split_channels: bool
) -> Iterator[np.ndarray]:
    """Decode and resample frame by frame: float32 ``(n,)`` or ``(channels, n)``.

    Appends to ``promised`` the duration the stream header declares (when it does).
    """
    import av

    p = info.path
    bad = 0
    try:
        with av.open(str(p), metadata_errors="ignore") as container:
            stream = container.streams.audio[0]
            if stream.duration and stream.time_base:
                promised.append(float(stream.duration * stream.time_base))
            resampler = _resampler(stream, split_channels=split_channels)
            for packet in container.demux(stream):
                try:
                    frames = packet.decode()
                except av.error.InvalidDataError:
                    # A damaged packet or two is common in real recordings; many means corrupt.
                    bad += 1
                    if bad > _MAX_BAD_PACKETS:
                        raise MediaError(f"{p}: the audio data is corrupt", path=p) from None
                    continue
                for frame in frames:
                    frame.pts = None  # resample by sample count; broken timestamps do not matter
                    for out in resampler.resample(frame):
                        yield _as_array(out, split_channels)
            for out in resampler.resample(None):
                yield _as_array(out, split_channels)
    except MediaError:
        raise
    except av.error.FFmpegError as exc:
        raise MediaError(f"{p}: cannot decode audio ({_short(exc)})", path=p) from None


def _resampler(stream: object, *, split_channels: bool) -> AudioResampler:
    import av

    ctx = stream.codec_context  # type: ignore[attr-defined]
    if split_channels:
        layout = ctx.layout.name if ctx.layout and ctx.layout.name else f"{ctx.channels}c"
        # Planar float keeps channels apart without interleaving copies.
        return av.AudioResampler(format="fltp", layout=layout, rate=SAMPLE_RATE)
    return av.AudioResampler(format="flt", layout="mono", rate=SAMPLE_RATE)


def _as_array(frame: object, split_channels: bool) -> np.ndarray:
    array = frame.to_ndarray()  # type: ignore[attr-defined]
    if split_channels:
        return np.ascontiguousarray(array, dtype=np.float32)
    return np.ascontiguousarray(array.reshape(-1), dtype=np.float32)


def _check_complete(info: MediaInfo, decoded_samples: int, promised: float) -> None:
    """Raise when a stream holds clearly less audio than its header declares (truncated).

    ``promised`` comes from the stream header only (FLAC STREAMINFO, MP3 Xing/LAME,
    Ogg's last page...), never from a bit-rate estimate, which a cut file would match.
    """
    got = decoded_samples / SAMPLE_RATE
    if promised > 0 and got + _TRUNCATION_TOLERANCE_S < promised:
        raise MediaError(
            f"{info.path}: the file is truncated ({got:.1f} s of {promised:.1f} s decoded)",
            path=info.path,
        )


def _check_wav_header(info: MediaInfo) -> None:
    """A WAV whose data chunk is shorter than its header says was cut off: refuse it up front.

    FFmpeg quietly decodes what is there, so the RIFF header is read here (a few
    bytes; the standard library's ``wave`` rejects WAVE_FORMAT_EXTENSIBLE/float files).
    """
    if info.format != "wav":
        return
    with info.path.open("rb") as fh:
        head = fh.read(65536)
    if head[:4] != b"RIFF" or head[8:12] != b"WAVE":
        return  # RF64/other variants: leave them to FFmpeg
    pos = 12
    while pos + 8 <= len(head):
        chunk_id = head[pos : pos + 4]
        chunk_size = int.from_bytes(head[pos + 4 : pos + 8], "little")
        if chunk_id == b"data":
            if chunk_size in (0, 0xFFFFFFFF):
                return  # written while streaming: the size was never filled in
            available = info.size - (pos + 8)
            bytes_per_s = max(info.sample_rate * max(info.channels, 1) * 2, 1)
            if chunk_size - available > _TRUNCATION_TOLERANCE_S * bytes_per_s:
                raise MediaError(
                    f"{info.path}: the file is truncated (the WAV data chunk is cut off)",
                    path=info.path,
                )
            return
        pos += 8 + chunk_size + (chunk_size & 1)


#: An Ogg page header: capture pattern, version, header type, granule, serial,
#: sequence, CRC, segment count (RFC 3533, section 6); then the segment table.
_OGG_HEADER = 27
#: The largest Ogg page: header, a 255-entry segment table, 255 segments of 255 bytes.
_OGG_MAX_PAGE = _OGG_HEADER + 255 + 255 * 255
_OGG_EOS = 0x04


def _check_ogg_end(info: MediaInfo) -> None:
    """An Ogg file must end with a whole page marked end-of-stream (RFC 3533).

    A cut Ogg file decodes without an error and its header promises nothing (the
    duration is read from the last page there is), so the end is checked here: the
    last page must be complete and carry the end-of-stream flag. The format is a
    few fixed fields; no registry package reads Ogg pages without decoding.
    """
    if info.format != "ogg" or info.size < _OGG_HEADER:
        return
    with info.path.open("rb") as fh:
        fh.seek(max(0, info.size - _OGG_MAX_PAGE))
        tail = fh.read()
    start = tail.rfind(b"OggS")
    if start < 0 or not _whole_last_page(tail[start:]):
        raise MediaError(
            f"{info.path}: the file is truncated (the Ogg stream is cut off)", path=info.path
        )


def _whole_last_page(page: bytes) -> bool:
    if len(page) < _OGG_HEADER or page[4] != 0:
        return False
    count = page[26]
    table = page[_OGG_HEADER : _OGG_HEADER + count]
    if len(table) < count:
        return False
    return len(page) == _OGG_HEADER + count + sum(table) and bool(page[5] & _OGG_EOS)


def _short(exc: BaseException) -> str:
    text = getattr(exc, "strerror", None) or str(exc)
    return text.split(":")[0].strip() or type(exc).__name__
