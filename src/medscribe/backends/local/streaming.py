"""The local backend's streams: audio from a source through the engine's stream decoder.

This module owns the shell around :class:`medscribe.engine.streaming.StreamDecoder`:
reading the source on a helper thread into a bounded queue, handing the decoder
all audio that arrived meanwhile (so a slow decode never makes the stream fall
further behind), and turning each channel's new results into a
:class:`~medscribe.streaming.events.TranscriptEvent`. Decoding, agreement,
utterance ends, correction, formatting and speaker labels are the engine's.
"""

from __future__ import annotations

import queue
import threading
import time
from collections.abc import Callable, Iterable, Iterator, Sequence
from typing import TYPE_CHECKING

import numpy as np

from medscribe.engine import Engine, shared_engine
from medscribe.engine.streaming import StreamConfig, StreamDecoder
from medscribe.errors import MedscribeError, StreamError
from medscribe.request import TranscriptionOptions
from medscribe.streaming.events import Result, TranscriptEvent
from medscribe.streaming.source import AudioSource

if TYPE_CHECKING:
    from medscribe.vocabulary import VocabularyEntry

__all__ = ["stream_local"]

OnEvent = Callable[[TranscriptEvent], None]
#: Chunks of audio the reader may queue ahead of the decoder.
MAX_QUEUED_CHUNKS = 50


def stream_local(
    source: AudioSource,
    options: TranscriptionOptions,
    *,
    on_event: Callable[[TranscriptEvent], None],
    engine: Engine | None = None,
    vocabulary: Sequence[VocabularyEntry] | None = None,
    config: StreamConfig | None = None,
    stop: threading.Event | None = None,
) -> None:
    """Stream ``source`` through the offline engine, calling ``on_event`` per event.

    ``engine`` defaults to the process's shared engine (:func:`shared_engine`);
    ``vocabulary`` (parsed entries) feeds its specialty stage and biases the
    decoder with its phrases. ``config`` tunes the incremental decoder. Blocks
    until the audio ends, or until ``stop`` is set: what was final by then has
    been delivered.
    """
    engine = engine if engine is not None else shared_engine()
    channels = source.channels if options.channel_identification else 1
    decoder = StreamDecoder(
        engine,
        options,
        channels=channels,
        vocabulary=vocabulary,
        realtime=bool(getattr(source, "realtime", True)),
        config=config,
    )
    stop = stop or threading.Event()
    for block in _blocks(source, stop):
        _emit(decoder.feed(_as_float(block)), on_event)
    if stop.is_set():
        return  # interrupted: what was final has been emitted already
    _emit(decoder.finish(), on_event)


def _as_float(block: np.ndarray) -> np.ndarray:
    """16-bit PCM (the sources' format) -> float32 in [-1, 1); float audio as it is."""
    if np.issubdtype(block.dtype, np.integer):
        return block.astype(np.float32) / 32768.0
    return block.astype(np.float32, copy=False)


def _emit(per_channel: Iterable[list[Result]], on_event: OnEvent) -> None:
    """One event per channel that has new results, as they come."""
    for results in per_channel:
        if results:
            on_event(TranscriptEvent(results=results, received=time.monotonic()))


_END = object()


def _blocks(
    source: AudioSource, stop: threading.Event, max_chunks: int = MAX_QUEUED_CHUNKS
) -> Iterator[np.ndarray]:
    """All audio that has arrived since the last call, as one block (bounded queue)."""
    chunks: queue.Queue[object] = queue.Queue(maxsize=max_chunks)
    failure: list[BaseException] = []
    quit_reading = threading.Event()  # the consumer is gone: the reader must not block

    def read() -> None:
        try:
            for chunk in source:
                if not _put(chunks, chunk, lambda: quit_reading.is_set() or stop.is_set()):
                    return
        except MedscribeError as exc:
            failure.append(exc)
        except Exception as exc:
            failure.append(StreamError(f"reading the audio failed: {exc}"))
        finally:
            _put(chunks, _END, quit_reading.is_set)

    reader = threading.Thread(target=read, name="medscribe-stream-reader", daemon=True)
    reader.start()
    try:
        done = False
        while not done:
            try:
                first = chunks.get(timeout=0.2)
            except queue.Empty:
                if stop.is_set():
                    return
                continue
            batch = [first, *_drain(chunks)]
            if any(b is _END for b in batch):
                done = True
                batch = [b for b in batch if b is not _END]
            if failure:
                raise failure[0]
            if batch:
                yield np.concatenate(batch)  # type: ignore[arg-type]
    finally:
        quit_reading.set()
        source.close()
        reader.join(timeout=2)


def _put(chunks: queue.Queue[object], item: object, give_up: Callable[[], bool]) -> bool:
    """Queue ``item``, waiting while the queue is full; False if ``give_up`` said so first."""
    while not give_up():
        try:
            chunks.put(item, timeout=0.2)
            return True
        except queue.Full:
            continue
    return False


def _drain(chunks: queue.Queue[object]) -> list[object]:
    """Everything queued right now, without waiting."""
    out: list[object] = []
    while True:
        try:
            out.append(chunks.get_nowait())
        except queue.Empty:
            return out
