"""No correction removes or changes a number, dose, unit or negation (field test, issue 11)."""

from __future__ import annotations

import pytest

from medscribe.engine.specialty import second_look
from medscribe.engine.specialty.correction import correct_items
from medscribe.engine.specialty.lexicon import load_lexicon
from medscribe.engine.specialty.protected import is_protected, keeps_protected, protected_flags
from medscribe.request import Specialty
from medscribe.transcript import Item
from medscribe.transcript.model import join_items

from .test_correction import words


def test_the_sample_visit_keeps_its_dose():
    # What the field test saw: "listenapril ten milligrams" lost the "ten".
    items = words("I take listenapril ten milligrams once a day.")
    items[2].confidence = 0.45
    out = join_items(correct_items(items, load_lexicon("primarycare")))
    assert "ten milligrams once a day" in out
    assert out.startswith("I take lisinopril ten milligrams")


@pytest.mark.parametrize(
    ("word", "protected"),
    [
        ("ten", True),
        ("Twenty-five", True),
        ("10", True),
        ("2.5", True),
        ("no", True),
        ("doesn't", True),
        ("denies", True),
        ("without", True),
        ("twice", True),
        ("lisinopril", False),
        ("pain", False),
        ("the", False),
    ],
)
def test_what_counts_as_a_number_or_negation(word: str, protected: bool):
    assert is_protected(word) is protected


def test_units_and_dose_forms_count_when_they_measure_a_number():
    words = ["take", "2", "tablets", "then", "ten", "milligrams", "per", "deciliter"]
    flags = protected_flags(words)
    assert flags == [False, True, True, False, True, True, True, True]
    for word in ("milligrams", "mcg", "tablets", "units"):
        assert is_protected(word, after_number=True)
        assert not is_protected(word)
    # The "gram" of a split "electrocardiogram" is a piece of a term, not a unit.
    assert protected_flags(["electric", "cardio", "gram"]) == [False, False, False]


def test_keeps_protected_compares_every_protected_word():
    assert keeps_protected(["listenapril", "ten"], ["lisinopril", "ten"])
    assert not keeps_protected(["listenapril", "ten"], ["lisinopril"])
    assert not keeps_protected(["no", "babinski"], ["babinski"])
    assert not keeps_protected(["lasix"], ["lasix", "20"])


@pytest.mark.parametrize("specialty", [s.value for s in Specialty])
def test_no_near_miss_of_any_term_swallows_a_dose_or_negation(specialty: str):
    # Every single-word term of the lexicon, misheard (a letter dropped, low
    # confidence) and followed or preceded by a dose or a negation: whatever the
    # pass does to the term, the protected words come out as they went in.
    lexicon = load_lexicon(specialty)
    singles = [t.spoken for t in lexicon.terms if len(t.words) == 1 and len(t.spoken) >= 7]
    assert singles, "every specialty lexicon has single-word terms"
    for term in singles:
        heard = term[:3] + term[4:]
        for text in (f"{heard} ten milligrams twice daily", f"no {heard} not seen"):
            items = words(text, confidence=0.4)
            out = correct_items(items, lexicon)
            assert keeps_protected([i.content for i in items], [i.content for i in out]), (
                specialty,
                term,
                join_items(out),
            )


def _timed(text: str) -> list[Item]:
    return words(text)


def test_the_second_look_never_drops_a_dose():
    lexicon = load_lexicon("primarycare")
    first = _timed("I take listenapril ten milligrams")
    # A prompted reading that heard the drug and lost the number must not be taken.
    prompted = _timed("I take lisinopril milligrams")
    merged = second_look.merge(first, prompted, lexicon)
    assert [i.content for i in merged] == [i.content for i in first]
    # The same reading that keeps the number is taken.
    prompted = _timed("I take lisinopril ten milligrams")
    merged = second_look.merge(first, prompted, lexicon)
    assert join_items(merged) == "I take lisinopril ten milligrams"


def test_a_second_look_that_writes_the_number_otherwise_keeps_the_first_number():
    # The prompted pass wrote "10" where the first wrote "ten": the aligned change
    # spans drug and number, and taking only the drug's words would lose the dose.
    lexicon = load_lexicon("primarycare")
    first = _timed("I take listenapril ten milligrams")
    prompted = _timed("I take lisinopril 10 milligrams")
    merged = second_look.merge(first, prompted, lexicon)
    assert [i.content for i in merged][2:] == ["listenapril", "ten", "milligrams"]
    assert join_items(correct_items(merged, lexicon)) == "I take lisinopril ten milligrams"
