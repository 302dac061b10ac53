"""WER and DER of the harness agree with plain jiwer and plain pyannote.metrics."""

from __future__ import annotations

from pathlib import Path

import jiwer
import pytest
from pyannote.core import Annotation, Segment
from pyannote.metrics.diarization import DiarizationErrorRate

from medscribe.evaluation.dataset import Case, SpeakerTurn
from medscribe.evaluation.harness import score_case, summarize
from medscribe.evaluation.metrics import (
    DerCounts,
    WordErrors,
    diarization_counts,
    hypothesis_turns,
    word_errors,
)
from medscribe.evaluation.normalize import normalize
from medscribe.request import Specialty, TranscriptionType
from medscribe.transcript import Item, Transcript

CASES = [
    (
        "Blood pressure is one forty two over eighty eight. Start metoprolol, twenty five "
        "milligrams twice daily.",
        "BP is 142/88. Start metoprolal 25 mg daily, um, twice.",
    ),
    (
        "Any dyspnea or orthopnea? Oh, no, just tired.",
        "Any dispnea or orthopnea? Oh no. I'm just so tired.",
    ),
    ("The echocardiogram shows mild mitral regurgitation.", "The echo shows mitral regurgitation"),
]


def _words(text: str) -> list[str]:
    return text.split()


@pytest.mark.parametrize(("ref", "hyp"), CASES)
def test_case_wer_matches_plain_jiwer(ref: str, hyp: str) -> None:
    ours = word_errors(normalize(ref).split(), normalize(hyp).split()).wer
    plain = jiwer.wer(normalize(ref), normalize(hyp))
    assert ours is not None
    assert round(ours, 3) == round(plain, 3)


def test_corpus_wer_matches_plain_jiwer_over_all_cases() -> None:
    total = WordErrors()
    for ref, hyp in CASES:
        total = total + word_errors(normalize(ref).split(), normalize(hyp).split())
    plain = jiwer.wer([normalize(r) for r, _ in CASES], [normalize(h) for _, h in CASES])
    assert round(total.wer, 3) == round(plain, 3)
    assert total.reference_words == sum(len(normalize(r).split()) for r, _ in CASES)


def test_empty_sides() -> None:
    assert word_errors(["a", "b"], []).wer == 1.0
    assert word_errors([], ["a"]).wer is None
    assert word_errors([], ["a"]).insertions == 1


REF_TURNS = [
    SpeakerTurn("clinician", 0.5, 4.2),
    SpeakerTurn("patient", 4.8, 9.0),
    SpeakerTurn("clinician", 9.6, 15.3),
    SpeakerTurn("patient", 15.9, 18.0),
]
HYP_TURNS = [
    SpeakerTurn("spk_0", 0.6, 4.0),
    SpeakerTurn("spk_1", 4.9, 10.5),  # runs into the clinician's next turn
    SpeakerTurn("spk_0", 10.5, 15.1),
    SpeakerTurn("spk_0", 16.0, 18.2),  # wrong speaker
]


def _plain_annotation(turns: list[tuple[str, float, float]]) -> Annotation:
    annotation = Annotation()
    for index, (speaker, start, end) in enumerate(turns):
        annotation[Segment(start, end), index] = speaker
    return annotation


def test_der_matches_plain_pyannote() -> None:
    ours = diarization_counts(REF_TURNS, HYP_TURNS)
    metric = DiarizationErrorRate(collar=0.25)
    plain = metric(
        _plain_annotation([(t.speaker, t.start, t.end) for t in REF_TURNS]),
        _plain_annotation([(t.speaker, t.start, t.end) for t in HYP_TURNS]),
    )
    assert ours.der is not None and ours.der > 0
    assert round(ours.der, 3) == round(plain, 3)


def test_summed_der_matches_pyannote_accumulated_over_cases() -> None:
    second_ref = [SpeakerTurn("a", 0.0, 3.0), SpeakerTurn("b", 3.5, 6.0)]
    second_hyp = [SpeakerTurn("x", 0.0, 5.0), SpeakerTurn("y", 5.0, 6.0)]
    total = diarization_counts(REF_TURNS, HYP_TURNS) + diarization_counts(second_ref, second_hyp)
    metric = DiarizationErrorRate(collar=0.25)
    for ref, hyp in ((REF_TURNS, HYP_TURNS), (second_ref, second_hyp)):
        metric(
            _plain_annotation([(t.speaker, t.start, t.end) for t in ref]),
            _plain_annotation([(t.speaker, t.start, t.end) for t in hyp]),
        )
    assert round(total.der, 3) == round(abs(metric), 3)
    assert DerCounts().der is None


def _item(word: str, start: float, end: float, speaker: str) -> Item:
    return Item(word, start=start, end=end, confidence=0.9, speaker=speaker)


def test_hypothesis_turns_from_transcript_labels() -> None:
    items = [
        _item("Good", 0.5, 0.8, "spk_0"),
        _item("morning", 0.9, 1.3, "spk_0"),
        Item(".", type="punctuation", speaker="spk_0"),
        _item("Hi", 1.6, 1.9, "spk_1"),
        _item("again", 4.0, 4.4, "spk_1"),  # a pause longer than a second splits the turn
    ]
    turns = hypothesis_turns(Transcript(items=items, speakers=2))
    assert [(t.speaker, t.start, t.end) for t in turns] == [
        ("spk_0", 0.5, 1.3),
        ("spk_1", 1.6, 1.9),
        ("spk_1", 4.0, 4.4),
    ]
    assert hypothesis_turns(Transcript(items=[Item("x", start=0, end=1)])) == []


def test_score_case_combines_all_metrics() -> None:
    ref, hyp = CASES[0]
    case = Case(
        name="c1",
        path=Path("."),
        reference=ref,
        specialty=Specialty.CARDIOLOGY,
        type=TranscriptionType.CONVERSATION,
        rttm=REF_TURNS,
    )
    words = hyp.split()
    items = [_item(w, 0.6 + i * 0.5, 0.9 + i * 0.5, "spk_0") for i, w in enumerate(words)]
    result = score_case(case, Transcript(items=items, speakers=1))
    assert round(result.words.wer, 3) == round(jiwer.wer(normalize(ref), normalize(hyp)), 3)
    assert result.terms.reference == 1 and result.terms.found == 0  # metoprolol misheard
    assert result.der is not None
    report = summarize("test", [result])
    assert report.by_specialty["CARDIOLOGY"].words == result.words


def test_case_without_reference_text_adds_no_words() -> None:
    case = Case(
        name="rttm-only",
        path=Path("."),
        reference="",
        specialty=Specialty.PRIMARYCARE,
        type=TranscriptionType.CONVERSATION,
        rttm=REF_TURNS,
    )
    items = [_item("hello", 0.6, 1.0, "spk_0"), _item("there", 5.0, 5.5, "spk_1")]
    result = score_case(case, Transcript(items=items, speakers=2))
    assert result.words == WordErrors() and result.words.wer is None
    assert result.der is not None
