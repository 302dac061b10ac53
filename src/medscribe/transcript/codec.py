"""Transcribe Medical JSON <-> :class:`~medscribe.transcript.model.Transcript`.

This module owns the wire shape of a batch transcript as the reference documents
show it (batch-medical-*.md, conversation-diarization-batch-med.md,
conversation-channel-id-med.md, alternative-med-transcriptions.md):

* ``jobName``, ``accountId``, ``status`` at the top level;
* ``results.transcripts[0].transcript``, the whole text;
* ``results.items[]`` with ``type`` ``pronunciation`` or ``punctuation``, times and
  confidences as strings ("12.282", "0.9939"), punctuation without times;
* ``results.speaker_labels`` (``speakers``, ``segments[]`` with their ``items[]``);
* ``results.channel_labels`` (``channels[]`` with ``channel_label`` and ``items[]``,
  ``number_of_channels``);
* ``results.segments[]`` with n-best ``alternatives[]`` (``transcript``, ``items[]``).

Parsing is lenient (numbers or strings, missing optional parts) because it must
read JSON from the service and from other tools; writing is strict and stable so
that both backends emit the same bytes for the same model.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from pathlib import Path
from typing import Any

from medscribe.errors import ValidationError
from medscribe.transcript.model import (
    Item,
    Segment,
    SegmentAlternative,
    Transcript,
    WordAlternative,
    join_items,
)

JsonDict = dict[str, Any]


# --------------------------------------------------------------------------- writing


def fmt_time(seconds: float) -> str:
    """Seconds as the service writes them: a string with three decimals."""
    return f"{seconds:.3f}"


def fmt_confidence(confidence: float) -> str:
    """A confidence as the service writes it: a string with four decimals."""
    return f"{confidence:.4f}"


def item_to_json(item: Item, *, with_speaker: bool, with_channel: bool) -> JsonDict:
    """One entry of ``results.items[]`` (or of a channel's ``items[]``)."""
    out: JsonDict = {}
    if not item.is_punctuation and item.start is not None and item.end is not None:
        out["start_time"] = fmt_time(item.start)
        out["end_time"] = fmt_time(item.end)
    first: JsonDict = {"content": item.content}
    if item.confidence is not None and not item.is_punctuation:
        first = {"confidence": fmt_confidence(item.confidence), "content": item.content}
    alternatives = [first]
    for alt in item.alternatives:
        entry: JsonDict = {"content": alt.content}
        if alt.confidence is not None:
            entry = {"confidence": fmt_confidence(alt.confidence), "content": alt.content}
        alternatives.append(entry)
    out["alternatives"] = alternatives
    out["type"] = item.type
    if with_speaker and item.speaker is not None:
        out["speaker_label"] = item.speaker
    if with_channel and item.channel is not None:
        out["channel_label"] = item.channel
    return out


def to_json(transcript: Transcript) -> JsonDict:
    """The Transcribe Medical JSON document for ``transcript``."""
    with_speaker = transcript.has_speakers
    with_channel = transcript.has_channels
    results: JsonDict = {"transcripts": [{"transcript": transcript.text}]}
    if with_speaker:
        results["speaker_labels"] = _speaker_labels(transcript)
    if with_channel:
        results["channel_labels"] = _channel_labels(transcript)
    results["items"] = [
        item_to_json(i, with_speaker=with_speaker, with_channel=with_channel)
        for i in transcript.items
    ]
    if transcript.segments:
        results["segments"] = [_segment_to_json(s) for s in transcript.segments]
    return {
        "jobName": transcript.job_name,
        "accountId": transcript.account_id,
        "results": results,
        "status": transcript.status,
    }


def dumps(transcript: Transcript, *, indent: int | None = 2) -> str:
    return json.dumps(to_json(transcript), indent=indent, ensure_ascii=False)


def _speaker_labels(transcript: Transcript) -> JsonDict:
    segments = []
    for turn in transcript.turns():
        words = [i for i in turn.items if not i.is_punctuation and i.start is not None]
        if not words or turn.label is None:
            continue
        segments.append(
            {
                "start_time": fmt_time(turn.start),
                "speaker_label": turn.label,
                "end_time": fmt_time(turn.end),
                "items": [
                    {
                        "start_time": fmt_time(w.start or 0.0),
                        "speaker_label": turn.label,
                        "end_time": fmt_time(w.end or 0.0),
                    }
                    for w in words
                ],
            }
        )
    labels = {i.speaker for i in transcript.items if i.speaker}
    count = transcript.speakers if transcript.speakers is not None else len(labels)
    return {"speakers": count, "segments": segments}


def _channel_labels(transcript: Transcript) -> JsonDict:
    labels = sorted({i.channel for i in transcript.items if i.channel}, key=_label_index)
    if transcript.channels is not None:
        labels = [f"ch_{n}" for n in range(transcript.channels)] or labels
    channels = [
        {
            "channel_label": label,
            "items": [
                item_to_json(i, with_speaker=False, with_channel=True)
                for i in transcript.items
                if i.channel == label
            ],
        }
        for label in labels
    ]
    return {"channels": channels, "number_of_channels": len(labels)}


def _segment_to_json(segment: Segment) -> JsonDict:
    return {
        "start_time": fmt_time(segment.start),
        "end_time": fmt_time(segment.end),
        "alternatives": [
            {
                "transcript": alt.transcript,
                "items": [_flat_item(i) for i in alt.items],
            }
            for alt in segment.alternatives
        ],
    }


def _flat_item(item: Item) -> JsonDict:
    """Items inside ``segments[].alternatives[]`` carry content and confidence directly."""
    out: JsonDict = {}
    if not item.is_punctuation and item.start is not None and item.end is not None:
        out["start_time"] = fmt_time(item.start)
        out["end_time"] = fmt_time(item.end)
    if item.confidence is not None and not item.is_punctuation:
        out["confidence"] = fmt_confidence(item.confidence)
    out["content"] = item.content
    out["type"] = item.type
    return out


def _label_index(label: str) -> tuple[int, str]:
    _, _, number = label.rpartition("_")
    return (int(number), label) if number.isdigit() else (1 << 30, label)


# --------------------------------------------------------------------------- reading


def loads(text: str) -> Transcript:
    try:
        data = json.loads(text)
    except json.JSONDecodeError as exc:
        raise ValidationError(f"not a JSON document: {exc.msg} at line {exc.lineno}") from None
    return from_json(data)


def load(path: str | Path) -> Transcript:
    p = Path(path)
    try:
        text = p.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise ValidationError(f"{p}: no such file") from None
    except (OSError, UnicodeDecodeError) as exc:
        raise ValidationError(f"{p}: cannot read: {exc}") from None
    try:
        return loads(text)
    except ValidationError as exc:
        raise ValidationError(f"{p}: {exc.message}") from None


def from_json(data: Any) -> Transcript:
    """Parse a Transcribe (Medical) transcript document into the model."""
    if not isinstance(data, dict) or not isinstance(data.get("results"), dict):
        raise ValidationError("not a Transcribe Medical transcript: no 'results' object")
    results = data["results"]
    try:
        channel_labels = results.get("channel_labels")
        if channel_labels and channel_labels.get("channels"):
            items = _items_from_channels(channel_labels["channels"])
            channels = _int_or_none(channel_labels.get("number_of_channels"))
            channels = channels or len(channel_labels["channels"])
        else:
            items = [_parse_item(raw) for raw in results.get("items") or []]
            channels = None
        speaker_labels = results.get("speaker_labels")
        speakers = None
        if speaker_labels:
            _assign_speakers(items, speaker_labels.get("segments") or [])
            speakers = _int_or_none(speaker_labels.get("speakers"))
        segments = [_parse_segment(s) for s in results.get("segments") or []]
    except (KeyError, TypeError, ValueError, AttributeError) as exc:
        raise ValidationError(f"malformed transcript JSON: {type(exc).__name__}: {exc}") from None
    return Transcript(
        items=items,
        job_name=str(data.get("jobName", "")),
        account_id=str(data.get("accountId", "")),
        status=str(data.get("status", "COMPLETED")),
        speakers=speakers,
        channels=channels,
        segments=segments,
    )


def _float_or_none(value: Any) -> float | None:
    if value is None or value == "":
        return None
    return float(value)


def _int_or_none(value: Any) -> int | None:
    if value is None or value == "":
        return None
    return int(value)


def _parse_item(raw: JsonDict, channel: str | None = None) -> Item:
    alternatives = raw.get("alternatives") or [{"content": raw.get("content", "")}]
    first = alternatives[0]
    kind = raw.get("type", "pronunciation")
    return Item(
        content=str(first.get("content", "")),
        type="punctuation" if kind == "punctuation" else "pronunciation",
        start=None if kind == "punctuation" else _float_or_none(raw.get("start_time")),
        end=None if kind == "punctuation" else _float_or_none(raw.get("end_time")),
        confidence=_float_or_none(first.get("confidence")),
        speaker=raw.get("speaker_label"),
        channel=raw.get("channel_label", channel),
        alternatives=[
            WordAlternative(str(a.get("content", "")), _float_or_none(a.get("confidence")))
            for a in alternatives[1:]
        ],
    )


def _items_from_channels(channels: Iterable[JsonDict]) -> list[Item]:
    """Merge per-channel item lists into one list in time order.

    A punctuation mark travels with the word before it, so each channel is cut
    into word groups first and the groups are merged by start time.
    """
    groups: list[tuple[float, int, list[Item]]] = []
    order = 0
    for channel in channels:
        label = channel.get("channel_label")
        for raw in channel.get("items") or []:
            item = _parse_item(raw, channel=label)
            item.channel = label
            if item.is_punctuation and groups and groups[-1][2][0].channel == label:
                groups[-1][2].append(item)
                continue
            groups.append((item.start if item.start is not None else 0.0, order, [item]))
            order += 1
    groups.sort(key=lambda g: (g[0], g[1]))
    return [item for _, _, group in groups for item in group]


def _assign_speakers(items: list[Item], segments: list[JsonDict]) -> None:
    """Give each item the speaker of ``speaker_labels``; punctuation follows its word."""
    by_time: dict[tuple[str, str], str] = {}
    spans: list[tuple[float, float, str]] = []
    for segment in segments:
        label = segment.get("speaker_label")
        spans.append((float(segment["start_time"]), float(segment["end_time"]), label))
        for sub in segment.get("items") or []:
            key = (fmt_time(float(sub["start_time"])), fmt_time(float(sub["end_time"])))
            by_time[key] = sub.get("speaker_label", label)
    previous: str | None = None
    for item in items:
        if item.is_punctuation:
            item.speaker = item.speaker or previous
            continue
        if item.speaker is None and item.start is not None and item.end is not None:
            item.speaker = by_time.get((fmt_time(item.start), fmt_time(item.end)))
            if item.speaker is None:
                middle = (item.start + item.end) / 2
                item.speaker = next((lab for s, e, lab in spans if s <= middle <= e), previous)
        previous = item.speaker


def _parse_segment(raw: JsonDict) -> Segment:
    alternatives = []
    for alt in raw.get("alternatives") or []:
        items = [_parse_flat_item(i) for i in alt.get("items") or []]
        text = alt.get("transcript")
        alternatives.append(
            SegmentAlternative(
                transcript=text if text is not None else join_items(items), items=items
            )
        )
    return Segment(
        start=float(raw.get("start_time", 0.0)),
        end=float(raw.get("end_time", 0.0)),
        alternatives=alternatives,
    )


def _parse_flat_item(raw: JsonDict) -> Item:
    if "alternatives" in raw:
        return _parse_item(raw)
    kind = raw.get("type", "pronunciation")
    return Item(
        content=str(raw.get("content", "")),
        type="punctuation" if kind == "punctuation" else "pronunciation",
        start=None if kind == "punctuation" else _float_or_none(raw.get("start_time")),
        end=None if kind == "punctuation" else _float_or_none(raw.get("end_time")),
        confidence=_float_or_none(raw.get("confidence")),
    )
