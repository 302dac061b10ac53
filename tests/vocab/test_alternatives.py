"""Alternative transcriptions from the decoder's n-best list, with the real model."""

from __future__ import annotations

import json

import pytest

from medscribe.engine import shared_engine
from medscribe.engine.alternatives import n_best, split_segments
from medscribe.engine.audio import decode
from medscribe.request import build_options
from medscribe.transcript import codec
from medscribe.transcript.model import join_items

from .conftest import CARDIO, LAY

pytestmark = pytest.mark.model

COUNT = 3


@pytest.fixture(scope="module")
def transcript(speech, whisper_model):
    return shared_engine().transcribe(
        speech(f"{LAY} {CARDIO}"),
        build_options(specialty="cardiology", max_alternatives=COUNT),
    )


def test_each_segment_has_n_distinct_complete_hypotheses(transcript):
    assert transcript.segments
    for segment in transcript.segments:
        texts = [alt.transcript for alt in segment.alternatives]
        assert len(texts) == COUNT
        assert len(set(texts)) == COUNT
        for alt in segment.alternatives:
            assert alt.transcript == join_items(alt.items)
            words = [i for i in alt.items if not i.is_punctuation]
            assert words and all(0.0 <= w.confidence <= 1.0 for w in words)
            assert all(segment.start - 0.5 <= w.start < w.end <= segment.end + 0.5 for w in words)


def test_the_first_hypothesis_is_the_transcript(transcript):
    best = " ".join(segment.alternatives[0].transcript for segment in transcript.segments)
    assert best == transcript.text


def test_n_best_readings_come_best_first(whisper_model, speech):
    audio = decode(speech(LAY))
    readings = n_best(audio, 0.0, audio.shape[0] / 16000, model=whisper_model, offset=0.0, count=4)
    assert len(readings) == 4
    scores = [r.score for r in readings]
    assert scores == sorted(scores, reverse=True)
    assert len({join_items(r.items) for r in readings}) > 1


def test_segments_are_written_as_transcribe_medical_json(transcript):
    data = json.loads(codec.dumps(transcript))
    segments = data["results"]["segments"]
    assert len(segments) == len(transcript.segments)
    for segment in segments:
        assert float(segment["start_time"]) < float(segment["end_time"])
        assert len(segment["alternatives"]) == COUNT
        assert all(alt["items"] and alt["transcript"] for alt in segment["alternatives"])


def test_segments_split_at_sentence_ends(transcript):
    items = transcript.items
    parts = split_segments(items)
    assert sum(len(p) for p in parts) == len(items)
    assert all(p[-1].content in ".?!" or p is parts[-1] for p in parts if p[-1].is_punctuation)
