"""Text normalisation for scoring: reference and hypothesis become comparable word lists.

What counts as the same (both sides go through the same function):

* Case is ignored (everything is lower-cased) and punctuation is dropped; hyphens
  and slashes between words become spaces ("follow-up" == "follow up").
  Apostrophes inside words stay ("patient's" != "patients").
* Fillers are dropped: um, uh, er, erm, ah, hmm, mm (and their stretched spellings
  such as "umm", "hmmm"). "oh" is a word and stays (and never means zero).
* Numbers compare equal to their spoken forms. Both sides are rewritten to ONE
  canonical *spoken* form: every number, written with digits or spoken in words,
  is parsed to its value and spelled again in plain American words without "and"
  ("a hundred and forty two" == "142" == "one hundred forty two"). Runs of number
  groups that the grammar cannot join are concatenated, as people say them and as
  the formatting rules write them: "one twenty" == "120", "nineteen ninety" ==
  "1990", "three four five" == "345", "eight thirty" == "8:30".
  Decimals: "37.4" == "thirty seven point four" (the digits after the point are
  spelled one by one, so "three point twenty three" == "3.23"; "dot" works like
  "point"). Ordinals: "43rd" == "forty third". Fractions and ratios: "120/80" ==
  "one twenty over eighty", "1/4" == "a quarter", "3/16" == "three sixteenths".
  "5-10" (digits) == "5 to 10"; "23%" == "twenty three percent"; "$20" == "twenty
  dollars"; "1,031" == "1031"; a number split around its comma or point is joined
  again ("180 ,000" == "180,000", "10 .2" == "10.2").
* "Dr" == "doctor". The abbreviations of the project's formatting rules
  (../shared/spec/medical-formatting.tsv) compare equal to their spoken forms: BP / b p == blood
  pressure; mg == milligrams; mcg == micrograms; kg / kilos == kilograms; mL ==
  milliliters; cc / c c / cubic centimeters; lbs == pounds; BPM / beats per min ==
  beats per minute; POSTOP / post op / post operation; CT / cat scan; I/O == in and
  out; "P 80" == "pulse 80" and "R 17" == "respiration 17" (a P or R before a
  number); after a number, C / centigrade / degrees celsius == celsius, F / degrees
  fahrenheit == fahrenheit, g == grams, m == meters, ft == feet, cm, mm; mmHg ==
  millimeters of mercury. Units are put in one canonical form (plural), so "one
  milligram" == "1 mg". Letter-digit mixes are split: "O2" == "O two", "L4" == "L
  four", "A1C" == "A one C".

The development set's dictations are written clinical notes read aloud from their
spoken form (:mod:`medscribe.evaluation.verbalize`): the written note is the
reference, and these rules are what make it comparable with a hypothesis in spoken
or written form ("180/95 mmHg" == "one eighty over ninety five millimeters of mercury").

Why our own code: the words-to-number direction with the concatenation rules
above is what matters here, and no maintained library does it (``num2words``
only spells digits and would need the inverse anyway); the spelling direction is
twenty lines, so the whole normaliser stays one dependency-free module.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass

__all__ = ["normalize", "normalize_words", "number_to_words"]

# --------------------------------------------------------------------------- spelling

_UNITS = ["zero", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine"]
_TEENS = [
    "ten",
    "eleven",
    "twelve",
    "thirteen",
    "fourteen",
    "fifteen",
    "sixteen",
    "seventeen",
    "eighteen",
    "nineteen",
]
_TENS = ["_", "_", "twenty", "thirty", "forty", "fifty", "sixty", "seventy", "eighty", "ninety"]
_SCALES = [(10**9, "billion"), (10**6, "million"), (1000, "thousand")]
_ORDINAL_WORDS = {
    "one": "first",
    "two": "second",
    "three": "third",
    "five": "fifth",
    "eight": "eighth",
    "nine": "ninth",
    "twelve": "twelfth",
}


def _below_thousand(n: int) -> list[str]:
    words: list[str] = []
    if n >= 100:
        words += [_UNITS[n // 100], "hundred"]
        n %= 100
    if n >= 20:
        words.append(_TENS[n // 10])
        n %= 10
        if n:
            words.append(_UNITS[n])
    elif n >= 10:
        words.append(_TEENS[n - 10])
    elif n or not words:
        words.append(_UNITS[n])
    return words


def number_to_words(n: int) -> list[str]:
    """Plain American words for a non-negative integer, without "and" or hyphens."""
    if n < 1000:
        return _below_thousand(n)
    if n >= 10**12:  # phone numbers and other long digit strings: say the digits
        return [_UNITS[int(d)] for d in str(n)]
    words: list[str] = []
    for scale, name in _SCALES:
        if n >= scale:
            words += [*_below_thousand(n // scale), name]
            n %= scale
    if n:
        words += _below_thousand(n)
    return words


def _ordinal(words: list[str]) -> list[str]:
    last = words[-1]
    if last in _ORDINAL_WORDS:
        new = _ORDINAL_WORDS[last]
    elif last.endswith("y"):
        new = last[:-1] + "ieth"
    else:
        new = last + "th"
    return [*words[:-1], new]


def _digits_to_words(digits: str) -> list[str]:
    """An integer digit string; leading zeros ("007") are said digit by digit."""
    if len(digits) > 1 and digits.startswith("0"):
        return [_UNITS[int(d)] for d in digits]
    return number_to_words(int(digits))


# --------------------------------------------------------------------------- parsing

_WORD_VALUES: dict[str, tuple[str, int]] = {}
for _i, _w in enumerate(_UNITS):
    _WORD_VALUES[_w] = ("unit", _i)
for _i, _w in enumerate(_TEENS):
    _WORD_VALUES[_w] = ("teen", 10 + _i)
for _i, _w in enumerate(_TENS[2:], start=2):
    _WORD_VALUES[_w] = ("tens", 10 * _i)
_SCALE_VALUES = {"hundred": 100, "thousand": 1000, "million": 10**6, "billion": 10**9}

# Ordinal words -> value; plural denominators of fractions -> denominator.
_ORDINALS: dict[str, int] = {}
for _n in range(1, 20):
    _ORDINALS[_ordinal(_below_thousand(_n))[-1]] = _n
for _n in range(20, 100, 10):
    _ORDINALS[_ordinal([_TENS[_n // 10]])[-1]] = _n
_ORDINALS |= {"hundredth": 100, "thousandth": 1000}
_DENOMINATORS = {w + "s": v for w, v in _ORDINALS.items() if v > 2} | {
    "halves": 2,
    "quarters": 4,
}
_SINGLE_DENOMINATORS = {"half": 2, "quarter": 4} | {w: v for w, v in _ORDINALS.items() if v > 2}

_DIGIT_TOKEN = re.compile(r"^(\d+)(?:\.(\d+))?(st|nd|rd|th)?$")


@dataclass(slots=True)
class _Number:
    """A parsed number token: the integer digits, optional decimals, ordinal or fraction."""

    digits: str
    decimals: str | None = None
    ordinal: bool = False
    denominator: int | None = None

    def words(self) -> list[str]:
        out = _digits_to_words(self.digits)
        if self.ordinal:
            return _ordinal(out)
        if self.decimals is not None:
            out = [*out, "point", *(_UNITS[int(d)] for d in self.decimals)]
        if self.denominator is not None:
            out = [*out, "over", *number_to_words(self.denominator)]
        return out


class _Group:
    """One grammatical number ("one hundred and forty two") being read word by word."""

    def __init__(self) -> None:
        self.total = 0
        self.current = 0
        self.last = "start"
        self.max_scale = 10**12

    def accepts(self, kind: str, value: int) -> bool:
        last = self.last
        if kind == "unit":
            return last in ("start", "hundred", "scale", "and") or (
                last == "tens" and self.current % 10 == 0
            )
        if kind in ("teen", "tens"):
            return last in ("start", "hundred", "scale", "and")
        if kind == "hundred":
            return last in ("unit", "teen", "a") and self.current % 100 == self.current
        if kind == "scale":
            return last in ("unit", "teen", "tens", "hundred", "a") and value < self.max_scale
        return False

    def add(self, kind: str, value: int) -> None:
        if kind == "hundred":
            self.current = max(self.current, 1) * 100
        elif kind == "scale":
            self.total += max(self.current, 1) * value
            self.current = 0
            self.max_scale = value
        else:
            self.current += value
        self.last = kind

    @property
    def value(self) -> int:
        return self.total + self.current


def _kind(word: str) -> tuple[str, int] | None:
    if word in _WORD_VALUES:
        return _WORD_VALUES[word]
    if word == "hundred":
        return ("hundred", 100)
    if word in _SCALE_VALUES:
        return ("scale", _SCALE_VALUES[word])
    return None


Token = str | _Number


def _parse_numbers(tokens: list[str]) -> list[Token]:
    """Replace runs of number words and digit tokens by :class:`_Number` tokens."""
    out: list[Token] = []
    i = 0
    while i < len(tokens):
        number, i_next = _read_run(tokens, i)
        if number is None:
            out.append(tokens[i])
            i += 1
        else:
            out.append(number)
            i = i_next
    return out


def _is_numeric(tokens: list[str], i: int) -> bool:
    """Whether a number (word or digits) starts at ``tokens[i]``."""
    if i >= len(tokens):
        return False
    tok = tokens[i]
    if _DIGIT_TOKEN.match(tok) or _kind(tok) is not None:
        return True
    nxt = tokens[i + 1] if i + 1 < len(tokens) else ""
    return tok == "a" and (nxt in _SCALE_VALUES or nxt in _SINGLE_DENOMINATORS)


def _read_group(tokens: list[str], i: int) -> tuple[_Number | None, int]:
    """Read one grammatical number (or one digit token) at ``i``."""
    tok = tokens[i]
    match = _DIGIT_TOKEN.match(tok)
    if match:
        digits, decimals, suffix = match.groups()
        return _Number(digits, decimals, ordinal=suffix is not None), i + 1
    group = _Group()
    j = i
    if tok == "a":
        group.current, group.last = 1, "a"
        j += 1
    while j < len(tokens):
        word = tokens[j]
        kind = _kind(word)
        if word == "and" and group.last in ("hundred", "scale"):
            nxt_word = tokens[j + 1] if j + 1 < len(tokens) else ""
            nxt = _kind(nxt_word)
            if (nxt and nxt[0] in ("unit", "teen", "tens")) or nxt_word in _ORDINALS:
                group.last = "and"
                j += 1
                continue
            break
        if kind is None:
            # An ordinal word can finish a group: "forty third", "one hundred and first".
            if word in _ORDINALS and group.last in ("tens", "hundred", "scale", "and"):
                if group.last == "tens" and _ORDINALS[word] >= 10:
                    break
                return _Number(str(group.value + _ORDINALS[word]), ordinal=True), j + 1
            break
        if not group.accepts(*kind):
            break
        group.add(*kind)
        j += 1
    if j == i:
        return None, i
    # "a" alone before a denominator ("a quarter") is the numerator 1.
    return _Number(str(group.value)), j


def _read_run(tokens: list[str], i: int) -> tuple[_Number | None, int]:
    """Read number groups at ``i`` and join them: "nineteen ninety" -> 1990."""
    if tokens[i] in ("point", "dot") and _is_numeric(tokens, i + 1):
        decimals, j = _read_digits_after_point(tokens, i + 1)
        return _Number("0", decimals), j
    if tokens[i] in _ORDINALS:
        return _Number(str(_ORDINALS[tokens[i]]), ordinal=True), i + 1
    if not _is_numeric(tokens, i):
        return None, i
    digits = ""
    j = i
    number: _Number | None = None
    while j < len(tokens) and _is_numeric(tokens, j):
        number, k = _read_group(tokens, j)
        if number is None:
            break
        if number.ordinal or number.decimals is not None:
            if digits:
                number.digits = digits + number.digits
            return number, k
        digits += number.digits
        j = k
    if not digits:
        return None, i
    result = _Number(digits)
    if j < len(tokens) and tokens[j] in ("point", "dot") and _is_numeric(tokens, j + 1):
        result.decimals, j = _read_digits_after_point(tokens, j + 1)
        return result, j
    if j < len(tokens):
        denominator = _denominator(tokens[j], digits, tokens[i])
        if denominator is not None:
            result.denominator = denominator
            return result, j + 1
    return result, j


def _read_digits_after_point(tokens: list[str], i: int) -> tuple[str, int]:
    """Digits after a decimal point: digit tokens and words below a hundred, no scales."""
    digits = ""
    j = i
    while j < len(tokens):
        tok = tokens[j]
        kind = _kind(tok)
        if tok.isdigit():
            digits += tok
        elif kind is not None and kind[0] == "tens":
            nxt = _kind(tokens[j + 1]) if j + 1 < len(tokens) else None
            if nxt is not None and nxt[0] == "unit" and nxt[1] > 0:
                digits += str(kind[1] + nxt[1])
                j += 1
            else:
                digits += str(kind[1])
        elif kind is not None and kind[0] in ("unit", "teen"):
            digits += str(kind[1])
        else:
            break
        j += 1
    return digits or "0", j


def _denominator(word: str, digits: str, first: str) -> int | None:
    if word in _DENOMINATORS:
        return _DENOMINATORS[word]
    if word in _SINGLE_DENOMINATORS and (first == "a" or digits == "1"):
        return _SINGLE_DENOMINATORS[word]
    return None


# --------------------------------------------------------------------------- words

_FILLER = re.compile(r"^(u+m+|u+h+|e+r+|e+r+m+|a+h+|h+m+|m+|m+h+m+)$")
# Abbreviations that mean the same wherever they stand (after number parsing).
_ALWAYS: dict[tuple[str, ...], tuple[str, ...]] = {
    ("dr",): ("doctor",),
    ("bp",): ("blood", "pressure"),
    ("b", "p"): ("blood", "pressure"),
    ("mg",): ("milligrams",),
    ("milligram",): ("milligrams",),
    ("mgs",): ("milligrams",),
    ("mcg",): ("micrograms",),
    ("microgram",): ("micrograms",),
    ("kg",): ("kilograms",),
    ("kgs",): ("kilograms",),
    ("kilo",): ("kilograms",),
    ("kilos",): ("kilograms",),
    ("kilogram",): ("kilograms",),
    ("ml",): ("milliliters",),
    ("milliliter",): ("milliliters",),
    ("millilitre",): ("milliliters",),
    ("millilitres",): ("milliliters",),
    ("cc",): ("cubic", "centimeters"),
    ("ccs",): ("cubic", "centimeters"),
    ("c", "c"): ("cubic", "centimeters"),
    ("cubic", "centimeter"): ("cubic", "centimeters"),
    ("lb",): ("pounds",),
    ("lbs",): ("pounds",),
    ("pound",): ("pounds",),
    ("bpm",): ("beats", "per", "minute"),
    ("beats", "per", "min"): ("beats", "per", "minute"),
    ("postop",): ("post", "op"),
    ("post", "operation"): ("post", "op"),
    ("ct",): ("c", "t"),
    ("cat", "scan"): ("c", "t", "scan"),
    ("us", "dollars"): ("dollars",),
    ("centigrade",): ("celsius",),
    ("degrees", "celsius"): ("celsius",),
    ("degrees", "centigrade"): ("celsius",),
    ("degrees", "fahrenheit"): ("fahrenheit",),
    ("mmhg",): ("millimeters", "of", "mercury"),
    ("mm", "hg"): ("millimeters", "of", "mercury"),
    ("gram",): ("grams",),
    ("meter",): ("meters",),
    ("metre",): ("meters",),
    ("metres",): ("meters",),
    ("centimeter",): ("centimeters",),
    ("millimeter",): ("millimeters",),
}
_MAX_PHRASE = max(len(k) for k in _ALWAYS)
# Single letters or short units that mean a unit only right after a number.
_AFTER_NUMBER = {
    "c": "celsius",
    "f": "fahrenheit",
    "g": "grams",
    "m": "meters",
    "ft": "feet",
    "cm": "centimeters",
    "mm": "millimeters",
}
# Vital-sign letters before a number: "P 80, R 17".
_BEFORE_NUMBER = {"p": "pulse", "r": "respiration", "co": "c o"}

_TOKEN = re.compile(r"\d+(?:\.\d+)?(?:st|nd|rd|th)?|[a-z]+(?:'[a-z]+)*|[^\sa-z\d]")


def _prepare(text: str) -> str:
    """Character-level rewrites before tokenising: symbols to words, separators to spaces."""
    text = unicodedata.normalize("NFKC", text).lower()
    text = text.replace("\u2019", "'").replace("\u2018", "'")
    text = re.sub(r"°\s*c\b", " celsius ", text)
    text = re.sub(r"°\s*f\b", " fahrenheit ", text)
    text = text.replace("°", " degrees ")
    text = text.replace("%", " percent ")
    text = re.sub(r"\$\s*(\d[\d,]*)\.(\d\d)\b", r"\1 dollars and \2 cents ", text)
    text = re.sub(r"\$\s*(\d[\d,]*)", r"\1 dollars ", text)
    text = re.sub(r"₹\s*(\d[\d,]*(?:\.\d+)?)", r"\1 rupees ", text)
    text = re.sub(r"\bi\s*/\s*o\b", " in and out ", text)
    # "10 .2" and "180 ,000": numbers split around their point or comma read as one.
    text = re.sub(r"(?<=\d) ([.,])(?=\d)", r"\1", text)
    text = re.sub(r"(?<=\d),(?=\d{3}\b)", "", text)  # 1,031 -> 1031
    text = re.sub(r"(?<=\d)\s*/\s*(?=\d)", " over ", text)  # 120/80, 1/4
    text = re.sub(r"(?<=\d)\s*[-–]\s*(?=\d)", " to ", text)  # 5-10 -> 5 to 10
    text = re.sub(r"(?<=\d):(?=\d\d\b)", " ", text)  # 8:30 -> 8 30 (joined again as 830)
    text = re.sub(r"\b(?:[a-z]\.){2,}", lambda m: m.group(0).replace(".", " "), text)  # b.p.
    text = text.replace("&", " and ")
    return re.sub(r"[-–—/_]", " ", text)


def _is_number(tok: Token | None) -> bool:
    return isinstance(tok, _Number)


def _rewrite_words(tokens: list[Token]) -> list[str]:
    """Abbreviations to spoken forms, fillers out, numbers spelled; punctuation dropped."""
    words: list[str] = []
    i = 0
    while i < len(tokens):
        tok = tokens[i]
        prev = tokens[i - 1] if i else None
        nxt = tokens[i + 1] if i + 1 < len(tokens) else None
        if isinstance(tok, _Number):
            words += tok.words()
            i += 1
            continue
        if not tok[0].isalnum() and tok[0] != "'":
            i += 1  # punctuation
            continue
        phrase = _match_phrase(tokens, i)
        if phrase is not None:
            replacement, length = phrase
            words += replacement
            i += length
            continue
        # A single letter after "A1"/"L4" is part of the name, not a unit ("A1C"); a longer
        # unit is a unit even after an article ("a 2.5 cm lesion").
        if (
            tok in _AFTER_NUMBER
            and _is_number(prev)
            and (len(tok) > 1 or not _letter_before(tokens, i - 1))
        ):
            words.append(_AFTER_NUMBER[tok])
        elif tok in _BEFORE_NUMBER and _is_number(nxt):
            words += _BEFORE_NUMBER[tok].split()
        elif not _FILLER.match(tok):
            words.append(tok)
        i += 1
    return words


def _letter_before(tokens: list[Token], i: int) -> bool:
    """A single letter right before the number at ``i``: "A1C", "L4" (not a measurement)."""
    prev = tokens[i - 1] if i >= 1 else None
    return isinstance(prev, str) and len(prev) == 1 and prev.isalpha()


def _match_phrase(tokens: list[Token], i: int) -> tuple[tuple[str, ...], int] | None:
    for length in range(_MAX_PHRASE, 0, -1):
        words = [t for t in tokens[i : i + length] if isinstance(t, str)]
        if len(words) < length:  # the end of the text, or a number inside the window
            continue
        key = tuple(words)
        if key in _ALWAYS:
            return _ALWAYS[key], length
    return None


def normalize_words(text: str) -> list[str]:
    """The words of ``text`` in canonical spoken form (see the module docstring)."""
    tokens = _TOKEN.findall(_prepare(text))
    return _rewrite_words(_parse_numbers(tokens))


def normalize(text: str) -> str:
    """``text`` as one space-separated string of canonical words."""
    return " ".join(normalize_words(text))
