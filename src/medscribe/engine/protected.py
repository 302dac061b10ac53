"""Words no correction may remove or change: numbers, doses, units and negations.

This module owns one safety rule of the offline engine: a rewrite made after
recognition (the lexicon correction pass, the prompted second look of
:mod:`medscribe.engine.biasing`) never removes, adds or changes a number, a
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
  patch, dose, injection, spray, unit, each with its plural);
* negations: the pre-negation triggers of NegEx (Chapman et al., 2001, "A simple
  algorithm for identifying negated findings and diseases in discharge
  summaries"), single words only, and every contraction ending in "n't".
"""

from __future__ import annotations

import functools
import re
from collections import Counter
from collections.abc import Iterable

from medscribe.engine.formatting.medical import UNITS
from medscribe.engine.formatting.numbers import NUMBER_WORDS

__all__ = ["is_protected", "keeps_protected", "protected_words"]

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
def protected_words() -> frozenset[str]:
    """Lower-case words that mark a number, dose, unit or negation."""
    unit_words = {word for phrase in UNITS for word in phrase}
    listed = " ".join((_ORDINALS, _QUANTITIES, _DOSE_FORMS, _NEGATIONS)).split()
    return frozenset({*NUMBER_WORDS, *unit_words, *listed})


def is_protected(word: str) -> bool:
    """Whether ``word`` (as heard, any case, punctuation attached) must survive a rewrite."""
    if any(ch.isdigit() for ch in word):
        return True
    low = word.lower().replace("\u2019", "'")
    for part in _WORD.findall(low):
        if part.endswith("n't") or part in protected_words():
            return True
        # "twenty-five", "ten-milligram": a hyphenated word is protected by any part.
    return any(p in protected_words() for p in low.split("-") if p)


def _protected_counts(words: Iterable[str]) -> Counter[str]:
    return Counter(w.lower().strip(".,;:!?") for w in words if is_protected(w))


def keeps_protected(old: Iterable[str], new: Iterable[str]) -> bool:
    """Whether rewriting ``old`` as ``new`` keeps every protected word exactly as it was."""
    return _protected_counts(old) == _protected_counts(new)
