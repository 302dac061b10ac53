"""Dictation: spoken section headings written as headings, "ASSESSMENT AND PLAN:".

The choice, kept everywhere: the heading in capitals with a colon, starting a
new paragraph (a ``"\\n\\n"`` punctuation item before it unless the text starts
there or a paragraph break is already there), and the first word after it
capitalised ("PLAN: Continue ..."). Capitals because the clinical notes of
ACI-Bench (tune split) write their section names that way ("CHIEF COMPLAINT",
"ASSESSMENT AND PLAN"), the colon because a dictated heading runs on into its
text on the same line. Words keep their own items (and times); only their text
changes. Runs only for dictation, after lists (:mod:`.lists`).

A heading is one of :data:`HEADINGS` at a sentence start (the start, or after
".", "?", "!" or a line break) that a pause follows: a ":" (the spoken "colon"
or the recogniser's), a "." or "," the recogniser wrote for the pause, or a
silence of :data:`PAUSE_S` between timed words; or, after a ",", one that a
numbered list follows (Whisper's "Echocardiogram, Impression, Number 1, ...").
"The plan is to ..." and "History of present illness is notable for ..." stay
sentences: no pause follows the words.

Where the names come from: the SOAP note (subjective, objective, assessment,
plan); the section names of the ACI-Bench clinical notes of the tune split
(chief complaint, history of present illness, review of systems, physical
exam(ination), results, assessment and plan, instructions, social/family/
medical/surgical/past history, medications, allergies, vitals, impression,
procedure ...); and the usual sections of a radiology report (indication,
technique, comparison, findings, impression).
"""

from __future__ import annotations

from collections.abc import Sequence

from medscribe.engine.formatting.tokens import NUM, PUNCT, WORD, Tok, word_at
from medscribe.transcript.model import Item

#: A silence this long after the heading's words is the pause that makes them a heading.
PAUSE_S = 0.8

HEADINGS: frozenset[tuple[str, ...]] = frozenset(
    tuple(name.split())
    for name in (
        "subjective",
        "objective",
        "assessment",
        "plan",
        "assessment and plan",
        "impression and plan",
        "chief complaint",
        "reason for visit",
        "history of present illness",
        "history of the present illness",
        "review of systems",
        "physical exam",
        "physical examination",
        "exam",
        "examination",
        "vitals",
        "vital signs",
        "results",
        "labs",
        "laboratory results",
        "imaging",
        "instructions",
        "patient instructions",
        "social history",
        "family history",
        "medical history",
        "past medical history",
        "surgical history",
        "past surgical history",
        "past history",
        "birth history",
        "medications",
        "current medications",
        "allergies",
        "impression",
        "findings",
        "diagnosis",
        "diagnoses",
        "procedure",
        "indication",
        "indications",
        "clinical history",
        "technique",
        "comparison",
        "recommendation",
        "recommendations",
        "conclusion",
        "hospital course",
    )
)
_LONGEST = max(len(h) for h in HEADINGS)
_SENTENCE_START = frozenset({".", "?", "!", "\n", "\n\n"})
_PAUSE_MARKS = frozenset({":", ".", ","})


def headings(toks: list[Tok], items: Sequence[Item]) -> list[Tok]:
    """Headings in capitals with a colon, each starting a paragraph (module docstring)."""
    out: list[Tok] = []
    i = 0
    while i < len(toks):
        end = _heading_at(toks, i, items)
        if end is None:
            out.append(toks[i])
            i += 1
            continue
        i = _write_heading(toks, i, end, out)
    return out


def _heading_at(toks: list[Tok], i: int, items: Sequence[Item]) -> int | None:
    prev = toks[i - 1] if i > 0 else None
    after_comma = prev is not None and prev.kind == PUNCT and prev.text == ","
    if not (prev is None or (prev.kind == PUNCT and prev.text in _SENTENCE_START) or after_comma):
        return None
    for n in range(_LONGEST, 0, -1):
        phrase = tuple(word_at(toks, i + k) for k in range(n))
        if phrase not in HEADINGS or not all(t.kind == WORD for t in toks[i : i + n]):
            continue
        end = i + n
        if end >= len(toks) or (toks[end].kind == PUNCT and end + 1 >= len(toks)):
            return None  # nothing written after it: a last word, not a heading
        if after_comma:
            return end if _list_follows(toks, end) else None
        return end if _pause_after(toks, end, items) else None
    return None


def _pause_after(toks: list[Tok], end: int, items: Sequence[Item]) -> bool:
    nxt = toks[end]
    if nxt.kind == PUNCT:
        return nxt.text in _PAUSE_MARKS
    last, first = items[toks[end - 1].hi - 1], items[nxt.lo] if nxt.lo < len(items) else None
    if first is None or last.end is None or first.start is None:
        return False
    return first.start - last.end >= PAUSE_S


def _list_follows(toks: list[Tok], end: int) -> bool:
    """ "., \\n, N" right after: the list writer (:mod:`.lists`) started a list here."""
    nxt = toks[end : end + 3]
    return (
        len(nxt) == 3
        and nxt[0].kind == PUNCT
        and nxt[1].text == "\n"
        and nxt[2].kind == NUM
        and nxt[2].final
    )


def _write_heading(toks: list[Tok], i: int, end: int, out: list[Tok]) -> int:
    if out and out[-1].kind == PUNCT and out[-1].text == ",":
        out[-1] = Tok(".", out[-1].lo, out[-1].hi, PUNCT)
    if out and out[-1].text == "\n":
        out[-1] = Tok("\n\n", out[-1].lo, out[-1].hi, PUNCT)
    elif out and out[-1].text != "\n\n":
        out.append(Tok("\n\n", toks[i].lo, toks[i].lo, PUNCT))
    for tok in toks[i:end]:
        tok.text = tok.text.upper()
        out.append(tok)
    j = end
    if toks[j].kind == PUNCT and toks[j].text in _PAUSE_MARKS:
        out.append(Tok(":", toks[j].lo, toks[j].hi, PUNCT))
        j += 1
    else:
        out.append(Tok(":", toks[end - 1].hi, toks[end - 1].hi, PUNCT))
    if j < len(toks) and toks[j].kind in {WORD, NUM} and toks[j].text[:1].islower():
        toks[j].text = toks[j].text[:1].upper() + toks[j].text[1:]
    return j
