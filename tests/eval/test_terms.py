"""Rare medical words (hunspell-en-med minus wamerican, shipped) and clipped term recall."""

from __future__ import annotations

from collections import defaultdict

import pytest

from medscribe.engine.wordlists import english_words
from medscribe.evaluation import terms
from medscribe.evaluation.normalize import normalize_words
from medscribe.evaluation.terms import TermRecall, rare_terms, term_recall


def test_rare_words_are_medical_and_not_general_english() -> None:
    rare = terms.rare_medical_words()
    general = english_words()
    for word in ("metoprolol", "dyspnea", "echocardiogram", "levetiracetam", "cystoscopy"):
        assert word in rare
    for word in ("hypertension", "heart", "pressure", "biopsy", "the"):
        assert word not in rare
    assert "hypertension" in general  # excluded because wamerican knows it
    assert not (rare & general)


def test_suffix_flags_are_expanded() -> None:
    # hunspell-en-med stores "arrhythmia/S" once; the plural comes from the flag.
    assert "arrhythmias" in terms.rare_medical_words()


def test_term_counter_counts_occurrences() -> None:
    words = normalize_words("Metoprolol 25 mg. Increase metoprolol; dyspnea and heart pain.")
    assert rare_terms(words) == {"metoprolol": 2, "dyspnea": 1}


def test_recall_is_clipped_per_term() -> None:
    ref = normalize_words("metoprolol twice, metoprolol again, and orthopnea")
    hyp = normalize_words("metoprolol metoprolol metoprolol metoprolol, no ortho")
    result = term_recall(ref, hyp)
    assert result == TermRecall(reference=3, found=2)
    assert result.recall == pytest.approx(2 / 3)
    assert term_recall(["heart"], ["heart"]).recall is None  # no rare word: undefined
    assert (TermRecall(3, 2) + TermRecall(1, 1)).recall == pytest.approx(0.75)


def test_tune_devset_has_rare_terms_in_every_specialty_it_covers() -> None:
    from medscribe.evaluation.corpus import default_corpora_root
    from medscribe.evaluation.devset import corpus_scripts

    root = default_corpora_root()
    if root is None:
        pytest.skip("the corpora (../shared/data/corpora) are not present")
    distinct: dict[str, set[str]] = defaultdict(set)
    word_count = 0
    for script in corpus_scripts(root, ("tune",)):
        words = normalize_words(script.reference)
        word_count += len(words)
        distinct[script.specialty.value] |= set(rare_terms(words))
    assert len(distinct) >= 5  # the corpora are mostly primary care; most specialties appear
    assert all(len(v) >= 10 for v in distinct.values()), {k: len(v) for k, v in distinct.items()}
    # About 150 words a minute: the tune split is close to an hour of speech.
    assert word_count > 7000
