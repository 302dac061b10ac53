"""The correction pass: misheard word sequences replaced by lexicon terms.

This module owns the candidate runs and the rewrite of items, in two ways:

* :func:`correct_by_audio` (a batch window, the default of the specialty
  stage): :func:`propose` offers, for each doubtful run of 1 to 4 words, the
  terms that sound and spell alike; the recognition model scores each against
  the audio and the rewrite is made only when the candidate wins
  (:mod:`medscribe.engine.specialty.scoring`, where the rule and its tuning are).
* :func:`correct_items` (a stream's finals, which carry no audio here): the
  spelling-only matcher. The score is ``0.6 * sound + 0.4 * spelling`` (sound:
  Levenshtein similarity of Metaphone keys, with a custom vocabulary's
  SoundsLike and IPA; spelling: of the letters); a run is replaced when it
  reaches :data:`THRESHOLD` (a little less when the recogniser doubted one of
  its words) and the sound alone :data:`MIN_SOUND`. With a broad lexicon nearly
  every real word has a rare term spelled alike, so without audio a real word is
  never rewritten alone, and a run never begins or ends with a real word heard
  with confidence, a run of real words only ("count and") becomes only a term of
  the user's custom vocabulary; the user's own terms go first.

Distances are RapidFuzz's (C++; already a dependency of faster-whisper); the
sound neighbours come from the lexicon's index (:meth:`Lexicon.candidates`).

Ordinary speech is protected: a run is a candidate only when it holds a word
that is neither English nor medical (the shipped word lists of
:mod:`medscribe.engine.wordlists`) nor a lexicon word, or a word the recogniser
itself doubted (confidence below :data:`DOUBT`). "chest pain" heard with
confidence is never touched.

A replacement is one item spanning the run (first start .. last end) with the
lowest confidence of the run: the text changed, the evidence did not get better.
Runs never cross punctuation; speaker and channel of the first word are kept.
A run never holds a number, dose, unit or negation, and a term never brings one
(:mod:`medscribe.engine.specialty.protected`): such a rewrite is not made,
whatever the audio says.
"""

from __future__ import annotations

import functools
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
from rapidfuzz.distance import Levenshtein

from medscribe.engine.specialty import scoring
from medscribe.engine.specialty.lexicon import Lexicon, Term, heard_prior, letters, phonetic_key
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
#: Filled pauses of spoken English: a hesitation, not a piece of a misheard term ("um so"
#: is not "ambos"; seen on a tune conversation of the devset). They end every run.
FILLERS = frozenset({"um", "umm", "uh", "uhm", "er", "erm", "ah", "eh", "hmm", "mm", "mhm"})
#: Longest run of words compared with a term.
MAX_RUN = 4


@dataclass(frozen=True, slots=True)
class Match:
    """Words ``start`` .. ``stop - 1`` of a word list sound like ``term``."""

    start: int
    stop: int
    term: Term
    score: float
    sound: float


def is_known(word: str, lexicon: Lexicon) -> bool:
    """Whether ``word`` is ordinary English, medical, a word of the lexicon or a DisplayAs."""
    w = letters(word)
    return (
        not w
        or w in lexicon.term_words
        or w in english_words()
        or w in medical_words()
        or w in _custom_displays(lexicon)
    )


@functools.cache
def _custom_displays(lexicon: Lexicon) -> frozenset[str]:
    """The custom vocabulary's DisplayAs words ("Voquezna"): written on purpose, kept."""
    return frozenset(letters(w) for t in lexicon.custom_terms for w in t.display.split())


def doubtful(word: str, confidence: float | None, lexicon: Lexicon) -> bool:
    """Whether a heard word may be a mishearing: unknown, or heard with low confidence."""
    return not is_known(word, lexicon) or (confidence is not None and confidence < DOUBT)


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
    """Terms at least ``cutoff`` alike in sound to ``text``: (term, combined, sound), best first.

    The lexicon's sound index (:meth:`Lexicon.candidates`) gives the neighbours by
    sound; they are ranked here by the combined sound and spelling score.
    """
    hits = [h.term for h in lexicon.candidates(text, cutoff=cutoff, limit=limit * 3)]
    hits += [t for t in lexicon.custom_terms if t not in hits and score(text, t)[1] >= cutoff]
    scored = [(term, *score(text, term)) for term in hits]
    return sorted(scored, key=lambda hit: (-hit[1], -hit[0].log_prior))[:limit]


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
    # A number, dose, unit or negation ("ten", "milligrams", "no"), a token that is
    # not a word, or a word that already is a rare term ends every run: "listenapril
    # ten" must not become "lisinopril", "no Babinski" must not swallow the "no". (An
    # ordinary word that the broad lexicon also holds, "fin", does not end a run.)
    protected = protected_flags(words)
    barrier = [
        p
        or not w.replace("'", "").isalpha()
        or letters(w) in _rare_single_words(lexicon)
        or letters(w) in FILLERS
        for p, w in zip(protected, words, strict=True)
    ]
    for start in range(len(words)):
        for stop in range(start + 1, min(start + MAX_RUN, len(words)) + 1):
            if barrier[stop - 1]:
                break
            if not any(doubted[start:stop]) or not _spelling_may_rewrite(
                words[start:stop], confidences[start:stop], lexicon
            ):
                continue
            text = " ".join(words[start:stop])
            low = any(c is not None and c < DOUBT for c in confidences[start:stop])
            needed = threshold - (DOUBT_BONUS if low else 0.0)
            strange = any(not is_known(w, lexicon) for w in words[start:stop])
            for term, combined, sound in candidates(text, lexicon, cutoff=min_sound, limit=3):
                if combined < needed or _already(words[start:stop], term):
                    continue
                if not (strange or term.custom):
                    continue  # real words heard with doubt: only a term the user asked for
                if not _length_fits(text, term):
                    continue
                if not keeps_protected(words[start:stop], term.display.split()):
                    continue  # a term may not bring a number or negation either
                found.append(Match(start, stop, term, combined, sound))
    return _best_non_overlapping(found)


def propose(
    words: Sequence[str],
    confidences: Sequence[float | None],
    lexicon: Lexicon,
    *,
    per_run: int = scoring.PER_RUN,
) -> list[scoring.Proposal]:
    """Terms that might be what a doubtful run of ``words`` was (overlapping; for the audio).

    Runs of up to :data:`MAX_RUN` words holding a doubtful word and no number,
    dose, unit or negation (nor a token that is not a word); a term that would
    bring one is not proposed. Sound and spelling only *propose* here, with the
    looser cut-offs of :mod:`.scoring`; the audio decides. A term heard as it is
    may sit inside a run: "Spire and Lactone" may be "spironolactone".
    """
    found: list[scoring.Proposal] = []
    doubted = [doubtful(w, c, lexicon) for w, c in zip(words, confidences, strict=True)]
    unknown = [not is_known(w, lexicon) for w in words]
    # A custom term shown as its DisplayAs is what the user asked for: never re-proposed.
    shown = _custom_displays(lexicon)
    barrier = [
        p or not w.replace("'", "").isalpha() or letters(w) in shown or letters(w) in FILLERS
        for p, w in zip(protected_flags(words), words, strict=True)
    ]
    for start in range(len(words)):
        for stop in range(start + 1, min(start + MAX_RUN, len(words)) + 1):
            if barrier[stop - 1]:
                break
            if not any(doubted[start:stop]) or _firm_edge(words, confidences, start, stop, lexicon):
                continue
            text = " ".join(words[start:stop])
            for term, likeness in _ranked(text, lexicon, per_run):
                if _already(words[start:stop], term) or not _length_fits(text, term):
                    continue
                if not keeps_protected(words[start:stop], term.display.split()):
                    continue
                doubt = any(unknown[start:stop])
                prior = heard_prior(words[start:stop])
                found.append(scoring.Proposal(start, stop, term, doubt, likeness, prior))
    return found


def _ranked(text: str, lexicon: Lexicon, limit: int) -> list[tuple[Term, float]]:
    """The ``limit`` best terms for ``text``: sound and spelling, then the term's prior."""
    hits = [
        h.term for h in lexicon.candidates(text, cutoff=scoring.PROPOSE_SOUND, limit=scoring.POOL)
    ]
    # The index looks among keys of the same first letter; the user's few own terms
    # are looked at whatever their first sound ("bono" may be "vonoprazan").
    hits += [t for t in lexicon.custom_terms if t not in hits and _sounds_like(text, t)]
    scored = [(term, score(text, term)[0]) for term in hits]
    kept = [(t, c) for t, c in scored if c >= scoring.PROPOSE_SCORE]
    kept.sort(key=lambda tc: -(tc[1] + scoring.RANK_PRIOR * tc[0].log_prior))
    return kept[:limit]


@functools.cache
def _rare_single_words(lexicon: Lexicon) -> frozenset[str]:
    """Words of the lexicon's one-word terms that are not ordinary English."""
    return frozenset(t.words[0] for t in lexicon.terms if len(t.words) == 1 and not t.ordinary)


def _spelling_may_rewrite(
    words: Sequence[str], confidences: Sequence[float | None], lexicon: Lexicon
) -> bool:
    """Whether spelling alone may rewrite this run (no audio to ask; see the module doc).

    With a broad lexicon nearly every real word has a rare term spelled alike
    ("result", "Ryzolt"), so without the audio a real word is never rewritten
    alone ("platelet" stays), a run never begins or ends with a real word of
    four letters or more heard with confidence ("continue a" is not "continua"),
    and a run of real words only is rewritten only to a custom vocabulary's term
    (:func:`find_matches`).
    """
    if len(words) == 1:
        return not is_known(words[0], lexicon)
    return not any(_firm(words[k], confidences[k], lexicon) for k in (0, len(words) - 1))


def _sounds_like(text: str, term: Term) -> bool:
    return score(text, term)[1] >= scoring.PROPOSE_SOUND


def _firm_edge(
    words: Sequence[str],
    confidences: Sequence[float | None],
    start: int,
    stop: int,
    lexicon: Lexicon,
) -> bool:
    """Whether a run of several words begins or ends with a real word heard with confidence.

    Such a run is rarely a mishearing ("continue a" for "continua"): the audio is
    not asked about it, which keeps the pass cheap.
    """
    if stop - start == 1:
        return False
    return _firm(words[start], confidences[start], lexicon) or _firm(
        words[stop - 1], confidences[stop - 1], lexicon
    )


def _firm(word: str, confidence: float | None, lexicon: Lexicon) -> bool:
    heard_well = confidence is None or confidence >= DOUBT
    return heard_well and len(letters(word)) >= 4 and is_known(word, lexicon)


def _already(words: Sequence[str], term: Term) -> bool:
    """Whether the run is the term already, or the term with a plural or possessive "s"
    ("McMurray's" is not a mishearing of "McMurray": a tune dictation of the devset)."""
    if tuple(letters(w) for w in words) == term.words:
        return True
    heard = "".join(letters(w) for w in words)
    return any(heard == spelled + "s" for spelled in term.letters)


def _length_fits(text: str, term: Term) -> bool:
    # "a pixel in" may become "apixaban"; "pain in the" must not become a long drug.
    spelled = len(letters(text))
    return any(0.6 <= spelled / max(len(s), 1) <= 1.5 for s in term.letters)


def _best_non_overlapping(matches: list[Match]) -> list[Match]:
    chosen: list[Match] = []
    taken: set[int] = set()
    # The user's own terms first (they asked for them), then the higher score; on ties
    # the longer run (it explains more of the audio).
    for m in sorted(matches, key=lambda m: (not m.term.custom, -m.score, -(m.stop - m.start))):
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


def correct_by_audio(
    items: list[Item],
    lexicon: Lexicon,
    audio: np.ndarray,
    scorer: scoring.AudioScorer,
    *,
    offset: float = 0.0,
) -> list[Item]:
    """``items`` (the reading of ``audio``, from ``offset`` s) with the rewrites the audio backs.

    Candidates come from :func:`propose`, per run between punctuation; each is
    scored against the audio (:mod:`.scoring`) and written only when it wins.
    """
    if not lexicon.terms or not items:
        return items
    items = _display_custom(items, lexicon)
    positions = [k for k, item in enumerate(items) if not item.is_punctuation]
    proposals = [p for p in _proposals(items, positions, lexicon) if scoring.worth_hearing(p)]
    if not proposals:
        return items
    found: list[scoring.Verdict] = []
    for snippet in scoring.snippets(items, positions, proposals):
        found.extend(scoring.score_snippet(scorer, audio, items, positions, snippet, offset))
    chosen = scoring.decide(found)
    out: list[Item] = []
    position = 0  # the next item to copy
    for verdict in chosen:
        p = verdict.proposal
        first, last = positions[p.start], positions[p.stop - 1]
        out.extend(items[position:first])
        run = items[first : last + 1]
        out.append(merged_item(run, display(p.term, run[0].content)))
        position = last + 1
    out.extend(items[position:])
    return out


def _proposals(
    items: list[Item], positions: list[int], lexicon: Lexicon, per_run: int = scoring.PER_RUN
) -> list[scoring.Proposal]:
    """:func:`propose` over each run of words between punctuation, in word indices."""
    found: list[scoring.Proposal] = []
    run: list[int] = []  # word indices of the current run
    for index, position in enumerate([*positions, -1]):
        # A punctuation item (or the end) between two words ends the run.
        if run and (position < 0 or position != positions[run[-1]] + 1):
            words = [items[positions[k]] for k in run]
            heard = [i.content for i in words]
            for p in propose(heard, [i.confidence for i in words], lexicon, per_run=per_run):
                found.append(
                    scoring.Proposal(
                        p.start + run[0],
                        p.stop + run[0],
                        p.term,
                        p.unknown,
                        p.likeness,
                        p.heard_prior,
                    )
                )
            run = []
        if position >= 0:
            run.append(index)
    return found


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
    custom = [t for t in lexicon.custom_terms if t.display != t.spoken]
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
