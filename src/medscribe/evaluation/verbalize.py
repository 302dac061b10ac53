"""Written clinical text -> the words a clinician says when dictating it (the TTS input).

The development set's dictations are clinical notes read aloud. A note is written
text ("BP 180/95 mmHg", "1. Mild aortic stenosis", "carvedilol 25 mg", "EKG"); a
speech synthesiser reads such text badly (letters as words, "slash", digits one by
one), so the voice is given this module's spoken form while the written note stays
the reference (``ref.txt``). :mod:`medscribe.evaluation.normalize` then makes the
written reference and a spoken or written hypothesis comparable (``normalize(
verbalize(text)) == normalize(text)`` for everything below except the list numbers,
which stay as the formatting should write them, and abbreviations spelled for the
voice, which the recogniser writes as one word again: "E K G" is heard, "EKG" written).

The rules follow general dictation convention (how numbers, units and abbreviations
are read out), not any test text:

* a heading line in capitals ("PHYSICAL EXAM") is read in plain words and ends with a
  pause; bullet marks ("-", "•", "*") are not read;
* an enumerated line "1. Mild ..." is read "number one, mild ..." (as clinicians
  dictate lists; turning it back into "1." is the formatter's work);
* numbers are read as words: "25" -> "twenty five", years "2019" -> "twenty
  nineteen", decimals "1.5" -> "one point five", ordinals "3rd" -> "third", "1,000"
  -> "one thousand"; "180/95" -> "one hundred eighty over ninety five"; a digit range
  "30-35" -> "thirty to thirty five"; a time "8:30" -> "eight thirty";
* units after a number are read in full: mg, mcg, g, kg, mL, L, cm, mm, mmHg, %,
  °F/°C, bpm, lb/lbs;
* an abbreviation of two or three capitals is spelled letter by letter ("EKG" ->
  "E K G"), except the few said as words (CABG, GERD, ...); a word of four or more
  capitals is a word written in capitals ("GAIT", "NEURO") and is read as a word,
  except the few abbreviations spelled out (COPD, HEENT, ...); "Dr." -> "doctor",
  "vs." -> "versus", "&" -> "and"; a slash between words is a pause.
"""

from __future__ import annotations

import re

from medscribe.evaluation.normalize import number_to_words

__all__ = ["verbalize", "verbalize_line"]

#: Unit spellings after a number -> the spoken unit (general clinical usage).
UNITS = {
    "mg": "milligrams",
    "mcg": "micrograms",
    "g": "grams",
    "kg": "kilograms",
    "ml": "milliliters",
    "l": "liters",
    "cm": "centimeters",
    "mm": "millimeters",
    "mmhg": "millimeters of mercury",
    "bpm": "beats per minute",
    "lb": "pounds",
    "lbs": "pounds",
    "°f": "degrees fahrenheit",
    "°c": "degrees celsius",
    "°": "degrees",
    "%": "percent",
}
#: Short abbreviations in capitals that are said as words, not spelled (general usage).
SAID_AS_WORDS = frozenset({"CABG", "GERD", "MRSA", "DEXA", "SOAP", "AIDS", "NSAID", "NSAIDS"})
#: Longer abbreviations in capitals that are spelled letter by letter (general usage).
SPELLED = frozenset({"COPD", "HEENT", "ADHD", "PERRL", "NSTEMI", "STEMI", "HCTZ", "ACLS"})
_ABBREVIATIONS = {
    "dr.": "doctor",
    "vs.": "versus",
    "vs": "versus",
    "&": "and",
    "e.g.": "for example",
}

_HEADING = re.compile(r"^[A-Z][A-Z0-9 /&,()-]*[A-Z)]:?$")
_BULLET = re.compile(r"^\s*(?:[-•*·]+)\s*")
_ENUMERATED = re.compile(r"^\s*(\d{1,2})[.)]\s+")
_NUMBER = r"\d+(?:,\d{3})*(?:\.\d+)?"
_UNIT_RE = "|".join(sorted((re.escape(u) for u in UNITS), key=len, reverse=True))
_MEASURE = re.compile(rf"(?<=\d)\s*({_UNIT_RE})(?![a-z])", re.IGNORECASE)
_LETTER_DIGIT = re.compile(r"(?<=[A-Za-z])(?=\d)|(?<=\d)(?=[A-Za-z])")
_RATIO = re.compile(r"(?<![\d/])(\d+)/(\d+)(?![\d/])")
_RANGE = re.compile(rf"(?<![\w-])({_NUMBER})-({_NUMBER})(?![\w-])")
_TIME = re.compile(r"\b(\d{1,2}):(\d{2})\b")
_ORDINAL = re.compile(r"\b(\d+)(st|nd|rd|th)\b", re.IGNORECASE)
_DECIMAL_OR_INT = re.compile(rf"(?<![\w.]){_NUMBER}(?![\w])|\d+")
_CAPS = re.compile(r"\b([A-Z]{2,})(s?)\b")
_WORD_SLASH = re.compile(r"(?<=[A-Za-z])/(?=[A-Za-z])")


def _integer_words(digits: str, *, year_like: bool = True) -> str:
    value = int(digits.replace(",", ""))
    if year_like and "," not in digits and len(digits) == 4 and 1900 <= value <= 2099:
        high, low = divmod(value, 100)
        if low == 0:
            return " ".join(number_to_words(high)) + " hundred"
        if 1 <= low < 10:
            return " ".join(number_to_words(value))  # "two thousand five", "nineteen oh five" rare
        return " ".join(number_to_words(high) + number_to_words(low))
    return " ".join(number_to_words(value))


def _number_words(text: str) -> str:
    """A number token ("25", "1.5", "1,000") in words."""
    whole, _, fraction = text.partition(".")
    words = _integer_words(whole)
    if fraction:
        words += " point " + " ".join(number_to_words(int(d))[0] for d in fraction)
    return words


def _ordinal_words(match: re.Match[str]) -> str:
    from medscribe.evaluation.normalize import _ordinal  # the normaliser's own spelling

    return " ".join(_ordinal(number_to_words(int(match.group(1)))))


def _spell_caps(match: re.Match[str]) -> str:
    letters, plural = match.group(1), match.group(2)
    if letters in SAID_AS_WORDS or letters + plural.upper() in SAID_AS_WORDS:
        return match.group(0)
    if len(letters) >= 4 and letters not in SPELLED:
        return match.group(0).lower()  # a word in capitals: lower case, or the voice spells it
    return " ".join(letters) + ("s" if plural else "")


def _heading(line: str) -> str | None:
    stripped = line.strip()
    # A heading has a word of four capitals or more ("EXAM", "VITALS"); "CT/MRI" has not.
    if not _HEADING.match(stripped) or not re.search(r"[A-Z]{4}", stripped):
        return None
    return stripped.rstrip(":").lower().replace("/", " ") + "."


def verbalize_line(line: str) -> str:
    """One line of written text in spoken form (see the module docstring)."""
    heading = _heading(line)
    if heading is not None:
        return heading
    text = line
    enumerated = _ENUMERATED.match(text)
    prefix = ""
    if enumerated:
        prefix = f"number {_integer_words(enumerated.group(1))}, "
        text = text[enumerated.end() :]
    text = _BULLET.sub("", text)
    for written, spoken in _ABBREVIATIONS.items():
        text = re.sub(rf"(?<!\w){re.escape(written)}(?!\w)", spoken, text, flags=re.IGNORECASE)
    text = _CAPS.sub(_spell_caps, text)
    text = _MEASURE.sub(lambda m: f" {UNITS[m.group(1).lower()]}", text)
    text = _ORDINAL.sub(_ordinal_words, text)
    text = _LETTER_DIGIT.sub(" ", text)
    text = _RATIO.sub(
        lambda m: f"{_number_words(m.group(1))} over {_number_words(m.group(2))}", text
    )
    text = _RANGE.sub(lambda m: f"{_number_words(m.group(1))} to {_number_words(m.group(2))}", text)
    text = _TIME.sub(lambda m: f"{_integer_words(m.group(1))} {_minutes(m.group(2))}", text)
    text = _DECIMAL_OR_INT.sub(lambda m: _number_words(m.group(0)), text)
    text = _WORD_SLASH.sub(" ", text)
    return (prefix + re.sub(r"\s+", " ", text)).strip()


def _minutes(digits: str) -> str:
    value = int(digits)
    if value == 0:
        return "o'clock"
    if value < 10:
        return "oh " + number_to_words(value)[0]
    return " ".join(number_to_words(value))


def verbalize(text: str) -> str:
    """Every line of ``text`` in spoken form; empty lines are dropped."""
    lines = (verbalize_line(line) for line in text.splitlines())
    return "\n".join(line for line in lines if line)
