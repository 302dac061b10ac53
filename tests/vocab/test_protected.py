"""No correction removes or changes a number, dose, unit or negation (field test, issue 11)."""

from __future__ import annotations

import pytest

from medscribe.engine.specialty import second_look
from medscribe.engine.specialty.correction import correct_items, propose
from medscribe.engine.specialty.lexicon import Lexicon, load_lexicon
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


def _sample_singles(lexicon: Lexicon, count: int = 100) -> list[str]:
    """Single-word terms of 7+ letters: the specialty's likeliest, then an even spread.

    The broad lexicon holds some 130k terms; every one of them twice through the
    pass would take minutes, so the test takes the ``count`` likeliest (the drugs
    and findings a clinician says most) and every thousandth term of the rest.
    """
    singles = [t for t in lexicon.terms if len(t.words) == 1 and len(t.spoken) >= 7]
    ranked = sorted(singles, key=lambda t: (-t.log_prior, t.spoken))
    return [t.spoken for t in ranked[:count]] + [t.spoken for t in ranked[count::1000]]


@pytest.mark.parametrize("specialty", [s.value for s in Specialty])
def test_no_near_miss_of_any_term_swallows_a_dose_or_negation(specialty: str):
    # Single-word terms of the lexicon, misheard (a letter dropped, low confidence)
    # and followed or preceded by a dose or a negation: whatever the spelling pass
    # does to the term, and whatever the audio pass is offered for it, the protected
    # words come out as they went in.
    lexicon = load_lexicon(specialty)
    singles = _sample_singles(lexicon)
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
            heard_words = [i.content for i in items]
            for p in propose(heard_words, [0.4] * len(heard_words), lexicon):
                run = heard_words[p.start : p.stop]
                assert not any(protected_flags(heard_words)[p.start : p.stop]), (term, run)
                assert keeps_protected(run, p.term.display.split()), (term, p.term.display)


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
