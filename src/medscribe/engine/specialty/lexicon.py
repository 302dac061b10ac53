"""Lexicons of the offline engine: the terms a specialty (or a custom vocabulary) brings.

This module owns loading terms and giving each its phonetic keys; what is done
with them is :mod:`medscribe.engine.specialty.second_look` (decoder prompts) and
:mod:`medscribe.engine.specialty.correction` (replacing misheard words).

* Specialty lexicons are the committed ``medscribe/data/lexicons/<SPECIALTY>.tsv``
  files (``term``, ``category``, ``source``; built by ``scripts/build_lexicons.py``,
  sources in ``SOURCES.md`` there).
* A custom vocabulary (:class:`medscribe.vocabulary.VocabularyEntry`) adds terms
  whose *display* is its DisplayAs and whose keys also come from its SoundsLike
  ("mee-toe-pro-lol") and IPA ("m ɛ t oʊ p ɹ oʊ l ɔ l").

Phonetic keys are Metaphone codes (``jellyfish.metaphone``, a maintained C/Rust
implementation, rather than our own port of the algorithm): consonant skeletons
in which "midoprolal" and "metoprolol" both read ``MTPRLL``. IPA has no
Metaphone, so :func:`ipa_key` maps IPA consonants onto the same alphabet with a
small table (our own: no registry package converts IPA to Metaphone); vowels
drop out as they do in Metaphone, a leading vowel becomes ``A`` in every key.
"""

from __future__ import annotations

import functools
import re
import unicodedata
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path

import jellyfish

from medscribe.errors import ConfigError
from medscribe.request import Specialty

_LETTERS = re.compile(r"[^a-z]")
_VOWELS = "AEIOU"


@dataclass(frozen=True, slots=True)
class Term:
    """One lexicon entry: how it is written in a transcript and how it sounds."""

    display: str
    #: Lower-case spoken words ("sacubitril valsartan"), for matching and prompts.
    words: tuple[str, ...]
    #: Metaphone-alphabet keys: of the spelling, of SoundsLike, of IPA.
    keys: tuple[str, ...]
    #: Letters only (lower case) of the spelling and of SoundsLike, for spelling similarity.
    letters: tuple[str, ...]
    category: str = "term"
    #: From a user's custom vocabulary (shown exactly as DisplayAs says).
    custom: bool = False

    @property
    def spoken(self) -> str:
        return " ".join(self.words)


@dataclass(frozen=True, eq=False)
class Lexicon:
    """The terms in force for one transcription (specialty plus custom vocabulary).

    Compared and hashed by identity (``eq=False``): matchers cache their tables
    per lexicon object, and hashing hundreds of terms on every lookup would cost
    more than the lookup.
    """

    terms: tuple[Term, ...] = ()
    #: Normalised words of all terms (a quick "is this already a term word?" test).
    term_words: frozenset[str] = field(default=frozenset())

    @classmethod
    def of(cls, terms: Iterable[Term]) -> Lexicon:
        unique: dict[str, Term] = {}
        for term in terms:
            # A custom entry wins over a specialty entry of the same spelling.
            if term.custom or term.spoken not in unique:
                unique[term.spoken] = term
        kept = tuple(unique.values())
        return cls(kept, frozenset(w for t in kept for w in t.words))

    def __add__(self, other: Lexicon) -> Lexicon:
        return Lexicon.of([*self.terms, *other.terms])

    def __len__(self) -> int:
        return len(self.terms)


def letters(text: str) -> str:
    """Lower-case ASCII letters of ``text`` (accents folded, everything else dropped)."""
    folded = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    return _LETTERS.sub("", folded.lower())


def phonetic_key(text: str) -> str:
    """Metaphone key of ``text`` read as one word ("a pixel in" -> ``APKSLN``)."""
    word = letters(text)
    if not word:
        return ""
    return _lead(jellyfish.metaphone(word))


def _lead(key: str) -> str:
    # Metaphone keeps a leading vowel as itself; "a"/"e"/"i" openings are often confused.
    return "A" + key[1:] if key and key[0] in _VOWELS else key


#: IPA -> Metaphone alphabet (multi-character symbols first). Vowels map to "".
_IPA = [
    ("tʃ", "X"), ("dʒ", "J"), ("ʧ", "X"), ("ʤ", "J"), ("θ", "0"), ("ð", "0"),
    ("ʃ", "X"), ("ʒ", "X"), ("ŋ", "NK"), ("ɹ", "R"), ("ɾ", "T"), ("ɡ", "K"),
    ("p", "P"), ("b", "B"), ("t", "T"), ("d", "T"), ("k", "K"), ("g", "K"),
    ("f", "F"), ("v", "F"), ("s", "S"), ("z", "S"), ("h", "H"), ("m", "M"),
    ("n", "N"), ("l", "L"), ("r", "R"), ("j", "Y"), ("w", "W"),
]  # fmt: skip
_IPA_VOWELS = set("aeiouæɑɒɔəɛɜɪʊʌɐɚɝyøœɨʉɯɤ")


def ipa_key(ipa: str) -> str:
    """A Metaphone-alphabet key of an IPA string ("m ɛ t oʊ p ɹ oʊ l ɔ l" -> ``MTPRLL``)."""
    symbols = [s for s in re.split(r"\s+", ipa.strip()) if s]
    out: list[str] = []
    previous = ""  # the last consonant code, "" after a vowel
    for index, symbol in enumerate(symbols):
        symbol = symbol.strip("ˈˌːˑ.")
        if not symbol:
            continue
        if symbol[0] in _IPA_VOWELS:
            if index == 0:
                out.append("A")
            previous = ""
            continue
        rest = symbol
        while rest:
            for ipa_symbol, code in _IPA:
                if rest.startswith(ipa_symbol):
                    if code != previous:  # Metaphone writes a doubled consonant once
                        out.append(code)
                    previous = code
                    rest = rest[len(ipa_symbol) :]
                    break
            else:
                rest = rest[1:]  # diacritics and vowels inside a symbol
    return "".join(out)


def make_term(
    display: str,
    *,
    spoken: str | None = None,
    sounds_like: Sequence[str] = (),
    ipa: Sequence[str] = (),
    category: str = "term",
    custom: bool = False,
) -> Term:
    """A :class:`Term` with its keys; ``spoken`` defaults to ``display``."""
    spoken_text = (spoken or display).replace("-", " ")
    words = tuple(w for w in (letters(part) for part in spoken_text.split()) if w)
    keys = [phonetic_key(spoken_text)]
    spellings = [letters(spoken_text)]
    for sounds in sounds_like:
        keys.append(phonetic_key(sounds))
        spellings.append(letters(sounds))
    keys.extend(ipa_key(value) for value in ipa)
    unique_keys = tuple(dict.fromkeys(k for k in keys if k))
    return Term(
        display=display,
        words=words,
        keys=unique_keys,
        letters=tuple(dict.fromkeys(s for s in spellings if s)),
        category=category,
        custom=custom,
    )


def lexicon_dir() -> Path:
    return Path(str(resources.files("medscribe") / "data" / "lexicons"))


@functools.cache
def load_lexicon(specialty: Specialty | str) -> Lexicon:
    """The committed lexicon of ``specialty`` (cached per process)."""
    specialty = Specialty.parse(specialty)
    path = lexicon_dir() / f"{specialty.value}.tsv"
    if not path.is_file():
        raise ConfigError(f"the lexicon of {specialty.value} is missing ({path})")
    terms: list[Term] = []
    lines = path.read_text(encoding="utf-8").splitlines()
    for line in lines[1:]:  # header: term, category, source
        if not line.strip():
            continue
        term, _, rest = line.partition("\t")
        category = rest.split("\t", 1)[0] or "term"
        terms.append(make_term(term, category=category))
    return Lexicon.of(terms)


def from_vocabulary(entries: Iterable[object]) -> Lexicon:
    """Terms of a custom vocabulary (``VocabularyEntry`` objects of :mod:`medscribe.vocabulary`).

    The Phrase is what is spoken (hyphens join words: "Los-Angeles"); SoundsLike
    is hyphen-separated syllables; IPA is space-separated symbols; DisplayAs, when
    given, is what the transcript shows. Acronyms with dots ("A.B.C.") are spoken
    letter by letter, so their keys are those of the letters' names.
    """
    terms: list[Term] = []
    for entry in entries:
        phrase = str(getattr(entry, "phrase", "")).strip()
        if not phrase:
            continue
        display = getattr(entry, "display_as", None) or phrase.replace("-", " ")
        sounds = getattr(entry, "sounds_like", None)
        ipa = getattr(entry, "ipa", None)
        spoken = _spell_acronym(phrase) if _is_acronym(phrase) else phrase
        terms.append(
            make_term(
                display,
                spoken=spoken,
                sounds_like=[sounds.replace("-", "")] if sounds else [],
                ipa=[ipa] if ipa else [],
                category="custom",
                custom=True,
            )
        )
    return Lexicon.of(terms)


_LETTER_NAMES = dict(
    zip(
        "abcdefghijklmnopqrstuvwxyz",
        [
            "ay",
            "bee",
            "see",
            "dee",
            "ee",
            "eff",
            "gee",
            "aitch",
            "eye",
            "jay",
            "kay",
            "el",
            "em",
            "en",
            "oh",
            "pee",
            "cue",
            "ar",
            "ess",
            "tee",
            "you",
            "vee",
            "doubleyou",
            "ex",
            "why",
            "zee",
        ],
        strict=True,
    )
)


def _is_acronym(phrase: str) -> bool:
    return bool(re.fullmatch(r"(?:[A-Za-z]\.)+", phrase))


def _spell_acronym(phrase: str) -> str:
    return " ".join(_LETTER_NAMES[c] for c in phrase.lower() if c.isalpha())
