"""The one-call surface: :func:`transcribe` a recording and :func:`stream` audio, offline.

This module owns the two functions a Python caller needs without knowing the
layers under them (request models, backends, the engine)::

    import medscribe

    transcript = medscribe.transcribe("visit.wav", specialty="cardiology", max_speakers=2)
    print(transcript.text)

    for event in medscribe.stream("visit.wav"):
        for result in event.results:
            if not result.is_partial:
                print(result.transcript)

Both run on this machine through the process's shared
:class:`~medscribe.engine.Engine` (the model loads once, on the first call, for
each engine configuration); nothing leaves the machine. Amazon Transcribe
Medical is reached through :func:`medscribe.get_backend` instead. Bad input
raises a :class:`~medscribe.errors.MedscribeError` with one sentence: a
:class:`~medscribe.errors.ValidationError` for an option out of range, a
:class:`~medscribe.errors.MediaError` for a file that is not audio, a
:class:`~medscribe.errors.ConfigError` for a model, device or compute type that
cannot load.
"""

from __future__ import annotations

import itertools
import os
import queue
import threading
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np

from medscribe.engine import Device, Engine, EngineConfig, shared_engine
from medscribe.errors import ValidationError
from medscribe.request import Specialty, TranscriptionOptions, TranscriptionType, build_options
from medscribe.streaming.events import TranscriptEvent
from medscribe.transcript import Transcript
from medscribe.vocabulary import VocabularyEntry, parse_vocabulary

if TYPE_CHECKING:
    from medscribe.streaming.source import AudioSource

__all__ = ["stream", "transcribe"]

#: A custom vocabulary as the one-call functions take it: a table file, or its entries.
VocabularyArg = str | os.PathLike[str] | Sequence[VocabularyEntry] | None
#: What :func:`stream` reads: a file, or 16 kHz chunks (see :func:`stream`).
StreamSource = str | os.PathLike[str] | Iterable[np.ndarray]


def transcribe(
    path: str | os.PathLike[str],
    *,
    specialty: Specialty | str = Specialty.PRIMARYCARE,
    type: TranscriptionType | str = TranscriptionType.CONVERSATION,
    max_speakers: int | None = None,
    speaker_roles: bool = False,
    channel_identification: bool = False,
    max_alternatives: int | None = None,
    vocabulary: VocabularyArg = None,
    job_name: str = "",
    model: str | None = None,
    device: Device = "auto",
    compute_type: str | None = None,
    threads: int = 0,
    specialty_pass: bool = True,
    formatting: bool = True,
    engine: Engine | None = None,
) -> Transcript:
    """Transcribe the recording at ``path`` with the offline engine; returns its transcript.

    Arguments (all but ``path`` by keyword):

    * ``path``: any audio file FFmpeg decodes (wav, flac, mp3, ogg/opus, m4a,
      webm), any sample rate; it is read in place, never copied.
    * ``specialty``: the medical specialty whose terms the engine listens for:
      ``"primarycare"`` (default), ``"cardiology"``, ``"neurology"``,
      ``"oncology"``, ``"radiology"``, ``"urology"`` (any spelling of these, or a
      :class:`~medscribe.Specialty`).
    * ``type``: ``"conversation"`` (default) or ``"dictation"`` (spoken
      punctuation and "new paragraph" become marks).
    * ``max_speakers``: speaker partitioning with at most this many speakers
      (2 to 10); every item gets a label ``spk_0``, ``spk_1``...; ``None``: off.
    * ``speaker_roles``: with ``max_speakers``, label the two speakers of a visit
      ``CLINICIAN_0`` and ``PATIENT_0`` from what they say (:mod:`medscribe.roles`);
      ``Transcript.roles`` gives the confidence, or why ``spk_N`` were kept (not two
      speakers, unsure).
    * ``channel_identification``: transcribe each channel on its own and label
      its items ``ch_0``, ``ch_1``... (up to 8 channels; not with ``max_speakers``).
    * ``max_alternatives``: also give each segment up to this many alternative
      readings (2 to 10) in ``Transcript.segments``; ``None``: off.
    * ``vocabulary``: a custom vocabulary: the path of a vocabulary table (the
      service's tab-separated Phrase/IPA/SoundsLike/DisplayAs format), or
      parsed :class:`~medscribe.vocabulary.VocabularyEntry` objects. Its terms
      are listened for like the specialty's, and shown as their DisplayAs.
    * ``job_name``: the ``jobName`` written in the transcript (default empty).
    * ``model``: a CTranslate2 Whisper model directory; ``None``: the embedded
      Whisper tiny.en.
    * ``device``: ``"auto"`` (CUDA when CTranslate2 sees a GPU, else the CPU),
      ``"cpu"`` or ``"cuda"``.
    * ``compute_type``: CTranslate2's compute type; ``None``: ``int8`` on the
      CPU, ``float16`` on a GPU.
    * ``threads``: CPU threads of the recogniser (0: one per core).
    * ``specialty_pass``: the specialty stage (terms of the specialty and the
      vocabulary); ``False`` gives the bare recogniser.
    * ``formatting``: clinical written forms ("40 mg", "120/80"); ``False``
      keeps the recogniser's words.
    * ``engine``: an :class:`~medscribe.engine.Engine` to use; when given, its
      own configuration is used and ``model`` to ``formatting`` are ignored.

    The call blocks until the transcript is complete (about a tenth of the
    audio's duration with the embedded model on two CPU cores).
    """
    options = build_options(
        specialty=specialty,
        type=type,
        max_speakers=max_speakers,
        speaker_roles=speaker_roles,
        channel_identification=channel_identification,
        max_alternatives=max_alternatives,
    )
    entries = _entries(vocabulary)
    engine = _engine(engine, model, threads, device, compute_type, specialty_pass, formatting)
    transcript = engine.transcribe(Path(path), options, vocabulary=entries, job_name=job_name)
    if options.speaker_roles:
        from medscribe.roles import assign_roles

        assign_roles(transcript)
    return transcript


def stream(
    source: StreamSource,
    *,
    specialty: Specialty | str = Specialty.PRIMARYCARE,
    type: TranscriptionType | str = TranscriptionType.CONVERSATION,
    max_speakers: int | None = None,
    channel_identification: bool = False,
    vocabulary: VocabularyArg = None,
    realtime: bool = False,
    model: str | None = None,
    device: Device = "auto",
    compute_type: str | None = None,
    threads: int = 0,
    specialty_pass: bool = True,
    formatting: bool = True,
    engine: Engine | None = None,
) -> Iterator[TranscriptEvent]:
    """Transcribe audio as it arrives; yields the stream's events (``TranscriptEvent``).

    Each event holds results in the shape of the service's streams: partial
    results (``is_partial``; their words may still change, ``stable`` marks those
    that will not) followed by one final result per utterance with the same
    ``result_id``. Finals are corrected with the specialty's terms and the
    vocabulary, and formatted.

    Arguments (all but ``source`` by keyword):

    * ``source``: a file path (decoded and resampled by FFmpeg), or an iterable
      of chunks of 16 kHz audio: numpy arrays shaped ``(frames,)`` for mono or
      ``(frames, channels)``, either float32 in [-1, 1] or 16-bit PCM
      (``int16``), in any chunk size (100 ms suits a live source). A live
      iterable (a microphone's callback queue) may block between chunks; the
      stream ends when the iterable does.
    * ``specialty``, ``type``, ``max_speakers``, ``vocabulary``, ``model``,
      ``device``, ``compute_type``, ``threads``, ``specialty_pass``,
      ``formatting``, ``engine``: as for :func:`transcribe`. Speaker labels of a
      stream are decided per final, online.
    * ``channel_identification``: decode each channel of the source apart
      (labels ``ch_0``, ``ch_1``...); chunks must then be ``(frames, channels)``.
    * ``realtime``: for a file, feed it at the pace it plays (as a live source
      would arrive) instead of as fast as the engine takes it.

    Audio is read on a helper thread while the engine decodes. Leaving the loop
    early (``break``, an exception) stops the stream; what was final by then
    has been yielded.
    """
    options = build_options(
        specialty=specialty,
        type=type,
        max_speakers=max_speakers,
        channel_identification=channel_identification,
    )
    entries = _entries(vocabulary)
    audio_source = _source(source, options, realtime=realtime)
    chosen = _engine(engine, model, threads, device, compute_type, specialty_pass, formatting)

    def run(on_event: Callable[[TranscriptEvent], None], stop: threading.Event) -> None:
        from medscribe.backends.local.streaming import stream_local

        stream_local(
            audio_source, options, on_event=on_event, engine=chosen, vocabulary=entries, stop=stop
        )

    return _events(run)


# --------------------------------------------------------------------------- helpers


def _engine(
    engine: Engine | None,
    model: str | None,
    threads: int,
    device: Device,
    compute_type: str | None,
    specialty_pass: bool,
    formatting: bool,
) -> Engine:
    """``engine``, else the process's shared engine for these settings."""
    if engine is not None:
        return engine
    config = EngineConfig(
        model=model,
        threads=threads,
        device=device,
        compute_type=compute_type,
        specialty_pass=specialty_pass,
        formatting=formatting,
    )
    return shared_engine(config)


def _entries(vocabulary: VocabularyArg) -> list[VocabularyEntry] | None:
    """The vocabulary's entries: a table file parsed (with its line numbers), or as given."""
    if vocabulary is None:
        return None
    if isinstance(vocabulary, str | os.PathLike):
        return parse_vocabulary(Path(vocabulary))
    return list(vocabulary)


def _source(source: StreamSource, options: TranscriptionOptions, *, realtime: bool) -> AudioSource:
    """A file or an iterable of chunks as the streaming shell's audio source."""
    if isinstance(source, str | os.PathLike):
        from medscribe.engine.audio import check
        from medscribe.streaming.source import FileSource

        channels = check(Path(source)).channels if options.channel_identification else 1
        return FileSource(Path(source), channels=max(channels, 1), realtime=realtime)
    return ChunkSource(source)


class ChunkSource:
    """An iterable of 16 kHz chunks as an audio source; the channels come from the first chunk."""

    def __init__(self, chunks: Iterable[np.ndarray]) -> None:
        iterator = iter(chunks)
        first = next(iterator, None)
        self.sample_rate = 16_000
        self.channels = 1 if first is None else _shaped(first).shape[1]
        self._dtype = None if first is None else _shaped(first).dtype
        self.realtime = False
        self.started: float | None = None
        self._chunks = iterator if first is None else itertools.chain([first], iterator)
        self._closed = threading.Event()

    def __iter__(self) -> Iterator[np.ndarray]:
        import time

        self.started = time.monotonic()
        for chunk in self._chunks:
            if self._closed.is_set():
                return
            shaped = _shaped(chunk)
            if shaped.shape[1] != self.channels or shaped.dtype != self._dtype:
                raise ValidationError(
                    f"a chunk of {shaped.shape[1]} channel(s) of {shaped.dtype} audio after "
                    f"chunks of {self.channels} of {self._dtype}: chunks must all be alike"
                )
            yield shaped

    def close(self) -> None:
        self._closed.set()


def _shaped(chunk: np.ndarray) -> np.ndarray:
    """A chunk as (frames, channels): int16 stays PCM, anything else becomes float32."""
    array = np.asarray(chunk)
    if array.ndim == 1:
        array = array[:, None]
    if array.ndim != 2:
        raise ValidationError(
            f"audio chunks are (frames,) or (frames, channels); got {array.shape}"
        )
    if array.dtype == np.int16:
        return array
    return array.astype(np.float32, copy=False)


@dataclass(frozen=True, slots=True)
class _Done:
    """The end of a stream run on the helper thread, and its error if it failed."""

    error: BaseException | None = None


def _events(
    run: Callable[[Callable[[TranscriptEvent], None], threading.Event], None],
) -> Iterator[TranscriptEvent]:
    """``run`` on a helper thread, its events yielded here; leaving early stops it."""
    events: queue.Queue[TranscriptEvent | _Done] = queue.Queue()
    stop = threading.Event()

    def target() -> None:
        try:
            run(events.put, stop)
        except BaseException as exc:  # handed to the consumer, raised there
            events.put(_Done(exc))
        else:
            events.put(_Done())

    worker = threading.Thread(target=target, name="medscribe-stream", daemon=True)
    worker.start()
    try:
        while True:
            item = events.get()
            if isinstance(item, _Done):
                if item.error is not None:
                    raise item.error
                return
            yield item
    finally:
        stop.set()
        worker.join()
