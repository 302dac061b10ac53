"""The scoring normaliser: case, punctuation, fillers, numbers and abbreviations."""

from __future__ import annotations

from pathlib import Path

import pytest

from medscribe.evaluation.normalize import normalize, number_to_words


@pytest.mark.parametrize(
    ("written", "spoken"),
    [
        ("25 mg", "twenty five milligrams"),
        ("120/80", "one twenty over eighty"),
        ("BP is 142/88.", "blood pressure is a hundred and forty two over eighty eight"),
        ("B.P. 110/70", "b p one ten over seventy"),
        ("HR 160 BPM", "hr one sixty beats per min"),
        ("temp 37.4 C", "temp thirty seven point four degrees celsius"),
        ("101 °F", "one hundred and one fahrenheit"),
        ("O2 sat 98%", "O two sat ninety-eight percent"),
        ("P 80, R 17", "pulse eighty, respiration seventeen"),
        ("weight 80 kg", "weight eighty kilos"),
        ("100 cc of saline", "one hundred c c of saline"),
        ("3.23", "three point twenty three"),
        ("0.3", "point three"),
        ("1,031", "one thousand and thirty one"),
        ("1990", "nineteen ninety"),
        ("2021", "twenty twenty one"),
        ("43rd", "forty third"),
        ("1/4", "a quarter"),
        ("3/16", "three sixteenths"),
        ("8:30 a.m.", "eight thirty a m"),
        ("5-10 mg", "five to ten milligrams"),
        ("POSTOP visit", "post op visit"),
        ("CT Scan", "cat scan"),
        ("I/O sinus rhythm", "in and out sinus rhythm"),
        ("L4 and L5", "L four and L five"),
        ("A1C of 8.2%", "A one C of eight point two percent"),
        ("$3.50", "three dollars and fifty cents"),
        ("1 mg", "one milligram"),
        ("hemoglobin 10 .2, platelets 180 ,000", "hemoglobin ten point two platelets 180000"),
        ("Dr. Reyes", "doctor Reyes"),
    ],
)
def test_written_forms_equal_spoken_forms(written: str, spoken: str) -> None:
    assert normalize(written) == normalize(spoken)


def test_canonical_form_is_spoken_words() -> None:
    assert normalize("Metoprolol 25 mg, BP 120/80!") == (
        "metoprolol twenty five milligrams blood pressure one hundred twenty over eighty"
    )


def test_case_punctuation_and_fillers_are_ignored_but_oh_stays() -> None:
    assert normalize("Um, I... uh, HAVE a cough. Hmm? Mm. Er, ahh") == "i have a cough"
    assert normalize("Oh, it hurts here; oh.") == "oh it hurts here oh"
    assert normalize("oh five") == "oh five"  # "oh" is never the digit zero


def test_hyphens_and_apostrophes() -> None:
    assert normalize("follow-up") == normalize("follow up")
    assert normalize("the patient's") != normalize("the patients")
    assert normalize("I’m fine") == "i'm fine"


def test_words_that_only_look_like_units_stay() -> None:
    assert normalize("she has three children") == "she has three children"
    assert normalize("one of them is sore") == "one of them is sore"
    assert normalize("this is her third visit") == "this is her third visit"
    assert normalize("half an hour") == "half an hour"
    assert normalize("my mm") == "my"  # a filler when no number stands before it
    assert normalize("5 mm") == "five millimeters"


@pytest.mark.parametrize(
    ("n", "words"),
    [
        (0, "zero"),
        (13, "thirteen"),
        (40, "forty"),
        (105, "one hundred five"),
        (1031, "one thousand thirty one"),
        (
            123456789,
            "one hundred twenty three million four hundred fifty six thousand "
            "seven hundred eighty nine",
        ),
    ],
)
def test_number_to_words(n: int, words: str) -> None:
    assert " ".join(number_to_words(n)) == words


def test_formatting_spec_vectors_compare_equal(shared_dir: Path) -> None:
    """Every (spoken, written) pair of the project's formatting spec normalises alike."""
    rows = [
        line.split("\t")
        for line in (shared_dir / "spec" / "medical-formatting.tsv").read_text().splitlines()
        if line and not line.startswith("#")
    ][1:]
    assert len(rows) > 50
    mismatches = [(a, b) for _, a, b in rows if normalize(a) != normalize(b)]
    assert mismatches == []
