"""Lexicons of the offline engine: the terms a specialty (or a custom vocabulary) brings.

This module owns loading terms and giving each its phonetic keys; what is done
with them is :mod:`medscribe.engine.specialty.second_look` (decoder prompts) and
:mod:`medscribe.engine.specialty.correction` (replacing misheard words).

* The specialty lexicon is one broad vocabulary shared by every specialty: the whole
  of Debian's ``hunspell-en-med``, every generic and brand name of the drug dictionary
  of ``drug-named-entity-recognition``, and spoken abbreviations (the committed
  ``medscribe/data/lexicons/terms.tsv.gz``, built by ``scripts/build_lexicons.py``;
  sources and formulas in ``SOURCES.md`` there). Each term carries its provenance, a
  log prior from its frequency in the *tune* split of the corpora, and, per specialty,
  a weight from the frequency in that specialty's tune visits
  (``specialties.tsv.gz``): specialties differ by weight, not by membership.
* A custom vocabulary (:class:`medscribe.vocabulary.VocabularyEntry`) adds terms
  whose *display* is its DisplayAs and whose keys also come from its SoundsLike
  ("mee-toe-pro-lol") and IPA ("m ɛ t oʊ p ɹ oʊ l ɔ l").

Phonetic keys are Metaphone codes (``jellyfish.metaphone``, a maintained C/Rust
implementation, rather than our own port of the algorithm): consonant skeletons
in which "midoprolal" and "metoprolol" both read ``MTPRLL``. IPA has no
Metaphone, so :func:`ipa_key` maps IPA consonants onto the same alphabet with a
small table (our own: no registry package converts IPA to Metaphone); vowels
drop out as they do in Metaphone, a leading vowel becomes ``A`` in every key.

The lexicon holds ~130k terms, so nothing may loop over :attr:`Lexicon.terms` per heard
word: :meth:`Lexicon.candidates` (terms that sound like a run of words),
:attr:`Lexicon.by_words`, :meth:`Lexicon.with_word` and :attr:`Lexicon.custom_terms`
are indexes built once per lexicon object. Phonetic keys are computed at build time and
read from the file, so loading costs parsing only.
"""

from __future__ import annotations

import bisect
import contextlib
import functools
import gc
import gzip
import itertools
import json
import math
import re
import sys
import unicodedata
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path
from typing import Any, NamedTuple, TypeVar

import jellyfish
from rapidfuzz import process
from rapidfuzz.distance import Levenshtein

from medscribe.errors import ConfigError
from medscribe.request import Specialty

_T = TypeVar("_T")
_LETTERS = re.compile(r"[^a-z]")
_VOWELS = "AEIOU"

#: The log prior of a custom vocabulary term: about once in a thousand words, above
#: nearly every tune frequency (the user asked for the term, so it is expected).
CUSTOM_PRIOR = -7.0
#: The log prior of a term made without one (``make_term`` without ``prior``): that of a
#: term never seen in the tune texts.
UNSEEN_PRIOR = -17.0


class Term(NamedTuple):
    """One lexicon entry: how it is written in a transcript and how it sounds.

    Immutable and hashable; a named tuple rather than a dataclass because the broad
    lexicon makes ~130k of them at load and a tuple is built several times faster
    (``term._replace(weight=...)`` makes a changed copy).
    """

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
    #: Provenance: the dictionaries that hold it, "+"-joined ("hunspell-en-med",
    #: "drug-named-entity-recognition:generic", ...; "custom" for a custom vocabulary).
    source: str = "custom"
    #: Natural-log prior: the smoothed per-word frequency of the term in the tune texts.
    prior: float = UNSEEN_PRIOR
    #: The specialty's log lift, ln(P_specialty / P): > 0 more frequent in that specialty.
    weight: float = 0.0
    #: Occurrences in the tune texts (0: never seen, the prior is the smoothed floor).
    tune_count: int = 0
    #: Every word of it is ordinary English ("pain", "valve"), not only medical.
    ordinary: bool = False

    @property
    def spoken(self) -> str:
        return " ".join(self.words)

    @property
    def log_prior(self) -> float:
        """The term's log prior in the lexicon's specialty: ``prior + weight``."""
        return self.prior + self.weight


class Candidate(NamedTuple):
    """A term that sounds like a run of words: ``sound`` is the Metaphone key similarity."""

    term: Term
    sound: float


#: The index every lexicon shares: keys of at least this many letters ...
INDEX_MIN_KEY = 4
#: ... of the terms not in these categories (an abbreviation is spoken as its letters).
INDEX_SKIP: tuple[str, ...] = ("abbreviation",)


class _KeyTable:
    """Unique phonetic keys, sorted, and the positions of the terms that have each.

    ``starts``: the terms are laid out by key, key ``i`` owning positions
    ``starts[i] .. starts[i + 1] - 1`` (the broad vocabulary's file is written so);
    else ``owners[i]`` lists them.
    """

    def __init__(
        self,
        keys: list[str],
        *,
        starts: list[int] | None = None,
        owners: list[tuple[int, ...]] | None = None,
    ) -> None:
        self.keys = keys
        self._starts = starts
        self._owners = owners
        self._buckets: dict[str, list[str]] = {}

    def positions(self, index: int) -> Sequence[int]:
        if self._starts is not None:
            return range(self._starts[index], self._starts[index + 1])
        assert self._owners is not None
        return self._owners[index]

    def bucket(self, first: str) -> tuple[int, list[str]]:
        """(offset, keys) of the keys starting with ``first`` (a contiguous run: keys sorted)."""
        lo = bisect.bisect_left(self.keys, first)
        hi = bisect.bisect_left(self.keys, chr(ord(first) + 1))
        if first not in self._buckets:
            self._buckets[first] = self.keys[lo:hi]
        return lo, self._buckets[first]


def _key_table(
    terms: Sequence[Term], positions: Iterable[int], min_key: int, skip: tuple[str, ...]
) -> _KeyTable:
    by_key: dict[str, list[int]] = {}
    for position in positions:
        term = terms[position]
        if term.category in skip and not term.custom:
            continue
        for key in term.keys:
            if len(key) >= min_key or term.custom:
                by_key.setdefault(key, []).append(position)
    keys = sorted(by_key)
    return _KeyTable(keys, owners=[tuple(by_key[k]) for k in keys])


@dataclass(frozen=True, eq=False)
class Lexicon:
    """The terms in force for one transcription (specialty plus custom vocabulary).

    Compared and hashed by identity (``eq=False``): matchers cache their tables
    per lexicon object, and hashing many terms on every lookup would cost
    more than the lookup. The indexes below are built on first use and kept; a
    specialty lexicon shares the indexes of the broad vocabulary (the same terms in
    the same order, only some weights differ), and a lexicon with a custom
    vocabulary added shares them too and indexes only the custom terms itself.
    """

    terms: tuple[Term, ...] = ()
    #: Normalised words of all terms (a quick "is this already a term word?" test).
    term_words: frozenset[str] = field(default=frozenset())
    #: The specialty whose weights the terms carry (None: no specialty).
    specialty: str | None = None
    #: Indexes, built on first use. ``"shared"``: the broad vocabulary's indexes, valid
    #: for the first ``len(shared)`` terms except the positions in ``"extra"``.
    _cache: dict[Any, Any] = field(default_factory=dict, repr=False)

    @classmethod
    def of(cls, terms: Iterable[Term], *, specialty: str | None = None) -> Lexicon:
        unique: dict[tuple[str, ...], Term] = {}
        for term in terms:
            # A custom entry wins over a specialty entry of the same spelling.
            if term.custom or term.words not in unique:
                unique[term.words] = term
        kept = tuple(unique.values())
        return cls(kept, frozenset(w for t in kept for w in t.words), specialty)

    def __add__(self, other: Lexicon) -> Lexicon:
        shared: _Shared | None = self._cache.get("shared")
        if shared is None or len(other.terms) > len(self.terms):
            specialty = self.specialty or other.specialty
            return Lexicon.of([*self.terms, *other.terms], specialty=specialty)
        # Keep this lexicon's order (so the shared indexes stay valid): a custom term
        # replaces the term of its spelling in place, other new terms go at the end.
        terms = list(self.terms)
        extra: set[int] = set(self._cache.get("extra", ()))
        place = dict(self.by_words_positions)
        for term in other.terms:
            position = place.get(term.words)
            if position is None:
                place[term.words] = len(terms)
                extra.add(len(terms))
                terms.append(term)
            elif term.custom:
                terms[position] = term
                extra.add(position)
        cache: dict[Any, Any] = {"shared": shared, "extra": tuple(sorted(extra))}
        return Lexicon(tuple(terms), self.term_words | other.term_words, self.specialty, cache)

    def __len__(self) -> int:
        return len(self.terms)

    # ------------------------------------------------------------------ indexes

    @property
    def by_words_positions(self) -> Mapping[tuple[str, ...], int]:
        """words -> the position in :attr:`terms` of the term spoken so."""
        shared: _Shared | None = self._cache.get("shared")
        if shared is not None and not self._cache.get("extra"):
            return shared.positions()
        return self._memo("positions", lambda: {t.words: k for k, t in enumerate(self.terms)})

    @property
    def by_words(self) -> Mapping[tuple[str, ...], Term]:
        """The term spoken as exactly these lower-case words."""
        return _ByWords(self.terms, self.by_words_positions)

    def term(self, spoken: str) -> Term | None:
        """The term spoken as ``spoken`` ("atrial fibrillation"), or None."""
        return self.by_words.get(tuple(letters(w) for w in spoken.split()))

    def with_word(self, word: str) -> tuple[Term, ...]:
        """The terms one of whose words is ``word`` (compared as lower-case letters)."""
        shared: _Shared | None = self._cache.get("shared")
        index: Mapping[str, tuple[int, ...]]
        if shared is not None and not self._cache.get("extra"):
            index = shared.word_index()
        else:
            index = self._memo("with_word", lambda: _word_index(self.terms))
        word = letters(word)
        # The one-word term is found by its words; the index holds the longer terms.
        alone = self.by_words_positions.get((word,))
        longer = index.get(word, ())
        return tuple(self.terms[k] for k in ((alone, *longer) if alone is not None else longer))

    @property
    def custom_terms(self) -> tuple[Term, ...]:
        """The custom vocabulary's terms."""
        positions = self._cache.get("extra")
        if positions is not None:
            return tuple(self.terms[k] for k in positions if self.terms[k].custom)
        return self._memo("custom", lambda: tuple(t for t in self.terms if t.custom))

    @property
    def single_words(self) -> frozenset[str]:
        """The words of the one-word terms."""
        return self._memo(
            "singles", lambda: frozenset(t.words[0] for t in self.terms if len(t.words) == 1)
        )

    @property
    def max_words(self) -> int:
        """The most words of any term."""
        return self._memo("max_words", lambda: max((len(t.words) for t in self.terms), default=0))

    def candidates(
        self,
        text: str,
        *,
        cutoff: float = 0.6,
        limit: int = 10,
        min_key: int = INDEX_MIN_KEY,
        skip: Sequence[str] = INDEX_SKIP,
        same_start: bool = True,
        ordinary: bool = True,
    ) -> list[Candidate]:
        """Terms that sound like ``text`` (a run of heard words read as one), best first.

        A term is a candidate when one of its keys is at least ``cutoff`` alike to the
        Metaphone key of ``text`` (RapidFuzz normalised Levenshtein similarity). Keys
        shorter than ``min_key`` are left out (they match anything), except a custom
        term's; so are the categories in ``skip`` (an abbreviation is spoken as its
        letters; Metaphone of "ECG" says nothing). ``same_start``: only keys that begin
        with the same letter as the heard key (a vowel opening is always ``A``) are
        compared, about 1/20 of them: ~1 ms a call instead of ~20 ms over all ~110k
        keys; a mishearing that changes the first consonant is then not found.
        ``ordinary=False`` leaves out the terms every word of which is ordinary English
        (:attr:`Term.ordinary`: "continua", "valve"), keeping the rare words of medicine.
        Order: sound, then :attr:`Term.log_prior`, then the words; at most ``limit``.
        """
        key = phonetic_key(text)
        if len(key) < 3:
            return []
        found: dict[tuple[str, ...], Candidate] = {}
        for table in self._tables(min_key, tuple(skip)):
            offset, keys = table.bucket(key[0]) if same_start else (0, table.keys)
            if not keys:
                continue
            hits = process.extract(
                key,
                keys,
                scorer=Levenshtein.normalized_similarity,
                score_cutoff=cutoff,
                limit=max(4 * limit, 40),  # keys, not terms: ample for the best ``limit``
            )
            for _key, sound, index in hits:
                for position in table.positions(offset + index):
                    term = self.terms[position]
                    if term.ordinary and not ordinary:
                        continue
                    best = found.get(term.words)
                    if best is None or best.sound < sound:
                        found[term.words] = Candidate(term, sound)
        ranked = sorted(found.values(), key=lambda c: (-c.sound, -c.term.log_prior, c.term.words))
        return ranked[:limit]

    def _tables(self, min_key: int, skip: tuple[str, ...]) -> list[_KeyTable]:
        shared: _Shared | None = self._cache.get("shared")
        if shared is None:
            return [
                self._memo(
                    ("keys", min_key, skip),
                    lambda: _key_table(self.terms, range(len(self.terms)), min_key, skip),
                )
            ]
        tables = [shared.key_table(min_key, skip)]
        extra = self._cache.get("extra")
        if extra:
            tables.append(
                self._memo(
                    ("keys", min_key, skip), lambda: _key_table(self.terms, extra, min_key, skip)
                )
            )
        return tables

    def _memo(self, name: object, make: Callable[[], _T]) -> _T:
        return _memo(self._cache, name, make)


def _memo(cache: dict[Any, Any], name: object, make: Callable[[], _T]) -> _T:
    """``cache[name]``, made by ``make`` on first use."""
    if name not in cache:
        with _no_collection():
            cache[name] = make()
    value: _T = cache[name]
    return value


@contextlib.contextmanager
def _no_collection() -> Iterator[None]:
    """The garbage collector paused: building an index of ~130k terms makes many new
    tuples and dicts, which would set off full collections (~100 ms each with the lexicon
    in memory) that free nothing."""
    collecting = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if collecting:
            gc.enable()


def _word_index(terms: Sequence[Term]) -> dict[str, tuple[int, ...]]:
    """word -> positions of the terms of several words that hold it."""
    index: dict[str, list[int]] = {}
    longer = itertools.compress(itertools.count(), (len(t.words) > 1 for t in terms))
    for position in longer:
        for word in dict.fromkeys(terms[position].words):
            index.setdefault(word, []).append(position)
    return {word: tuple(positions) for word, positions in index.items()}


class _ByWords(Mapping[tuple[str, ...], Term]):
    """words -> term, a view over a lexicon's terms and its position index."""

    def __init__(self, terms: tuple[Term, ...], positions: Mapping[tuple[str, ...], int]):
        self._terms = terms
        self._positions = positions

    def __getitem__(self, words: tuple[str, ...]) -> Term:
        return self._terms[self._positions[words]]

    def __iter__(self) -> Iterator[tuple[str, ...]]:
        return iter(self._positions)

    def __len__(self) -> int:
        return len(self._positions)


class _Shared:
    """The indexes of the broad vocabulary, shared by every specialty's lexicon."""

    def __init__(self, terms: tuple[Term, ...], default: _KeyTable | None = None) -> None:
        self.terms = terms
        self._cache: dict[Any, Any] = {}
        if default is not None:
            self._cache[("keys", INDEX_MIN_KEY, INDEX_SKIP)] = default

    def __len__(self) -> int:
        return len(self.terms)

    def _memo(self, name: object, make: Callable[[], _T]) -> _T:
        return _memo(self._cache, name, make)

    def positions(self) -> dict[tuple[str, ...], int]:
        return self._memo("positions", lambda: {t.words: k for k, t in enumerate(self.terms)})

    def word_index(self) -> dict[str, tuple[int, ...]]:
        return self._memo("words", lambda: _word_index(self.terms))

    def key_table(self, min_key: int, skip: tuple[str, ...]) -> _KeyTable:
        return self._memo(
            ("keys", min_key, skip),
            lambda: _key_table(self.terms, range(len(self.terms)), min_key, skip),
        )


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
    source: str = "custom",
    prior: float | None = None,
) -> Term:
    """A :class:`Term` with its keys; ``spoken`` defaults to ``display``.

    ``prior`` defaults to :data:`CUSTOM_PRIOR` for a custom term, else :data:`UNSEEN_PRIOR`.
    """
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
        source=source,
        prior=prior if prior is not None else (CUSTOM_PRIOR if custom else UNSEEN_PRIOR),
    )


def lexicon_dir() -> Path:
    return Path(str(resources.files("medscribe") / "data" / "lexicons"))


#: The files ``scripts/build_lexicons.py`` writes (columns in its docstring).
TERMS_FILE = "terms.tsv.gz"
WEIGHTS_FILE = "specialties.tsv.gz"
WORDS_FILE = "words.tsv.gz"
META_FILE = "build.json"


def _read_text(name: str) -> str:
    path = lexicon_dir() / name
    if not path.is_file():
        raise ConfigError(f"the lexicon file {name} is missing ({path})")
    return gzip.decompress(path.read_bytes()).decode("utf-8")


def _read_gzip(name: str) -> list[str]:
    return _read_text(name).splitlines()


@functools.cache
def _base() -> tuple[tuple[Term, ...], frozenset[str], _Shared]:
    """The broad vocabulary without specialty weights, parsed once per process.

    Every specialty's lexicon shares these Term objects (but for the few thousand its
    weights change), their word set and their indexes. The file lists first the terms of
    the shared key index (:data:`INDEX_MIN_KEY`, :data:`INDEX_SKIP`), sorted by key, so
    that index is read off the order instead of being built.
    """
    header, _, body = _read_text(TERMS_FILE).partition("\n")
    width = len(header.split("\t"))
    lines = body.split("\n")
    del body
    if lines and not lines[-1]:
        lines.pop()
    numbers: dict[str, float] = {}  # a few thousand distinct priors: one float object each
    terms: list[Term] = []
    # In blocks, so the split fields of the whole file never exist at once (memory).
    for start in range(0, len(lines), _BLOCK):
        terms.extend(_parse(lines[start : start + _BLOCK], width, numbers))
    base = tuple(terms)
    term_words = frozenset(itertools.chain.from_iterable(t.words for t in base))
    first_keys = [t.keys[0] if t.keys else "" for t in base]
    return base, term_words, _Shared(base, _default_table(base, first_keys))


#: Rows parsed at a time by :func:`_base`.
_BLOCK = 8192


def _parse(lines: list[str], width: int, numbers: dict[str, float]) -> list[Term]:
    """Terms of ``lines`` of terms.tsv.gz: one split, then a slice per column (no Python
    loop per row: the file has ~130k of them)."""
    fields = "\t".join(lines).split("\t")
    display, words, category, source, ordinary, count, prior, _how, keys = (
        fields[k::width] for k in range(width)
    )
    spoken = _tuples(words)
    # Share strings and tuples where they are equal (~100k one-word terms written as spoken).
    letters_of = [w if len(w) == 1 else ("".join(w),) for w in spoken]
    shown = [w[0] if len(w) == 1 and w[0] == d else d for d, w in zip(display, spoken, strict=True)]
    for value in set(prior) - numbers.keys():
        numbers[value] = float(value)
    rows = zip(
        shown,
        spoken,
        _tuples(keys),
        letters_of,
        map(sys.intern, category),  # a few distinct strings: one object each
        itertools.repeat(False),
        map(sys.intern, source),
        map(numbers.__getitem__, prior),
        itertools.repeat(0.0),
        map(int, count),
        map("1".__eq__, ordinary),
        strict=False,  # the repeats are endless
    )
    # tuple.__new__ straight from C: Term._make would be a Python call per row.
    return list(map(functools.partial(tuple.__new__, Term), rows))


def _tuples(column: list[str]) -> list[tuple[str, ...]]:
    """The space-separated values of each cell as a tuple (most cells hold one value)."""
    out: list[tuple[str, ...]] = list(zip(column))  # one-element tuples, made in C
    for k in itertools.compress(
        itertools.count(), map(str.__contains__, column, itertools.repeat(" "))
    ):
        out[k] = tuple(column[k].split())
    return out


def _default_table(terms: tuple[Term, ...], keys: list[str]) -> _KeyTable | None:
    """The shared key index, read off the file's order (None: the file is not so ordered).

    ``keys``: each term's first key. The indexed terms come first, sorted by key; the
    first term outside the index ends them (found by bisection: being outside is
    monotone in that layout; a file laid out otherwise fails the order check below).
    """

    def outside(k: int) -> bool:
        return terms[k].category in INDEX_SKIP or len(keys[k]) < INDEX_MIN_KEY

    indexed = bisect.bisect_left(range(len(terms)), True, key=outside)
    first = keys[:indexed]
    # Where the key changes; strictly increasing there, or the file is not in key order.
    starts = [0, *itertools.compress(range(1, indexed), map(str.__ne__, first[1:], first))]
    unique = [first[k] for k in starts]
    starts.append(indexed)
    if not all(map(str.__lt__, unique, unique[1:])):
        return None  # not the layout scripts/build_lexicons.py writes: build it instead
    return _KeyTable(unique, starts=starts)


@functools.cache
def _weights() -> dict[str, list[tuple[int, str, float]]]:
    """specialty -> (row, words, weight) of each term some tune visit holds (others: 0)."""
    out: dict[str, list[tuple[int, str, float]]] = {s.value: [] for s in Specialty}
    for line in _read_gzip(WEIGHTS_FILE)[1:]:
        specialty, row, words, _visits, weight = line.split("\t")
        out.setdefault(specialty, []).append((int(row), words, float(weight)))
    return out


@functools.cache
def load_lexicon(specialty: Specialty | str) -> Lexicon:
    """The broad lexicon with ``specialty``'s weights (cached per process)."""
    name = Specialty.parse(specialty).value
    with _no_collection():  # ~700k new tuples: see _no_collection
        return _weighted(name)


def _weighted(name: str) -> Lexicon:
    base, words, shared = _base()
    terms = list(base)
    for row, spoken, weight in _weights().get(name, []):
        term = base[row]
        if term.spoken != spoken:
            raise ConfigError(f"the lexicon files disagree at row {row} ({WEIGHTS_FILE})")
        terms[row] = term._replace(weight=weight)
    return Lexicon(tuple(terms), words, name, {"shared": shared})


@functools.cache
def _word_priors() -> tuple[dict[str, float], float]:
    """(ln prior of each dictionary word the tune texts hold, that of any other word)."""
    meta = json.loads((lexicon_dir() / META_FILE).read_text(encoding="utf-8"))
    tokens, unseen = float(meta["tune_tokens"]), float(meta["word_k"])
    counts = (line.split("\t") for line in _read_gzip(WORDS_FILE)[1:])
    return {w: math.log((int(n) + unseen) / tokens) for w, n in counts}, math.log(unseen / tokens)


def word_prior(word: str) -> float:
    """The ln prior of a heard word, term or not: its smoothed frequency in the tune texts.

    ``ln((c(w) + k) / N)`` over the dictionary words (``wamerican`` and hunspell-en-med),
    the same scale as :attr:`Term.prior`; a word the tune texts lack gets ``ln(k / N)``.
    With :func:`heard_prior` it says how likely what the recogniser wrote was, to weigh
    against a candidate term's :attr:`Term.log_prior` ("result": -10.2 against "Ryzolt": -20.4).
    """
    known, unseen = _word_priors()
    return known.get(letters(word), unseen)


def heard_prior(words: Sequence[str]) -> float:
    """The ln prior of a heard run of words: the sum of their :func:`word_prior` (unigrams)."""
    return sum(word_prior(w) for w in words)


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


LETTER_NAMES = dict(
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
"""The English names of the letters: how an abbreviation is spoken ("ECG": "ee see gee")."""


def _is_acronym(phrase: str) -> bool:
    return bool(re.fullmatch(r"(?:[A-Za-z]\.)+", phrase))


def _spell_acronym(phrase: str) -> str:
    return " ".join(LETTER_NAMES[c] for c in phrase.lower() if c.isalpha())
