"""Lexicons and phonetic keys: the committed data, Metaphone and IPA keys, custom vocabularies."""

from __future__ import annotations

import pytest

from medscribe.engine.lexicon import (
    from_vocabulary,
    ipa_key,
    lexicon_dir,
    load_lexicon,
    phonetic_key,
)
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
