"""The shape of a Transcribe Medical transcript document, as checks any test can run.

Usage from any test in the suite (``tests/`` is on ``sys.path`` through ``tests/conftest.py``)::

    from transcript.schema import assert_transcribe_medical_schema

    assert_transcribe_medical_schema(json.loads(path.read_text()))
    assert_transcribe_medical_schema(doc, exact_format=True)  # medscribe's own writer

The rules come from the reference pages (batch-medical-conversation.md,
conversation-diarization-batch-med.md, conversation-channel-id-med.md,
alternative-med-transcriptions.md): top-level ``jobName``/``accountId``/``results``/
``status``; one ``results.transcripts[].transcript`` equal to the items joined;
``results.items[]`` with ``type`` ``pronunciation`` (times and confidence as decimal
strings) or ``punctuation`` (no times); optional ``speaker_labels`` whose segment
items cover exactly the words, optional ``channel_labels`` whose channel items are
exactly the top-level items (which carry ``channel_label``), never both; optional
``results.segments[]`` of n-best alternatives. ``exact_format`` also asks for what
medscribe writes: times with three decimals, confidences with four.
"""

from __future__ import annotations

import re
from collections import Counter
from typing import Any

DECIMAL = re.compile(r"^\d+(\.\d+)?$")
TIME_EXACT = re.compile(r"^\d+\.\d{3}$")
CONFIDENCE_EXACT = re.compile(r"^[01]\.\d{4}$")
SPEAKER = re.compile(r"^spk_\d+$")
CHANNEL = re.compile(r"^ch_\d+$")
STATUSES = {"QUEUED", "IN_PROGRESS", "COMPLETED", "FAILED"}
#: Overlap allowed when checking that words come in time order (float noise only).
EPSILON = 1e-6


def assert_transcribe_medical_schema(doc: Any, *, exact_format: bool = False) -> None:
    """Fail with a message that names the offending path when ``doc`` breaks a rule."""
    assert isinstance(doc, dict), "document: not a JSON object"
    for key in ("jobName", "accountId", "status"):
        assert isinstance(doc.get(key), str), f"{key}: missing or not a string"
    assert doc["status"] in STATUSES, f"status: {doc['status']!r} is not a job status"
    results = doc.get("results")
    assert isinstance(results, dict), "results: missing or not an object"
    items = results.get("items")
    assert isinstance(items, list), "results.items: missing or not a list"
    for n, item in enumerate(items):
        _check_item(item, f"results.items[{n}]", exact_format)
    _check_transcripts(results, items)
    _check_time_order(items)
    assert not ("speaker_labels" in results and "channel_labels" in results), (
        "results: speaker_labels and channel_labels together (the service refuses both)"
    )
    if "speaker_labels" in results:
        _check_speaker_labels(results["speaker_labels"], items, exact_format)
    if "channel_labels" in results:
        _check_channel_labels(results["channel_labels"], items, exact_format)
    if "segments" in results:
        _check_segments(results["segments"], exact_format)


def join_contents(contents: list[tuple[str, str]]) -> str:
    """The service's transcript text from (type, content) pairs: punctuation attaches left."""
    text = ""
    for kind, content in contents:
        text += content if kind == "punctuation" or not text else " " + content
    return text


def _time(value: Any, where: str, exact_format: bool) -> float:
    assert isinstance(value, str), f"{where}: times are strings, got {type(value).__name__}"
    assert DECIMAL.match(value), f"{where}: {value!r} is not a decimal number of seconds"
    if exact_format:
        assert TIME_EXACT.match(value), f"{where}: {value!r} should have three decimals"
    return float(value)


def _confidence(value: Any, where: str, exact_format: bool) -> float:
    assert isinstance(value, str), f"{where}: confidences are strings, got {type(value).__name__}"
    assert DECIMAL.match(value), f"{where}: {value!r} is not a decimal number"
    if exact_format:
        assert CONFIDENCE_EXACT.match(value), f"{where}: {value!r} should have four decimals"
    number = float(value)
    assert 0.0 <= number <= 1.0, f"{where}: confidence {value} outside 0..1"
    return number


def _check_item(item: Any, where: str, exact_format: bool) -> None:
    """One entry of ``results.items[]`` or of a channel's ``items[]``."""
    assert isinstance(item, dict), f"{where}: not an object"
    kind = item.get("type")
    assert kind in ("pronunciation", "punctuation"), f"{where}.type: {kind!r}"
    alternatives = item.get("alternatives")
    assert isinstance(alternatives, list) and alternatives, f"{where}.alternatives: empty"
    for n, alt in enumerate(alternatives):
        assert isinstance(alt.get("content"), str) and alt["content"].strip(), (
            f"{where}.alternatives[{n}].content: missing or empty"
        )
        assert alt["content"] == alt["content"].strip(), f"{where}: content has outer spaces"
        if kind == "pronunciation":
            assert "confidence" in alt, f"{where}.alternatives[{n}]: no confidence"
        if "confidence" in alt:
            _confidence(alt["confidence"], f"{where}.alternatives[{n}].confidence", exact_format)
    if kind == "punctuation":
        assert "start_time" not in item and "end_time" not in item, (
            f"{where}: punctuation carries no times"
        )
        return
    start = _time(item.get("start_time"), f"{where}.start_time", exact_format)
    end = _time(item.get("end_time"), f"{where}.end_time", exact_format)
    assert start <= end, f"{where}: start_time {start} after end_time {end}"
    if "speaker_label" in item:
        assert SPEAKER.match(str(item["speaker_label"])), f"{where}.speaker_label"
    if "channel_label" in item:
        assert CHANNEL.match(str(item["channel_label"])), f"{where}.channel_label"


def _pairs(items: list[dict]) -> list[tuple[str, str]]:
    return [(i["type"], i["alternatives"][0]["content"]) for i in items]


def _check_transcripts(results: dict, items: list[dict]) -> None:
    transcripts = results.get("transcripts")
    assert isinstance(transcripts, list) and len(transcripts) == 1, (
        "results.transcripts: must be a list with one entry"
    )
    text = transcripts[0].get("transcript")
    assert isinstance(text, str), "results.transcripts[0].transcript: not a string"
    assert text == join_contents(_pairs(items)), (
        "results.transcripts[0].transcript differs from the items joined"
    )
    if items:
        assert items[0]["type"] == "pronunciation", "results.items: starts with punctuation"


def _check_time_order(items: list[dict]) -> None:
    """Words come in order of their start times (channels are merged that way too)."""
    starts = [float(i["start_time"]) for i in items if i["type"] == "pronunciation"]
    for n in range(1, len(starts)):
        assert starts[n] + EPSILON >= starts[n - 1], (
            f"results.items: word {n} starts at {starts[n]}, before the word before it"
        )


def _check_speaker_labels(labels: Any, items: list[dict], exact_format: bool) -> None:
    where = "results.speaker_labels"
    assert isinstance(labels, dict), f"{where}: not an object"
    speakers = labels.get("speakers")
    assert isinstance(speakers, int) and 1 <= speakers <= 10, f"{where}.speakers: {speakers!r}"
    segments = labels.get("segments")
    assert isinstance(segments, list), f"{where}.segments: not a list"
    covered: Counter[tuple[float, float]] = Counter()
    found: set[str] = set()
    for n, segment in enumerate(segments):
        at = f"{where}.segments[{n}]"
        label = segment.get("speaker_label")
        assert isinstance(label, str) and SPEAKER.match(label), f"{at}.speaker_label: {label!r}"
        found.add(label)
        start = _time(segment.get("start_time"), f"{at}.start_time", exact_format=False)
        end = _time(segment.get("end_time"), f"{at}.end_time", exact_format)
        assert start <= end, f"{at}: start after end"
        assert isinstance(segment.get("items"), list), f"{at}.items: not a list"
        for m, sub in enumerate(segment["items"]):
            sub_at = f"{at}.items[{m}]"
            assert sub.get("speaker_label") == label, f"{sub_at}: speaker differs from segment"
            s = _time(sub.get("start_time"), f"{sub_at}.start_time", exact_format)
            e = _time(sub.get("end_time"), f"{sub_at}.end_time", exact_format)
            assert start - EPSILON <= s <= e <= end + EPSILON, f"{sub_at}: outside its segment"
            covered[(round(s, 3), round(e, 3))] += 1
    assert len(found) <= speakers, f"{where}: {len(found)} labels but speakers={speakers}"
    words = Counter(
        (round(float(i["start_time"]), 3), round(float(i["end_time"]), 3))
        for i in items
        if i["type"] == "pronunciation"
    )
    assert covered == words, f"{where}: segment items do not cover exactly the words"


def _check_channel_labels(labels: Any, items: list[dict], exact_format: bool) -> None:
    where = "results.channel_labels"
    assert isinstance(labels, dict), f"{where}: not an object"
    channels = labels.get("channels")
    assert isinstance(channels, list) and channels, f"{where}.channels: empty"
    count = labels.get("number_of_channels")
    assert isinstance(count, int) and count == len(channels), (
        f"{where}.number_of_channels: {count!r} for {len(channels)} channels"
    )
    from_channels: Counter[tuple] = Counter()
    for n, channel in enumerate(channels):
        at = f"{where}.channels[{n}]"
        label = channel.get("channel_label")
        assert isinstance(label, str) and CHANNEL.match(label), f"{at}.channel_label: {label!r}"
        for m, item in enumerate(channel.get("items") or []):
            _check_item(item, f"{at}.items[{m}]", exact_format)
            from_channels[_item_key(item, label)] += 1
    for n, item in enumerate(items):
        assert CHANNEL.match(str(item.get("channel_label"))), (
            f"results.items[{n}]: no channel_label in a channel-identified transcript"
        )
    top = Counter(_item_key(i, i["channel_label"]) for i in items)
    assert top == from_channels, f"{where}: channel items differ from results.items"


def _item_key(item: dict, channel: str) -> tuple:
    return (
        channel,
        item["type"],
        item["alternatives"][0]["content"],
        item.get("start_time") and round(float(item["start_time"]), 3),
        item.get("end_time") and round(float(item["end_time"]), 3),
    )


def _check_segments(segments: Any, exact_format: bool) -> None:
    assert isinstance(segments, list), "results.segments: not a list"
    for n, segment in enumerate(segments):
        at = f"results.segments[{n}]"
        start = _time(segment.get("start_time"), f"{at}.start_time", exact_format)
        end = _time(segment.get("end_time"), f"{at}.end_time", exact_format)
        assert start <= end, f"{at}: start after end"
        alternatives = segment.get("alternatives")
        assert isinstance(alternatives, list) and alternatives, f"{at}.alternatives: empty"
        for m, alt in enumerate(alternatives):
            _check_segment_alternative(alt, f"{at}.alternatives[{m}]", exact_format)


def _check_segment_alternative(alt: Any, at: str, exact_format: bool) -> None:
    assert isinstance(alt.get("transcript"), str), f"{at}.transcript: not a string"
    items = alt.get("items")
    assert isinstance(items, list), f"{at}.items: not a list"
    pairs = []
    for k, item in enumerate(items):
        where = f"{at}.items[{k}]"
        kind = item.get("type")
        assert kind in ("pronunciation", "punctuation"), f"{where}.type: {kind!r}"
        assert isinstance(item.get("content"), str) and item["content"], f"{where}.content"
        if kind == "pronunciation":
            s = _time(item.get("start_time"), f"{where}.start_time", exact_format)
            e = _time(item.get("end_time"), f"{where}.end_time", exact_format)
            assert s <= e, f"{where}: start after end"
            _confidence(item.get("confidence"), f"{where}.confidence", exact_format)
        else:
            assert "start_time" not in item, f"{where}: punctuation carries no times"
        pairs.append((kind, item["content"]))
    assert alt["transcript"] == join_contents(pairs), f"{at}.transcript differs from its items"
