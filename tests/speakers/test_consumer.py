"""Our speaker-labelled output, end to end: the offline pipeline's JSON read by ``tscribe``.

``tscribe`` (PyPI) is a third-party consumer of Transcribe JSON with speaker labels;
it matches ``speaker_labels.segments[].items[]`` to ``results.items[]`` by their
time strings, so it only works when our JSON has the service's exact shape.
"""

from __future__ import annotations

import csv
import json

import pytest

from medscribe.engine import shared_engine
from medscribe.request import TranscriptionOptions
from medscribe.transcript import codec
from medscribe.transcript.model import Transcript

pytestmark = [pytest.mark.model, pytest.mark.slow]


@pytest.fixture(scope="session")
def diarized(visit) -> Transcript:
    return shared_engine().transcribe(
        visit.path, TranscriptionOptions(max_speakers=10), job_name="visit"
    )


def test_pipeline_writes_speaker_labels(diarized):
    results = codec.to_json(diarized)["results"]

    assert results["speaker_labels"]["speakers"] == 2
    segments = results["speaker_labels"]["segments"]
    assert {s["speaker_label"] for s in segments} == {"spk_0", "spk_1"}
    timed = [i for i in results["items"] if i["type"] == "pronunciation"]
    assert all(i["speaker_label"] in {"spk_0", "spk_1"} for i in timed)
    assert sum(len(s["items"]) for s in segments) == len(timed)


def test_tscribe_reads_our_speakers(diarized, tmp_path):
    tscribe = pytest.importorskip("tscribe")
    source = tmp_path / "visit.json"
    source.write_text(codec.dumps(diarized), encoding="utf-8")
    target = tmp_path / "visit.csv"

    tscribe.write(str(source), format="csv", save_as=str(target))

    with target.open(newline="", encoding="utf-8") as fh:
        rows = list(csv.DictReader(fh))
    turns = [t for t in diarized.turns() if t.label is not None]
    assert [r["speaker"] for r in rows] == [t.label for t in turns]
    # Each row is one of our turns: its words with their punctuation, as we join them.
    assert [r["comment"] for r in rows] == [t.text for t in turns]


def test_pipeline_channel_identification(visit, tmp_path):
    from scripts.synth import split_by_speaker, write_wav

    two = split_by_speaker(visit.audio, visit.turns)[:, : int(visit.turns[3].end * 16000) + 4000]
    path = write_wav(tmp_path / "two.wav", two + 0.1 * two[::-1])  # the first four turns

    transcript = shared_engine().transcribe(path, TranscriptionOptions(channel_identification=True))
    labels = json.loads(codec.dumps(transcript))["results"]["channel_labels"]

    assert labels["number_of_channels"] == 2
    assert [c["channel_label"] for c in labels["channels"]] == ["ch_0", "ch_1"]
    assert all(c["items"] for c in labels["channels"])
