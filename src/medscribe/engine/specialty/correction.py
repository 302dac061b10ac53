"""The correction pass: misheard word sequences replaced by lexicon terms that sound alike.

This module owns the phonetic matcher and the rewrite of items. A run of 1 to 4
consecutive words ("a pixel in", "midoprolal") is compared with every term of
the :class:`~medscribe.engine.specialty.lexicon.Lexicon` in force:

* sound: Levenshtein similarity of Metaphone keys (the term's keys include its
  SoundsLike and IPA when a custom vocabulary gave them);
* spelling: Levenshtein ratio of the letters (to the spelling and SoundsLike).

The score is ``0.6 * sound + 0.4 * spelling``; a run is replaced when the score
reaches :data:`THRESHOLD` (a little less when the recogniser doubted one of its
words) and the sound alone reaches :data:`MIN_SOUND`. Distances
are RapidFuzz's (C++; already a dependency of faster-whisper), not our own.

Ordinary speech is protected: a run is a candidate only when it holds a word
that is neither English nor medical (the shipped word lists of
:mod:`medscribe.engine.wordlists`) nor a lexicon word, or a word the recogniser
itself doubted (confidence below :data:`DOUBT`). "chest pain" heard with
confidence is never touched.

A replacement is one item spanning the run (first start .. last end) with the
lowest confidence of the run: the text changed, the evidence did not get better.
Runs never cross punctuation; speaker and channel of the first word are kept.
A run never holds a number, dose, unit or negation, and a term never brings one
(:mod:`medscribe.engine.specialty.protected`): such a rewrite is not made.
"""

from __future__ import annotations

import functools
from collections.abc import Sequence
from dataclasses import dataclass

from rapidfuzz import process
from rapidfuzz.distance import Levenshtein

from medscribe.engine.specialty.lexicon import Lexicon, Term, letters, phonetic_key
from medscribe.engine.specialty.protected import keeps_protected, protected_flags
from medscribe.engine.wordlists import english_words, medical_words
from medscribe.transcript import Item

#: Combined score a run needs to be replaced.
THRESHOLD = 0.78
#: The threshold is this much lower for a run with a word heard below :data:`DOUBT`:
#: the recogniser's own doubt is evidence too.
DOUBT_BONUS = 0.04
#: Sound similarity a run needs on its own (spelling cannot carry a match).
MIN_SOUND = 0.72
#: Below this confidence a word counts as doubted even when it is a real word.
DOUBT = 0.6
#: Longest run of words compared with a term.
MAX_RUN = 4
#: Shortest key a term needs to be matched by sound (short keys match anything).
MIN_KEY = 4


@dataclass(frozen=True, slots=True)
class Match:
    """Words ``start`` .. ``stop - 1`` of a word list sound like ``term``."""

    start: int
    stop: int
    term: Term
    score: float
    sound: float


def is_known(word: str, lexicon: Lexicon) -> bool:
    """Whether ``word`` is ordinary English, medical, or a word of the lexicon."""
    w = letters(word)
    return not w or w in lexicon.term_words or w in english_words() or w in medical_words()


def doubtful(word: str, confidence: float | None, lexicon: Lexicon) -> bool:
    """Whether a heard word may be a mishearing: unknown, or heard with low confidence."""
    return not is_known(word, lexicon) or (confidence is not None and confidence < DOUBT)


@functools.cache
def _key_table(lexicon: Lexicon) -> tuple[list[str], list[Term]]:
    keys: list[str] = []
    owners: list[Term] = []
    for term in lexicon.terms:
        if term.category == "abbreviation":
            continue  # spoken as letters; Metaphone of "ECG" says nothing
        for key in term.keys:
            if len(key) >= MIN_KEY or term.custom:
                keys.append(key)
                owners.append(term)
    return keys, owners


def score(text: str, term: Term) -> tuple[float, float]:
    """(combined, sound) similarity of spoken ``text`` to ``term``."""
    key = phonetic_key(text)
    spelled = letters(text)
    sound = max((Levenshtein.normalized_similarity(key, k) for k in term.keys), default=0.0)
    spelling = max((Levenshtein.normalized_similarity(spelled, s) for s in term.letters), default=0)
    return 0.6 * sound + 0.4 * spelling, sound


def candidates(
    text: str, lexicon: Lexicon, *, cutoff: float = 0.6, limit: int = 5
) -> list[tuple[Term, float, float]]:
    """Terms at least ``cutoff`` alike in sound to ``text``: (term, combined, sound), best first."""
    keys, owners = _key_table(lexicon)
    key = phonetic_key(text)
    if not keys or len(key) < 3:
        return []
    hits = process.extract(
        key,
        keys,
        scorer=Levenshtein.normalized_similarity,
        score_cutoff=cutoff,
        limit=limit * 3,
    )
    seen: dict[str, tuple[Term, float, float]] = {}
    for _key, _sim, index in hits:
        term = owners[index]
        if term.spoken in seen:
            continue
        combined, sound = score(text, term)
        seen[term.spoken] = (term, combined, sound)
    return sorted(seen.values(), key=lambda hit: -hit[1])[:limit]


def find_matches(
    words: Sequence[str],
    confidences: Sequence[float | None],
    lexicon: Lexicon,
    *,
    threshold: float = THRESHOLD,
    min_sound: float = MIN_SOUND,
) -> list[Match]:
    """Non-overlapping runs of ``words`` to replace, in word order."""
    found: list[Match] = []
    doubted = [doubtful(w, c, lexicon) for w, c in zip(words, confidences, strict=True)]
    singles = _single_word_terms(lexicon)
    # A number, dose, unit or negation ("ten", "milligrams", "no"), a token that is
    # not a word, or a word that already is a term ends every run: "listenapril ten"
    # must not become "lisinopril", "no Babinski" must not swallow the "no".
    protected = protected_flags(words)
    barrier = [
        p or not w.replace("'", "").isalpha() or letters(w) in singles
        for p, w in zip(protected, words, strict=True)
    ]
    for start in range(len(words)):
        for stop in range(start + 1, min(start + MAX_RUN, len(words)) + 1):
            if barrier[stop - 1]:
                break
            if not any(doubted[start:stop]):
                continue
            if stop - start == 1 and _inflection_of_known(words[start], lexicon):
                continue
            text = " ".join(words[start:stop])
            low = any(c is not None and c < DOUBT for c in confidences[start:stop])
            needed = threshold - (DOUBT_BONUS if low else 0.0)
            for term, combined, sound in candidates(text, lexicon, cutoff=min_sound, limit=3):
                if combined < needed or _already(words[start:stop], term):
                    continue
                if not _length_fits(text, term):
                    continue
                if not keeps_protected(words[start:stop], term.display.split()):
                    continue  # a term may not bring a number or negation either
                found.append(Match(start, stop, term, combined, sound))
    return _best_non_overlapping(found)


@functools.cache
def _single_word_terms(lexicon: Lexicon) -> frozenset[str]:
    return frozenset(t.words[0] for t in lexicon.terms if len(t.words) == 1)


def _inflection_of_known(word: str, lexicon: Lexicon) -> bool:
    """A real word close in spelling to a term is an inflection ("platelet"), not a mishearing."""
    w = letters(word)
    if not (w in english_words() or w in medical_words()):
        return False
    for term in lexicon.terms:
        for spelled in term.letters:
            shorter = min(len(w), len(spelled))
            if shorter >= 6 and _common_prefix(w, spelled) >= shorter - 2:
                return True
    return False


def _common_prefix(a: str, b: str) -> int:
    n = 0
    for x, y in zip(a, b, strict=False):
        if x != y:
            break
        n += 1
    return n


def _already(words: Sequence[str], term: Term) -> bool:
    return tuple(letters(w) for w in words) == term.words


def _length_fits(text: str, term: Term) -> bool:
    # "a pixel in" may become "apixaban"; "pain in the" must not become a long drug.
    spelled = len(letters(text))
    return any(0.6 <= spelled / max(len(s), 1) <= 1.5 for s in term.letters)


def _best_non_overlapping(matches: list[Match]) -> list[Match]:
    chosen: list[Match] = []
    taken: set[int] = set()
    # Higher score first; on ties the longer run (it explains more of the audio).
    for m in sorted(matches, key=lambda m: (-m.score, -(m.stop - m.start))):
        span = set(range(m.start, m.stop))
        if span & taken:
            continue
        chosen.append(m)
        taken |= span
    return sorted(chosen, key=lambda m: m.start)


def correct_items(items: list[Item], lexicon: Lexicon) -> list[Item]:
    """``items`` with misheard runs replaced by lexicon terms (a new list; see module doc)."""
    if not lexicon.terms or not items:
        return items
    out: list[Item] = []
    run: list[Item] = []
    for item in items:
        if item.is_punctuation:
            out.extend(_correct_run(run, lexicon))
            run = []
            out.append(item)
        else:
            run.append(item)
    out.extend(_correct_run(run, lexicon))
    return out


def _correct_run(run: list[Item], lexicon: Lexicon) -> list[Item]:
    if not run:
        return []
    run = _display_custom(run, lexicon)
    matches = find_matches([i.content for i in run], [i.confidence for i in run], lexicon)
    if not matches:
        return list(run)
    out: list[Item] = []
    position = 0
    for m in matches:
        out.extend(run[position : m.start])
        out.append(merged_item(run[m.start : m.stop], display(m.term, run[m.start].content)))
        position = m.stop
    out.extend(run[position:])
    return out


def _display_custom(run: list[Item], lexicon: Lexicon) -> list[Item]:
    """Custom terms heard right are shown as their DisplayAs ("vonoprazan" -> "Voquezna")."""
    custom = [t for t in lexicon.terms if t.custom and t.display != t.spoken]
    if not custom:
        return run
    out: list[Item] = []
    index = 0
    while index < len(run):
        for term in sorted(custom, key=lambda t: -len(t.words)):
            n = len(term.words)
            if tuple(letters(i.content) for i in run[index : index + n]) == term.words:
                out.append(merged_item(run[index : index + n], term.display))
                index += n
                break
        else:
            out.append(run[index])
            index += 1
    return out


def display(term: Term, replaced_first_word: str) -> str:
    """What the transcript shows: DisplayAs exactly; a lexicon term keeps a sentence capital."""
    if term.custom or not replaced_first_word[:1].isupper() or term.display[:1].isupper():
        return term.display
    return term.display[:1].upper() + term.display[1:]


def merged_item(run: Sequence[Item], content: str) -> Item:
    """One item for ``run``: its whole time span, its lowest confidence."""
    first = run[0]
    starts = [i.start for i in run if i.start is not None]
    ends = [i.end for i in run if i.end is not None]
    confidences = [i.confidence for i in run if i.confidence is not None]
    return Item(
        content=content,
        start=min(starts) if starts else None,
        end=max(ends) if ends else None,
        confidence=min(confidences) if confidences else None,
        speaker=first.speaker,
        channel=first.channel,
    )
