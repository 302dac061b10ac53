"""The prompted second look: the segments that sound like lexicon terms, decoded again with them.

This module owns *which* terms are put in front of the decoder for *which*
stretch of audio, and how the prompted reading is merged with the first one.
It is the first half of the specialty stage (:mod:`medscribe.engine.specialty`);
the correction pass is the second.

1. First pass: the recognition stage's items of a stretch of audio
   (:func:`medscribe.engine.recognition.decode`).
2. Doubtful runs: words that are not English, not medical or heard with low
   confidence, whose Metaphone neighbours in the lexicon
   (:func:`medscribe.engine.specialty.correction.candidates`) score in a middle band
   (:func:`doubtful_runs`). Speech without such runs is not decoded again:
   ordinary speech costs nothing and risks nothing.
3. Second look: each doubtful run, with a word of context each side, is a
   *snippet*; the snippets' audio is laid end to end (short silences between)
   into clips of up to :data:`CLIP_S` seconds, and each clip is decoded once,
   greedily, with the snippets' terms as ``hotwords`` (faster-whisper puts them
   in the decoder prompt) and without previous text. Only the doubtful stretches
   are decoded again, so the cost follows how much of the audio is in doubt.
   Clips do not depend on each other: they are decoded side by side on the
   model's workers (:mod:`medscribe.engine.parallel`).
4. Merge: the two word sequences are aligned (``difflib``); where they differ
   the prompted words are taken only when they replace first-pass words that
   sound alike (Metaphone keys) and bring a lexicon term the first pass lacks;
   words the prompted pass adds or drops are ignored, and a change that would
   remove, add or change a number, dose, unit or negation is never taken
   (:mod:`medscribe.engine.specialty.protected`). So a prompt full of drug names cannot
   turn "chest pain" into anything else: a change that brings no term, or does
   not sound like what it replaces, is thrown away.

faster-whisper is used through the recognition stage's one decode call; the
second look reuses nothing of the first one but the model.
"""

from __future__ import annotations

import difflib
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

import numpy as np
from rapidfuzz.distance import Levenshtein

from medscribe.engine.parallel import side_by_side
from medscribe.engine.recognition import SAMPLE_RATE, DecodeOptions, decode
from medscribe.engine.specialty import correction
from medscribe.engine.specialty.lexicon import Lexicon, letters, phonetic_key
from medscribe.engine.specialty.protected import protected_flags, protected_in
from medscribe.transcript import Item

if TYPE_CHECKING:
    from faster_whisper import WhisperModel

    from medscribe.engine.lock import FairLock
    from medscribe.engine.progress import Watch

#: Most hotwords per prompted decode (the prompt shares the decoder's 448 tokens).
MAX_HOTWORDS = 6
#: Snippets are packed into clips of at most this many seconds (Whisper reads 30 s).
CLIP_S = 28.0
#: Silence between two snippets in a clip (seconds).
GAP_S = 0.5
#: Words of context kept on each side of a doubtful run.
CONTEXT_WORDS = 1
#: Tokens a prompted decode may write (prompt + text stay under Whisper's 448).
MAX_NEW_TOKENS = 220
#: A doubtful run whose best term scores this much is left to the correction pass.
SETTLED = 0.86
#: Below this best score a prompted decode is not worth its cost (0.64: measured on the
#: devset, the cheapest setting that keeps every specialty's recall gain >= 1.6x) ...
WORTH = 0.64
#: ... except for a term of the user's own vocabulary, which they asked for.
WORTH_CUSTOM = 0.55
#: Sound similarity that makes a term a hotword of a segment (looser than a correction).
HOTWORD_SOUND = 0.6
#: Sound similarity a prompted reading needs to the words it replaces.
MERGE_SOUND = 0.5
#: Audio kept around a segment for its second decode (seconds).
PAD_S = 0.25


def doubtful_runs(words: list[Item], lexicon: Lexicon) -> list[tuple[int, int, dict[str, float]]]:
    """Runs ``(start, stop, {term: score})`` of ``words`` worth a prompted second look.

    A run qualifies when it holds a doubtful word and sounds like a term with a
    score between :data:`WORTH` and :data:`SETTLED`: above, the correction pass
    settles it anyway; below, a prompt rarely turns it into the term. Terms
    already present in ``words`` are left out.
    """
    present = {letters(i.content) for i in words}
    runs: list[tuple[int, int, dict[str, float]]] = []
    for start in range(len(words)):
        for stop in range(start + 1, min(start + correction.MAX_RUN, len(words)) + 1):
            run = words[start:stop]
            if not any(correction.doubtful(i.content, i.confidence, lexicon) for i in run):
                continue
            text = " ".join(i.content for i in run)
            hits = [
                (term, combined)
                for term, combined, _sound in correction.candidates(
                    text, lexicon, cutoff=HOTWORD_SOUND, limit=3
                )
                if not set(term.words) <= present
            ]
            if not hits or max(c for _, c in hits) >= SETTLED:
                continue
            if any(c >= (WORTH_CUSTOM if t.custom else WORTH) for t, c in hits):
                runs.append((start, stop, {t.spoken: c for t, c in hits}))
    return runs


@dataclass(slots=True)
class Snippet:
    """Words around doubtful runs, to be heard again: item indices and audio span."""

    first: int  # index of its first item in the item list
    stop: int  # index after its last item
    start_s: float
    end_s: float
    scores: dict[str, float] = field(default_factory=dict)


def find_snippets(items: list[Item], lexicon: Lexicon) -> list[Snippet]:
    """Snippets of ``items`` (one word of context each side; overlapping ones joined)."""
    positions = [k for k, item in enumerate(items) if not item.is_punctuation]
    words = [items[k] for k in positions]
    snippets: list[Snippet] = []
    for start, stop, scores in doubtful_runs(words, lexicon):
        lo, hi = max(start - CONTEXT_WORDS, 0), min(stop + CONTEXT_WORDS, len(words))
        first, last = positions[lo], positions[hi - 1]
        start_s, end_s = float(words[lo].start or 0.0), float(words[hi - 1].end or 0.0)
        previous = snippets[-1] if snippets else None
        if previous is not None and first <= previous.stop:
            previous.stop = max(previous.stop, last + 1)
            previous.end_s = max(previous.end_s, end_s)
            for term, value in scores.items():
                previous.scores[term] = max(value, previous.scores.get(term, 0.0))
        else:
            snippets.append(Snippet(first, last + 1, start_s, end_s, dict(scores)))
    return snippets


def look_again(
    audio: np.ndarray,
    items: list[Item],
    lexicon: Lexicon,
    *,
    model: WhisperModel,
    offset: float = 0.0,
    lock: FairLock | None = None,
    watch: Watch | None = None,
    workers: int = 1,
) -> list[Item]:
    """``items`` (the first pass over ``audio``, from ``offset`` s), prompted readings merged in.

    Each clip of snippets is decoded under ``lock``, the engine's fair lock, up to
    ``workers`` clips at a time (they do not depend on each other); ``watch`` is
    checked between the clips' segments.
    """
    snippets = find_snippets(items, lexicon)

    def hear(batch: list[tuple[int, Snippet]]) -> dict[int, list[Item]]:
        return _hear_again(audio, batch, model=model, offset=offset, lock=lock, watch=watch)

    readings: dict[int, list[Item]] = {}
    for found in side_by_side(hear, _batches(snippets), workers):
        readings.update(found)
    out: list[Item] = []
    position = 0
    for index, snippet in enumerate(snippets):
        out.extend(items[position : snippet.first])
        out.extend(merge(items[snippet.first : snippet.stop], readings.get(index, []), lexicon))
        position = snippet.stop
    out.extend(items[position:])
    return out


def _batches(snippets: list[Snippet]) -> list[list[tuple[int, Snippet]]]:
    """Snippets packed into clips of at most :data:`CLIP_S` seconds."""
    batches: list[list[tuple[int, Snippet]]] = []
    length = 0.0
    for index, snippet in enumerate(snippets):
        span = snippet.end_s - snippet.start_s + 2 * PAD_S + GAP_S
        if not batches or length + span > CLIP_S:
            batches.append([])
            length = 0.0
        batches[-1].append((index, snippet))
        length += span
    return batches


def _hear_again(
    audio: np.ndarray,
    batch: list[tuple[int, Snippet]],
    *,
    model: WhisperModel,
    offset: float,
    lock: FairLock | None = None,
    watch: Watch | None = None,
) -> dict[int, list[Item]]:
    """Decode a batch of snippets as one clip with their hotwords; words per snippet index.

    The snippets' audio is laid end to end with :data:`GAP_S` of silence between
    them: the encoder reads 30 s whatever the clip holds, so one clip of many
    snippets costs one encoder pass, and only the snippets' words are decoded.
    Each decoded word goes back to the snippet its time falls in, shifted to
    that snippet's place in the file; words in the gaps are dropped.
    """
    gap = np.zeros(int(GAP_S * SAMPLE_RATE), dtype=np.float32)
    pieces: list[np.ndarray] = []
    places: list[tuple[int, float, float, float]] = []  # index, clip start, clip end, file start
    cursor = 0.0
    scores: dict[str, float] = {}
    words = 0
    for index, snippet in batch:
        first = max(int((snippet.start_s - offset - PAD_S) * SAMPLE_RATE), 0)
        last = min(int((snippet.end_s - offset + PAD_S) * SAMPLE_RATE), audio.shape[0])
        if last <= first:
            continue
        piece = audio[first:last]
        pieces.extend([piece, gap])
        duration = piece.shape[0] / SAMPLE_RATE
        places.append((index, cursor, cursor + duration, offset + first / SAMPLE_RATE))
        cursor += duration + GAP_S
        words += snippet.stop - snippet.first
        for term, value in snippet.scores.items():
            scores[term] = max(value, scores.get(term, 0.0))
    if not pieces:
        return {}
    hotwords = sorted(scores, key=lambda t: -scores[t])[:MAX_HOTWORDS]
    clip = np.concatenate(pieces).astype(np.float32, copy=False)
    options = DecodeOptions(
        # Greedy: the prompt already narrows the search (a beam costs more here).
        beam_size=1,
        hotwords=", ".join(hotwords),
        vad_filter=False,
        condition_on_previous_text=False,
        max_new_tokens=min(3 * words + 8, MAX_NEW_TOKENS),
    )
    decoded = decode(model, clip, options, lock=lock, watch=watch)
    out: dict[int, list[Item]] = {}
    for item in (i for segment in decoded for i in segment.items):
        if item.is_punctuation:
            continue  # the first pass keeps its own punctuation
        middle = ((item.start or 0.0) + (item.end or 0.0)) / 2
        for index, clip_start, clip_end, file_start in places:
            if clip_start <= middle <= clip_end:
                shift = file_start - clip_start
                item.start = round(max((item.start or 0.0), clip_start) + shift, 3)
                item.end = round(min((item.end or 0.0), clip_end) + shift, 3)
                item.end = max(item.end, item.start + 0.01)
                out.setdefault(index, []).append(item)
                break
    return out


def merge(first: list[Item], prompted: list[Item], lexicon: Lexicon) -> list[Item]:
    """First-pass items, with the prompted reading where (and only where) it brings a term."""
    if not prompted:
        return first
    a = [letters(i.content) or i.content for i in first]
    b = [letters(i.content) or i.content for i in prompted]
    # Which words are numbers, doses, units or negations, each reading in its own context.
    kept_first = protected_flags([i.content for i in first])
    kept_prompted = protected_flags([i.content for i in prompted])
    out: list[Item] = []
    matcher = difflib.SequenceMatcher(a=a, b=b, autojunk=False)
    for op, i1, i2, j1, j2 in matcher.get_opcodes():
        span = _term_span(b[j1:j2], a[i1:i2], lexicon) if op == "replace" else None
        if (
            span is not None
            and _sounds_alike(a[i1:i2], b[j1 + span[0] : j1 + span[1]])
            # Never at the cost of a number, dose, unit or negation the first pass heard.
            and _same_protected(
                first[i1:i2], kept_first[i1:i2], prompted[j1:j2], kept_prompted[j1:j2], span
            )
        ):
            # Only the term's own words: the prompted pass may have shifted its
            # neighbours ("the" twice, a sentence break moved).
            out.extend(prompted[j1 + span[0] : j1 + span[1]])
            out.extend(_trailing_punctuation(first[i1:i2]))
        else:
            # Equal runs, and anything the prompt added or dropped, stay as first heard:
            # a prompted decode may invent a listed term where nothing was said.
            out.extend(first[i1:i2])
    return out


def _same_protected(
    old: list[Item],
    old_flags: list[bool],
    new: list[Item],
    new_flags: list[bool],
    span: tuple[int, int],
) -> bool:
    """Whether taking ``new[span]`` for ``old`` keeps its numbers, doses, units, negations."""
    lo, hi = span
    before = protected_in([i.content for i in old], old_flags)
    after = protected_in([i.content for i in new[lo:hi]], new_flags[lo:hi])
    return before == after


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
    for word in set(new):
        for term in lexicon.with_word(word):
            n = len(term.words)
            # An ordinary word the broad lexicon also holds ("paint") brings no term.
            if (term.ordinary and not term.custom) or any(w in old_words for w in term.words):
                continue
            for k in range(len(new) - n + 1):
                if tuple(new[k : k + n]) == term.words:
                    first = k if first is None else min(first, k)
                    stop = k + n if stop is None else max(stop, k + n)
    return None if first is None or stop is None else (first, stop)
