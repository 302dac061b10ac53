"""Correction precision from outside the engine: pass-off and pass-on hypotheses vs reference."""

from __future__ import annotations

from medscribe.evaluation.metrics import CorrectionCounts, aligned_words, correction_counts
from medscribe.evaluation.normalize import normalize_words


def _counts(ref: str, off: str, on: str) -> CorrectionCounts:
    return correction_counts(normalize_words(ref), normalize_words(off), normalize_words(on))


def test_alignment_gives_each_reference_word_its_hypothesis_word() -> None:
    aligned, inserted = aligned_words(["a", "b", "c", "d"], ["a", "x", "c", "d", "e"])
    assert aligned == ["a", "x", "c", "d"] and inserted == 1
    aligned, inserted = aligned_words(["a", "b", "c"], ["a", "c"])
    assert aligned == ["a", None, "c"] and inserted == 0


def test_a_near_miss_made_right_and_a_right_word_broken() -> None:
    ref = "start metoprolol twenty five milligrams for the palpitations"
    off = "start meta prolol twenty five milligrams for the palpitations"
    on = "start metoprolol twenty five milligrams for the palpation"
    counts = _counts(ref, off, on)
    # metoprolol: wrong -> right; palpitations: right -> wrong; "prolol" was an insertion
    # of the off run that the pass removed.
    assert (counts.made_right, counts.broke, counts.other) == (1, 1, 0)
    assert (counts.inserted, counts.removed) == (0, 1)
    assert counts.changed == 2 and counts.precision == 0.5


def test_a_change_that_stays_wrong_and_an_added_word_count_against_precision() -> None:
    ref = "history of nephrolithiasis and hydronephrosis"
    off = "history of nephro lithiasis and hydro nephrosis"
    on = "history of nephrolithiasis and hydro nephritis sis"
    counts = _counts(ref, off, on)
    assert counts.made_right == 1  # nephrolithiasis
    assert counts.broke == 0
    assert counts.changed == counts.made_right + counts.broke + counts.other + counts.inserted
    assert counts.precision is not None and counts.precision < 1


def test_no_change_means_no_precision_and_counts_sum_over_cases() -> None:
    same = _counts("take ten milligrams", "take ten milligrams", "take 10 mg")
    assert same == CorrectionCounts() and same.precision is None  # the written form is equal
    total = _counts("a b", "a x", "a b") + _counts("c d", "c d", "c y")
    assert (total.made_right, total.broke, total.precision) == (1, 1, 0.5)
