"""Contextual biasing: a second, prompted decode of the segments that sound like lexicon terms.

This module owns *which* terms are put in front of the decoder for *which*
stretch of audio, and how the prompted reading is merged with the first one.

1. First pass: plain faster-whisper (the same call as
   :func:`medscribe.engine.recognition.recognize`), kept per segment.
2. Per segment, terms whose sound is near a doubtful run of its words
   (:func:`medscribe.engine.correction.candidates`: Metaphone neighbours of
   words that are not English, not medical or heard with low confidence) are
   its hotwords. A segment without such a run is not decoded again: ordinary
   speech costs nothing and risks nothing.
3. Second pass: that segment's audio alone, decoded again with
   ``hotwords=`` (faster-whisper puts them in the decoder prompt) and without
   the previous text.
4. Merge: the two word sequences are aligned (``difflib``); where they differ
   the prompted words are taken only when they replace first-pass words that
   sound alike (Metaphone keys) and bring a lexicon term the first pass lacks;
   words the prompted pass adds or drops are ignored. So a prompt full of drug
   names cannot turn "chest pain" into anything else: a change that brings no
   term, or does not sound like what it replaces, is thrown away.
5. The correction pass (:mod:`medscribe.engine.correction`) runs on the result.

faster-whisper is used through its public ``WhisperModel.transcribe``; the
second pass reuses nothing of the first one but the model.
"""

from __future__ import annotations

import difflib
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

import numpy as np
from rapidfuzz.distance import Levenshtein

from medscribe.engine import correction
from medscribe.engine.lexicon import (
    Lexicon,
    from_vocabulary,
    letters,
    load_lexicon,
    phonetic_key,
)
from medscribe.engine.recognition import SAMPLE_RATE, word_items
from medscribe.transcript import Item

if TYPE_CHECKING:
    from faster_whisper import WhisperModel

    from medscribe.request import TranscriptionOptions

#: Most hotwords per segment (the prompt shares the decoder's 448 tokens).
MAX_HOTWORDS = 4
#: Sound similarity that makes a term a hotword of a segment (looser than a correction).
HOTWORD_SOUND = 0.6
#: Sound similarity a prompted reading needs to the words it replaces.
MERGE_SOUND = 0.5
#: Audio kept around a segment for its second decode (seconds).
PAD_S = 0.25


@dataclass(slots=True)
class RecognizedSegment:
    """One segment of a decode: its span and its items (times absolute)."""

    start: float
    end: float
    items: list[Item] = field(default_factory=list)

    @property
    def words(self) -> list[Item]:
        return [i for i in self.items if not i.is_punctuation]


def lexicon_for(options: TranscriptionOptions, vocabulary: Iterable[object] | None) -> Lexicon:
    """The specialty's lexicon plus the custom vocabulary's terms."""
    lexicon = load_lexicon(options.specialty)
    if vocabulary:
        lexicon = lexicon + from_vocabulary(vocabulary)
    return lexicon


def decode_segments(
    audio: np.ndarray,
    *,
    model: WhisperModel,
    offset: float = 0.0,
    beam_size: int = 5,
    hotwords: str | None = None,
    vad_filter: bool = True,
    condition_on_previous_text: bool = True,
    max_new_tokens: int | None = None,
) -> list[RecognizedSegment]:
    """faster-whisper on mono 16 kHz ``audio``, kept per segment (times from ``offset``)."""
    if audio.shape[0] == 0:
        return []
    segments, _info = model.transcribe(
        audio,
        language="en",
        beam_size=beam_size,
        word_timestamps=True,
        vad_filter=vad_filter,
        hotwords=hotwords,
        condition_on_previous_text=condition_on_previous_text,
        **(
            # A prompted pass decodes once, at temperature 0, and no longer than the
            # first reading warrants: a prompt can start the decoder repeating
            # itself, and the temperature fallback would then decode it five more times.
            {
                "temperature": 0.0,
                "max_new_tokens": max_new_tokens,
                "compression_ratio_threshold": None,
            }
            if max_new_tokens
            else {}
        ),
    )
    limit = offset + audio.shape[0] / SAMPLE_RATE
    out: list[RecognizedSegment] = []
    for segment in segments:
        items: list[Item] = []
        for word in segment.words or ():
            items.extend(
                word_items(
                    word.word, word.start + offset, word.end + offset, word.probability, limit
                )
            )
        if items:
            out.append(RecognizedSegment(segment.start + offset, segment.end + offset, items))
    return out


def hotwords_for(items: list[Item], lexicon: Lexicon) -> list[str]:
    """Terms that doubtful runs of ``items`` sound like, best first (empty: nothing to bias)."""
    words = [i for i in items if not i.is_punctuation]
    scored: dict[str, float] = {}
    for start in range(len(words)):
        for stop in range(start + 1, min(start + correction.MAX_RUN, len(words)) + 1):
            run = words[start:stop]
            if not any(correction.doubtful(i.content, i.confidence, lexicon) for i in run):
                continue
            text = " ".join(i.content for i in run)
            for term, combined, _sound in correction.candidates(
                text, lexicon, cutoff=HOTWORD_SOUND, limit=3
            ):
                if combined > scored.get(term.spoken, 0.0):
                    scored[term.spoken] = combined
    present = {letters(i.content) for i in words}
    ranked = sorted((t for t in scored if not set(t.split()) <= present), key=lambda t: -scored[t])
    return ranked[:MAX_HOTWORDS]


def recognize_biased(
    audio: np.ndarray,
    *,
    model: WhisperModel,
    lexicon: Lexicon,
    offset: float = 0.0,
    beam_size: int = 5,
) -> list[Item]:
    """Recognise ``audio`` with the lexicon: first pass, prompted second pass, correction."""
    if audio.ndim != 1:
        raise ValueError("recognize_biased() takes mono audio; split channels first")
    items: list[Item] = []
    for segment in decode_segments(audio, model=model, offset=offset, beam_size=beam_size):
        items.extend(
            refine_segment(
                audio, segment, model=model, lexicon=lexicon, offset=offset, beam_size=beam_size
            )
        )
    return correction.correct_items(items, lexicon)


def refine_segment(
    audio: np.ndarray,
    segment: RecognizedSegment,
    *,
    model: WhisperModel,
    lexicon: Lexicon,
    offset: float,
    beam_size: int,
) -> list[Item]:
    """The segment's items after a prompted decode, when its words suggest terms."""
    hotwords = hotwords_for(segment.items, lexicon)
    if not hotwords:
        return segment.items
    first = max(int((segment.start - offset - PAD_S) * SAMPLE_RATE), 0)
    last = min(int((segment.end - offset + PAD_S) * SAMPLE_RATE), audio.shape[0])
    if last - first < SAMPLE_RATE // 4:
        return segment.items
    second = decode_segments(
        audio[first:last],
        model=model,
        offset=offset + first / SAMPLE_RATE,
        # Greedy: the prompt already narrows the search, and a beam costs several times
        # as much for this second look (measured on the development set).
        beam_size=1,
        hotwords=", ".join(hotwords),
        vad_filter=False,
        condition_on_previous_text=False,
        max_new_tokens=3 * len(segment.items) + 8,
    )
    # Words past the first reading's end are the prompt talking, not the audio.
    prompted = [
        item
        for s in second
        for item in s.items
        if item.start is None or item.start < segment.end + PAD_S
    ]
    return merge(segment.items, prompted, lexicon)


def merge(first: list[Item], prompted: list[Item], lexicon: Lexicon) -> list[Item]:
    """First-pass items, with the prompted reading where (and only where) it brings a term."""
    if not prompted:
        return first
    a = [letters(i.content) or i.content for i in first]
    b = [letters(i.content) or i.content for i in prompted]
    out: list[Item] = []
    matcher = difflib.SequenceMatcher(a=a, b=b, autojunk=False)
    for op, i1, i2, j1, j2 in matcher.get_opcodes():
        span = _term_span(b[j1:j2], a[i1:i2], lexicon) if op == "replace" else None
        if span is not None and _sounds_alike(a[i1:i2], b[j1 + span[0] : j1 + span[1]]):
            # Only the term's own words: the prompted pass may have shifted its
            # neighbours ("the" twice, a sentence break moved).
            out.extend(prompted[j1 + span[0] : j1 + span[1]])
            out.extend(_trailing_punctuation(first[i1:i2]))
        else:
            # Equal runs, and anything the prompt added or dropped, stay as first heard:
            # a prompted decode may invent a listed term where nothing was said.
            out.extend(first[i1:i2])
    return out


def _trailing_punctuation(items: list[Item]) -> list[Item]:
    tail: list[Item] = []
    for item in reversed(items):
        if not item.is_punctuation:
            break
        tail.insert(0, item)
    return tail


def _sounds_alike(old: list[str], new: list[str]) -> bool:
    """Whether two readings of one stretch sound alike (Metaphone keys, as the matcher)."""
    old_key, new_key = phonetic_key(" ".join(old)), phonetic_key(" ".join(new))
    if not old_key or not new_key:
        return False
    return Levenshtein.normalized_similarity(old_key, new_key) >= MERGE_SOUND


def _term_span(new: list[str], old: list[str], lexicon: Lexicon) -> tuple[int, int] | None:
    """Where in ``new`` the lexicon terms that ``old`` lacks are: (first, stop), or None."""
    old_words = set(old)
    first = stop = None
    for term in lexicon.terms:
        n = len(term.words)
        if any(w in old_words for w in term.words):
            continue
        for k in range(len(new) - n + 1):
            if tuple(new[k : k + n]) == term.words:
                first = k if first is None else min(first, k)
                stop = k + n if stop is None else max(stop, k + n)
    return None if first is None or stop is None else (first, stop)
