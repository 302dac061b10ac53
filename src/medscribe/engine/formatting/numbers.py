"""Number words to number tokens, and the ways people say numbers that run over words.

text2num's ``find_numbers`` (Rust, token based) finds cardinals, ordinals and
"point" decimals in the word stream and gives their values; this module turns
its occurrences into number tokens and then joins what it leaves apart on
purpose but clinicians write as one number: "dot" decimals and leftover
"point" parts, colloquial hundreds ("one twenty over eighty"), two-part years
("nineteen ninety"), digit runs ("four two five ..."), times ("eight thirty a m"),
fractions ("three sixteenths", "a quarter") and "N million".
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import TypeGuard

from text_to_num import find_numbers

from medscribe.engine.formatting.tokens import (
    NUM,
    PUNCT,
    WORD,
    Tok,
    merged,
    num_at,
    word_at,
    words,
)
from medscribe.transcript.model import Item

_SMALL = words(
    "zero one two three four five six seven eight nine ten eleven twelve thirteen fourteen "
    "fifteen sixteen seventeen eighteen nineteen"
)
_TENS = ["twenty", "thirty", "forty", "fifty", "sixty", "seventy", "eighty", "ninety"]
#: Cardinal number words (also what no correction may touch: engine.protected).
NUMBER_WORDS = frozenset([*_SMALL, *_TENS, "hundred", "thousand", "million", "billion"])
_LARGE = frozenset({"million", "billion", "trillion"})
_DIGITS = re.compile(r"^\d+(?:,\d{3})*(?:\.\d+)?$")
_WRITTEN_RANGE = re.compile(r"^\d+(?:\.\d+)?[-–]\d+(?:\.\d+)?$")
#: A pause this long between two words means they are not one number.
_MAX_GAP = 1.5


class _Word:
    """The token protocol of text2num's ``find_numbers`` over one source word."""

    __slots__ = ("_blocked", "_sep", "_text")

    def __init__(self, text: str, sep: bool, blocked: bool) -> None:
        self._text, self._sep, self._blocked = text, sep, blocked

    def text(self) -> str:
        return self._text

    def nt_separated(self, previous: object) -> bool:
        return self._sep

    def not_a_number_part(self) -> bool:
        return self._blocked


def _is_number_word(text: str) -> bool:
    low = text.lower()
    return low in NUMBER_WORDS or low.split("-")[0] in NUMBER_WORDS or bool(_DIGITS.match(low))


def _separated(items: Sequence[Item], prev: Tok, tok: Tok) -> bool:
    """A mark, a change of speaker/channel or a long pause between two words."""
    if tok.lo != prev.hi:
        return True
    a, b = items[prev.hi - 1], items[tok.lo]
    if a.speaker != b.speaker or a.channel != b.channel:
        return True
    return a.end is not None and b.start is not None and b.start - a.end > _MAX_GAP


def find(toks: list[Tok], items: Sequence[Item]) -> list[Tok]:
    """Replace number words (and digits the recogniser wrote) by number tokens."""
    words = [k for k, t in enumerate(toks) if t.kind == WORD]
    stream = []
    for n, k in enumerate(words):
        tok = toks[k]
        sep = n > 0 and (words[n - 1] != k - 1 or _separated(items, toks[words[n - 1]], tok))
        nxt = toks[words[n + 1]].text if n + 1 < len(words) and words[n + 1] == k + 1 else ""
        # AWS: "million"/"billion" not followed by a number stay a word ("100 million").
        blocked = tok.low in _LARGE and not _is_number_word(nxt)
        stream.append(_Word(tok.text, sep, blocked))
    occurrences = find_numbers(stream, "en", 0) if stream else []
    out: list[Tok] = []
    pos = 0
    for occ in occurrences:
        lo, hi = words[occ.start], words[occ.end - 1] + 1
        lo = _take_article(toks, lo, occ.start, words)
        out.extend(toks[pos:lo])
        span = toks[lo:hi]
        out.append(
            merged(
                span,
                occ.text,
                kind=NUM,
                value=occ.value,
                ordinal=occ.is_ordinal,
                spoken=" ".join(t.text for t in span),
            )
        )
        pos = hi
    out.extend(toks[pos:])
    return [_digits_token(t) for t in out]


def _take_article(toks: list[Tok], lo: int, start: int, words: list[int]) -> int:
    """ "a hundred" is 100: text2num leaves the "a" out, we take it in."""
    first = toks[lo].low
    article = lo > 0 and toks[lo - 1].low in {"a", "an"}
    if first in {"hundred", "thousand"} and article and start > 0 and words[start - 1] == lo - 1:
        return lo - 1
    return lo


def _digits_token(tok: Tok) -> Tok:
    """Digits the recogniser already wrote ("25", "1.8") are numbers that stay as written.

    A written range ("30-35") is one number token too, so that its unit is written
    ("30-35 mmHg"); it keeps its text and has no single value.
    """
    if tok.kind == WORD and _DIGITS.match(tok.text):
        value = float(tok.text.replace(",", ""))
        return Tok(tok.text, tok.lo, tok.hi, NUM, value, spoken=tok.text, forced=True, final=True)
    if tok.kind == WORD and _WRITTEN_RANGE.match(tok.text):
        return Tok(tok.text, tok.lo, tok.hi, NUM, None, spoken=tok.text, forced=True, final=True)
    return tok


# ----------------------------------------------------------------------------- combinations


def _int(tok: Tok | None, lo: int, hi: int, *, words: int | None = None) -> TypeGuard[Tok]:
    """A spoken (not digit) whole cardinal in lo..hi, optionally of exactly ``words`` words."""
    if tok is None or tok.ordinal or tok.final or not tok.is_int:
        return False
    if words is not None and len(tok.spoken.split()) != words:
        return False
    return lo <= int(tok.value or 0) <= hi


def _digit_string(tok: Tok) -> str | None:
    """The digits a spoken number contributes after a decimal point ("twenty three" -> "23")."""
    if tok.kind != NUM or tok.ordinal or not tok.is_int:
        return None
    return str(int(tok.value or 0))


_NOT_DECIMAL_BEFORE = words(
    "the this that a an any some what which each every no one another its his her their my your "
    "our at to of main key good fine sore tender trigger starting end boiling turning"
)


def decimals(toks: list[Tok]) -> list[Tok]:
    """ "three dot five", "three point twenty three" and a bare "point three"."""
    out: list[Tok] = []
    i = 0
    while i < len(toks):
        tok = toks[i]
        marker = word_at(toks, i + 1) if tok.kind == NUM else word_at(toks, i)
        bare = tok.kind == WORD and tok.low == "point" and _bare_point_ok(out)
        if (tok.kind == NUM and not tok.ordinal and marker in {"point", "dot"}) or bare:
            head = "0" if bare else _number_text(tok)
            j = i + 1 if bare else i + 2
            digits = []
            while (n := num_at(toks, j)) is not None and (d := _digit_string(n)) is not None:
                digits.append(d)
                j += 1
            if digits and head is not None:
                text = f"{head}.{''.join(digits)}"
                out.append(merged(toks[i:j], text, kind=NUM, value=float(text), forced=True))
                i = j
                continue
        out.append(tok)
        i += 1
    return out


def _bare_point_ok(out: list[Tok]) -> bool:
    # "at this point three of them" must stay words: only after a non-determiner.
    return not out or out[-1].kind == PUNCT or out[-1].low not in _NOT_DECIMAL_BEFORE


def _number_text(tok: Tok) -> str | None:
    if tok.is_int and not tok.final:
        return str(int(tok.value or 0))
    return tok.text if _DIGITS.match(tok.text) and "." not in tok.text else None


def large(toks: list[Tok]) -> list[Tok]:
    """ "one hundred million" -> "100 million", "2.3 million" (the word stays, AWS rule)."""
    out: list[Tok] = []
    for tok in toks:
        prev = out[-1] if out else None
        if tok.low in _LARGE and prev is not None and prev.kind == NUM and not prev.ordinal:
            text = f"{render_number(prev, force=True)} {tok.low}"
            out[-1] = merged([prev, tok], text, kind=NUM, value=None, forced=True, final=True)
            continue
        out.append(tok)
    return out


_AFTER_MEASURE = frozenset({"over", "bpm", "beats"})
#: After a measured quantity, "one forty" is 140 ("blood sugar one forty", "pulse one ten").
_MEASURED = words(
    "weight weighs weighed weighing sugar glucose rate bp pulse saturation sat temperature "
    "systolic diastolic sodium chloride platelets cholesterol ldl hdl triglycerides"
)
#: After a linking word only when a unit or the end follows: "was one forty", "is two fifty mg",
#: but "take one fifty milligram tablet" and "a one twenty minute walk" stay two numbers.
_LINKING = words("is was of about around approximately roughly")


def colloquial(toks: list[Tok], unit_words: frozenset[str]) -> list[Tok]:
    """ "one twenty over eighty" -> 120, "one sixty BPM" -> 160, "one oh five" -> 105.

    Only in a measurement context (see :func:`_hundreds_context`): elsewhere
    "one twenty" may well be two numbers.
    """
    out: list[Tok] = []
    i = 0
    while i < len(toks):
        a = toks[i]
        if _int(a, 1, 9, words=1):
            span, value = _hundreds_tail(toks, i)
            before = out[-1].low if out else ""
            if value is not None and _hundreds_context(toks, i + span, before, unit_words):
                text = str(int(a.value or 0) * 100 + value)
                out.append(
                    merged(
                        toks[i : i + span],
                        text,
                        kind=NUM,
                        value=float(text),
                        spoken=text,
                        forced=True,
                    )
                )
                i += span
                continue
        out.append(a)
        i += 1
    return out


def _hundreds_context(toks: list[Tok], j: int, before: str, unit_words: frozenset[str]) -> bool:
    after = word_at(toks, j)
    if after in _AFTER_MEASURE or before == "over" or before in _MEASURED:
        return True
    ends = j >= len(toks) or toks[j].kind == PUNCT
    return before in _LINKING and (ends or after in unit_words)


def _hundreds_tail(toks: list[Tok], i: int) -> tuple[int, int | None]:
    """Length and value of what follows a hundreds digit: "twenty" (2, 20) or "oh five" (3, 5)."""
    b = num_at(toks, i + 1)
    if _int(b, 10, 99):
        return 2, int(b.value or 0)
    if word_at(toks, i + 1) in {"oh", "o"} and _int(num_at(toks, i + 2), 1, 9, words=1):
        return 3, int(toks[i + 2].value or 0)
    return 0, None


_CENTURIES = {"nineteen": 19, "twenty": 20, "twenty one": 21, "twenty-one": 21}


def years(toks: list[Tok]) -> list[Tok]:
    """ "nineteen ninety" -> 1990, "twenty twenty one" -> 2021, "twenty oh five" -> 2005.

    AWS combines two-part years of the 20th, 21st and 22nd centuries only.
    """
    out: list[Tok] = []
    i = 0
    while i < len(toks):
        a = toks[i]
        century = _CENTURIES.get(a.spoken.lower()) if _int(a, 19, 21) else None
        if century is not None:
            b = num_at(toks, i + 1)
            if (
                b is not None
                and _int(b, 10, 99)
                and a.spoken.lower() == b.spoken.lower() == "twenty"
                and (word_at(toks, i + 2) == "vision")
            ):
                out.append(_year(toks[i : i + 2], 0, text="20/20"))  # visual acuity, not a year
                i += 2
                continue
            if _int(b, 10, 99):
                out.append(_year(toks[i : i + 2], century * 100 + int(b.value or 0)))
                i += 2
                continue
            c = num_at(toks, i + 2)
            if word_at(toks, i + 1) in {"oh", "o"} and _int(c, 1, 9, words=1):
                out.append(_year(toks[i : i + 3], century * 100 + int(c.value or 0)))
                i += 3
                continue
        out.append(a)
        i += 1
    return out


def _year(span: list[Tok], year: int, *, text: str | None = None) -> Tok:
    return merged(span, text or str(year), kind=NUM, value=float(year), forced=True, final=True)


def digit_runs(toks: list[Tok]) -> list[Tok]:
    """Three or more single digits in a row are one number ("three four five" -> 345).

    AWS writes two or more; we wait for three so that "two three days" stays words.
    "oh" between digits is a zero (phone numbers).
    """
    out: list[Tok] = []
    i = 0
    while i < len(toks):
        j, digits = i, []
        while j < len(toks):
            t = toks[j]
            if _int(t, 0, 9, words=1):
                digits.append(str(int(t.value or 0)))
            elif digits and t.low in {"oh", "o"} and _int(num_at(toks, j + 1), 0, 9, words=1):
                digits.append("0")
            else:
                break
            j += 1
        if len(digits) >= 3:
            text = "".join(digits)
            out.append(
                merged(toks[i:j], text, kind=NUM, value=float(text), forced=True, final=True)
            )
            i = j
            continue
        out.append(toks[i])
        i += 1
    return out


_MERIDIEM = {
    "am": "a.m.",
    "a.m.": "a.m.",
    "a.m": "a.m.",
    "pm": "p.m.",
    "p.m.": "p.m.",
    "p.m": "p.m.",
}


def times(toks: list[Tok]) -> list[Tok]:
    """ "eight thirty a m" -> "8:30 a.m.", "seven p m" -> "7 p.m."."""
    out: list[Tok] = []
    i = 0
    while i < len(toks):
        hour = toks[i]
        if _int(hour, 1, 12) or (hour.kind == NUM and hour.final and _int_text(hour, 1, 12)):
            minutes, j = _minutes(toks, i + 1)
            marker, k = _meridiem(toks, j)
            if marker is not None:
                clock = str(int(hour.value or 0)) + (
                    f":{minutes:02d}" if minutes is not None else ""
                )
                out.append(merged(toks[i:j], clock, kind=NUM, value=None, forced=True, final=True))
                out.append(merged(toks[j:k], marker))
                i = k
                continue
        out.append(hour)
        i += 1
    return out


def _int_text(tok: Tok, lo: int, hi: int) -> bool:
    return tok.text.isdigit() and lo <= int(tok.text) <= hi


def _minutes(toks: list[Tok], j: int) -> tuple[int | None, int]:
    t = num_at(toks, j)
    if t is not None and (_int(t, 10, 59) or (t.final and _int_text(t, 0, 59))):
        return int(t.value or 0), j + 1
    if word_at(toks, j) in {"oh", "o"} and _int(num_at(toks, j + 1), 0, 9, words=1):
        return int(toks[j + 1].value or 0), j + 2
    return None, j


def _meridiem(toks: list[Tok], j: int) -> tuple[str | None, int]:
    one = word_at(toks, j)
    if one in _MERIDIEM:
        marker, k = _MERIDIEM[one], j + 1
    elif one in {"a", "p"} and word_at(toks, j + 1) == "m":
        marker, k = f"{one}.m.", j + 2
    else:
        return None, j
    # "a.m." ends the sentence too: its own dot takes the place of the full stop.
    if k < len(toks) and toks[k].kind == PUNCT and toks[k].text == ".":
        k += 1
    return marker, k


# Fractions: denominators said as words that text2num does not count as ordinals.
_HALF_QUARTER = {"half": 2, "halves": 2, "quarter": 4, "quarters": 4}
#: After "a quarter"/"a half" these words mean a time or a duration, not a fraction to write.
_NOT_FRACTION_AFTER = frozenset({"past", "to", "after", "before", "till", "hour", "an"})


def fractions(toks: list[Tok], unit_words: frozenset[str]) -> list[Tok]:
    """ "a quarter" -> 1/4, "three sixteenths" -> 3/16, "a hundredth" -> 1/100, "2 and a half"."""
    out: list[Tok] = []
    i = 0
    while i < len(toks):
        tok = toks[i]
        found = _fraction_at(toks, i, unit_words)
        if found is not None:
            text, j = found
            out.append(merged(toks[i:j], text, kind=NUM, value=None, forced=True, final=True))
            i = j
            continue
        out.append(tok)
        i += 1
    return out


def _fraction_at(toks: list[Tok], i: int, unit_words: frozenset[str]) -> tuple[str, int] | None:
    tok = toks[i]
    numerator = 1 if tok.low in {"a", "an"} else None
    if numerator is None and _int(tok, 1, 99):
        numerator = int(tok.value or 0)
    if numerator is None:
        return None
    # "two and a half" -> 2.5 (the way doses and durations are written)
    if (
        tok.kind == NUM
        and word_at(toks, i + 1) == "and"
        and word_at(toks, i + 2) == "a"
        and word_at(toks, i + 3) == "half"
    ):
        return f"{numerator}.5", i + 4
    nxt = toks[i + 1] if i + 1 < len(toks) else None
    if nxt is None:
        return None
    denominator, plural = _denominator(nxt)
    if denominator is None:
        return None
    after = word_at(toks, i + 2)
    ends = i + 2 >= len(toks) or toks[i + 2].kind == PUNCT
    if numerator == 1 and not plural:
        if tok.kind == WORD and (i > 0 and toks[i - 1].low == "and"):
            return None  # "an hour and a half" stays words
        if nxt.low in _HALF_QUARTER:
            ok = after not in _NOT_FRACTION_AFTER
        else:  # "a third" is a fraction only where nothing it could count follows
            ok = ends or after == "of" or after in unit_words
        if not ok:
            return None
    elif not plural and numerator != 1:
        return None
    return f"{numerator}/{denominator}", i + 2


def _denominator(tok: Tok) -> tuple[int | None, bool]:
    if tok.low in _HALF_QUARTER:
        return _HALF_QUARTER[tok.low], tok.low.endswith("s")
    if tok.kind == NUM and tok.ordinal and tok.is_int and int(tok.value or 0) >= 3:
        return int(tok.value or 0), tok.spoken.lower().endswith("s")
    return None, False


# ----------------------------------------------------------------------------- rendering


def render_number(tok: Tok, *, force: bool = False) -> str:
    """The written form: digits above ten or when forced; small numbers as spoken."""
    if tok.final or tok.value is None:
        return tok.text
    value = tok.value
    if not (force or tok.forced or value > 10 or not float(value).is_integer()):
        return tok.spoken
    if tok.ordinal:
        return _ordinal(int(value))
    if float(value).is_integer():
        n = int(value)
        # Group thousands in long numbers only: 1242 but 123,456,789 (AWS examples).
        return f"{n:,}" if n >= 10000 else str(n)
    return tok.text


def _ordinal(n: int) -> str:
    suffix = "th" if 10 <= n % 100 <= 20 else {1: "st", 2: "nd", 3: "rd"}.get(n % 10, "th")
    return f"{n}{suffix}"
