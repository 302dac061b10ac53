"""Dictation: enumerated findings written as a numbered list, "1. ...", "2. ...".

A clinician dictates "impression number one mild aortic stenosis number two
..." (or "one ... two ..." after a heading, or "next number") and writes

    IMPRESSION:
    1. Mild aortic stenosis.
    2. ...

In the item stream a list item starts with a line-break punctuation item
(``"\\n"``, as the spoken "new line" makes it), then one pronunciation item with
the number in digits that spans the words that said it ("number two": its start
to its end, lowest confidence), then a ``"."`` punctuation item; the item before
ends its sentence (a recogniser "," or ";" there becomes "."). Inserted marks
span no source item and carry no times, so the JSON stays valid Transcribe
Medical items (pronunciation or punctuation). Runs only for dictation, after
numbers are written.

What is a list marker (general dictation convention; the forms below are what
Whisper writes for the spoken words, seen on synthesised dictations):

* "number N" / "No. N" / "No.N" / "# N" / "#N" (Whisper writes "number two"
  as "No. 2" and "Number 2,"), not after a determiner ("the number one cause")
  and not before a unit ("number two milligrams");
* "next number": the next number of the open list (1 when none is open);
* a bare N standing alone at a clause start, between marks ("Findings, one,
  no acute fracture, two, ..." and "1. Mild ..."), followed by a word; after a
  colon only a first 1 ("grade: 2, systolic" inside an item is a value);
* ".N" right after a word where the open list expects N: Whisper's "restricted.2,"
  is the end of a sentence glued to "number two" (the "restricted .2" defect).

A marker is taken only in sequence: N is the open list's next number, or N is 1
and a marker candidate for 2 follows (one "number one" alone, as in "number one
priority", is not a list); a list goes on in the form it started in (said or
bare), so the value in "Number 1, hemoglobin, 2. Number 2, ..." stays a value.
"No" stays a word unless a "." and a digit number follow it ("No. 2"), so a
negation is never taken for a list marker.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from medscribe.engine.formatting.medical import UNITS
from medscribe.engine.formatting.tokens import NUM, PUNCT, WORD, Tok, merged, word_at, words

_MAX_ITEM = 30
_DETERMINERS = words("the a an this that his her their my your our its each every any which what")
#: After "next number" these make it ordinary speech ("the next number is 5").
_NOT_NEXT = words("is was of to on for in we you i")
_CLAUSE_START = frozenset({".", ",", ":", ";", "?", "!", "\n", "\n\n"})
_MARK_AFTER = frozenset({".", ",", ":", ";", ")"})
_LAYOUT = frozenset({"\n", "\n\n"})
_GLUED = re.compile(r"^\.(\d{1,2})$")
#: One word that is a whole marker: "No.2", "#2".
_ONE_WORD = re.compile(r"^(?:No\.|#)(\d{1,2})$")
_UNIT_TEXTS = frozenset(UNITS.values())


@dataclass(frozen=True, slots=True)
class _Candidate:
    start: int
    end: int
    #: The number said; ``None`` for "next number" (the list's next one).
    number: int | None
    #: Only valid inside an open list (".N" glued to a word).
    needs_open: bool = False
    #: A bare number ("one,", "1."); a list goes on in the form it started in.
    bare: bool = False


def lists(toks: list[Tok]) -> list[Tok]:
    """Numbered list markers written as "\\n" + "N" + "." (see the module docstring)."""
    accepted = _accepted(_candidates(toks))
    if not accepted:
        return toks
    out: list[Tok] = []
    i = 0
    for cand, number in accepted:
        out.extend(toks[i : cand.start])
        i = _write_marker(toks, cand, number, out)
    out.extend(toks[i:])
    return out


def _candidates(toks: list[Tok]) -> list[_Candidate]:
    found: list[_Candidate] = []
    i = 0
    while i < len(toks):
        cand = _candidate_at(toks, i)
        if cand is None:
            i += 1
            continue
        found.append(cand)
        i = cand.end
    return found


def _candidate_at(toks: list[Tok], i: int) -> _Candidate | None:
    tok = toks[i]
    prev = toks[i - 1] if i > 0 else None
    if prev is not None and (prev.low in _DETERMINERS or prev.low.endswith("'s")):
        return None  # "the number one cause", "the patient's number one concern"
    if tok.low == "next" and word_at(toks, i + 1) == "number":
        return None if word_at(toks, i + 2) in _NOT_NEXT else _Candidate(i, i + 2, None)
    if tok.low in {"number", "#"}:
        return _said_number(toks, i, i + 1, digits_only=False)
    if tok.text == "No":
        return _no_abbreviation(toks, i)
    if tok.kind == WORD and (m := _ONE_WORD.match(tok.text)):
        return _Candidate(i, i + 1, int(m.group(1)))
    if tok.kind == WORD and (m := _GLUED.match(tok.text)) and prev is not None:
        return _Candidate(i, i + 1, int(m.group(1)), needs_open=True)
    number = _marker_number(tok)
    if number is None or not _at_clause_start(prev) or not _alone(toks, i + 1):
        return None
    # After a colon only a list's first number: "grade: 2, systolic" inside an item is a value.
    if prev is not None and prev.text == ":" and number != 1:
        return None
    return _Candidate(i, i + 1, number, bare=True)


def _said_number(toks: list[Tok], i: int, j: int, *, digits_only: bool) -> _Candidate | None:
    """ "number" (at ``i``) and the number at ``j``, unless a unit follows it."""
    number = _marker_number(toks[j]) if j < len(toks) else None
    if number is None or (digits_only and not toks[j].text.isdigit()):
        return None
    after = toks[j + 1] if j + 1 < len(toks) else None
    if after is not None and after.kind == WORD and after.final and after.text in _UNIT_TEXTS:
        return None
    return _Candidate(i, j + 1, number)


def _no_abbreviation(toks: list[Tok], i: int) -> _Candidate | None:
    """ "No. 2," and "No.2" are "number two"; "No" anywhere else is a negation and stays."""
    nxt = toks[i + 1] if i + 1 < len(toks) else None
    if nxt is not None and nxt.kind == WORD and (m := _GLUED.match(nxt.text)):
        return _Candidate(i, i + 2, int(m.group(1)))
    if nxt is None or nxt.kind != PUNCT or nxt.text != ".":
        return None
    cand = _said_number(toks, i, i + 2, digits_only=True)
    # "No. 2 weeks ago" is an answer and a duration: the number must stand alone.
    return cand if cand is not None and _alone(toks, cand.end, word_needed=False) else None


def _marker_number(tok: Tok) -> int | None:
    """A whole cardinal 1..30 as a word or digits ("two", "2"), not "2%" or "2nd"."""
    if tok.kind != NUM or tok.ordinal or tok.value is None or not tok.is_int:
        return None
    if tok.final and not tok.text.isdigit():
        return None
    n = int(tok.value)
    return n if 1 <= n <= _MAX_ITEM else None


def _at_clause_start(prev: Tok | None) -> bool:
    return prev is None or (prev.kind == PUNCT and prev.text in _CLAUSE_START)


def _alone(toks: list[Tok], j: int, *, word_needed: bool = True) -> bool:
    """A mark follows (and then a word, not another number: "one, two, three" is counting)."""
    if j >= len(toks):
        return not word_needed
    if toks[j].kind != PUNCT or toks[j].text not in _MARK_AFTER:
        return False
    if not word_needed:
        return True
    after = toks[j + 1] if j + 1 < len(toks) else None
    return after is None or after.kind != NUM


def _accepted(cands: list[_Candidate]) -> list[tuple[_Candidate, int]]:
    """The candidates that are list markers, in sequence, with their numbers."""
    out: list[tuple[_Candidate, int]] = []
    last, bare = 0, False  # the open list's last number (0: none open) and its form
    for k, cand in enumerate(cands):
        n = last + 1 if cand.number is None else cand.number
        # "Number 1, hemoglobin, 2. Number 2, ..." : the bare "2" is a value, not item 2.
        same_form = cand.bare == bare or cand.needs_open  # ".2" goes on either form
        continues = bool(last) and n == last + 1 and same_form
        starts = n == 1 and not cand.needs_open and _two_follows(cands[k + 1 :], cand.bare)
        if not (cand.number is None or continues or starts):
            continue
        out.append((cand, n))
        last, bare = n, cand.bare and cand.number is not None
    return out


def _two_follows(rest: list[_Candidate], bare: bool) -> bool:
    """A marker for 2, in the same form, follows before another 1."""
    for cand in rest:
        if (cand.bare == bare or cand.needs_open) and cand.number in (None, 2):
            return True
        if cand.number == 1:
            return False
    return False


def _write_marker(toks: list[Tok], cand: _Candidate, number: int, out: list[Tok]) -> int:
    """Append "\\n", "N", "." for ``cand`` to ``out``; the index after what it used."""
    span = toks[cand.start : cand.end]
    here = span[0].lo
    if out and out[-1].kind == PUNCT and out[-1].text in {",", ";"}:
        out[-1] = Tok(".", out[-1].lo, out[-1].hi, PUNCT)  # "stenosis, number two" ends a sentence
    elif out and out[-1].kind != PUNCT:
        out.append(Tok(".", here, here, PUNCT))
    if out and out[-1].text not in _LAYOUT:
        out.append(Tok("\n", here, here, PUNCT))
    text = str(number)
    marker = merged(span, text, kind=NUM, value=float(number), spoken=text, forced=True)
    marker.final = True
    out.append(marker)
    j = cand.end
    if j < len(toks) and toks[j].kind == PUNCT and toks[j].text in _MARK_AFTER:
        out.append(Tok(".", toks[j].lo, toks[j].hi, PUNCT))  # "Number 2, mild" -> "2. Mild"
        return j + 1
    out.append(Tok(".", span[-1].hi, span[-1].hi, PUNCT))
    return j
