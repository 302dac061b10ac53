"""Words no correction may remove or change: numbers, doses, units and negations.

This module owns one safety rule of the offline engine: a rewrite made after
recognition (the lexicon correction pass, the prompted second look of
:mod:`medscribe.engine.specialty.second_look`) never removes, adds or changes a number, a
dose, a unit or a negation. "I take listenapril ten milligrams" may become
"I take lisinopril ten milligrams", never "I take lisinopril milligrams"; "no
Babinski" keeps its "no". A rewrite whose span holds such a word is simply not
made: a misheard drug name costs a reader a moment, a lost dose or negation
can hurt a patient.

Where the words come from (none from any development or test recording):

* numbers: any token with a digit, the number words the formatting stage reads
  (:data:`medscribe.engine.formatting.numbers.NUMBER_WORDS`), English ordinals
  and the quantity words "half", "quarter", "dozen", "once", "twice", "thrice";
* units and doses: every word of the formatting stage's unit phrases
  (:data:`medscribe.engine.formatting.medical.UNITS`, from how-numbers-med.md
  and how-measurements-med.md of the service's documentation), "percent", and
  the dose forms a prescription counts (tablet, capsule, pill, puff, drop,
  patch, dose, injection, spray, unit, each with its plural), when they measure
  a number: "ten milligrams per deciliter", not the "gram" of a split
  "electric cardio gram";
* negations: the pre-negation triggers of NegEx (Chapman et al., 2001, "A simple
  algorithm for identifying negated findings and diseases in discharge
  summaries"), single words only, and every contraction ending in "n't".
"""

from __future__ import annotations

import functools
import re
from collections import Counter
from collections.abc import Sequence

from medscribe.engine.formatting.medical import UNITS
from medscribe.engine.formatting.numbers import NUMBER_WORDS

__all__ = ["is_protected", "keeps_protected", "protected_flags", "protected_in"]

_ORDINALS = (
    "first second third fourth fifth sixth seventh eighth ninth tenth eleventh twelfth "
    "thirteenth fourteenth fifteenth sixteenth seventeenth eighteenth nineteenth twentieth "
    "thirtieth fortieth fiftieth sixtieth seventieth eightieth ninetieth hundredth thousandth"
)
_QUANTITIES = "half halves quarter quarters dozen once twice thrice point"
_DOSE_FORMS = (
    "tablet tablets pill pills capsule capsules puff puffs drop drops patch patches "
    "dose doses injection injections spray sprays unit units percent"
)
#: NegEx's single-word pre-negation triggers (see the module docstring).
_NEGATIONS = (
    "no not never none nor neither without denies denied deny denying negative absent "
    "absence cannot free"
)
_WORD = re.compile(r"[a-z']+")


@functools.cache
def _numbers() -> frozenset[str]:
    """Number and quantity words: protected wherever they stand."""
    return frozenset({*NUMBER_WORDS, *_ORDINALS.split(), *_QUANTITIES.split()})


@functools.cache
def _negations() -> frozenset[str]:
    return frozenset(_NEGATIONS.split())


@functools.cache
def _measures() -> frozenset[str]:
    """Unit and dose-form words: protected when they measure a number."""
    unit_words = {word for phrase in UNITS for word in phrase}
    return frozenset({*unit_words, *_DOSE_FORMS.split()})


def _parts(word: str) -> list[str]:
    low = word.lower().replace("\u2019", "'")
    # "twenty-five", "ten-milligram": a hyphenated word counts by any of its parts.
    return [p for chunk in low.split("-") for p in _WORD.findall(chunk)]


def _is_number(word: str) -> bool:
    return any(ch.isdigit() for ch in word) or any(p in _numbers() for p in _parts(word))


def _is_negation(word: str) -> bool:
    return any(p.endswith("n't") or p in _negations() for p in _parts(word))


def _is_measure(word: str) -> bool:
    return any(p in _measures() for p in _parts(word))


def protected_flags(words: Sequence[str]) -> list[bool]:
    """For each word of a sequence, whether it is a number, dose, unit or negation.

    A unit or dose form counts when it measures a number (it follows one, or a
    unit that does): "ten milligrams per deciliter" is protected whole, while the
    "gram" of a split "electric cardio gram" is a piece of a misheard term.
    """
    flags: list[bool] = []
    measuring = False  # the words so far are a number and its units
    for word in words:
        measuring = _is_number(word) or (measuring and _is_measure(word))
        flags.append(measuring or _is_negation(word))
    return flags


def is_protected(word: str, *, after_number: bool = False) -> bool:
    """Whether ``word`` must survive a rewrite (``after_number``: it follows a number)."""
    return _is_number(word) or _is_negation(word) or (after_number and _is_measure(word))


def protected_in(words: Sequence[str], flags: Sequence[bool] | None = None) -> Counter[str]:
    """The protected words of ``words`` (lower-cased, with counts); ``flags`` if known."""
    flags = protected_flags(words) if flags is None else flags
    return Counter(w.lower() for w, f in zip(words, flags, strict=True) if f)


def keeps_protected(old: Sequence[str], new: Sequence[str]) -> bool:
    """Whether rewriting ``old`` as ``new`` keeps every protected word exactly as it was."""
    return protected_in(old) == protected_in(new)
