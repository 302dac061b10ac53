"""The medical layer: terms, units and measurements the way Transcribe Medical writes them.

Owns the rules of how-measurements-med.md and the unit, percent, currency,
blood-pressure, vitals, spine, date and span rules of how-numbers-med.md on top
of the number tokens of :mod:`.numbers`. Phrase tables are plain data so that a
new abbreviation is one line.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

from medscribe.engine.formatting.numbers import render_number
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

Phrase = tuple[str, ...]


def _phrases(table: dict[str, Sequence[str]]) -> dict[Phrase, str]:
    """{"mg": ["milligrams", "milli grams"]} -> {("milligrams",): "mg", ("milli", "grams"): ...}."""
    return {tuple(spoken.split()): written for written, many in table.items() for spoken in many}


#: Terms written as abbreviations wherever they occur (how-measurements-med.md).
TERMS = _phrases(
    {
        "BP": ["blood pressure", "b p", "bp", "b.p."],
        "BPM": ["beats per minute", "beats per min", "beats a minute", "bpm"],
        "POSTOP": ["post op", "post operation", "post-op", "postop", "post-operation"],
        "CT Scan": ["cat scan", "ct scan"],
        "CT Scans": ["cat scans", "ct scans"],
        "O2": ["o 2", "o two", "o2"],
        "CO2": ["c o 2", "c o two", "co 2", "co two", "co2"],
        "I/O": ["in and out"],
    }
)

#: Units written short after a number (how-numbers-med.md, how-measurements-med.md, and ours).
UNITS = _phrases(
    {
        "mg": ["milligrams", "milligram", "mgs", "mg"],
        "mcg": ["micrograms", "microgram", "mcg"],
        "g": ["grams", "gram"],
        "kg": ["kilograms", "kilogram", "kilos", "kilo", "kg", "kgs"],
        "lbs": ["pounds", "pound", "lbs", "lb"],
        "m": ["meters", "meter", "metres", "metre"],
        "cm": ["centimeters", "centimeter", "centimetres", "centimetre", "cm"],
        "mm": ["millimeters", "millimeter", "millimetres", "millimetre", "mm"],
        "ft": ["feet", "foot", "ft"],
        "in": ["inches", "inch"],
        "cc": [
            "c c",
            "cc",
            "ccs",
            "cc's",
            "cubic centimeters",
            "cubic centimeter",
            "cubic centimetres",
            "cubic centimetre",
        ],
        "mL": ["milliliters", "milliliter", "millilitres", "millilitre", "ml", "mls"],
        "L": ["liters", "liter", "litres", "litre"],
        "C": [
            "centigrade",
            "celsius",
            "degrees celsius",
            "degree celsius",
            "degrees centigrade",
            "degree centigrade",
        ],
        "F": ["fahrenheit", "degrees fahrenheit", "degree fahrenheit"],
        "mg/dL": ["milligrams per deciliter", "milligrams per decilitre", "mg/dl"],
        # "mm of mercury": how Whisper writes the spoken unit (heard on synthesised dictation).
        "mmHg": ["millimeters of mercury", "millimetres of mercury", "mm of mercury", "mmhg"],
        "mmol/L": ["millimoles per liter", "millimoles per litre", "mmol/l"],
        "BPM": ["bpm"],
        "units": ["units"],
    }
)
UNIT_FIRST_WORDS = frozenset(p[0] for p in UNITS)

_DOLLARS = _phrases(
    {
        "$": [
            "dollars",
            "dollar",
            "us dollars",
            "us dollar",
            "usd",
            "australian dollars",
            "australian dollar",
            "aud",
        ]
    }
)
_RUPEES = _phrases({"₹": ["rupees", "rupee", "indian rupees", "indian rupee", "inr"]})
_CURRENCY = {**_DOLLARS, **_RUPEES}
_PERCENT = _phrases({"%": ["percent", "per cent"]})

_MONTHS = words(
    "january february march april may june july august september october november december"
)
#: Month names that are also common words: only capitalised ones start a date.
_AMBIGUOUS_MONTHS = frozenset({"may", "march", "august"})

#: "in and out" after these is movement, not I/O ("breathe in and out").
_MOVING = words(
    "breathe breathing breathes breath go goes going went come comes coming came walk walking "
    "walked get getting got move moving moves drift drifting fade fading pop popping run "
    "running be"
)

#: Vertebra and heart-sound letters with the numbers they take (L4, C7, T12, S1).
_LEVELS = {"L": 5, "C": 7, "T": 12, "S": 5}


def _match(toks: Sequence[Tok], i: int, table: dict[Phrase, str]) -> tuple[str, int] | None:
    """The longest phrase of ``table`` made of the words starting at ``i``: (written, end)."""
    best: tuple[str, int] | None = None
    for phrase, written in table.items():
        n = len(phrase)
        matches = all(word_at(toks, i + k) == phrase[k] for k in range(n))
        if matches and (best is None or i + n > best[1]):
            best = (written, i + n)
    return best


def _index(table: dict[Phrase, str]) -> dict[str, dict[Phrase, str]]:
    """Phrases by first word, so that a scan looks only at phrases that can match."""
    out: dict[str, dict[Phrase, str]] = {}
    for phrase, written in table.items():
        out.setdefault(phrase[0], {})[phrase] = written
    return out


_TERMS_BY_FIRST = _index(TERMS)
_UNITS_BY_FIRST = _index(UNITS)
_CURRENCY_BY_FIRST = _index(_CURRENCY)
_PERCENT_BY_FIRST = _index(_PERCENT)


def _lookup(
    toks: Sequence[Tok], i: int, index: dict[str, dict[Phrase, str]]
) -> tuple[str, int] | None:
    table = index.get(word_at(toks, i))
    return _match(toks, i, table) if table else None


def terms(toks: list[Tok]) -> list[Tok]:
    """Abbreviate medical terms: blood pressure -> BP, post op -> POSTOP, O 2 -> O2 ..."""
    out: list[Tok] = []
    i = 0
    while i < len(toks):
        found = _lookup(toks, i, _TERMS_BY_FIRST)
        if found is not None and (found[0] != "I/O" or _io_ok(toks, i, found[1])):
            out.append(merged(toks[i : found[1]], found[0], final=True))
            i = found[1]
            continue
        out.append(toks[i])
        i += 1
    return out


def _io_ok(toks: Sequence[Tok], i: int, end: int) -> bool:
    # "in and out of the hospital", "breathe in and out" are ordinary speech.
    return word_at(toks, end) != "of" and word_at(toks, i - 1) not in _MOVING


def measures(toks: list[Tok]) -> list[Tok]:
    """Units, percent and currency after a number: 40 mg, 98%, $3.50, ₹200."""
    out: list[Tok] = []
    i = 0
    while i < len(toks):
        tok = toks[i]
        if tok.kind == NUM and not tok.ordinal:
            step = _currency(toks, i, out) or _percent(toks, i, out) or _unit(toks, i, out)
            if step:
                i = step
                continue
        out.append(tok)
        i += 1
    return out


def _unit(toks: list[Tok], i: int, out: list[Tok]) -> int:
    found = _lookup(toks, i + 1, _UNITS_BY_FIRST)
    if found is None:
        return 0
    written, end = found
    tok = toks[i]
    tok.forced = True
    out.append(tok)
    out.append(merged(toks[i + 1 : end], written, final=True))
    return end


def _percent(toks: list[Tok], i: int, out: list[Tok]) -> int:
    found = _lookup(toks, i + 1, _PERCENT_BY_FIRST)
    if found is None:
        return 0
    tok = toks[i]
    text = render_number(tok, force=True) + "%"
    out.append(merged(toks[i : found[1]], text, kind=NUM, value=tok.value, forced=True, final=True))
    return found[1]


def _currency(toks: list[Tok], i: int, out: list[Tok]) -> int:
    found = _lookup(toks, i + 1, _CURRENCY_BY_FIRST)
    if found is None:
        return 0
    sign, end = found
    amount = render_number(toks[i], force=True)
    cents = num_at(toks, end + 1)
    if (
        sign == "$"
        and word_at(toks, end) == "and"
        and cents is not None
        and cents.is_int
        and 0 <= (cents.value or 0) < 100
        and word_at(toks, end + 2) in {"cents", "cent"}
    ):
        amount = f"{amount}.{int(cents.value or 0):02d}"
        end += 3
    out.append(
        merged(toks[i:end], sign + amount, kind=NUM, value=toks[i].value, forced=True, final=True)
    )
    return end


def _plain_int(tok: Tok | None) -> str | None:
    """The digits of a whole cardinal, spoken or written ("eighty" or "80"), else None."""
    if tok is None or tok.kind != NUM or tok.ordinal or not tok.is_int:
        return None
    if tok.final:
        return tok.text if tok.text.isdigit() else None
    return str(int(tok.value or 0))


def over(toks: list[Tok]) -> list[Tok]:
    """ "120 over 80" -> 120/80 (blood pressure, and any "X over Y" of two numbers)."""
    out: list[Tok] = []
    i = 0
    while i < len(toks):
        x, y = _plain_int(toks[i]), _plain_int(num_at(toks, i + 2))
        if x is not None and y is not None and word_at(toks, i + 1) == "over":
            out.append(merged(toks[i : i + 3], f"{x}/{y}", kind=NUM, forced=True, final=True))
            i += 3
            continue
        out.append(toks[i])
        i += 1
    return out


def labels(toks: list[Tok]) -> list[Tok]:
    """Vitals and levels: pulse 80 -> P 80, respiration 17 -> R 17, L five -> L5."""
    out: list[Tok] = []
    i = 0
    while i < len(toks):
        tok, nxt = toks[i], num_at(toks, i + 1)
        if nxt is not None and not nxt.ordinal:
            if tok.low == "pulse" or tok.low in {"respiration", "respirations"}:
                nxt.forced = True
                out.append(merged([tok], "P" if tok.low == "pulse" else "R", final=True))
                i += 1
                continue
            level = _plain_int(nxt)
            top = _LEVELS.get(tok.text) if tok.kind == WORD else None
            if top is not None and level is not None and 1 <= int(level) <= top:
                out.append(merged([tok, nxt], f"{tok.text}{level}", final=True))
                i += 2
                continue
        out.append(tok)
        i += 1
    return out


def dates(toks: list[Tok]) -> list[Tok]:
    """ "June first" -> June 1st, "January twenty third twenty twenty" -> January 23rd, 2020."""
    out: list[Tok] = []
    i = 0
    while i < len(toks):
        tok = toks[i]
        day = num_at(toks, i + 1)
        out.append(tok)
        i += 1
        if not (_is_month(tok) and day is not None and day.is_int and 1 <= (day.value or 0) <= 31):
            continue
        if day.final and not day.text.isdigit():
            continue
        day.forced = True
        out.append(day)
        i += 1
        year = num_at(toks, i)
        if year is not None and year.is_int and 1000 <= (year.value or 0) <= 2999:
            year.forced = True
            # An inserted comma: it spans no source item (lo == hi).
            out.append(Tok(",", day.hi, day.hi, PUNCT))
    return out


def _is_month(tok: Tok) -> bool:
    if tok.kind != WORD or tok.low not in _MONTHS:
        return False
    return tok.low not in _AMBIGUOUS_MONTHS or tok.text[:1].isupper()


_SPAN_WORDS = frozenset({"to", "through", "-"})


def spans(toks: list[Tok]) -> list[Tok]:
    """ "five to ten milligrams" -> 5 to 10 mg: a span is written like its measured end."""
    for i in range(len(toks) - 2):
        a, b = toks[i], toks[i + 2]
        is_span = a.kind == NUM and b.kind == NUM and word_at(toks, i + 1) in _SPAN_WORDS
        if is_span and b.forced and not a.ordinal:
            a.forced = True
    return toks


def render(toks: list[Tok]) -> list[Tok]:
    """Write every number token: digits above ten or when forced, else as spoken."""
    for tok in toks:
        if tok.kind == NUM:
            tok.text = render_number(tok)
    return toks


STAGES: tuple[Callable[[list[Tok]], list[Tok]], ...] = (
    measures,
    over,
    labels,
    dates,
    spans,
    render,
)
