"""Dictation: a spoken range of one quantity written the way a clinician writes it.

"thirty to thirty five millimeters of mercury" -> "30-35 mmHg", "two to three
times a day" -> "2-3 times a day". Runs only for dictation, after the numbers
and units are written (:mod:`.medical`).

Where the rule comes from: Transcribe Medical's number page (how-numbers-med.md)
says "separate spans of numbers by the word 'to'", and its example "twenty to
thirty" -> "20 to 30" stays the rule for conversations and for a span that is
not clearly one quantity. Issue 13 asks for the written clinical form in
dictated notes ("30-35 mmHg"); ACI-Bench notes of the tune split write both
("2-3 weeks", "1-2 cm", "6 to 8 hours"), so the hyphen is used only where the
two numbers are certainly one quantity:

* ``X to|through Y`` of two plain numbers (no ordinal, time, ratio or money),
  X smaller than Y ("ten to two" is a time, "eight to two" a change);
* followed by a unit ("mmHg", "mg"), a percent on Y, or a word that counts
  (:data:`COUNTED`: the nouns that follow ranges in the tune notes - hours,
  times, weeks, cigarettes, beers, miles, pounds - and common dose and
  frequency nouns);
* not after "from": "increase from ten to twenty milligrams" is a change of
  dose, and "from 10-20 mg" would read as a range.

Both numbers stay, in digits, in one item that spans the three spoken words
(the way "120/80" spans "one twenty over eighty"); the unit stays its own item.
"""

from __future__ import annotations

import re

from medscribe.engine.formatting.medical import UNITS
from medscribe.engine.formatting.numbers import render_number
from medscribe.engine.formatting.tokens import NUM, WORD, Tok, merged, word_at, words

_RANGE_WORDS = frozenset({"to", "through"})
#: Nouns a range counts ("2-3 times a day", "1-2 tablets"): tune notes and dose/frequency words.
COUNTED = words(
    "times time days day weeks week months month years year hours hour minutes minute seconds "
    "nights tablets tablet pills pill capsules capsule puffs puff drops drop sprays doses dose "
    "units cigarettes cigarette packs pack drinks drink beers beer glasses glass cups cup "
    "servings episodes episode stools pads blocks flights miles steps sessions visits cycles "
    "beats breaths lesions nodules"
)
_UNIT_TEXTS = frozenset(UNITS.values())
_PLAIN = re.compile(r"^\d+(?:\.\d+)?$")
_PLAIN_PERCENT = re.compile(r"^\d+(?:\.\d+)?%$")


def ranges(toks: list[Tok]) -> list[Tok]:
    """ "30 to 35 mmHg" -> "30-35 mmHg" where both ends are one quantity (module docstring)."""
    out: list[Tok] = []
    i = 0
    while i < len(toks):
        if _range_at(toks, i, out):
            a, b = toks[i], toks[i + 2]
            text = f"{_written(a)}-{_written(b)}"
            out.append(merged(toks[i : i + 3], text, kind=NUM, forced=True, final=True))
            i += 3
            continue
        out.append(toks[i])
        i += 1
    return out


def _range_at(toks: list[Tok], i: int, out: list[Tok]) -> bool:
    if i + 2 >= len(toks) or word_at(toks, i + 1) not in _RANGE_WORDS:
        return False
    a, b = toks[i], toks[i + 2]
    if not (_plain(a, percent=False) and _plain(b, percent=True)):
        return False
    if a.value is None or b.value is None or not a.value < b.value:
        return False
    if out and out[-1].low == "from":
        return False
    return b.text.endswith("%") or _quantity_after(toks, i + 3)


def _plain(tok: Tok, *, percent: bool) -> bool:
    """A plain number: spoken, or written digits (a percent only where ``percent``)."""
    if tok.kind != NUM or tok.ordinal or tok.value is None:
        return False
    if not tok.final:
        return True
    return bool(_PLAIN.match(tok.text) or (percent and _PLAIN_PERCENT.match(tok.text)))


def _quantity_after(toks: list[Tok], j: int) -> bool:
    if j >= len(toks) or toks[j].kind != WORD:
        return False
    tok = toks[j]
    return (tok.final and tok.text in _UNIT_TEXTS) or tok.low in COUNTED


def _written(tok: Tok) -> str:
    return tok.text if tok.final else render_number(tok, force=True)
