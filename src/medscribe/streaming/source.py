"""Where streamed audio comes from: a file (at real-time pace or as fast as taken) or a microphone.

A source yields 16-bit PCM chunks of ``chunk_seconds`` as ``numpy.int16`` arrays
shaped ``(frames, channels)`` at :data:`SAMPLE_RATE`. Files are decoded and
resampled frame by frame with PyAV (FFmpeg), so memory stays bounded however
long the file is; the offline engine's ``iter_blocks`` is made for 30-second
blocks, while a stream needs 100 ms chunks with their channels kept apart. The
microphone goes through ``sounddevice`` (PortAudio).

``started`` is the ``time.monotonic()`` at which the first sample "was spoken":
audio time ``t`` is spoken at ``started + t``, which the benchmark uses to
measure latencies.
"""

from __future__ import annotations

import queue
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Any, Protocol

import numpy as np

from medscribe.errors import BackendError, MediaError, ValidationError

if TYPE_CHECKING:
    import av

SAMPLE_RATE = 16_000
CHUNK_SECONDS = 0.1


class AudioSource(Protocol):
    sample_rate: int
    channels: int
    started: float | None

    def __iter__(self) -> Iterator[np.ndarray]: ...

    def close(self) -> None: ...


class FileSource:
    """Stream a file; ``channels=1`` mixes down, ``channels=N`` needs a file with N channels."""

    def __init__(
        self,
        path: str | Path,
        *,
        channels: int = 1,
        realtime: bool = False,
        chunk_seconds: float = CHUNK_SECONDS,
    ) -> None:
        from medscribe.engine.audio import check

        self.path = Path(path)
        # One clear MediaError for missing, empty, non-audio or visibly cut-off files.
        info = check(self.path)
        if channels > 1 and info.channels != channels:
            raise MediaError(
                f"{self.path}: has {info.channels} channel(s); --channels {channels} needs "
                f"a file with {channels}"
            )
        self.sample_rate = SAMPLE_RATE
        self.channels = channels
        self.duration = info.duration
        self.realtime = realtime
        self.chunk_frames = max(1, round(chunk_seconds * SAMPLE_RATE))
        self.started: float | None = None
        self._closed = threading.Event()

    def close(self) -> None:
        self._closed.set()

    def __iter__(self) -> Iterator[np.ndarray]:
        sent = 0
        pending: list[np.ndarray] = []
        pending_frames = 0
        self.started = time.monotonic()
        for block in self._decode():
            pending.append(block)
            pending_frames += len(block)
            while pending_frames >= self.chunk_frames:
                data = np.concatenate(pending)
                chunk, rest = data[: self.chunk_frames], data[self.chunk_frames :]
                pending, pending_frames = [rest], len(rest)
                sent += len(chunk)
                if not self._pace(sent):
                    return
                yield chunk
        if pending_frames:
            chunk = np.concatenate(pending)
            sent += len(chunk)
            if self._pace(sent):
                yield chunk

    def _pace(self, sent_frames: int) -> bool:
        """Wait until the chunk's last sample has been spoken; False once closed."""
        if self.realtime and self.started is not None:
            due = self.started + sent_frames / SAMPLE_RATE
            delay = due - time.monotonic()
            if delay > 0:
                return not self._closed.wait(delay)
        return not self._closed.is_set()

    def _decode(self) -> Iterator[np.ndarray]:
        import av

        # N channels were checked against the file: keep its own layout then.
        layout = "mono" if self.channels == 1 else None
        try:
            with av.open(str(self.path), metadata_errors="ignore") as container:
                stream = container.streams.audio[0]
                resampler = av.AudioResampler(format="s16", layout=layout, rate=SAMPLE_RATE)
                for frame in container.decode(stream):
                    for out in resampler.resample(frame):
                        yield _frame_array(out, self.channels)
                for out in resampler.resample(None):
                    yield _frame_array(out, self.channels)
        except av.error.FFmpegError as exc:
            raise MediaError(f"{self.path}: the audio cannot be streamed ({exc})") from None


def _frame_array(frame: av.AudioFrame, channels: int) -> np.ndarray:
    # Packed s16 frames come as one row of interleaved samples.
    data = frame.to_ndarray()
    return np.ascontiguousarray(data.reshape(-1, channels), dtype=np.int16)


class MicSource:
    """The default (or a named) input device, read by PortAudio's callback thread."""

    def __init__(
        self,
        *,
        channels: int = 1,
        device: str | int | None = None,
        chunk_seconds: float = CHUNK_SECONDS,
        max_backlog_seconds: float = 30.0,
    ) -> None:
        self.sample_rate = SAMPLE_RATE
        self.channels = channels
        self.device = device
        self.chunk_frames = max(1, round(chunk_seconds * SAMPLE_RATE))
        self.started: float | None = None
        # Bounded: if the consumer stops keeping up we say so rather than grow without end.
        self._queue: queue.Queue[np.ndarray | None] = queue.Queue(
            maxsize=max(1, int(max_backlog_seconds / chunk_seconds))
        )
        self._overflow = False
        self._closed = threading.Event()
        self._sd = _sounddevice()
        check_microphone(self._sd, device, channels)

    def close(self) -> None:
        self._closed.set()

    def __iter__(self) -> Iterator[np.ndarray]:
        sd = self._sd

        def callback(indata: np.ndarray, frames: int, time_info: object, status: object) -> None:
            try:
                self._queue.put_nowait(indata.copy())
            except queue.Full:
                self._overflow = True

        try:
            stream = sd.InputStream(
                samplerate=SAMPLE_RATE,
                channels=self.channels,
                dtype="int16",
                blocksize=self.chunk_frames,
                device=self.device,
                callback=callback,
            )
        except (sd.PortAudioError, ValueError) as exc:
            raise ValidationError(f"cannot open the microphone: {exc}") from None
        with stream:
            self.started = time.monotonic()
            while not self._closed.is_set():
                if self._overflow:
                    raise BackendError("transcription fell more than 30 s behind the microphone")
                try:
                    chunk = self._queue.get(timeout=0.2)
                except queue.Empty:
                    continue
                if chunk is not None:
                    yield chunk


def _sounddevice() -> Any:
    """The ``sounddevice`` module (PortAudio), imported on use: only the microphone needs it."""
    try:
        import sounddevice
    except ImportError:
        raise ValidationError(
            "the microphone needs the 'sounddevice' package: pip install 'medscribe[stream]'",
            option="mic",
        ) from None
    except OSError:
        raise ValidationError(
            "the microphone needs PortAudio (Debian: apt install libportaudio2)", option="mic"
        ) from None
    return sounddevice


def check_microphone(sd: Any, device: str | int | None, channels: int) -> None:
    """One clear line (exit 2) when there is no usable input device."""
    try:
        info = sd.query_devices(device, kind="input")
    except (sd.PortAudioError, ValueError):
        raise ValidationError("no microphone found (no audio input device)") from None
    available = int(info.get("max_input_channels", 0))
    if available < channels:
        raise ValidationError(
            f"the microphone has {available} input channel(s); {channels} were asked for"
        )
