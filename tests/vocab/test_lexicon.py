"""Lexicons: the committed data, the lexicon build, Metaphone and IPA keys, custom vocabularies."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest
from scripts import build_lexicons as builder

from medscribe.engine.specialty.lexicon import (
    from_vocabulary,
    ipa_key,
    lexicon_dir,
    load_lexicon,
    phonetic_key,
)
from medscribe.engine.wordlists import rare_medical_words
from medscribe.request import Specialty
from medscribe.vocabulary import VocabularyEntry, parse_vocabulary


@pytest.mark.parametrize("specialty", list(Specialty))
def test_every_specialty_has_a_lexicon_of_several_hundred_terms(specialty):
    lexicon = load_lexicon(specialty)
    assert len(lexicon) >= 300
    categories = {t.category for t in lexicon.terms}
    assert {"medication", "procedure", "anatomy", "finding", "abbreviation"} <= categories
    assert all(t.keys and t.words for t in lexicon.terms)


def test_lexicon_files_name_their_sources():
    sources = set()
    for specialty in Specialty:
        lines = (lexicon_dir() / f"{specialty.value}.tsv").read_text().splitlines()
        assert lines[0] == "term\tcategory\tsource"
        sources |= {line.split("\t")[2] for line in lines[1:]}
    assert "drug-named-entity-recognition" in sources and "hunspell-en-med" in sources
    assert (lexicon_dir() / "SOURCES.md").is_file()


def test_specialties_differ():
    cardio = {t.spoken for t in load_lexicon("cardiology").terms}
    uro = {t.spoken for t in load_lexicon("urology").terms}
    assert "ticagrelor" in cardio and "ticagrelor" not in uro
    assert "tamsulosin" in uro


@pytest.mark.parametrize(
    ("heard", "term"),
    [("midoprolal", "metoprolol"), ("lysinoprel", "lisinopril"), ("hepron", "heparin")],
)
def test_misheard_drugs_share_the_metaphone_key(heard, term):
    assert phonetic_key(heard) == phonetic_key(term)


def test_a_phrase_is_keyed_as_one_word():
    assert phonetic_key("a pixel in")[:4] == phonetic_key("apixaban")[:4]
    assert phonetic_key("chest pain") != phonetic_key("apixaban")


def test_ipa_and_sounds_like_give_the_spelling_key():
    assert ipa_key("m ɛ t oʊ p ɹ oʊ l ɔ l") == phonetic_key("metoprolol")
    assert phonetic_key("met-oh-pro-lol".replace("-", "")) == phonetic_key("metoprolol")


def test_custom_vocabulary_terms(tmp_path):
    table = tmp_path / "v.txt"
    table.write_text(
        "Phrase\tIPA\tSoundsLike\tDisplayAs\n"
        "vonoprazan\tv oʊ n oʊ p ɹ æ z æ n\t\tVoquezna\n"
        "tirzepatide\t\tter-zep-a-tide\t\n"
        "S.T.E.M.I.\t\t\tSTEMI\n"
        "acute-kidney-injury\t\t\t\n"
    )
    lexicon = from_vocabulary(parse_vocabulary(table))
    by_display = {t.display: t for t in lexicon.terms}
    assert by_display["Voquezna"].words == ("vonoprazan",)
    assert ipa_key("v oʊ n oʊ p ɹ æ z æ n") in by_display["Voquezna"].keys
    assert phonetic_key("terzepatide") in by_display["tirzepatide"].keys
    assert by_display["STEMI"].words == ("ess", "tee", "ee", "em", "eye")
    assert by_display["acute kidney injury"].words == ("acute", "kidney", "injury")
    assert all(t.custom for t in lexicon.terms)


def test_a_custom_entry_overrides_the_specialty_entry():
    custom = from_vocabulary([VocabularyEntry("metoprolol", display_as="Lopressor")])
    merged = load_lexicon("cardiology") + custom
    (term,) = [t for t in merged.terms if t.spoken == "metoprolol"]
    assert term.display == "Lopressor" and term.custom


@pytest.mark.parametrize(
    ("content", "line", "message"),
    [
        ("Phrase\tIPA\tSoundsLike\tDisplayAs\r\nmetoprolol\t\t\t\r\n", 2, "CRLF"),
        ("Phrase\tIPA\tSoundsLike\tDisplayAs\nok\t\t\t\nbad@x\t\t\t\n", 3, "not allowed"),
        ("metoprolol,met-oh-pro-lol\n", 1, ""),
    ],
)
def test_local_vocab_create_rejects_malformed_files_by_line(tmp_path, content, line, message):
    import subprocess
    import sys
    from pathlib import Path

    table = tmp_path / "bad.txt"
    table.write_bytes(content.encode("utf-8"))
    medscribe = Path(sys.executable).parent / "medscribe"
    result = subprocess.run(
        [str(medscribe), "vocab", "create", "bad", str(table), "--backend", "local"],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 2
    assert f"{table}:{line}:" in result.stderr and message in result.stderr
    assert "Traceback" not in result.stderr


# --------------------------------------------------------------------------- the lexicon build
# scripts/build_lexicons.py: a real run into a temporary folder, and its functions on small
# seed lists with word lists of a few words.

ROOT = Path(__file__).resolve().parents[2]
BUILDER = ROOT / "scripts" / "build_lexicons.py"
SOURCES = {
    "drug-named-entity-recognition",
    "hunspell-en-med",
    "hunspell-en-med+wamerican",
    "curated",
}


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The folder ``build_lexicons.py --out DIR`` wrote."""
    out = tmp_path_factory.mktemp("lexicons")
    result = subprocess.run(
        [sys.executable, str(BUILDER), "--out", str(out)],
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert result.returncode == 0, result.stderr
    return out


def _rows(folder: Path, specialty: str) -> dict[str, tuple[str, ...]]:
    """term (lower-cased) -> the columns of its line."""
    lines = (folder / f"{specialty}.tsv").read_text(encoding="utf-8").splitlines()
    assert lines[0] == "term\tcategory\tsource"
    return {line.split("\t")[0].lower(): tuple(line.split("\t")) for line in lines[1:]}


def test_the_build_writes_every_specialty_into_the_folder_asked_for(built: Path) -> None:
    assert sorted(p.name for p in built.iterdir()) == sorted(f"{s}.tsv" for s in builder.SEEDS)
    for specialty in builder.SEEDS:
        rows = _rows(built, specialty)
        assert len(rows) >= 300
        assert {"medication", "procedure", "lab", "anatomy", "finding", "abbreviation"} == {
            row[1] for row in rows.values()
        }


def test_the_committed_lexicons_are_what_the_builder_writes(built: Path) -> None:
    # A lexicon edited by hand (or a builder change not rebuilt) shows here.
    committed = ROOT / "src" / "medscribe" / "data" / "lexicons"
    for specialty in builder.SEEDS:
        name = f"{specialty}.tsv"
        assert (built / name).read_text("utf-8") == (committed / name).read_text("utf-8"), name


def test_every_built_row_has_a_category_and_a_source(built: Path) -> None:
    for specialty in builder.SEEDS:
        for row in _rows(built, specialty).values():
            assert len(row) == 3 and row[0].strip() == row[0] and row[0]
            assert row[1] in builder.CATEGORIES and row[2] in SOURCES


def test_the_build_files_terms_by_what_they_are(built: Path) -> None:
    cardio = _rows(built, "CARDIOLOGY")
    assert cardio["aortic"][1] == "anatomy"
    assert cardio["troponin"][1] == "lab"
    assert cardio["natriuretic peptide"][1] == "lab"
    assert cardio["transcatheter aortic valve implantation"][1] == "procedure"
    uro = _rows(built, "UROLOGY")
    assert uro["bladder"][1] == uro["prostate"][1] == "anatomy"  # were procedures (TURP, TURBT)
    assert uro["urinalysis"][1] == "lab"


def test_a_term_has_one_category_in_every_specialty(built: Path) -> None:
    seen: dict[str, set[str]] = {}
    for specialty in builder.SEEDS:
        for term, row in _rows(built, specialty).items():
            seen.setdefault(term, set()).add(row[1])
    assert {term: cats for term, cats in seen.items() if len(cats) > 1} == {}


def test_multi_word_seeds_stay_whole_and_bring_no_ordinary_words(built: Path) -> None:
    cardio = _rows(built, "CARDIOLOGY")
    assert {"event monitor", "fractional flow reserve", "stress test"} <= cardio.keys()
    assert not {"event", "flow", "test", "valve", "left", "right", "monitor"} & cardio.keys()


def test_a_built_term_is_a_seed_or_a_rare_word_of_one(built: Path) -> None:
    """The rule of the docstring, checked on every row of every specialty."""
    rare = rare_medical_words()
    lists = builder.load_word_lists()
    for specialty in builder.SEEDS:
        blocks = builder.specialty_blocks(specialty)
        seeds = {term.lower() for terms in blocks.values() for term in terms}
        lifted = {
            word.lower()
            for category, terms in blocks.items()
            for term in terms
            for word in term.split()
            if len(term.split()) > 1
            and (
                word.lower() in rare if category != "medication" else lists.liftable(word, category)
            )
        }
        assert set(_rows(built, specialty)) - seeds <= lifted, specialty


# Word lists of a few words: "aortic" and "transcatheter" are rare medical words,
# "valve", "event", "monitor" and "implantation" are ordinary English too.
LISTS = builder.WordLists(
    drugs=frozenset({"sacubitril", "valsartan", "metoprolol", "metoprolol succinate"}),
    medical=frozenset(
        {"aortic", "transcatheter", "troponin", "stenosis", "succinate"}
        | {"valve", "implantation", "event", "monitor"}
    ),
    english=frozenset({"valve", "implantation", "event", "monitor", "stenosis"}),
)


def _categories(seeds: dict[str, dict[str, list[str]]]) -> dict[str, dict[str, str]]:
    rows, dropped = builder.build_rows(seeds, LISTS)
    assert dropped == []
    return {name: {row.term: row.category for row in found} for name, found in rows.items()}


@pytest.mark.parametrize("anatomy_first", [False, True])
def test_a_word_takes_the_category_of_the_seed_naming_it_not_of_its_phrase(
    anatomy_first: bool,
) -> None:
    blocks = {
        "procedure": ["transcatheter aortic valve implantation", "event monitor"],
        "lab": ["troponin"],
    }
    anatomy = {"anatomy": ["aortic"]}
    ordered = {**anatomy, **blocks} if anatomy_first else {**blocks, **anatomy}
    assert _categories({"CARDIO": ordered}) == {
        "CARDIO": {
            "transcatheter aortic valve implantation": "procedure",
            "transcatheter": "procedure",
            "aortic": "anatomy",
            "event monitor": "procedure",
            "troponin": "lab",
        }
    }


def test_a_word_seeded_alone_in_one_specialty_is_filed_so_in_all() -> None:
    got = _categories(
        {
            "A": {"anatomy": ["aortic"]},
            "B": {"procedure": ["transcatheter aortic valve implantation"]},
        }
    )
    assert got["B"]["aortic"] == "anatomy" and "aortic" not in got["B"].values()
    assert set(got["B"]) == {"transcatheter aortic valve implantation", "transcatheter", "aortic"}


def test_a_seed_in_two_categories_stops_the_build() -> None:
    with pytest.raises(builder.SeedError, match="troponin: lab, procedure"):
        builder.build_rows({"A": {"procedure": ["troponin"]}, "B": {"lab": ["troponin"]}}, LISTS)


def test_a_lifted_word_whose_phrases_disagree_must_be_seeded_alone() -> None:
    seeds = {"A": {"procedure": ["aortic valve implantation"], "finding": ["aortic stenosis"]}}
    with pytest.raises(builder.SeedError, match="aortic: finding, procedure"):
        builder.build_rows(seeds, LISTS)
    seeds["A"]["anatomy"] = ["aortic"]
    assert _categories(seeds)["A"]["aortic"] == "anatomy"


def test_a_medication_word_is_lifted_only_when_the_drug_dictionary_names_it() -> None:
    got = _categories({"A": {"medication": ["sacubitril valsartan", "metoprolol succinate"]}})
    # "succinate" is a medical word but no drug name: it stays inside its term.
    assert set(got["A"]) == {
        "sacubitril valsartan",
        "sacubitril",
        "valsartan",
        "metoprolol succinate",
        "metoprolol",
    }


def test_an_unknown_medication_is_dropped_and_reported() -> None:
    rows, dropped = builder.build_rows({"A": {"medication": ["inventamab", "valsartan"]}}, LISTS)
    assert [row.term for row in rows["A"]] == ["valsartan"]
    assert dropped == ["A: inventamab"]


def test_the_build_refuses_contradictory_seeds_in_one_line(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setattr(builder, "load_word_lists", lambda: LISTS)
    monkeypatch.setattr(builder, "COMMON", {})
    monkeypatch.setattr(
        builder, "SEEDS", {"A": {"procedure": "troponin, stress test", "lab": "troponin"}}
    )
    assert builder.main(["--out", str(tmp_path / "out")]) == 1
    err = capsys.readouterr().err
    assert err.startswith("build_lexicons: error: seeded in several categories")
    assert "troponin: lab, procedure" in err and "Traceback" not in err
    assert not (tmp_path / "out").exists()
