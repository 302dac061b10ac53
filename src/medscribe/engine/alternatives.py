"""Alternative transcriptions: ``results.segments[]`` with the decoder's n-best readings.

This module owns cutting a transcript into segments and asking the decoder for
more readings of each. The service's shape (alternative-med-transcriptions.md):
each segment has ``start_time``, ``end_time`` and ``alternatives[]`` of complete
transcripts with their items, best first.

* Segments: the recognised items cut after sentence-final punctuation, at
  pauses longer than :data:`PAUSE_S`, and before :data:`MAX_SEGMENT_S`.
* First alternative: the transcript's own reading of that segment (so it
  always equals what ``results.transcripts`` says there).
* Other alternatives: the segment's audio is encoded once and decoded by
  CTranslate2's ``WhisperModel.generate`` with ``num_hypotheses`` (beam search
  returns that many finished beams, ordered by score); readings that are the
  same text as one already kept are skipped. Each reading's words are timed
  and scored by CTranslate2's ``align`` through faster-whisper's
  ``WhisperModel.find_alignment``: ``confidence`` is the mean probability of the
  word's tokens *in that reading* (forced decoding), so a runner-up word that
  the model doubts shows a low confidence. faster-whisper's public
  ``transcribe`` returns only the best beam, hence these two internal calls;
  they are the same ones ``transcribe`` makes.
"""

from __future__ import annotations

import contextlib
from collections.abc import Callable
from dataclasses import dataclass
from types import SimpleNamespace
from typing import TYPE_CHECKING

import numpy as np

from medscribe.engine.recognition import SAMPLE_RATE, join_number_pieces, word_items
from medscribe.transcript import Item, Segment, SegmentAlternative
from medscribe.transcript.model import join_items

if TYPE_CHECKING:
    from faster_whisper import WhisperModel

    from medscribe.engine.lock import FairLock

#: A pause this long (seconds) between words ends a segment.
PAUSE_S = 1.0
#: Segments are cut before they reach this length (the decoder sees 30 s at most).
MAX_SEGMENT_S = 25.0
#: Audio kept around a segment when it is decoded again (seconds).
PAD_S = 0.2
_SENTENCE_END = {".", "?", "!"}

Finish = Callable[[list[Item]], list[Item]]


@dataclass(frozen=True, slots=True)
class Reading:
    """One n-best hypothesis: the decoder's score (log-probability per token) and its items."""

    score: float
    items: list[Item]


def split_segments(items: list[Item]) -> list[list[Item]]:
    """Items cut into segments (see the module docstring); punctuation stays with its words."""
    out: list[list[Item]] = []
    current: list[Item] = []
    for item in items:
        if not item.is_punctuation and current:
            words = [i for i in current if not i.is_punctuation]
            last_end = words[-1].end if words else None
            first_start = words[0].start if words else None
            pause = (
                item.start is not None and last_end is not None and item.start - last_end > PAUSE_S
            )
            long = (
                item.end is not None
                and first_start is not None
                and item.end - first_start > MAX_SEGMENT_S
            )
            if pause or long:
                out.append(current)
                current = []
        current.append(item)
        if item.is_punctuation and item.content in _SENTENCE_END:
            out.append(current)
            current = []
    if current:
        out.append(current)
    return [seg for seg in out if any(not i.is_punctuation for i in seg)]


def segment_alternatives(
    audio: np.ndarray,
    items: list[Item],
    *,
    model: WhisperModel,
    offset: float = 0.0,
    count: int = 2,
    finish: Finish | None = None,
    lock: FairLock | None = None,
) -> list[Segment]:
    """One :class:`Segment` per segment of ``items`` with up to ``count`` distinct readings.

    ``audio`` is the mono 16 kHz signal that ``items`` were recognised from
    (starting at ``offset`` seconds); ``finish`` turns raw items into written
    ones (the formatting stage), applied to every reading alike. The model is
    used under ``lock`` (the engine's fair lock), one segment at a time.
    """
    finish = finish or (lambda found: found)
    segments: list[Segment] = []
    for seg_items in split_segments(items):
        words = [i for i in seg_items if not i.is_punctuation]
        start, end = float(words[0].start or 0.0), float(words[-1].end or 0.0)
        best = finish(list(seg_items))
        kept = [SegmentAlternative(join_items(best), best)]
        readings = n_best(audio, start, end, model=model, offset=offset, count=count + 3, lock=lock)
        for reading in readings:
            if len(kept) >= count:
                break
            written = finish(reading.items)
            text = join_items(written)
            if text and all(text != alt.transcript for alt in kept):
                kept.append(SegmentAlternative(text, written))
        segments.append(Segment(start=start, end=end, alternatives=kept))
    return segments


def n_best(
    audio: np.ndarray,
    start: float,
    end: float,
    *,
    model: WhisperModel,
    offset: float,
    count: int,
    beam_size: int | None = None,
    lock: FairLock | None = None,
) -> list[Reading]:
    """Up to ``count`` readings of ``audio`` between ``start`` and ``end`` s, best first.

    The model is used under ``lock`` (the engine's fair lock) for the whole clip.
    """
    first = max(int((start - offset - PAD_S) * SAMPLE_RATE), 0)
    last = min(int((end - offset + PAD_S) * SAMPLE_RATE), audio.shape[0])
    if last - first < SAMPLE_RATE // 10:
        return []
    clip = np.ascontiguousarray(audio[first:last], dtype=np.float32)
    clip_offset = offset + first / SAMPLE_RATE
    with lock or contextlib.nullcontext():
        return _readings(model, clip, clip_offset, count=count, beam_size=beam_size)


def _readings(
    model: WhisperModel, clip: np.ndarray, clip_offset: float, *, count: int, beam_size: int | None
) -> list[Reading]:
    """The n-best readings of one clip (see :func:`n_best`)."""
    from faster_whisper.audio import pad_or_trim
    from faster_whisper.tokenizer import Tokenizer

    features = model.feature_extractor(clip)
    num_frames = features.shape[-1]
    encoder_output = model.encode(pad_or_trim(features))
    tokenizer = Tokenizer(
        model.hf_tokenizer, model.model.is_multilingual, task="transcribe", language="en"
    )
    prompt = model.get_prompt(tokenizer, [], without_timestamps=True)
    beams = max(beam_size or 0, count)
    result = model.model.generate(
        encoder_output,
        [prompt],
        beam_size=beams,
        num_hypotheses=count,
        return_scores=True,
        max_length=model.max_length,
        suppress_blank=True,
        suppress_tokens=[-1],
    )[0]
    limit = clip_offset + clip.shape[0] / SAMPLE_RATE
    readings: list[Reading] = []
    # CTranslate2 returns the hypotheses best first, each with its length-normalised
    # log-probability.
    for tokens, score in zip(result.sequences_ids, result.scores, strict=True):
        text_tokens = [t for t in tokens if t < tokenizer.eot]
        if not text_tokens:
            continue
        alignment = model.find_alignment(tokenizer, [text_tokens], encoder_output, num_frames)
        reading: list[Item] = []
        words = [
            SimpleNamespace(
                word=w["word"],
                start=float(w["start"]),
                end=float(w["end"]),
                probability=float(w["probability"]),
            )
            for w in (alignment[0] if alignment else [])
        ]
        for text, w_start, w_end, probability in join_number_pieces(words):
            reading.extend(
                word_items(text, clip_offset + w_start, clip_offset + w_end, probability, limit)
            )
        if reading:
            readings.append(Reading(float(score), reading))
    return readings
