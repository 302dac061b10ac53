"""Build the broad medical lexicon, its tune-split priors and specialty weights (deterministic).

``python scripts/build_lexicons.py [--out DIR] [--corpora DIR]`` writes into ``DIR``
(default ``src/medscribe/data/lexicons/``):

* ``terms.tsv.gz``: every term, one a line, columns :data:`TERM_COLUMNS`;
* ``specialties.tsv.gz``: per specialty, the terms its tagged tune visits hold,
  columns :data:`WEIGHT_COLUMNS`;
* ``words.tsv.gz``: how often each dictionary word (``wamerican`` or hunspell-en-med) occurs
  in the tune texts, for the prior of what was *heard* (:func:`word_counts`);
* ``build.json``: the counts the formulas used (tokens, visits, constants).

``SOURCES.md`` beside them is written by hand. The build reads the tuning corpora
(``../shared/data/corpora``, or ``--corpora``) and Debian's ``en_med_glut.dic`` at build
time only; the package reads only the files above.

Terms (no hand-picked list):

* **hunspell-en-med**: every word of ``medscribe/data/words/medical.txt.gz`` (Debian's
  ``en_med_glut.dic`` stems with the suffix rules of ``en_US.aff``) but possessives. The
  dictionaries give the written case (:func:`hunspell_displays`): an all-capital form
  ("ECG") is an abbreviation, spoken as its letters; a capitalised stem is written so
  ("Babinski", "Prozac").
* **drug-named-entity-recognition**: every generic (canonical) and brand or synonym name
  its bundled dictionary maps to a drug, i.e. to an entry with a MedlinePlus or DrugBank
  record. Its other entries (MeSH headings of proteins, receptors, reagents) are not drug
  names. A name with a digit or a symbol other than ``- , . ' /`` cannot be spoken as
  words (and a term may not bring a number), so it is left out.
* **tune-notes abbreviations**: all-capital tokens of 2 to 6 letters written in the clinical
  notes of at least :data:`MIN_ABBREVIATION_VISITS` tune visits, but capitalised ordinary
  words (:func:`tune_abbreviations`).

No seed list of the team's is used any more (SOURCES.md says why).

Categories by rule: a drug name is a ``medication``, an all-capital entry an
``abbreviation``; other words by their word-formation suffix (:data:`SUFFIXES`:
``-ectomy`` a procedure, ``-itis`` a finding, ...), else ``term``.

Priors (TUNE split only; formulas in SOURCES.md). ``N`` = word tokens of the tune texts
(dialogues and notes), ``c(t)`` = occurrences of term ``t`` as a whole-word phrase:

    prior(t) = ln((c(t) + k_g) / N),   k_g = min(K_MAX, (n1_g + 1) / (n0_g + 1))

where ``g`` is the term's group (sources and category), ``n1_g`` its terms seen exactly
once and ``n0_g`` its terms never seen (the Good-Turing share of unseen terms, so a
group whose terms often turn up gets a larger floor). The prior of a heard *word*, lexicon
term or not, is ``ln((c(w) + k_w) / N)`` the same way, over the dictionary words
(``words.tsv.gz``; ``k_w`` in ``build.json``). Specialty weights are counted in
visits, not tokens, so one visit repeating a word does not make it a specialty's word.
Tune visits are tagged by :func:`medscribe.evaluation.corpus.tag_specialty`; ``V`` tune
visits, ``V_s`` of them tagged ``s``; ``df(t)``, ``df_s(t)``: how many of them hold ``t``:

    q(t) = df(t) / V,   q_s(t) = (df_s(t) + ALPHA * q(t)) / (V_s + ALPHA)
    weight_s(t) = ln(q_s(t) / q(t)) * df(t) / (df(t) + KAPPA)     (0 when df(t) = 0)

The ALPHA pseudo-visits pull a specialty with few tune visits toward the global share
(so its weights stay near 0; with none at all every weight is 0), and no weight exceeds
ln(V / ALPHA). The KAPPA factor shrinks the lift of a term few visits hold.
"""

from __future__ import annotations

import argparse
import bz2
import gzip
import io
import json
import math
import pickle
import re
import sys
import unicodedata
from collections import Counter, defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT / "src") not in sys.path:
    sys.path.insert(0, str(ROOT / "src"))  # the package of this checkout, installed or not
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))  # scripts.build_wordlists

from medscribe.engine.specialty.lexicon import (  # noqa: E402  (after the path set-up)
    INDEX_MIN_KEY,
    INDEX_SKIP,
    LETTER_NAMES,
    letters,
    phonetic_key,
)
from medscribe.evaluation.corpus import (  # noqa: E402
    Visit,
    default_corpora_root,
    load_visits,
    tag_specialty,
)
from medscribe.request import Specialty  # noqa: E402

DEFAULT_OUT = ROOT / "src" / "medscribe" / "data" / "lexicons"
MED_DICTIONARY = Path("/usr/share/hunspell/en_med_glut.dic")
AFFIX_FILE = Path("/usr/share/hunspell/en_US.aff")
#: Debian ``wamerican`` with its case: "day" is written lower case, "Parkinson" is not.
GENERAL_WORDS = Path("/usr/share/dict/words")

TERMS_FILE = "terms.tsv.gz"
WEIGHTS_FILE = "specialties.tsv.gz"
WORDS_FILE = "words.tsv.gz"
META_FILE = "build.json"
TERM_COLUMNS = (
    "display",  # as a transcript writes it
    "words",  # lower-case spoken words, space-separated
    "category",
    "source",  # the dictionaries that hold it, "+"-joined
    "ordinary",  # 1: every word is ordinary English (wamerican)
    "tune_count",  # occurrences in the tune texts
    "prior",  # ln prior, formula above
    "prior_source",  # "tune-frequency" (seen in tune) or "smoothed:<group>"
    "keys",  # Metaphone keys, space-separated
)
WEIGHT_COLUMNS = ("specialty", "row", "words", "visits", "weight")
WORD_COLUMNS = ("word", "tune_count")

HUNSPELL = "hunspell-en-med"
DRUGS = "drug-named-entity-recognition"
TUNE_NOTES = "tune-notes"

#: Cap of the unseen-term pseudo-count: a term never seen in tune stays below one seen once.
K_MAX = 0.5
#: Pseudo-visits of the global share in a specialty's estimate: a specialty's weights
#: can never exceed ln(V / ALPHA) (V: tune visits), and stay near 0 with few visits.
ALPHA = 20.0
#: Visits of credibility: a term held by ``df`` visits keeps df / (df + KAPPA) of its lift
#: (one visit is little evidence that a word belongs to a specialty).
KAPPA = 2.0
#: Tune visits whose notes must write an abbreviation before it is a term of its own.
MIN_ABBREVIATION_VISITS = 2

#: Word-formation suffixes (Greek and Latin medical combining forms) -> category.
SUFFIXES: tuple[tuple[str, str], ...] = (
    *((s, "procedure") for s in (
        "ectomy", "ectomies", "otomy", "otomies", "ostomy", "ostomies", "plasty", "plasties",
        "scopy", "scopies", "graphy", "gram", "grams", "pexy", "rrhaphy", "centesis",
        "tripsy", "desis",
    )),
    *((s, "finding") for s in (
        "itis", "osis", "oses", "emia", "emias", "algia", "pathy", "pathies", "oma", "omas",
        "megaly", "penia", "rrhea", "plegia", "trophy", "cele", "rrhage", "uria", "ectasis",
        "spasm", "sclerosis", "stenosis",
    )),
)  # fmt: skip

_DRUG_NAME = re.compile(r"[a-z][a-z' ,./-]*")
_ABBREVIATION = re.compile(r"[A-Z]{2,6}")
_TOKEN = re.compile(r"[A-Za-z]+")


@dataclass(slots=True)
class Entry:
    """One term while it is built."""

    display: str
    words: tuple[str, ...]
    category: str
    sources: set[str] = field(default_factory=set)
    #: Spoken as its letters ("ECG": "ee see gee").
    spelled: bool = False


# --------------------------------------------------------------------------- sources


def drug_names(data: Mapping[str, Mapping[str, object]]) -> dict[str, str]:
    """Drug names (lower case) -> ``generic`` or ``brand-or-synonym``, from the dictionary data.

    ``data`` is the package's pickle: ``drug_variant_to_canonical`` (name -> canonical
    names) and ``drug_canonical_to_data`` (canonical -> its record).
    """
    variants = data["drug_variant_to_canonical"]
    records = data["drug_canonical_to_data"]

    def is_drug(canonical: str) -> bool:
        record = records.get(canonical)
        return isinstance(record, Mapping) and bool(
            record.get("medline_plus_id") or record.get("drugbank_id")
        )

    out: dict[str, str] = {}
    for name in sorted(variants):
        canonicals = variants[name]
        if not isinstance(canonicals, list) or not any(is_drug(str(c)) for c in canonicals):
            continue
        folded = _fold(str(name)).lower()
        if not _DRUG_NAME.fullmatch(folded):
            continue
        kind = "generic" if name in canonicals else "brand-or-synonym"
        if out.get(folded) != "generic":
            out[folded] = kind
    return out


def load_drug_data() -> Mapping[str, Mapping[str, object]]:
    """The dictionary bundled with the PyPI package ``drug-named-entity-recognition``."""
    import drug_named_entity_recognition as dner  # type: ignore[import-untyped]  # no types

    path = Path(dner.__file__).parent / "drug_ner_dictionary.pkl.bz2"
    with bz2.open(path) as fh:
        data = pickle.load(fh)  # the package's own data file, not user input
    return dict(data)


def hunspell_displays(
    dictionary: Path, affix_file: Path, medical: frozenset[str], general: frozenset[str]
) -> dict[str, str]:
    """Every word of ``medical`` -> how it is written, from the case of its .dic stems.

    ``general``: ordinary English as written (``wamerican``: "day", "Parkinson", "ECG").
    In order: a word ordinary English writes in lower case is written so ("day"); one it
    writes only in capitals is an abbreviation ("ECG", though the .dic has "ecg"); else
    an all-capital stem ("EKG") wins over a lower-case one, which wins over a capitalised
    one ("Babinski"). Expansions keep the stem's case ("ABG" -> "ABGs"). Possessives
    ("Babinski's") are left out: their base word is a term, and without the apostrophe
    they would read as another word ("i's": "is").
    """
    from scripts.build_wordlists import expand, read_suffix_rules

    rules = read_suffix_rules(affix_file)
    found: dict[str, set[str]] = defaultdict(set)
    lines = dictionary.read_text(encoding="utf-8", errors="replace").splitlines()
    for line in lines[1:]:  # the first line is the entry count
        if not line or line[0].isspace():
            continue
        stem, _, flags = line.partition("/")
        stem = stem.strip()
        for word in expand(stem.lower(), flags.strip(), rules):
            if word in medical:
                found[word].add(_cased_like(stem, word))
    return {
        word: _preferred(word, found.get(word, {word}), general)
        for word in medical
        if "'" not in word
    }


def _cased_like(stem: str, word: str) -> str:
    """``word`` with the case of the letters it shares with ``stem`` ("ABG", "abgs": "ABGs")."""
    shared = 0
    for a, b in zip(stem.lower(), word, strict=False):
        if a != b:
            break
        shared += 1
    return stem[:shared] + word[shared:]


def _preferred(word: str, displays: set[str], general: frozenset[str]) -> str:
    if word in general:
        return word
    if word.upper() in general and _is_abbreviation(word.upper()):
        return word.upper()
    capitals = sorted(d for d in displays if _is_abbreviation(d))
    if capitals:
        return capitals[0]
    return word if word in displays else sorted(displays)[0]


def _is_abbreviation(display: str) -> bool:
    """All capitals, 2 to 6 letters, a plural "s" allowed ("ECG", "ABGs")."""
    return bool(_ABBREVIATION.fullmatch(display.removesuffix("s")))


def tune_abbreviations(visits: Sequence[Visit], general: frozenset[str]) -> list[str]:
    """All-capital tokens written in the notes of at least MIN_ABBREVIATION_VISITS tune visits.

    A capitalised ordinary word ("PLAN", "EXAM": a note's section headings) is no
    abbreviation: a token whose lower case is an English word is left out unless English
    also writes it in capitals ("CT"; ``general``: ``wamerican`` as written).
    """
    seen: Counter[str] = Counter()
    for visit in visits:
        if visit.split == "tune" and visit.note:
            seen.update({t for t in _TOKEN.findall(visit.note) if _ABBREVIATION.fullmatch(t)})
    return sorted(
        t
        for t, n in seen.items()
        if n >= MIN_ABBREVIATION_VISITS and (t.lower() not in general or t in general)
    )


# --------------------------------------------------------------------------- terms


def category_of(word: str) -> str:
    """``procedure``, ``finding`` or ``term`` by the last word's suffix."""
    last = word.split()[-1] if word else word
    for suffix, category in SUFFIXES:
        if last.endswith(suffix) and len(last) > len(suffix) + 2:
            return category
    return "term"


def spoken_words(text: str) -> tuple[str, ...]:
    """The lower-case letter words of ``text`` (hyphens, commas and slashes split words)."""
    return tuple(w for w in (letters(p) for p in re.split(r"[\s,/-]+", text)) if w)


def collect(
    hunspell: Mapping[str, str], drugs: Mapping[str, str], abbreviations: Iterable[str]
) -> dict[tuple[str, ...], Entry]:
    """Every term once, keyed by its spoken words, with all the sources that hold it."""
    entries: dict[tuple[str, ...], Entry] = {}
    for word in sorted(hunspell):
        display = hunspell[word]
        spelled = _is_abbreviation(display)
        words = spoken_words(word)
        if not words:
            continue
        category = "abbreviation" if spelled else category_of(word)
        sub = ":abbreviation" if spelled else ""
        entries[words] = Entry(display, words, category, {HUNSPELL + sub}, spelled)
    for name in sorted(drugs):
        words = spoken_words(name)
        if not words:
            continue
        entry = entries.get(words)
        if entry is None:
            display = " ".join(name.replace(",", " ").split())
            entry = entries[words] = Entry(display, words, "medication")
        elif not entry.spelled:
            entry.category = "medication"
        entry.sources.add(f"{DRUGS}:{drugs[name]}")
    for token in abbreviations:
        words = (token.lower(),)
        entry = entries.get(words)
        if entry is None:
            entry = entries[words] = Entry(token, words, "abbreviation", spelled=True)
        if entry.spelled:
            entry.sources.add(f"{TUNE_NOTES}:abbreviation")
    return entries


def keys_of(entry: Entry) -> tuple[str, ...]:
    """Metaphone keys: of the words read as one; an abbreviation also of its letters' names."""
    keys = [phonetic_key(" ".join(entry.words))]
    if entry.spelled:
        letters_only = entry.display.removesuffix("s").lower()
        keys.append(phonetic_key("".join(LETTER_NAMES[c] for c in letters_only)))
    return tuple(dict.fromkeys(k for k in keys if k))


# --------------------------------------------------------------------------- counting


@dataclass(frozen=True, slots=True)
class Counts:
    """Occurrences of terms in a set of texts, and how many word tokens those texts hold."""

    tokens: int
    visits: int
    terms: Counter[tuple[str, ...]]


def _tokens(text: str) -> tuple[list[str], list[str]]:
    """(lower-case words, the same words as written) of ``text``."""
    # Apostrophes split words ("i've": "i", "ve"; "Parkinson's": "Parkinson", "s"), as the
    # lexicon holds no possessive forms.
    raw = _TOKEN.findall(_fold(text).replace("-", " ").replace("'", " "))
    return [t.lower() for t in raw], raw


def count_terms(
    texts: Iterable[str], entries: Mapping[tuple[str, ...], Entry], english: frozenset[str]
) -> Counts:
    """Whole-word phrase occurrences of every term in ``texts``.

    An abbreviation whose lower-case form is an ordinary word ("ACE": "ace") counts only
    where it is written in capitals.
    """
    longest = max((len(w) for w in entries), default=1)
    capitals_only = {w for w, e in entries.items() if e.spelled and len(w) == 1 and w[0] in english}
    found: Counter[tuple[str, ...]] = Counter()
    tokens = visits = 0
    for text in texts:
        visits += 1
        lower, raw = _tokens(text)
        tokens += len(lower)
        for start in range(len(lower)):
            for n in range(1, min(longest, len(lower) - start) + 1):
                words = tuple(lower[start : start + n])
                if words not in entries:
                    continue
                if words in capitals_only and not raw[start].isupper():
                    continue
                found[words] += 1
    return Counts(tokens, visits, found)


def visit_text(visit: Visit) -> str:
    return visit.dialogue_text + ("\n" + visit.note if visit.note else "")


def word_counts(texts: Iterable[str], dictionary: frozenset[str]) -> tuple[Counter[str], float]:
    """(tune occurrences of each word of ``dictionary``, the pseudo-count of an unseen word).

    The pseudo-count is the Good-Turing share of the dictionary's words never seen,
    (n1 + 1) / (n0 + 1), capped at K_MAX, as for the terms. Only dictionary words are
    counted: no name or other token of the visits is written out.
    """
    seen: Counter[str] = Counter()
    for text in texts:
        seen.update(w for w in _tokens(text)[0] if w in dictionary)
    once = sum(1 for n in seen.values() if n == 1)
    never = len(dictionary) - len(seen)
    return seen, min(K_MAX, (once + 1) / (never + 1))


# --------------------------------------------------------------------------- priors


def group_of(entry: Entry) -> str:
    """The smoothing group: the sources and the category ("a generic drug name that
    hunspell-en-med also lists" turns up in speech far more often than "a synonym only the
    drug dictionary knows", so each gets its own floor)."""
    return f"{'+'.join(sorted(entry.sources))}/{entry.category}"


def priors(
    entries: Mapping[tuple[str, ...], Entry], counts: Counts
) -> dict[tuple[str, ...], tuple[float, str]]:
    """words -> (ln prior, prior source); the module docstring's formula."""
    n1: Counter[str] = Counter()
    n0: Counter[str] = Counter()
    for words, entry in entries.items():
        seen = counts.terms.get(words, 0)
        if seen == 1:
            n1[group_of(entry)] += 1
        elif seen == 0:
            n0[group_of(entry)] += 1
    tokens = max(counts.tokens, 1)
    out: dict[tuple[str, ...], tuple[float, str]] = {}
    for words, entry in entries.items():
        group = group_of(entry)
        k = min(K_MAX, (n1[group] + 1) / (n0[group] + 1))
        seen = counts.terms.get(words, 0)
        source = "tune-frequency" if seen else f"smoothed:{group}"
        out[words] = (math.log((seen + k) / tokens), source)
    return out


def visit_shares(
    texts: Iterable[str], entries: Mapping[tuple[str, ...], Entry], english: frozenset[str]
) -> tuple[int, Counter[tuple[str, ...]]]:
    """(visits, in how many of them each term occurs)."""
    visits = 0
    holding: Counter[tuple[str, ...]] = Counter()
    for text in texts:
        visits += 1
        holding.update(count_terms([text], entries, english).terms.keys())
    return visits, holding


def specialty_weights(
    own: tuple[int, Counter[tuple[str, ...]]], every: tuple[int, Counter[tuple[str, ...]]]
) -> dict[tuple[str, ...], float]:
    """The weight in one specialty of every term some tune visit holds (others: 0).

    ``own``/``every``: (visits, visits holding each term) of the specialty / of all tune
    visits; the formula is the module docstring's.
    """
    visits_s, df_s = own
    visits, df = every
    weights: dict[tuple[str, ...], float] = {}
    for words, held in df.items():
        q = held / visits
        q_s = (df_s.get(words, 0) + ALPHA * q) / (visits_s + ALPHA)
        weights[words] = math.log(q_s / q) * held / (held + KAPPA)
    return weights


# --------------------------------------------------------------------------- writing


def _row_order(entry: Entry) -> tuple[bool, str, str]:
    """Terms of the shared key index first, by key (the loader reads that index off the
    order: medscribe.engine.specialty.lexicon), then the others; ties by their words."""
    key = next(iter(keys_of(entry)), "")
    indexed = entry.category not in INDEX_SKIP and len(key) >= INDEX_MIN_KEY
    return (not indexed, key, " ".join(entry.words))


def _fold(text: str) -> str:
    return unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()


def _number(value: float) -> str:
    text = f"{value:.4f}"
    return "0.0000" if text == "-0.0000" else text


def write_gzip(path: Path, lines: Iterable[str]) -> None:
    """``lines`` gzip'd with a fixed mtime and no file name, so the bytes are reproducible."""
    buffer = io.BytesIO()
    with gzip.GzipFile(filename="", fileobj=buffer, mode="wb", mtime=0) as out:
        out.write(("\n".join(lines) + "\n").encode("utf-8"))
    path.write_bytes(buffer.getvalue())


@dataclass(frozen=True, slots=True)
class Inputs:
    """What the build reads: the word lists, the drug dictionary and the tune visits."""

    medical: frozenset[str]
    english: frozenset[str]
    #: Ordinary English as written: "day", "Parkinson", "ECG" (``wamerican``).
    general: frozenset[str]
    hunspell: Mapping[str, str]
    drugs: Mapping[str, str]
    visits: Sequence[Visit]


def build_from(inputs: Inputs, out: Path) -> dict[str, int]:
    """Write the lexicon files of ``inputs`` into ``out``; a summary of counts."""
    tune = [v for v in inputs.visits if v.split == "tune"]  # never read a test visit
    entries = collect(inputs.hunspell, inputs.drugs, tune_abbreviations(tune, inputs.general))
    counts = count_terms((visit_text(v) for v in tune), entries, inputs.english)
    prior = priors(entries, counts)
    by_specialty: dict[Specialty, list[Visit]] = {s: [] for s in Specialty}
    for visit in tune:
        by_specialty[tag_specialty(visit_text(visit))].append(visit)

    order = sorted(entries, key=lambda w: _row_order(entries[w]))
    row_of = {words: row for row, words in enumerate(order)}
    term_lines = ["\t".join(TERM_COLUMNS)]
    for words in order:
        entry = entries[words]
        ordinary = not entry.spelled and all(w in inputs.english for w in words)
        value, source = prior[words]
        term_lines.append(
            "\t".join(
                (
                    entry.display,
                    " ".join(words),
                    entry.category,
                    "+".join(sorted(entry.sources)),
                    "1" if ordinary else "0",
                    str(counts.terms.get(words, 0)),
                    _number(value),
                    source,
                    " ".join(keys_of(entry)),
                )
            )
        )
    weight_lines = ["\t".join(WEIGHT_COLUMNS)]
    meta: dict[str, object] = {
        "tune_tokens": counts.tokens,
        "tune_visits": counts.visits,
        "k_max": K_MAX,
        "alpha": ALPHA,
        "kappa": KAPPA,
        "specialties": {},
    }
    heard, word_k = word_counts((visit_text(v) for v in tune), inputs.english | inputs.medical)
    meta["word_k"] = float(f"{word_k:.6g}")
    word_lines = ["\t".join(WORD_COLUMNS), *(f"{w}\t{heard[w]}" for w in sorted(heard))]
    every = visit_shares((visit_text(v) for v in tune), entries, inputs.english)
    for specialty in Specialty:
        texts = [visit_text(v) for v in by_specialty[specialty]]
        own = visit_shares(texts, entries, inputs.english)
        weights = specialty_weights(own, every)
        for words in sorted(weights, key=row_of.__getitem__):
            weight_lines.append(
                f"{specialty.value}\t{row_of[words]}\t{' '.join(words)}\t{own[1][words]}\t"
                f"{_number(weights[words])}"
            )
        meta["specialties"][specialty.value] = {"visits": own[0]}  # type: ignore[index]
    out.mkdir(parents=True, exist_ok=True)
    write_gzip(out / TERMS_FILE, term_lines)
    write_gzip(out / WEIGHTS_FILE, weight_lines)
    write_gzip(out / WORDS_FILE, word_lines)
    (out / META_FILE).write_text(json.dumps(meta, indent=2, sort_keys=True) + "\n", "utf-8")
    return {"terms": len(entries), "seen in tune": len(counts.terms), "tune visits": len(tune)}


def load_inputs(corpora: Path) -> Inputs:
    """The real inputs: shipped word lists, Debian's .dic, the drug dictionary, the corpora."""
    from medscribe.engine.wordlists import english_words, medical_words

    medical = medical_words()
    general = frozenset(GENERAL_WORDS.read_text(encoding="utf-8", errors="replace").split())
    return Inputs(
        medical=medical,
        english=english_words(),
        general=general,
        hunspell=hunspell_displays(MED_DICTIONARY, AFFIX_FILE, medical, general),
        drugs=drug_names(load_drug_data()),
        visits=load_visits(corpora, split="tune"),
    )


class BuildError(RuntimeError):
    """An input of the build is missing."""


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Build the broad medical lexicon and priors.")
    parser.add_argument("--out", type=Path, default=DEFAULT_OUT, metavar="DIR")
    parser.add_argument("--corpora", type=Path, default=None, metavar="DIR")
    args = parser.parse_args(argv)
    corpora: Path | None = args.corpora or default_corpora_root()
    missing = [str(p) for p in (MED_DICTIONARY, AFFIX_FILE, GENERAL_WORDS) if not p.is_file()]
    if corpora is None or not corpora.is_dir():
        missing.append("the tuning corpora (../shared/data/corpora)")
    if missing:
        print(f"build_lexicons: error: missing {', '.join(missing)}", file=sys.stderr)
        return 1
    assert corpora is not None  # missing says so otherwise
    summary = build_from(load_inputs(corpora), args.out)
    print(", ".join(f"{k}: {v}" for k, v in summary.items()))
    return 0


if __name__ == "__main__":
    sys.exit(main())
