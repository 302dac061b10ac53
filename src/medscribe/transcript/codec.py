"""Transcribe Medical JSON <-> :class:`~medscribe.transcript.model.Transcript`.

This module owns the wire shape of a batch transcript as the reference documents
show it (batch-medical-*.md, conversation-diarization-batch-med.md,
conversation-channel-id-med.md, alternative-med-transcriptions.md):

* ``jobName``, ``accountId``, ``status`` at the top level;
* ``results.transcripts[0].transcript``, the whole text;
* ``results.items[]`` with ``type`` ``pronunciation`` or ``punctuation``, times and
  confidences as strings ("12.282", "0.9939"), punctuation without times;
* ``results.speaker_labels`` (``speakers``, ``segments[]`` with their ``items[]``);
  medscribe adds ``speaker_labels.speaker_roles`` when roles were asked for
  (:class:`~medscribe.transcript.model.SpeakerRoles`; not a service key, so readers
  of the service's shape pass over it)::

      "speaker_roles": {"status": "ASSIGNED", "confidence": "0.9731",
                        "labels": [{"speaker_label": "CLINICIAN_0", "replaced": "spk_1"},
                                   {"speaker_label": "PATIENT_0", "replaced": "spk_0"}]}

  ``status`` is ASSIGNED, UNSURE, TOO_LITTLE_SPEECH or SPEAKER_COUNT; without
  ASSIGNED the labels stay ``spk_N`` and ``labels`` is empty;
* ``results.channel_labels`` (``channels[]`` with ``channel_label`` and ``items[]``,
  ``number_of_channels``);
* ``results.segments[]`` with n-best ``alternatives[]`` (``transcript``, ``items[]``);
* ``results.entities[]`` (PHI identification: ``content``, ``category``, ``startTime``,
  ``endTime``, ``confidence``; camel case and numbers, as the service writes them).

Parsing is lenient (numbers or strings, missing optional parts, a UTF-8 byte
order mark) because it must read JSON from the service and from other tools, and
it is checked against pydantic models of that shape: a document of any other
shape is one :class:`~medscribe.errors.TranscriptFormatError` that names the JSON
path and what it should be, never Python's exception text. Writing is strict and stable so that both
backends emit the same bytes for the same model.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from pathlib import Path
from typing import Annotated, Any

from pydantic import BaseModel, BeforeValidator, ConfigDict
from pydantic import ValidationError as PydanticValidationError

from medscribe.errors import TranscriptFormatError, ValidationError
from medscribe.transcript.model import (
    Entity,
    Item,
    RoleStatus,
    Segment,
    SegmentAlternative,
    SpeakerRoles,
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


def entity_to_json(entity: Entity) -> JsonDict:
    """One entry of ``results.entities[]``: camel-case keys and plain numbers, as the
    service's PHI output writes them (unlike the items' string times)."""
    out: JsonDict = {
        "content": entity.content,
        "category": entity.category,
        "startTime": round(entity.start, 3),
        "endTime": round(entity.end, 3),
    }
    if entity.confidence is not None:
        out["confidence"] = round(entity.confidence, 4)
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
    if transcript.entities is not None:
        results["entities"] = [entity_to_json(e) for e in transcript.entities]
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
    out: JsonDict = {"speakers": count, "segments": segments}
    if transcript.roles is not None:
        out["speaker_roles"] = _roles_to_json(transcript.roles)
    return out


def _roles_to_json(roles: SpeakerRoles) -> JsonDict:
    out: JsonDict = {"status": roles.status.upper()}
    if roles.confidence is not None:
        out["confidence"] = fmt_confidence(roles.confidence)
    out["labels"] = [
        {"speaker_label": label, "replaced": replaced} for label, replaced in roles.replaced.items()
    ]
    return out


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
#
# The wire shape as pydantic models: lenient where the service's JSON and other
# tools differ (numbers or strings, missing optional parts, extra keys), and any
# document of another shape is refused with the JSON path of the first problem,
# never with Python's exception text.


def _blank_is_none(value: Any) -> Any:
    return None if value == "" else value


_Number = Annotated[float | None, BeforeValidator(_blank_is_none)]
_Count = Annotated[int | None, BeforeValidator(_blank_is_none)]


class _Wire(BaseModel):
    model_config = ConfigDict(extra="ignore", coerce_numbers_to_str=True, frozen=True)


class _WordChoice(_Wire):
    content: str = ""
    confidence: _Number = None


class _Item(_Wire):
    """``results.items[]``, a channel's ``items[]``, or a flat item of ``segments[]``."""

    alternatives: list[_WordChoice] | None = None
    content: str | None = None  # flat items carry content and confidence directly
    confidence: _Number = None
    type: str | None = None
    start_time: _Number = None
    end_time: _Number = None
    speaker_label: str | None = None
    channel_label: str | None = None


class _Channel(_Wire):
    channel_label: str | None = None
    items: list[_Item] | None = None


class _ChannelLabels(_Wire):
    channels: list[_Channel] | None = None
    number_of_channels: _Count = None


class _SpeakerSpan(_Wire):
    start_time: float
    end_time: float
    speaker_label: str | None = None


class _SpeakerSegment(_Wire):
    start_time: float
    end_time: float
    speaker_label: str | None = None
    items: list[_SpeakerSpan] | None = None


class _RoleLabel(_Wire):
    speaker_label: str
    replaced: str | None = None


class _SpeakerRoles(_Wire):
    status: str
    confidence: _Number = None
    labels: list[_RoleLabel] | None = None


class _SpeakerLabels(_Wire):
    speakers: _Count = None
    segments: list[_SpeakerSegment] | None = None
    speaker_roles: _SpeakerRoles | None = None


class _Hypothesis(_Wire):
    transcript: str | None = None
    items: list[_Item] | None = None


class _Segment(_Wire):
    start_time: float = 0.0
    end_time: float = 0.0
    alternatives: list[_Hypothesis] | None = None


class _Text(_Wire):
    transcript: str | None = None


class _Entity(_Wire):
    content: str = ""
    category: str = ""
    startTime: float  # the service's spelling
    endTime: float
    confidence: _Number = None


class _Results(_Wire):
    transcripts: list[_Text] | None = None
    entities: list[_Entity] | None = None
    items: list[_Item] | None = None
    speaker_labels: _SpeakerLabels | None = None
    channel_labels: _ChannelLabels | None = None
    segments: list[_Segment] | None = None


class _Document(_Wire):
    jobName: str | None = None  # the service's spelling
    accountId: str | None = None
    status: str | None = None
    results: _Results


NOT_A_TRANSCRIPT = "not a Transcribe Medical transcript"


def loads(text: str | bytes) -> Transcript:
    """Parse a transcript document; bytes may be UTF-8 (with or without a BOM), -16 or -32."""
    if isinstance(text, str):
        # A byte order mark decoded as text (json.loads refuses it; for bytes it
        # detects the encoding, UTF-8 with a BOM included).
        text = text.removeprefix("\ufeff")
    try:
        data = json.loads(text)
    except json.JSONDecodeError as exc:
        raise TranscriptFormatError(
            f"not a JSON document: {exc.msg} at line {exc.lineno}"
        ) from None
    except UnicodeDecodeError as exc:
        raise TranscriptFormatError(
            f"not UTF-8 text (byte 0x{exc.object[exc.start]:02x} at offset {exc.start})"
        ) from None
    return from_json(data)


def load(path: str | Path) -> Transcript:
    p = Path(path)
    try:
        data = p.read_bytes()
    except FileNotFoundError:
        raise TranscriptFormatError(f"{p}: no such file", path=p) from None
    except IsADirectoryError:
        raise TranscriptFormatError(f"{p}: is a directory, not a transcript file", path=p) from None
    except OSError as exc:
        message = f"{p}: cannot read: {exc.strerror or type(exc).__name__}"
        raise TranscriptFormatError(message, path=p) from None
    try:
        return loads(data)
    except ValidationError as exc:
        raise TranscriptFormatError(f"{p}: {exc.message}", path=p) from None


def from_json(data: Any) -> Transcript:
    """Parse a Transcribe (Medical) transcript document into the model."""
    doc = _validate(data)
    results = doc.results
    channel_labels = results.channel_labels
    channels: int | None = None
    if channel_labels is not None and channel_labels.channels:
        items = _items_from_channels(channel_labels.channels)
        channels = channel_labels.number_of_channels or len(channel_labels.channels)
    else:
        items = [_to_item(raw) for raw in results.items or []]
    speakers = None
    roles = None
    if results.speaker_labels is not None:
        _assign_speakers(items, results.speaker_labels.segments or [])
        speakers = results.speaker_labels.speakers
        roles = _to_roles(results.speaker_labels.speaker_roles)
    return Transcript(
        items=items,
        job_name=doc.jobName or "",
        account_id=doc.accountId or "",
        status=doc.status or "COMPLETED",
        speakers=speakers,
        channels=channels,
        segments=[_to_segment(s) for s in results.segments or []],
        roles=roles,
        entities=None if results.entities is None else [_to_entity(e) for e in results.entities],
    )


def _to_entity(raw: _Entity) -> Entity:
    return Entity(
        content=raw.content,
        category=raw.category,
        start=raw.startTime,
        end=raw.endTime,
        confidence=raw.confidence,
    )


_ROLE_STATUSES: dict[str, RoleStatus] = {
    "ASSIGNED": "assigned",
    "UNSURE": "unsure",
    "TOO_LITTLE_SPEECH": "too_little_speech",
    "SPEAKER_COUNT": "speaker_count",
}


def _to_roles(raw: _SpeakerRoles | None) -> SpeakerRoles | None:
    """medscribe's own key; an unknown status is passed over, as an unknown key is."""
    if raw is None or raw.status.upper() not in _ROLE_STATUSES:
        return None
    return SpeakerRoles(
        status=_ROLE_STATUSES[raw.status.upper()],
        confidence=raw.confidence,
        replaced={label.speaker_label: label.replaced or "" for label in raw.labels or []},
    )


def _validate(data: Any) -> _Document:
    if not isinstance(data, dict):
        kind = "list" if isinstance(data, list) else type(data).__name__
        raise TranscriptFormatError(f"{NOT_A_TRANSCRIPT}: a JSON {_json_kind(kind)}, not an object")
    results = data.get("results")
    if not isinstance(results, dict):
        raise TranscriptFormatError(f"{NOT_A_TRANSCRIPT}: no 'results' object")
    if not {"items", "transcripts", "channel_labels"} & results.keys():
        raise TranscriptFormatError(f"{NOT_A_TRANSCRIPT}: 'results' has no 'items'")
    try:
        return _Document.model_validate(data)
    except PydanticValidationError as exc:
        errors = exc.errors()
        more = f" (and {len(errors) - 1} more)" if len(errors) > 1 else ""
        raise TranscriptFormatError(
            f"{NOT_A_TRANSCRIPT}: {_shape_problem(errors[0])}{more}"
        ) from None


def _json_kind(python_type: str) -> str:
    return {"str": "string", "int": "number", "float": "number", "bool": "boolean"}.get(
        python_type, "null" if python_type == "NoneType" else python_type
    )


#: pydantic error types -> what the document should have had there (no class names).
_EXPECTED = {
    "model_type": "should be an object",
    "dict_type": "should be an object",
    "list_type": "should be a list",
    "string_type": "should be a string",
    "float_type": "should be a number",
    "float_parsing": "should be a number",
    "int_type": "should be a whole number",
    "int_parsing": "should be a whole number",
    "int_from_float": "should be a whole number",
    "missing": "is missing",
}


def _shape_problem(error: Any) -> str:
    """``results.items[3].start_time should be a number``: where, and what was expected."""
    path = ""
    for part in error["loc"]:
        path += f"[{part}]" if isinstance(part, int) else (f".{part}" if path else str(part))
    message = str(error["msg"])
    expected = _EXPECTED.get(error["type"], message[:1].lower() + message[1:])
    return f"{path} {expected}"


def _to_item(raw: _Item, channel: str | None = None) -> Item:
    if raw.alternatives:
        first, others = raw.alternatives[0], raw.alternatives[1:]
    else:
        first, others = _WordChoice(content=raw.content or "", confidence=raw.confidence), []
    punctuation = raw.type == "punctuation"
    return Item(
        content=first.content,
        type="punctuation" if punctuation else "pronunciation",
        start=None if punctuation else raw.start_time,
        end=None if punctuation else raw.end_time,
        confidence=first.confidence,
        speaker=raw.speaker_label,
        channel=raw.channel_label or channel,
        alternatives=[WordAlternative(a.content, a.confidence) for a in others],
    )


def _items_from_channels(channels: Iterable[_Channel]) -> list[Item]:
    """Merge per-channel item lists into one list in time order.

    A punctuation mark travels with the word before it, so each channel is cut
    into word groups first and the groups are merged by start time.
    """
    groups: list[tuple[float, int, list[Item]]] = []
    order = 0
    for channel in channels:
        label = channel.channel_label
        for raw in channel.items or []:
            item = _to_item(raw, channel=label)
            item.channel = label
            if item.is_punctuation and groups and groups[-1][2][0].channel == label:
                groups[-1][2].append(item)
                continue
            groups.append((item.start if item.start is not None else 0.0, order, [item]))
            order += 1
    groups.sort(key=lambda g: (g[0], g[1]))
    return [item for _, _, group in groups for item in group]


def _assign_speakers(items: list[Item], segments: list[_SpeakerSegment]) -> None:
    """Give each item the speaker of ``speaker_labels``; punctuation follows its word."""
    by_time: dict[tuple[str, str], str | None] = {}
    spans: list[tuple[float, float, str | None]] = []
    for segment in segments:
        label = segment.speaker_label
        spans.append((segment.start_time, segment.end_time, label))
        for sub in segment.items or []:
            key = (fmt_time(sub.start_time), fmt_time(sub.end_time))
            by_time[key] = sub.speaker_label or label
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


def _to_segment(raw: _Segment) -> Segment:
    alternatives = []
    for alt in raw.alternatives or []:
        items = [_to_item(i) for i in alt.items or []]
        text = alt.transcript
        alternatives.append(
            SegmentAlternative(
                transcript=text if text is not None else join_items(items), items=items
            )
        )
    return Segment(start=raw.start_time, end=raw.end_time, alternatives=alternatives)
