"""Rare medical words: which words of a reference count for medical-term recall.

A *rare medical word* is a word of the medical word list that the ordinary
English list lacks (:func:`medscribe.engine.wordlists.rare_medical_words`: the
lists ship with medscribe, built from Debian's ``hunspell-en-med``, suffixes
expanded, and ``wamerican``); both compared lower-cased. "metoprolol",
"dyspnea", "echocardiogram" and "arrhythmias" are rare medical words; "heart",
"pressure" and "hypertension" are not.

Recall counts occurrences: for each rare word, the hypothesis is credited with at
most as many occurrences as the reference has (``min(ref, hyp)``), so repeating
a term cannot raise the score. Both texts are normalised first
(:mod:`medscribe.evaluation.normalize`).
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass

from medscribe.engine.wordlists import rare_medical_words

__all__ = ["TermRecall", "rare_medical_words", "rare_terms", "term_recall"]


def rare_terms(words: list[str], vocabulary: frozenset[str] | None = None) -> Counter[str]:
    """How often each rare medical word occurs in ``words`` (already normalised)."""
    rare = rare_medical_words() if vocabulary is None else vocabulary
    return Counter(w for w in words if w in rare)


@dataclass(frozen=True, slots=True)
class TermRecall:
    """Rare-term occurrences of the reference and how many the hypothesis has."""

    reference: int
    found: int

    @property
    def recall(self) -> float | None:
        return self.found / self.reference if self.reference else None

    def __add__(self, other: TermRecall) -> TermRecall:
        return TermRecall(self.reference + other.reference, self.found + other.found)


def term_recall(
    ref_words: list[str], hyp_words: list[str], vocabulary: frozenset[str] | None = None
) -> TermRecall:
    """Clipped occurrence recall of rare medical words (see the module docstring)."""
    ref = rare_terms(ref_words, vocabulary)
    hyp = Counter(hyp_words)
    found = sum(min(n, hyp[w]) for w, n in ref.items())
    return TermRecall(reference=sum(ref.values()), found=found)
