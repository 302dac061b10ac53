"""The offline engine end to end: one audio file + options -> a :class:`Transcript`.

This module owns the order of the steps and the memory plan, nothing else:

1. audio (:mod:`medscribe.engine.audio`): decoded in windows of about ten minutes,
   each cut at a quiet moment, so a 2-hour file never sits in memory whole;
2. recognition (:mod:`medscribe.engine.recognition`): each window on its own, its
   items shifted by the window's offset;
3. formatting (``medscribe.engine.formatting.format_items``): numbers and
   measurements, dictation commands; skipped while that module does not exist;
   With the specialty pass on (the default), recognition is
   :func:`medscribe.engine.biasing.recognize_biased`: the specialty lexicon
   plus the custom vocabulary bias a second decode of the segments that sound
   like their terms, then a phonetic correction pass runs; with
   ``max_alternatives`` each segment also gets its n-best readings
   (:mod:`medscribe.engine.alternatives`);
4. speakers or channels (``medscribe.engine.speakers.assign_speakers``,
   ``medscribe.engine.channels.transcribe_channels``): speaker partitioning needs
   the whole mono signal (embeddings are clustered over the visit), so that one
   path decodes the file once and recognises views of it; channel
   identification runs window by window like plain recognition.

A caller that may stop the work passes ``cancel`` (a :class:`threading.Event`):
the engine checks it between the recogniser's segments and between the steps, and
raises :class:`TranscriptionCancelled`, so that no native thread (CTranslate2,
onnxruntime) is left running when the caller's process exits. ``progress`` is
called with an estimate of the fraction of the work done (0.0 to 1.0): the
position of the first decoding pass in the audio (the end times of its
segments), scaled by the share of the time that pass takes (about half with
speaker partitioning, whose embeddings come after it, nearly all otherwise).

The transcript's ``job_name`` is the caller's; ``account_id`` is
:data:`LOCAL_ACCOUNT_ID` ("000000000000"): the service's field is a 12-digit AWS
account, and twelve zeros keep consumers that parse it working while saying
plainly that no account was involved.
"""

from __future__ import annotations

import importlib
import logging
import threading
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from types import ModuleType
from typing import TYPE_CHECKING, Any, cast

import numpy as np

from medscribe.engine import audio as audio_mod
from medscribe.engine import recognition
from medscribe.errors import BackendError
from medscribe.media import probe
from medscribe.request import LOCAL_MAX_CHANNELS, TranscriptionOptions, TranscriptionType
from medscribe.transcript import Item, Segment, Transcript

if TYPE_CHECKING:
    from faster_whisper import WhisperModel

log = logging.getLogger(__name__)

#: ``accountId`` of local transcripts (see the module docstring).
LOCAL_ACCOUNT_ID = "000000000000"
#: Length of the recognition windows (seconds) and how far around it a cut may move.
WINDOW_S = 600.0
WINDOW_SEARCH_S = 10.0
#: Share of a job's time spent in the first decoding pass (measured with tiny.en on a
#: CPU: speaker partitioning takes about as long again after it). Progress estimates only.
RECOGNITION_SHARE = 0.95
RECOGNITION_SHARE_WITH_SPEAKERS = 0.5

#: ``progress`` callback: the fraction of the audio recognised so far.
ProgressFn = Callable[[float], None]


class TranscriptionCancelled(Exception):
    """The caller's ``cancel`` event was set; the engine stopped between two steps."""


@dataclass(frozen=True, slots=True)
class EngineConfig:
    """How the engine runs: which weights, how many CPU threads, which beam width.

    ``specialty_pass`` off gives the bare recogniser (no lexicon, no custom
    vocabulary): the baseline of the specialty benchmark and evaluation.
    ``formatting`` off keeps Whisper's own words (no clinical written forms): the
    "before" of the formatting stage's evaluation.
    """

    model: str | None = None
    threads: int = 0
    beam_size: int = 5
    specialty_pass: bool = True
    formatting: bool = True


def transcribe_file(
    path: str | Path,
    options: TranscriptionOptions,
    *,
    config: EngineConfig | None = None,
    job_name: str = "",
    vocabulary: Sequence[object] | None = None,
    cancel: threading.Event | None = None,
    progress: ProgressFn | None = None,
) -> Transcript:
    """Transcribe ``path`` with the offline engine: decode -> recognise -> format -> speakers.

    Raises :class:`~medscribe.errors.MediaError` for a bad file,
    :class:`~medscribe.errors.ConfigError` for a bad model path and
    :class:`~medscribe.errors.BackendError` when a requested step is unavailable.
    ``vocabulary`` is a parsed custom vocabulary
    (:class:`medscribe.vocabulary.VocabularyEntry` list). ``cancel`` and
    ``progress``: see the module docstring (:class:`TranscriptionCancelled`).
    """
    config = config or EngineConfig()
    info = probe(path)
    passes = max(info.channels, 1) if options.channel_identification else 1
    share = RECOGNITION_SHARE
    if options.max_speakers is not None and not options.channel_identification:
        share = RECOGNITION_SHARE_WITH_SPEAKERS
    watch = _Watch(cancel, progress, info.duration * passes, share)
    watch.check()
    model = watch.model(recognition.load_model(config.model, threads=config.threads))
    watch.check()

    def finish(items: list[Item]) -> list[Item]:
        watch.check()
        return _format(items, options) if config.formatting else items

    lexicon = None
    if config.specialty_pass:
        from medscribe.engine import biasing

        lexicon = biasing.lexicon_for(options, vocabulary)
    segments: list[Segment] = []

    def recognize_at(samples: np.ndarray, offset: float) -> list[Item]:
        if lexicon is not None:
            found = biasing.recognize_biased(
                samples, model=model, lexicon=lexicon, offset=offset, beam_size=config.beam_size
            )
        else:
            found = recognition.recognize(
                samples, model=model, offset=offset, beam_size=config.beam_size
            )
        watch.check()
        if options.max_alternatives and not options.channel_identification:
            from medscribe.engine import alternatives

            segments.extend(
                alternatives.segment_alternatives(
                    samples,
                    found,
                    model=model,
                    offset=offset,
                    count=options.max_alternatives,
                    finish=finish,
                )
            )
        return found

    speakers: int | None = None
    channels: int | None = None
    if options.channel_identification:
        if info.channels > LOCAL_MAX_CHANNELS:
            raise BackendError(
                f"{path}: {info.channels} channels; the offline engine takes at most "
                f"{LOCAL_MAX_CHANNELS}"
            )
        items = _by_channel(path, recognize_at)
        channels = max(info.channels, 1)
        items = finish(items)
    elif options.max_speakers is not None:
        whole = audio_mod.decode(path)
        items = [item for offset, view in _views(whole) for item in recognize_at(view, offset)]
        items = finish(items)
        assign = _required("medscribe.engine.speakers", "speaker partitioning").assign_speakers
        watch.check()
        speakers = assign(whole, items, options.max_speakers) if items else 0
    else:
        items = []
        for window in audio_mod.iter_windows(path, WINDOW_S, search=WINDOW_SEARCH_S):
            items.extend(recognize_at(window.audio, window.offset))
        items = finish(items)

    watch.check()
    return Transcript(
        items=items,
        job_name=job_name,
        account_id=LOCAL_ACCOUNT_ID,
        status="COMPLETED",
        speakers=speakers,
        channels=channels,
        segments=segments,
    )


class _Watch:
    """Cancellation and progress between the recogniser's segments (see the module docstring).

    faster-whisper decodes lazily, one segment per step of the generator that
    ``WhisperModel.transcribe`` returns; :meth:`model` wraps the model so that the
    end of each segment is reported and ``cancel`` is checked before the next one
    is decoded. Only first
    passes count for progress (the VAD is on there); the prompted second look of
    the specialty pass decodes clips of snippets whose times are not the file's.
    """

    def __init__(
        self,
        cancel: threading.Event | None,
        progress: ProgressFn | None,
        total_s: float,
        share: float = 1.0,
    ) -> None:
        self.cancel = cancel
        self.progress = progress if total_s > 0 else None
        self.total_s = total_s
        self.share = share
        self.done_s = 0.0  # audio of the first passes finished so far
        self.reported = 0.0

    def check(self) -> None:
        if self.cancel is not None and self.cancel.is_set():
            raise TranscriptionCancelled

    def model(self, model: WhisperModel) -> WhisperModel:
        if self.cancel is None and self.progress is None:
            return model
        return cast("WhisperModel", _WatchedModel(model, self))

    def segments(self, segments: Iterable[Any], length_s: float | None) -> Iterator[Any]:
        """``segments`` as they decode; ``length_s`` is the audio of a first pass, else None."""
        for segment in segments:
            if length_s is not None:
                self._report(self.done_s + min(float(segment.end), length_s))
            yield segment
            self.check()  # before the next segment is decoded
        if length_s is not None:
            self.done_s += length_s
            self._report(self.done_s)

    def _report(self, position_s: float) -> None:
        if self.progress is None:  # not asked for, or a file of unknown duration
            return
        fraction = self.share * min(max(position_s / self.total_s, 0.0), 1.0)
        if fraction > self.reported:
            self.reported = fraction
            self.progress(fraction)


class _WatchedModel:
    """A WhisperModel whose ``transcribe`` goes through a :class:`_Watch`; all else is its own."""

    def __init__(self, model: WhisperModel, watch: _Watch) -> None:
        self._model = model
        self._watch = watch

    def __getattr__(self, name: str) -> Any:
        return getattr(self._model, name)

    def transcribe(self, audio: Any, *args: Any, **kwargs: Any) -> tuple[Iterator[Any], Any]:
        self._watch.check()
        segments, info = self._model.transcribe(audio, *args, **kwargs)
        first_pass = kwargs.get("vad_filter", True) is not False
        shape = getattr(audio, "shape", None)
        length_s = shape[-1] / audio_mod.SAMPLE_RATE if first_pass and shape else None
        return self._watch.segments(segments, length_s), info


def _by_channel(
    path: str | Path, recognize_at: Callable[[np.ndarray, float], list[Item]]
) -> list[Item]:
    """Channel identification window by window; the speakers engineer's merge inside each."""
    channels_mod = _required("medscribe.engine.channels", "channel identification")
    items: list[Item] = []
    for window in audio_mod.iter_windows(
        path, WINDOW_S, split_channels=True, search=WINDOW_SEARCH_S
    ):

        def recognize_fn(samples: np.ndarray, offset: float = window.offset) -> list[Item]:
            return recognize_at(samples, offset)

        items.extend(channels_mod.transcribe_channels(window.audio, recognize_fn))
    return items


def _views(whole: np.ndarray) -> Iterator[tuple[float, np.ndarray]]:
    """Windows of an already decoded signal, as views (no copies), cut at quiet points."""
    rate = audio_mod.SAMPLE_RATE
    target = int(WINDOW_S * rate)
    search = int(WINDOW_SEARCH_S * rate)
    start = 0
    while start < whole.shape[0]:
        rest = whole[start:]
        if rest.shape[0] <= target + search:
            yield start / rate, rest
            return
        cut = audio_mod.quiet_point(rest, target, search)
        yield start / rate, rest[:cut]
        start += cut


def _format(items: list[Item], options: TranscriptionOptions) -> list[Item]:
    """Written forms of numbers and measurements, when the formatting module exists."""
    formatting = _optional("medscribe.engine.formatting")
    format_items = getattr(formatting, "format_items", None)
    if format_items is None or not items:
        return items
    formatted: list[Item] = format_items(
        items, dictation=options.type is TranscriptionType.DICTATION
    )
    return formatted


def _optional(name: str) -> ModuleType | None:
    """Import ``name`` if it exists; a module that exists but fails to import is a real error."""
    try:
        return importlib.import_module(name)
    except ModuleNotFoundError as exc:
        if exc.name != name:
            raise
        log.debug("%s is not available; step skipped", name)
        return None


def _required(name: str, feature: str) -> ModuleType:
    module = _optional(name)
    if module is None:
        raise BackendError(f"{feature} is not available in this build of the offline engine")
    return module
