"""Transcribe Medical JSON <-> model: round trips, labels, channels, punctuation, string numbers."""

from __future__ import annotations

import copy
import json
from itertools import pairwise
from pathlib import Path

import pytest

from medscribe.errors import EXIT_USAGE, ValidationError
from medscribe.transcript import codec
from medscribe.transcript.model import Item, Transcript

from .fixtures import ALL, ALTERNATIVES, CHANNELS, PLAIN, SPEAKERS, doc, transcript
from .schema import assert_transcribe_medical_schema

IDS = [p.stem for p in ALL]


@pytest.mark.parametrize("path", ALL, ids=IDS)
def test_fixtures_follow_the_reference_shape(path: Path) -> None:
    assert_transcribe_medical_schema(doc(path))


@pytest.mark.parametrize("path", ALL, ids=IDS)
def test_round_trip_gives_the_same_model_and_valid_json(path: Path) -> None:
    parsed = transcript(path)
    written = codec.to_json(parsed)
    assert_transcribe_medical_schema(written, exact_format=True)
    assert codec.from_json(written) == parsed
    assert written["results"]["transcripts"][0]["transcript"] == parsed.text


@pytest.mark.parametrize("path", ALL, ids=IDS)
def test_writing_is_byte_stable(path: Path) -> None:
    first = codec.dumps(transcript(path))
    again = codec.dumps(codec.loads(first))
    assert again.encode("utf-8") == first.encode("utf-8")


def test_speakers_come_from_speaker_label_segments() -> None:
    raw = doc(SPEAKERS)
    # The reference's items carry no speaker_label: the segments are the only source.
    assert all("speaker_label" not in i for i in raw["results"]["items"])
    by_time = {
        (float(s["start_time"]), float(s["end_time"])): s["speaker_label"]
        for segment in raw["results"]["speaker_labels"]["segments"]
        for s in segment["items"]
    }
    parsed = transcript(SPEAKERS)
    assert parsed.speakers == raw["results"]["speaker_labels"]["speakers"]
    previous = None
    for item in parsed.items:
        if item.is_punctuation:
            assert item.speaker == previous, "punctuation belongs to the word before it"
        else:
            assert item.speaker == by_time[(item.start, item.end)]
        previous = item.speaker
    assert {t.label for t in parsed.turns()} == set(by_time.values())


def test_item_speaker_label_wins_over_segments() -> None:
    raw = doc(SPEAKERS)
    first = raw["results"]["items"][0]
    first["speaker_label"] = "spk_1"
    parsed = codec.from_json(raw)
    assert parsed.items[0].speaker == "spk_1"
    assert transcript(SPEAKERS).items[0].speaker == "spk_0"


def test_speaker_from_segment_span_when_item_times_differ() -> None:
    raw = doc(SPEAKERS)
    for segment in raw["results"]["speaker_labels"]["segments"]:
        segment["items"] = []
    parsed = codec.from_json(raw)
    assert [i.speaker for i in parsed.items] == [i.speaker for i in transcript(SPEAKERS).items]


def test_channels_are_merged_in_time_order() -> None:
    raw = doc(CHANNELS)
    parsed = transcript(CHANNELS)
    assert parsed.channels == raw["results"]["channel_labels"]["number_of_channels"]
    starts = [i.start for i in parsed.words]
    assert starts == sorted(starts)
    for channel in raw["results"]["channel_labels"]["channels"]:
        label = channel["channel_label"]
        mine = [i.content for i in parsed.items if i.channel == label]
        assert mine == [i["alternatives"][0]["content"] for i in channel["items"]]
    for before, item in pairwise(parsed.items):
        if item.is_punctuation:
            assert item.channel == before.channel, "punctuation stays with its channel's word"
    # The speech overlaps: a word of one channel starts before the other's word ends.
    assert any(a.channel != b.channel and b.start < a.end for a, b in pairwise(parsed.words))


def test_channel_labels_alone_give_the_same_transcript() -> None:
    raw = doc(CHANNELS)
    del raw["results"]["items"]
    assert codec.from_json(raw) == transcript(CHANNELS)


def test_punctuation_has_no_times_in_and_out() -> None:
    raw = doc(PLAIN)
    raw["results"]["items"][1:1] = [
        {"start_time": "0.9", "end_time": "0.9", "alternatives": [{"content": ","}],
         "type": "punctuation"}
    ]  # fmt: skip
    parsed = codec.from_json(raw)
    marks = [i for i in parsed.items if i.is_punctuation]
    assert marks and all(i.start is None and i.end is None for i in marks)
    written = codec.to_json(parsed)["results"]["items"]
    for item in written:
        if item["type"] == "punctuation":
            assert "start_time" not in item and "end_time" not in item
            assert "confidence" not in item["alternatives"][0]


def test_times_and_confidences_are_written_as_strings() -> None:
    raw = doc(PLAIN)
    parsed = transcript(PLAIN)
    written = codec.to_json(parsed)["results"]["items"]
    for source, item, out in zip(raw["results"]["items"], parsed.items, written, strict=True):
        if item.is_punctuation:
            continue
        assert out["start_time"] == f"{float(source['start_time']):.3f}"
        assert out["end_time"] == f"{float(source['end_time']):.3f}"
        assert out["alternatives"][0]["confidence"] == (
            f"{float(source['alternatives'][0]['confidence']):.4f}"
        )
        assert isinstance(item.start, float) and isinstance(item.confidence, float)


def test_numbers_instead_of_strings_are_read() -> None:
    raw = doc(PLAIN)
    numeric = copy.deepcopy(raw)
    for item in numeric["results"]["items"]:
        if item["type"] == "pronunciation":
            item["start_time"] = float(item["start_time"])
            item["end_time"] = float(item["end_time"])
            item["alternatives"][0]["confidence"] = float(item["alternatives"][0]["confidence"])
    assert codec.from_json(numeric) == codec.from_json(raw)


def test_segments_keep_every_hypothesis_in_order() -> None:
    raw = doc(ALTERNATIVES)
    parsed = transcript(ALTERNATIVES)
    assert len(parsed.segments) == len(raw["results"]["segments"])
    for segment, source in zip(parsed.segments, raw["results"]["segments"], strict=True):
        assert [a.transcript for a in segment.alternatives] == [
            a["transcript"] for a in source["alternatives"]
        ]
        for alt, src in zip(segment.alternatives, source["alternatives"], strict=True):
            assert [i.content for i in alt.items] == [i["content"] for i in src["items"]]
            assert all(i.start is not None for i in alt.items if not i.is_punctuation)


@pytest.mark.parametrize(
    "text",
    ["{not json", "[]", '{"results": []}', '{"jobName": "x"}', '{"results": {"items": [1]}}'],
)
def test_bad_documents_are_validation_errors(text: str) -> None:
    with pytest.raises(ValidationError) as caught:
        codec.loads(text)
    assert caught.value.exit_code == EXIT_USAGE


def test_load_names_the_file_in_errors(tmp_path: Path) -> None:
    with pytest.raises(ValidationError, match="no such file"):
        codec.load(tmp_path / "missing.json")
    bad = tmp_path / "bad.json"
    bad.write_text("{\n  oops", encoding="utf-8")
    with pytest.raises(ValidationError, match=r"bad\.json: not a JSON document.*line 2"):
        codec.load(bad)


def test_model_built_in_code_writes_service_shaped_json() -> None:
    """What the offline engine builds (labels on items, no counts) becomes the same JSON."""
    items = [
        Item("Breathe", start=0.5, end=0.9, confidence=0.97, speaker="spk_0"),
        Item("in", start=0.95, end=1.1, confidence=0.99, speaker="spk_0"),
        Item(".", type="punctuation", speaker="spk_0"),
        Item("Okay", start=1.6, end=1.9, confidence=0.42, speaker="spk_1"),
        Item(".", type="punctuation", speaker="spk_1"),
    ]
    made = Transcript(items=items, job_name="local-job")
    written = codec.to_json(made)
    assert_transcribe_medical_schema(written, exact_format=True)
    assert written["results"]["speaker_labels"]["speakers"] == 2
    assert json.loads(codec.dumps(made)) == written
    assert codec.from_json(written).text == made.text


@pytest.mark.parametrize(
    ("text", "problem"),
    [
        ('{"results": {"items": ["word"]}}', "results.items[0] should be an object"),
        ('{"results": {"items": [{"alternatives": "x"}]}}', "results.items[0].alternatives"),
        ('{"results": {"items": [], "segments": [{"alternatives": [1]}]}}', "segments[0]"),
        ('{"results": {"items": [], "channel_labels": {"channels": {}}}}', "channels should"),
    ],
)
def test_wrong_shapes_say_where_without_python_internals(text: str, problem: str) -> None:
    with pytest.raises(ValidationError) as caught:
        codec.loads(text)
    message = str(caught.value)
    assert message.startswith("not a Transcribe Medical transcript: ") and problem in message
    for internal in ("Error", "attribute", "_Item", "instance of", "'str' object"):
        assert internal not in message


def test_a_byte_order_mark_is_not_an_error() -> None:
    text = PLAIN.read_text(encoding="utf-8")
    assert codec.loads("\ufeff" + text) == codec.loads(text)
    assert codec.loads(b"\xef\xbb\xbf" + text.encode("utf-8")) == codec.loads(text)
    assert codec.loads(text.encode("utf-16")) == codec.loads(text)
