"""Working tokens of the formatting stage and the way back to timed items.

A :class:`Tok` is one piece of the written output (a word, a number, a mark)
that remembers which source items it came from (``lo``..``hi``). Rules only
ever replace a run of neighbouring tokens by new ones, so every output token
covers a contiguous run of source items; :func:`to_items` turns that run into
one item whose times span the first start to the last end and whose confidence
is the lowest of the words merged. This module owns that bookkeeping, the
splitting of plain text into items, and small helpers shared by the rules.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, replace

from medscribe.transcript.model import Item

WORD, NUM, PUNCT = "word", "num", "punct"


@dataclass(slots=True)
class Tok:
    """One output piece and the source items ``items[lo:hi]`` it stands for."""

    text: str
    lo: int
    hi: int
    kind: str = WORD
    #: Numeric value of a number token (``None`` for words and marks).
    value: float | None = None
    ordinal: bool = False
    #: The number as it was spoken ("three"); small numbers are written back this way.
    spoken: str = ""
    #: Write the number in digits even when it is 10 or less (unit, run, date...).
    forced: bool = False
    #: ``text`` is already the final written form (120/80, $3.50, 345).
    final: bool = False
    #: A marker made by a rule (spoken punctuation): drop recogniser marks around it.
    spoken_mark: bool = False

    @property
    def low(self) -> str:
        """Lower-cased text of a word token, "" for anything else (rules compare words)."""
        return self.text.lower() if self.kind == WORD else ""

    @property
    def is_int(self) -> bool:
        return self.kind == NUM and self.value is not None and float(self.value).is_integer()


def words(text: str) -> frozenset[str]:
    """A word set written as one string (long vocabulary lists stay readable)."""
    return frozenset(text.split())


def merged(toks: Sequence[Tok], text: str, **fields: object) -> Tok:
    """A token that replaces ``toks`` (neighbours) and spans all their source items."""
    return Tok(text=text, lo=toks[0].lo, hi=toks[-1].hi, **fields)  # type: ignore[arg-type]


def word_at(toks: Sequence[Tok], i: int) -> str:
    """Lower-cased word at ``i``, or "" when out of range or not a word (keeps rules short)."""
    return toks[i].low if 0 <= i < len(toks) else ""


def num_at(toks: Sequence[Tok], i: int) -> Tok | None:
    return toks[i] if 0 <= i < len(toks) and toks[i].kind == NUM else None


def from_items(items: Sequence[Item]) -> list[Tok]:
    """One token per source item; punctuation items become marks."""
    return [
        Tok(text=it.content, lo=k, hi=k + 1, kind=PUNCT if it.is_punctuation else WORD)
        for k, it in enumerate(items)
    ]


def to_items(toks: Sequence[Tok], items: Sequence[Item]) -> list[Item]:
    """Turn tokens back into items: merged spans, lowest confidence, speaker and channel kept."""
    out: list[Item] = []
    for tok in toks:
        src = items[tok.lo : tok.hi]
        if len(src) == 1 and src[0].content == tok.text and tok.kind != PUNCT:
            out.append(replace(src[0], alternatives=list(src[0].alternatives)))
            continue
        if len(src) == 1 and src[0].is_punctuation and src[0].content == tok.text:
            out.append(replace(src[0]))
            continue
        out.append(_new_item(tok, src, items))
    return out


def _new_item(tok: Tok, src: Sequence[Item], items: Sequence[Item]) -> Item:
    words = [it for it in src if not it.is_punctuation]
    confs = [it.confidence for it in words if it.confidence is not None]
    # An inserted mark (the comma of "January 23rd, 2020") has no source: it belongs
    # to the speaker of the word before it.
    owner = src[0] if src else (items[tok.lo - 1] if tok.lo > 0 else None)
    punct = tok.kind == PUNCT
    starts = [it.start for it in words if it.start is not None]
    ends = [it.end for it in words if it.end is not None]
    return Item(
        content=tok.text,
        type="punctuation" if punct else "pronunciation",
        # Punctuation items carry no times (model convention, as in the service's JSON).
        start=None if punct or not starts else starts[0],
        end=None if punct or not ends else ends[-1],
        confidence=min(confs) if confs else None,
        speaker=owner.speaker if owner else None,
        channel=owner.channel if owner else None,
    )


# Marks that a recogniser writes after a word; "a.m." and "e.g." keep their dots.
_TRAILING = re.compile(r"^(.*?[^.,;:!?])([.,;:!?]+)$")
_DOTTED_ABBREV = re.compile(r"^(?:[A-Za-z]\.){2,}$")


def split_text(line: str) -> list[Item]:
    """Plain text as untimed items, punctuation split off as a recogniser would do it."""
    items: list[Item] = []
    for chunk in line.split():
        m = _TRAILING.match(chunk)
        if m is None or _DOTTED_ABBREV.match(chunk) or _is_decimal(chunk):
            items.append(Item(content=chunk) if not _only_marks(chunk) else _mark(chunk))
            continue
        items.append(Item(content=m.group(1)))
        items.append(_mark(m.group(2)))
    return items


def _is_decimal(chunk: str) -> bool:
    return re.fullmatch(r"\d+(?:[.,]\d+)*", chunk) is not None


def _only_marks(chunk: str) -> bool:
    return all(c in ".,;:!?" for c in chunk)


def _mark(text: str) -> Item:
    return Item(content=text, type="punctuation")
