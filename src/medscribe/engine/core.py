"""The engine: one model and its stages in order, shared by every caller of a process.

This module owns :class:`Engine` (the stage order and the memory plan) and
:func:`shared_engine` (one engine per configuration and process). The stages,
each a small object with a typed input and output, live in their own modules:

1. decode (:mod:`medscribe.engine.audio`): a file -> 16 kHz windows of about
   ten minutes, each cut at a quiet moment, so a 2-hour file never sits in
   memory whole; windows are independent, so they are recognised side by side
   on the model's workers (:mod:`medscribe.engine.parallel`), in order; then the
   front-end (:mod:`medscribe.engine.frontend`, ``EngineConfig.high_pass_hz``):
   a high-pass that takes a room's rumble out of what stages 2 and 3 hear (a
   stream's decodes too; the speaker stage keeps the signal as decoded);
2. recognition (:mod:`medscribe.engine.recognition`): a window -> timed word
   items (faster-whisper under the engine's fair lock); with ``max_alternatives``
   each segment also gets its n-best readings (:mod:`medscribe.engine.alternatives`);
3. specialty (:mod:`medscribe.engine.specialty`, ``EngineConfig.specialty_pass``):
   the specialty lexicon and the custom vocabulary: a prompted second look at
   the stretches that sound like their terms, then the correction pass;
4. formatting (:mod:`medscribe.engine.formatting`, ``EngineConfig.formatting``):
   numbers, measurements, dictation commands in written form;
5. speakers or channels (:mod:`medscribe.engine.speakers`): speaker
   partitioning needs the whole mono signal (embeddings are clustered over the
   visit), so that path decodes the file once and recognises views of it;
   channel identification runs window by window like plain recognition;
6. (to come) PHI identification: a stage over the finished items, after 5,
   built like the others (a class with ``apply``) and switched by a field of
   :class:`EngineConfig`.

Streams (:mod:`medscribe.engine.streaming`) use the same model, lock and stage
objects (:meth:`Engine.specialty_stage`, :meth:`Engine.formatting_stage`,
:meth:`Engine.stream_recognizer`); no caller builds a stage of its own.

The transcript's ``job_name`` is the caller's; ``account_id`` is
:data:`LOCAL_ACCOUNT_ID` ("000000000000"): the service's field is a 12-digit AWS
account, and twelve zeros keep consumers that parse it working while saying
plainly that no account was involved.
"""

from __future__ import annotations

import functools
import threading
from collections.abc import Callable, Iterable, Iterator, Sequence
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np

from medscribe.engine import audio
from medscribe.engine.alternatives import segment_alternatives
from medscribe.engine.config import EngineConfig
from medscribe.engine.formatting import FormattingStage
from medscribe.engine.frontend import filter_windows, high_pass
from medscribe.engine.lock import FairLock, model_lock
from medscribe.engine.parallel import in_order, limit_allocator_arenas
from medscribe.engine.progress import (
    RECOGNITION_SHARE,
    RECOGNITION_SHARE_WITH_SPEAKERS,
    ProgressFn,
    Watch,
)
from medscribe.engine.recognition import DecodeOptions, load_model, recognize
from medscribe.engine.speakers import MAX_CHANNELS, SpeakerStage, transcribe_channels
from medscribe.engine.specialty import SpecialtyStage
from medscribe.errors import BackendError
from medscribe.media import probe
from medscribe.request import TranscriptionOptions, TranscriptionType
from medscribe.transcript import Item, Segment, Transcript

if TYPE_CHECKING:
    from faster_whisper import WhisperModel

    from medscribe.vocabulary import VocabularyEntry

__all__ = ["LOCAL_ACCOUNT_ID", "Engine", "RecognizeFn", "shared_engine"]

#: ``accountId`` of local transcripts (see the module docstring).
LOCAL_ACCOUNT_ID = "000000000000"

#: A stream's decode: (audio, offset, beam size, prompt) -> word and punctuation items.
RecognizeFn = Callable[[np.ndarray, float, int, "str | None"], list[Item]]


class Engine:
    """The offline engine: a model loaded once and the stages of :mod:`medscribe.engine.core`.

    Thread-safe to share: every model call takes :attr:`lock` (the model's fair
    lock, as many holders as the model has workers), one segment at a time, and
    the stages keep no state between calls. Independent decodes of one call (the
    second look's clips, the channels) run on the workers side by side.

    ``model`` is a WhisperModel already loaded (tests, benchmarks); by
    default the one of ``config`` is loaded (cached per process and
    configuration), which raises :class:`~medscribe.errors.ConfigError` for a bad
    model path, an absent CUDA device or an unsupported compute type.
    """

    def __init__(
        self, config: EngineConfig | None = None, *, model: WhisperModel | None = None
    ) -> None:
        self.config = config or EngineConfig()
        limit_allocator_arenas()  # before the model's threads and ours first allocate
        if model is None:
            model = load_model(
                self.config.model,
                threads=self.config.threads,
                device=self.config.device,
                compute_type=self.config.compute_type,
            )
        self.model = model
        #: Decodes the model runs at once (its CTranslate2 workers), and their fair lock.
        self.workers = max(int(getattr(model.model, "num_workers", 1)), 1)
        self.lock: FairLock = model_lock(model, self.workers)
        self.first_pass = DecodeOptions(beam_size=self.config.beam_size)

    # ------------------------------------------------------------------ stages

    def specialty_stage(
        self, options: TranscriptionOptions, vocabulary: Sequence[VocabularyEntry] | None = None
    ) -> SpecialtyStage | None:
        """Stage 3 for one request, or None when the specialty pass is off."""
        if not self.config.specialty_pass:
            return None
        return SpecialtyStage.for_request(options.specialty, vocabulary)

    def formatting_stage(self, options: TranscriptionOptions) -> FormattingStage | None:
        """Stage 4 for one request, or None when formatting is off."""
        if not self.config.formatting:
            return None
        return FormattingStage(dictation=options.type is TranscriptionType.DICTATION)

    def high_pass_for(self, options: TranscriptionOptions) -> float:
        """The front-end's high-pass corner for one request (0: none)."""
        return self.config.high_pass_for(options.type is TranscriptionType.DICTATION)

    def heard(
        self, windows: Iterable[audio.Window], options: TranscriptionOptions
    ) -> Iterator[audio.Window]:
        """Stage 1's front-end: consecutive windows of one signal as stages 2 and 3 hear them."""
        return filter_windows(windows, self.high_pass_for(options))

    def recognize(
        self, samples: np.ndarray, offset: float = 0.0, *, watch: Watch | None = None
    ) -> list[Item]:
        """Stage 2, the first pass: mono 16 kHz ``samples`` -> items timed from ``offset``."""
        return recognize(
            samples,
            model=self.model,
            offset=offset,
            options=self.first_pass,
            lock=self.lock,
            watch=watch,
        )

    def stream_recognizer(
        self, hotwords: str | None = None, *, high_pass_hz: float = 0.0
    ) -> RecognizeFn:
        """The decode of a stream: this model under this lock, without the VAD.

        The stream has its own VAD (the window it decodes is speech already);
        ``hotwords`` (a custom vocabulary's phrases) bias the decoder;
        ``high_pass_hz`` is the front-end's corner (:meth:`high_pass_for`).
        """
        return functools.partial(self._stream_decode, hotwords=hotwords, high_pass_hz=high_pass_hz)

    def _stream_decode(
        self,
        samples: np.ndarray,
        offset: float,
        beam_size: int,
        prompt: str | None,
        *,
        hotwords: str | None,
        high_pass_hz: float,
    ) -> list[Item]:
        options = DecodeOptions(
            beam_size=beam_size, vad_filter=False, initial_prompt=prompt or None, hotwords=hotwords
        )
        if high_pass_hz > 0:
            # The front-end of batch, on each decode's window (a stream re-decodes a growing
            # window, so no filter state is carried from one decode to the next).
            samples = high_pass(samples, high_pass_hz)
        return recognize(samples, model=self.model, offset=offset, options=options, lock=self.lock)

    # ------------------------------------------------------------------ batch

    def transcribe(
        self,
        path: str | Path,
        options: TranscriptionOptions,
        *,
        vocabulary: Sequence[VocabularyEntry] | None = None,
        job_name: str = "",
        cancel: threading.Event | None = None,
        progress: ProgressFn | None = None,
    ) -> Transcript:
        """Transcribe the file at ``path``: every stage of the module docstring, in order.

        ``vocabulary`` is a parsed custom vocabulary (used by the specialty
        stage). ``cancel`` and ``progress``: see :mod:`medscribe.engine.progress`
        (a set ``cancel`` raises :class:`~medscribe.engine.TranscriptionCancelled`).
        Raises :class:`~medscribe.errors.MediaError` for a file that cannot be
        read and :class:`~medscribe.errors.BackendError` for more channels than
        the engine takes.
        """
        info = probe(path)
        passes = max(info.channels, 1) if options.channel_identification else 1
        partitioning = options.max_speakers is not None and not options.channel_identification
        share = RECOGNITION_SHARE_WITH_SPEAKERS if partitioning else RECOGNITION_SHARE
        watch = Watch(cancel, progress, info.duration * passes, share)
        watch.check()
        request = _Request(self, options, vocabulary, watch)
        speakers: int | None = None
        channels: int | None = None
        if options.channel_identification:
            if info.channels > MAX_CHANNELS:
                raise BackendError(
                    f"{path}: {info.channels} channels; the offline engine takes at most "
                    f"{MAX_CHANNELS}",
                    path=path,
                    option="channels",
                )
            items = request.finish(request.by_channel(path))
            channels = max(info.channels, 1)
        elif options.max_speakers is not None:
            stage = SpeakerStage(options.max_speakers)
            with stage.preparing():  # the voice encoder warms up while the model decodes
                whole = audio.decode(path)
                items = request.finish(request.windows(self.heard(audio.views(whole), options)))
            watch.check()
            speakers = stage.apply(whole, items)
        else:
            items = request.finish(request.windows(self.heard(audio.iter_windows(path), options)))
        watch.check()
        return Transcript(
            items=items,
            job_name=job_name,
            account_id=LOCAL_ACCOUNT_ID,
            status="COMPLETED",
            speakers=speakers,
            channels=channels,
            segments=request.segments,
        )


class _Request:
    """One call of :meth:`Engine.transcribe`: its stages, its watch, the segments it found."""

    def __init__(
        self,
        engine: Engine,
        options: TranscriptionOptions,
        vocabulary: Sequence[VocabularyEntry] | None,
        watch: Watch,
    ) -> None:
        self.engine = engine
        self.options = options
        self.watch = watch
        self.specialty = engine.specialty_stage(options, vocabulary)
        self.formatting = engine.formatting_stage(options)
        self.alternatives = options.max_alternatives if not options.channel_identification else None
        self.segments: list[Segment] = []

    def windows(self, windows: Iterable[audio.Window]) -> list[Item]:
        """Stages 2 and 3 over consecutive windows of one signal, side by side on the workers.

        Windows are independent (each decode starts afresh), so a long recording
        keeps every worker busy; items and segments are kept in window order.
        """
        items: list[Item] = []
        for found, segments in in_order(self.window, windows, self.engine.workers):
            items.extend(found)
            self.segments.extend(segments)
        return items

    def window(self, window: audio.Window) -> tuple[list[Item], list[Segment]]:
        """One window: stages 2 and 3, and its alternatives if asked."""
        return self.recognize_with_segments(window.audio, window.offset)

    def by_channel(self, path: str | Path) -> list[Item]:
        """Channel identification window by window; the speakers stage's merge inside each."""
        items: list[Item] = []
        windows = audio.iter_windows(path, split_channels=True)
        for window in self.engine.heard(windows, self.options):
            recognize_fn = functools.partial(self.recognize, offset=window.offset)
            items.extend(
                transcribe_channels(
                    window.audio, recognize_fn, offset=window.offset, workers=self.engine.workers
                )
            )
        return items

    def recognize(self, samples: np.ndarray, offset: float) -> list[Item]:
        """Stages 2 and 3 for one stretch of mono audio (a channel: no alternatives)."""
        return self.recognize_with_segments(samples, offset)[0]

    def recognize_with_segments(
        self, samples: np.ndarray, offset: float
    ) -> tuple[list[Item], list[Segment]]:
        """Stages 2 and 3 for one stretch of mono audio, and its alternatives if asked."""
        engine = self.engine
        items = engine.recognize(samples, offset, watch=self.watch)
        if self.specialty is not None:
            items = self.specialty.apply(
                samples,
                items,
                model=engine.model,
                offset=offset,
                lock=engine.lock,
                watch=self.watch,
                workers=engine.workers,
            )
        self.watch.check()
        if not self.alternatives:
            return items, []
        segments = segment_alternatives(
            samples,
            items,
            model=engine.model,
            offset=offset,
            count=self.alternatives,
            finish=self.finish,
            lock=engine.lock,
        )
        return items, segments

    def finish(self, items: list[Item]) -> list[Item]:
        """Stage 4 (when on), after a check for cancellation."""
        self.watch.check()
        return self.formatting.apply(items) if self.formatting is not None else items


_SHARED: dict[EngineConfig, Engine] = {}
_SHARED_LOCK = threading.Lock()


def shared_engine(config: EngineConfig | None = None) -> Engine:
    """The process's engine for ``config`` (default: every stage on, the embedded model).

    Made once per configuration and process and safe to share between threads:
    the local backend's runner, its streams, the evaluation and every later
    caller of one process get the same object, and the model is loaded once.
    """
    config = config or EngineConfig()
    with _SHARED_LOCK:
        engine = _SHARED.get(config)
        if engine is None:
            engine = _SHARED[config] = Engine(config)
        return engine
