"""Candidate rewrites decided by the audio: the real model scores real (synthesised) speech.

Every sentence here is our own (no development or test text); Piper's joe voice
reads it, the embedded model hears it, and the scorer of
:mod:`medscribe.engine.specialty.scoring` decides. A near miss is made the way the
recogniser makes them: the first pass's item of the drug is given a misspelt
reading at low confidence, so the test holds whatever tiny.en happens to hear.
"""

from __future__ import annotations

import dataclasses

import numpy as np
import pytest

from medscribe.engine.audio import decode as decode_file
from medscribe.engine.recognition import recognize
from medscribe.engine.specialty import correction, lexicon_for, scoring
from medscribe.engine.specialty.lexicon import letters
from medscribe.engine.specialty.protected import keeps_protected
from medscribe.transcript import Item
from medscribe.transcript.model import join_items

pytestmark = pytest.mark.model

#: Our own sentences (see the module docstring).
DRUG = "We stopped the clopidogrel two weeks ago because of the bruising."
ORDINARY = "My daughter plays football in the park every Saturday morning."
DOSE = "Please keep taking the lisinopril, ten milligrams every morning."


@pytest.fixture(scope="module")
def heard(speech, whisper_model):
    """text -> (audio, first-pass items), once per sentence."""
    made: dict[str, tuple[np.ndarray, list[Item]]] = {}

    def hear(text: str) -> tuple[np.ndarray, list[Item]]:
        if text not in made:
            audio = decode_file(speech(text))
            made[text] = (audio, recognize(audio, model=whisper_model))
        return made[text][0], [dataclasses.replace(i) for i in made[text][1]]

    return hear


def _near_miss(items: list[Item], term: str, misspelt: str) -> list[Item]:
    """``items`` with the word (or words) nearest to ``term`` read as ``misspelt``, doubted."""
    words = [k for k, i in enumerate(items) if not i.is_punctuation]
    best, best_span = -1.0, (0, 1)
    from rapidfuzz.distance import Levenshtein

    for start in range(len(words)):
        for stop in range(start + 1, min(start + 4, len(words)) + 1):
            text = "".join(letters(items[words[k]].content) for k in range(start, stop))
            alike = Levenshtein.normalized_similarity(text, term)
            if alike > best:
                best, best_span = alike, (start, stop)
    first, last = words[best_span[0]], words[best_span[1] - 1]
    merged = correction.merged_item(items[first : last + 1], misspelt)
    merged.confidence = 0.35
    return [*items[:first], merged, *items[last + 1 :]]


def test_the_audio_tells_what_was_said_from_what_was_not(heard, whisper_model):
    # A spelling of the same sounds scores about alike (the audio cannot spell; the
    # prior, the likeness and the dictionaries settle that); a drug of other sounds
    # that was not said is far behind.
    audio, _ = heard(DRUG)
    said = DRUG
    misspelt = DRUG.replace("clopidogrel", "clopadogrel")
    other = DRUG.replace("clopidogrel", "metoprolol")
    scorer = scoring.AudioScorer(whisper_model)
    right, near, wrong = scorer.log_probs(audio, [said, misspelt, other])
    assert right > wrong + 10
    assert abs(right - near) < (right - wrong) / 4


def test_a_near_miss_is_corrected_to_the_term_the_audio_says(heard, whisper_model):
    audio, items = heard(DRUG)
    doubted = _near_miss(items, "clopidogrel", "Clopadogrel")
    assert "clopidogrel" not in join_items(doubted).lower()
    lexicon = lexicon_for("cardiology")
    out = correction.correct_by_audio(doubted, lexicon, audio, scoring.AudioScorer(whisper_model))
    assert "clopidogrel" in join_items(out).lower()
    # Only the near miss changed; the rest is the first pass's reading.
    assert len(out) == len(doubted)
    rewritten = [i for i, j in zip(out, doubted, strict=True) if i.content != j.content]
    assert [i.content.lower() for i in rewritten] == ["clopidogrel"]
    assert all(
        a.start is not None and a.end is not None and a.start < a.end for a in out if a.start
    )


def test_an_ordinary_phrase_is_left_alone_though_terms_spell_alike(heard, whisper_model):
    audio, items = heard(ORDINARY)
    for item in items:
        if not item.is_punctuation:
            item.confidence = 0.3  # every word doubted: every run gets candidates
    lexicon = lexicon_for("primarycare")
    positions = [k for k, i in enumerate(items) if not i.is_punctuation]
    proposals = correction._proposals(items, positions, lexicon)
    assert proposals, "terms that spell alike are proposed, so the audio has something to reject"
    scorer = scoring.AudioScorer(whisper_model)
    out = correction.correct_by_audio(items, lexicon, audio, scorer)
    assert [i.content for i in out] == [i.content for i in items]


def test_the_verdicts_of_one_snippet_share_one_reading(heard, whisper_model):
    # Like with like: each candidate's gain is measured against the same heard text.
    audio, items = heard(DRUG)
    doubted = _near_miss(items, "clopidogrel", "Clopadogrel")
    positions = [k for k, i in enumerate(doubted) if not i.is_punctuation]
    lexicon = lexicon_for("cardiology")
    proposals = correction._proposals(doubted, positions, lexicon)
    scorer = scoring.AudioScorer(whisper_model)
    snippets = scoring.snippets(doubted, positions, proposals)
    assert snippets and all(s.end_s > s.start_s for s in snippets)
    verdicts = [
        v for s in snippets for v in scoring.score_snippet(scorer, audio, doubted, positions, s)
    ]
    assert len(verdicts) == len(proposals)
    best = max(verdicts, key=lambda v: v.score)
    assert best.proposal.term.spoken == "clopidogrel"
    assert scoring.decide(verdicts)[0].proposal.term.spoken == "clopidogrel"


def test_a_rewrite_keeps_the_dose_whatever_the_audio_says(heard, whisper_model):
    audio, items = heard(DOSE)
    doubted = _near_miss(items, "lisinopril", "listenapril")
    lexicon = lexicon_for("primarycare")
    out = correction.correct_by_audio(doubted, lexicon, audio, scoring.AudioScorer(whisper_model))
    before = [i.content for i in doubted]
    after = [i.content for i in out]
    assert keeps_protected(before, after)
    assert "ten milligrams" in join_items(out).lower() or "10" in join_items(out)


def test_no_proposal_covers_or_brings_a_number_dose_or_negation():
    lexicon = lexicon_for("primarycare")
    words = ["listenapril", "ten", "milligrams", "and", "no", "metforment", "twice", "daily"]
    proposals = correction.propose(words, [0.4] * len(words), lexicon)
    assert proposals
    for p in proposals:
        assert keeps_protected(words[p.start : p.stop], p.term.display.split())
        assert not {"ten", "milligrams", "no", "twice"} & set(words[p.start : p.stop])


def test_a_stream_final_is_corrected_by_its_own_audio(heard, whisper_model):
    from medscribe.engine import Engine, EngineConfig
    from medscribe.engine.specialty import SpecialtyStage
    from medscribe.engine.streaming import StreamDecoder
    from medscribe.request import build_options

    audio, items = heard(DRUG)
    doubted = _near_miss(items, "clopidogrel", "Clopadogrel")
    # The final sits 100 s into the stream: its items' times and its audio's offset agree.
    later = [
        dataclasses.replace(
            i,
            start=None if i.start is None else i.start + 100.0,
            end=None if i.end is None else i.end + 100.0,
        )
        for i in doubted
    ]
    stage = SpecialtyStage(lexicon_for("cardiology"))
    scorer = scoring.AudioScorer(whisper_model)
    out = stage.correct(later, audio=audio, scorer=scorer, offset=100.0)
    assert "clopidogrel" in join_items(out).lower()
    # A stream of the engine gives each channel's decoder that scorer's kind.
    decoder = StreamDecoder(Engine(model=whisper_model), build_options(specialty="cardiology"))
    assert all(isinstance(s.scorer, scoring.AudioScorer) for s in decoder.streamers)
    bare = Engine(EngineConfig(specialty_pass=False), model=whisper_model)
    assert all(s.scorer is None for s in StreamDecoder(bare, build_options()).streamers)
