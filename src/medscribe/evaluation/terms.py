"""Rare medical words: which words of a reference count for medical-term recall.

A *rare medical word* is a word of Debian's ``hunspell-en-med`` dictionary
(``/usr/share/hunspell/en_med_glut.dic``) that is absent from the general
American word list of ``wamerican`` (``/usr/share/dict/words``); both are
compared lower-cased. "metoprolol", "dyspnea" and "echocardiogram" are rare
medical words; "heart", "pressure" and "hypertension" are not.

The dictionary stores stems with Hunspell affix flags ("abdominal/YS"). We expand
the suffix flags with the rules of the English affix file that the dictionary is
meant to be used with (``/usr/share/hunspell/en_US.aff``, SFX lines only; the
prefixes make "re-" and "un-" words, not medical terms), so plurals such as
"arrhythmias" count too. Hunspell's own library is not used: its Python
bindings need a C build and we only need the word list, not spell checking.

Recall counts occurrences: for each rare word, the hypothesis is credited with at
most as many occurrences as the reference has (``min(ref, hyp)``), so repeating
a term cannot raise the score. Both texts are normalised first
(:mod:`medscribe.evaluation.normalize`).
"""

from __future__ import annotations

import functools
import re
from collections import Counter
from dataclasses import dataclass
from pathlib import Path

from medscribe.errors import ConfigError

MED_DICTIONARY = Path("/usr/share/hunspell/en_med_glut.dic")
AFFIX_FILE = Path("/usr/share/hunspell/en_US.aff")
GENERAL_WORDS = Path("/usr/share/dict/words")

_WORD = re.compile(r"^[a-z][a-z']*$")


@dataclass(frozen=True, slots=True)
class _Suffix:
    strip: str
    add: str
    condition: re.Pattern[str]


def _read_suffix_rules(path: Path) -> dict[str, list[_Suffix]]:
    """SFX rules of a Hunspell affix file: flag -> [(strip, add, condition)]."""
    rules: dict[str, list[_Suffix]] = {}
    if not path.exists():
        return rules
    for line in path.read_text(encoding="utf-8", errors="replace").splitlines():
        parts = line.split()
        if len(parts) < 5 or parts[0] != "SFX":
            continue
        flag, strip, add, condition = parts[1], parts[2], parts[3], parts[4]
        strip = "" if strip == "0" else strip
        add = "" if add == "0" else add.split("/")[0]
        cond = "" if condition == "." else condition
        rules.setdefault(flag, []).append(_Suffix(strip, add, re.compile(f"(?:{cond})$")))
    return rules


def _expand(stem: str, flags: str, rules: dict[str, list[_Suffix]]) -> list[str]:
    words = [stem]
    for flag in flags:
        for rule in rules.get(flag, ()):
            if rule.condition.search(stem) and stem.endswith(rule.strip):
                base = stem[: len(stem) - len(rule.strip)] if rule.strip else stem
                words.append(base + rule.add)
    return words


def _require(path: Path, package: str) -> None:
    if not path.exists():
        raise ConfigError(
            f"{path} is missing: install the Debian package {package} for medical-term recall"
        )


@functools.cache
def rare_medical_words(
    med_dictionary: Path = MED_DICTIONARY,
    general_words: Path = GENERAL_WORDS,
    affix_file: Path = AFFIX_FILE,
) -> frozenset[str]:
    """The lower-cased rare medical words (cached per process)."""
    _require(med_dictionary, "hunspell-en-med")
    _require(general_words, "wamerican")
    rules = _read_suffix_rules(affix_file)
    lines = med_dictionary.read_text(encoding="utf-8", errors="replace").splitlines()
    medical: set[str] = set()
    for line in lines[1:]:  # the first line is the entry count
        if not line or line[0].isspace():  # the header comment is indented
            continue
        stem, _, flags = line.partition("/")
        for word in _expand(stem.strip().lower(), flags.strip(), rules):
            if _WORD.match(word):
                medical.add(word)
    general = {
        w.strip().lower()
        for w in general_words.read_text(encoding="utf-8", errors="replace").splitlines()
    }
    return frozenset(medical - general)


def rare_terms(words: list[str], vocabulary: frozenset[str] | None = None) -> Counter[str]:
    """How often each rare medical word occurs in ``words`` (already normalised)."""
    rare = rare_medical_words() if vocabulary is None else vocabulary
    return Counter(w for w in words if w in rare)


@dataclass(frozen=True, slots=True)
class TermRecall:
    """Rare-term occurrences of the reference and how many the hypothesis has."""

    reference: int
    found: int

    @property
    def recall(self) -> float | None:
        return self.found / self.reference if self.reference else None

    def __add__(self, other: TermRecall) -> TermRecall:
        return TermRecall(self.reference + other.reference, self.found + other.found)


def term_recall(
    ref_words: list[str], hyp_words: list[str], vocabulary: frozenset[str] | None = None
) -> TermRecall:
    """Clipped occurrence recall of rare medical words (see the module docstring)."""
    ref = rare_terms(ref_words, vocabulary)
    hyp = Counter(hyp_words)
    found = sum(min(n, hyp[w]) for w, n in ref.items())
    return TermRecall(reference=sum(ref.values()), found=found)
