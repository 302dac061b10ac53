"""Lexicons: the committed data, the lexicon build, Metaphone and IPA keys, custom vocabularies.

The build's tests on a fixture corpus check its rules (tune split only, provenance,
priors, weights, determinism); the committed-data test runs the real build and skips
where the corpora or Debian's hunspell-en-med are absent (GitHub CI).
"""

from __future__ import annotations

import gzip
import json
import math
import re
import subprocess
import sys
from pathlib import Path

import pytest
from scripts import build_lexicons as builder

from medscribe.engine.specialty.lexicon import (
    CUSTOM_PRIOR,
    from_vocabulary,
    ipa_key,
    lexicon_dir,
    load_lexicon,
    phonetic_key,
)
from medscribe.evaluation.corpus import default_corpora_root, load_visits
from medscribe.request import Specialty
from medscribe.vocabulary import VocabularyEntry, parse_vocabulary


@pytest.mark.parametrize("specialty", list(Specialty))
def test_every_specialty_has_the_whole_broad_vocabulary(specialty):
    lexicon = load_lexicon(specialty)
    assert len(lexicon) >= 100_000 and lexicon.specialty == specialty.value
    categories = {t.category for t in lexicon.terms}
    assert {"medication", "procedure", "finding", "abbreviation", "term"} <= categories
    assert all(t.words and t.source and not t.custom for t in lexicon.terms)
    assert lexicon.term_words == {w for t in lexicon.terms for w in t.words}
    # Words of medicine outside the old ~400-term lists (issue 13): valves, brands, skin.
    for spoken in ("tricuspid", "valvuloplasty", "lipitor", "erythema", "mucosa"):
        assert lexicon.term(spoken) is not None, spoken


def test_every_term_names_its_dictionaries_and_its_prior():
    sources = {DRUGS_GENERIC, DRUGS_BRAND, "hunspell-en-med", "hunspell-en-med:abbreviation"}
    sources.add("tune-notes:abbreviation")
    lexicon = load_lexicon("primarycare")
    for term in lexicon.terms:
        assert set(term.source.split("+")) <= sources, term
        assert term.prior < 0
    drug = lexicon.term("apixaban")
    assert drug is not None and drug.category == "medication" and DRUGS_GENERIC in drug.source
    assert (lexicon_dir() / "SOURCES.md").is_file()


def test_a_drug_brand_name_is_a_medication_written_as_a_name():
    lipitor = load_lexicon("cardiology").term("lipitor")
    assert lipitor is not None and lipitor.category == "medication"
    assert lipitor.display == "Lipitor" and DRUGS_BRAND in lipitor.source


def test_an_abbreviation_is_written_in_capitals_and_keyed_by_its_letters():
    ecg = load_lexicon("cardiology").term("ecg")
    assert ecg is not None and ecg.category == "abbreviation" and ecg.display == "ECG"
    assert phonetic_key("ee see gee") in ecg.keys


def test_specialties_share_the_terms_and_differ_by_weight():
    cardio, uro = load_lexicon("cardiology"), load_lexicon("urology")
    assert [t.words for t in cardio.terms] == [t.words for t in uro.terms]
    assert cardio.term_words is uro.term_words  # shared, not copied
    weighted = [
        (c, u) for c, u in zip(cardio.terms, uro.terms, strict=True) if c.weight != u.weight
    ]
    assert weighted, "the specialties' tune visits differ, so some weights do"
    assert all(c.prior == u.prior and c.tune_count == u.tune_count for c, u in weighted)
    # The weight is positive for words the specialty's tune visits use more than the others do.
    assert max(t.weight for t in cardio.terms) > 0 > min(t.weight for t in cardio.terms)
    for term in cardio.terms[:1000]:
        assert term.log_prior == term.prior + term.weight
        if term.tune_count == 0:
            assert term.weight == 0.0  # no tune visit holds it: no evidence either way


def test_candidates_are_the_terms_that_sound_alike():
    lexicon = load_lexicon("cardiology")
    found = lexicon.candidates("midoprolal", limit=5)
    assert found[0].term.spoken == "metoprolol" and found[0].sound == 1.0
    assert [c.sound for c in found] == sorted((c.sound for c in found), reverse=True)
    assert all(c.term.category != "abbreviation" for c in found)
    assert "apixaban" in [c.term.spoken for c in lexicon.candidates("a pixel in", limit=40)]
    everywhere = lexicon.candidates("midoprolal", limit=5, same_start=False)
    assert everywhere[0].term.spoken == "metoprolol"
    assert any(c.term.ordinary for c in lexicon.candidates("continuea", limit=40))
    assert not any(c.term.ordinary for c in lexicon.candidates("continuea", ordinary=False))
    assert lexicon.candidates("ok") == []  # a key of two letters matches anything


def test_the_lexicon_indexes_answer_without_a_scan():
    lexicon = load_lexicon("neurology")
    term = lexicon.by_words[("atrial",)]
    assert term.spoken == "atrial" and lexicon.term("Atrial") == term
    assert term in lexicon.with_word("atrial")
    assert all("valproic" in t.words for t in lexicon.with_word("valproic"))
    assert len(lexicon.with_word("valproic")) >= 2  # "valproic acid", ...
    assert lexicon.custom_terms == ()
    assert "atrial" in lexicon.single_words and lexicon.max_words >= 4


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
    custom = from_vocabulary(
        [
            VocabularyEntry("metoprolol", display_as="Lopressor"),
            VocabularyEntry("zelvoprat", sounds_like="zel-vo-prat"),  # in no dictionary
        ]
    )
    base = load_lexicon("cardiology")
    merged = base + custom
    (term,) = [t for t in merged.terms if t.spoken == "metoprolol"]
    assert term.display == "Lopressor" and term.custom and term.prior == CUSTOM_PRIOR
    assert merged.term("metoprolol") == term and term in merged.with_word("metoprolol")
    assert {t.spoken for t in merged.custom_terms} == {"metoprolol", "zelvoprat"}
    assert len(merged) == len(base) + 1 and merged.specialty == "CARDIOLOGY"
    assert "zelvoprat" in merged.term_words and "zelvoprat" not in base.term_words
    # The custom terms are found by sound with the shared index, and the base is unchanged.
    assert merged.candidates("selvoprat", limit=3)[0].term.spoken == "zelvoprat"
    assert merged.candidates("midoprolal", limit=1)[0].term.display == "Lopressor"
    assert base.term("metoprolol").display == "metoprolol"  # type: ignore[union-attr]


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
# scripts/build_lexicons.py: the real build into a temporary folder (it needs the corpora and
# Debian's hunspell-en-med, so it skips without them), and the build on a fixture corpus.

ROOT = Path(__file__).resolve().parents[2]
BUILDER = ROOT / "scripts" / "build_lexicons.py"
COMMITTED = ROOT / "src" / "medscribe" / "data" / "lexicons"
DRUGS_GENERIC = "drug-named-entity-recognition:generic"
DRUGS_BRAND = "drug-named-entity-recognition:brand-or-synonym"
BUILT_FILES = sorted(
    [builder.TERMS_FILE, builder.WEIGHTS_FILE, builder.WORDS_FILE, builder.META_FILE]
)


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The folder ``build_lexicons.py --out DIR`` wrote from the real sources."""
    corpora = default_corpora_root()
    needed = (builder.MED_DICTIONARY, builder.AFFIX_FILE, builder.GENERAL_WORDS)
    if corpora is None or not all(path.is_file() for path in needed):
        pytest.skip("the build needs ../shared/data/corpora and Debian's hunspell-en-med")
    out = tmp_path_factory.mktemp("lexicons")
    result = subprocess.run(
        [sys.executable, str(BUILDER), "--out", str(out), "--corpora", str(corpora)],
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert result.returncode == 0, result.stderr
    return out


def test_the_committed_lexicon_is_what_the_builder_writes(built: Path) -> None:
    # A lexicon edited by hand (or a builder change not rebuilt) shows here.
    assert sorted(p.name for p in built.iterdir()) == BUILT_FILES
    for name in BUILT_FILES:
        assert (built / name).read_bytes() == (COMMITTED / name).read_bytes(), name
    shipped = {p.name for p in COMMITTED.iterdir()}
    assert shipped == {*BUILT_FILES, "SOURCES.md"}  # no stale per-specialty lists


def _table(path: Path) -> list[dict[str, str]]:
    lines = gzip.decompress(path.read_bytes()).decode("utf-8").splitlines()
    header = lines[0].split("\t")
    return [dict(zip(header, line.split("\t"), strict=True)) for line in lines[1:]]


def test_every_committed_row_has_provenance_and_a_tune_or_smoothed_prior() -> None:
    rows = _table(COMMITTED / builder.TERMS_FILE)
    assert len(rows) >= 100_000
    for row in rows:
        assert row["source"] and row["category"] and row["words"], row
        if int(row["tune_count"]):
            assert row["prior_source"] == "tune-frequency", row
        else:
            assert row["prior_source"].startswith("smoothed:"), row
    every_source = {part for row in rows for part in row["source"].split("+")}
    assert {DRUGS_GENERIC, DRUGS_BRAND, "hunspell-en-med"} <= every_source


# A fixture corpus in the real format, under real visit ids of split.json: two tune visits
# (a cardiology one and a urology one) and one test visit. Only the test visit says
# "zolpidem" and "ZZX"; the build must give them no tune frequency.
SPLIT = json.loads((ROOT / "src/medscribe/data/devset/split.json").read_text("utf-8"))
TUNE_IDS = [i for i in SPLIT["tune"]["aci-bench"] if i.startswith("aci-")][:2]
TEST_ID = SPLIT["test"]["aci-bench"][0]
CARDIO_TEXT = (
    "the echocardiogram shows aortic stenosis and mitral regurgitation , the heart murmur "
    "is louder , ekg is normal . continue apixaban and metoprolol"
)
URO_TEXT = "the bladder and the prostate , urine with hematuria , kidney stone . take apixaban"
CARDIO_NOTE = "ECG and TTE reviewed. Aortic stenosis."
URO_NOTE = "TTE not done. Hematuria."


def _corpus(root: Path) -> Path:
    visits = [
        (TUNE_IDS[0], CARDIO_TEXT, CARDIO_NOTE),
        (TUNE_IDS[1], URO_TEXT, URO_NOTE),
        (TEST_ID, "she takes zolpidem at night", "ZZX noted. ZZX again. Zolpidem."),
    ]
    folder = root / "aci-bench"
    folder.mkdir(parents=True)
    lines = [
        json.dumps({"id": i, "dialogue": [{"speaker": "doctor", "text": t}], "note": n})
        for i, t, n in visits
    ]
    (folder / "train.jsonl").write_text("\n".join(lines) + "\n", encoding="utf-8")
    return root


def _inputs(root: Path) -> builder.Inputs:
    english = frozenset({"the", "shows", "and", "heart", "is", "louder", "normal", "stone"})
    medical = frozenset(
        {"echocardiogram", "aortic", "stenosis", "mitral", "regurgitation", "murmur", "ecg"}
        | {"bladder", "prostate", "urine", "hematuria", "kidney", "heart", "ecgs", "day"}
    )
    hunspell = {w: w for w in medical} | {"ecg": "ECG", "ecgs": "ECGs"}
    drugs = {"apixaban": "generic", "eliquis": "brand-or-synonym", "zolpidem": "generic"}
    return builder.Inputs(
        medical=medical,
        english=english,
        general=english | {"day", "TTE"},
        hunspell=hunspell,
        drugs=drugs | {"metoprolol": "generic"},
        visits=load_visits(root),  # both splits: the build must pick the tune visits itself
    )


@pytest.fixture(scope="module")
def fixture_build(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, builder.Inputs]:
    root = _corpus(tmp_path_factory.mktemp("corpora"))
    inputs = _inputs(root)
    assert {v.split for v in inputs.visits} == {"tune", "test"}
    out = tmp_path_factory.mktemp("built")
    builder.build_from(inputs, out)
    return out, inputs


def _rows_by_words(folder: Path) -> dict[str, dict[str, str]]:
    return {row["words"]: row for row in _table(folder / builder.TERMS_FILE)}


def test_the_build_is_deterministic(fixture_build, tmp_path: Path) -> None:
    out, inputs = fixture_build
    again = tmp_path / "again"
    builder.build_from(inputs, again)
    for name in BUILT_FILES:
        assert (out / name).read_bytes() == (again / name).read_bytes(), name


def test_priors_come_from_the_tune_split_only(fixture_build) -> None:
    out, _ = fixture_build
    rows = _rows_by_words(out)
    # Said only in the test visit: a term (the drug dictionary names it), but no frequency.
    assert rows["zolpidem"]["tune_count"] == "0"
    assert rows["zolpidem"]["prior_source"] == f"smoothed:{DRUGS_GENERIC}/medication"
    assert "zzx" not in rows  # a test note's capitals are no abbreviation
    assert rows["apixaban"]["tune_count"] == "2"  # both tune visits
    assert rows["apixaban"]["prior_source"] == "tune-frequency"
    assert float(rows["apixaban"]["prior"]) > float(rows["zolpidem"]["prior"])
    weights = _table(out / builder.WEIGHTS_FILE)
    assert "zolpidem" not in {row["words"] for row in weights}
    meta = json.loads((out / builder.META_FILE).read_text("utf-8"))
    assert meta["tune_visits"] == 2


def test_the_prior_is_the_smoothed_log_frequency(fixture_build) -> None:
    out, _ = fixture_build
    rows = _rows_by_words(out)
    tokens = json.loads((out / builder.META_FILE).read_text("utf-8"))["tune_tokens"]
    # Tokens: the dialogues and notes of the two tune visits, split at non-letters.
    assert tokens == sum(len(re.findall("[a-z]+", t.lower())) for t in _tune_texts())
    # apixaban: generic drugs seen once: 0, never seen: 1 (zolpidem) -> k = 1/2.
    assert float(rows["apixaban"]["prior"]) == pytest.approx(math.log((2 + 0.5) / tokens), 1e-4)


def _tune_texts() -> list[str]:
    return [
        CARDIO_TEXT,
        "ECG and TTE reviewed. Aortic stenosis.",
        URO_TEXT,
        "TTE not done. Hematuria.",
    ]


def test_specialty_weights_follow_the_tagged_tune_visits(fixture_build) -> None:
    out, _ = fixture_build
    weights: dict[tuple[str, str], float] = {
        (row["specialty"], row["words"]): float(row["weight"])
        for row in _table(out / builder.WEIGHTS_FILE)
    }
    rows = _rows_by_words(out)
    for row in _table(out / builder.WEIGHTS_FILE):  # the row column points at the term
        assert list(rows)[int(row["row"])] == row["words"]
    assert weights[("CARDIOLOGY", "echocardiogram")] > 0 > weights[("UROLOGY", "echocardiogram")]
    assert weights[("UROLOGY", "bladder")] > 0 > weights[("CARDIOLOGY", "bladder")]
    # In both visits: no specialty's word; a specialty with no tune visit: no evidence.
    assert abs(weights[("CARDIOLOGY", "apixaban")]) < 0.05
    assert all(weights[("ONCOLOGY", w)] == 0.0 for w in ("apixaban", "bladder", "echocardiogram"))


def test_abbreviations_come_from_the_dictionary_and_the_tune_notes(fixture_build) -> None:
    out, _ = fixture_build
    rows = _rows_by_words(out)
    assert rows["ecg"]["display"] == "ECG" and rows["ecg"]["category"] == "abbreviation"
    assert rows["ecg"]["source"] == "hunspell-en-med:abbreviation"
    assert phonetic_key("eeseegee") in rows["ecg"]["keys"].split()
    assert rows["ecgs"]["display"] == "ECGs"
    # TTE is written in the notes of both tune visits; it is in no dictionary.
    assert rows["tte"]["source"] == "tune-notes:abbreviation" and rows["tte"]["display"] == "TTE"
    assert rows["eliquis"]["source"] == DRUGS_BRAND and rows["eliquis"]["category"] == "medication"


def test_heard_words_get_a_tune_prior_too(fixture_build) -> None:
    out, _ = fixture_build
    counts = {row["word"]: int(row["tune_count"]) for row in _table(out / builder.WORDS_FILE)}
    assert counts["the"] == 4 and counts["louder"] == 1  # dictionary words of the tune texts
    assert "zolpidem" not in counts  # said only in the test visit
    assert "reviewed" not in counts and "ttee" not in counts  # not a word of the dictionaries


def test_the_loader_reads_what_the_builder_wrote(fixture_build, monkeypatch) -> None:
    out, _ = fixture_build
    from medscribe.engine.specialty import lexicon as module

    monkeypatch.setattr(module, "lexicon_dir", lambda: out)
    cached_functions = (module._base, module._weights, module._word_priors, module.load_lexicon)
    for cached in cached_functions:
        cached.cache_clear()
    try:
        cardio = module.load_lexicon("cardiology")
        rows = _rows_by_words(out)
        assert [t.spoken for t in cardio.terms] == list(rows)
        echo = cardio.term("echocardiogram")
        assert echo is not None and echo.prior == float(rows["echocardiogram"]["prior"])
        assert echo.weight > 0 and echo.source == "hunspell-en-med" and echo.category == "procedure"
        assert cardio.candidates("echo cardio gram", limit=1)[0].term == echo
        tokens = json.loads((out / builder.META_FILE).read_text("utf-8"))["tune_tokens"]
        k = json.loads((out / builder.META_FILE).read_text("utf-8"))["word_k"]
        assert module.word_prior("The") == pytest.approx(math.log((4 + k) / tokens))
        assert module.word_prior("zolpidem") == pytest.approx(math.log(k / tokens))
        assert module.heard_prior(["the", "louder"]) == pytest.approx(
            module.word_prior("the") + module.word_prior("louder")
        )
    finally:
        for cached in cached_functions:
            cached.cache_clear()


def test_drug_names_are_the_dictionarys_drugs_spoken_as_words() -> None:
    data = {
        "drug_variant_to_canonical": {
            "apixaban": ["apixaban"],
            "eliquis": ["apixaban"],
            "4-aminopyridine": ["dalfampridine"],
            "receptors, muscarinic": ["receptors, muscarinic"],
        },
        "drug_canonical_to_data": {
            "apixaban": {"drugbank_id": "DB06605"},
            "dalfampridine": {"medline_plus_id": "a610050"},
            "receptors, muscarinic": {"mesh_id": "D018679"},  # a MeSH heading, no drug
        },
    }
    assert builder.drug_names(data) == {"apixaban": "generic", "eliquis": "brand-or-synonym"}


def test_hunspell_words_keep_the_dictionarys_case(tmp_path: Path) -> None:
    dic = tmp_path / "med.dic"
    dic.write_text("4\nBabinski/M\nECG/S\nday\nDay\n", encoding="utf-8")
    aff = tmp_path / "en.aff"
    aff.write_text("SFX S Y 1\nSFX S 0 s [^sxzhy]\nSFX M Y 1\nSFX M 0 's .\n", "utf-8")
    medical = frozenset({"babinski", "babinski's", "ecg", "ecgs", "day"})
    medical |= {"mri"}
    dic.write_text("5\nBabinski/M\nECG/S\nday\nDay\nmri\n", encoding="utf-8")
    shown = builder.hunspell_displays(dic, aff, medical, frozenset({"day", "Day", "MRI"}))
    assert shown == {
        "babinski": "Babinski",
        "ecg": "ECG",
        "ecgs": "ECGs",
        "day": "day",
        "mri": "MRI",  # the .dic writes "mri"; English writes it only in capitals
    }


def test_the_build_refuses_without_its_sources(tmp_path, capsys) -> None:
    assert builder.main(["--out", str(tmp_path / "out"), "--corpora", str(tmp_path / "no")]) == 1
    err = capsys.readouterr().err
    assert err.startswith("build_lexicons: error: missing") and "corpora" in err
    assert not (tmp_path / "out").exists()
