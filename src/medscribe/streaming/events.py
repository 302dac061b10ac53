"""The TranscriptEvent shape that both streaming backends produce.

This module owns the wire shape of a streaming result as the service documents it
(streaming-partial-results.md, conversation-diarization-streaming-med.md,
conversation-channel-id-med.md)::

    {"Transcript": {"Results": [{"ResultId", "StartTime", "EndTime", "IsPartial",
        "ChannelId", "Alternatives": [{"Transcript", "Items": [{"StartTime",
        "EndTime", "Type", "Content", "Confidence", "Speaker", "Stable"}],
        "Entities": [{"StartTime", "EndTime", "Category", "Content",
        "Confidence"}]}]}]}}

``Entities`` are the PHI spans of a result (``content-identification-type=PHI``;
phi-id-stream.md, and MedicalAlternative/MedicalEntity of the streaming API
reference): present only when identification was asked for, in the same time
unit as the items (seconds), with the service's category (``PHI``) kept verbatim.

The AWS client parses it from the service; the offline engine builds it from
:class:`~medscribe.transcript.model.Item` lists, so the display and the session
code read one shape. Parsing is lenient about key case because the service's own
examples use both ``IsPartial`` and ``isPartial``.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from medscribe.transcript.model import Entity, Item, join_items

JsonDict = dict[str, Any]


@dataclass(slots=True)
class ResultItem:
    """One word, punctuation mark or speaker change of a streaming result."""

    content: str
    type: str = "pronunciation"  # pronunciation | punctuation | speaker-change
    start: float = 0.0
    end: float = 0.0
    confidence: float | None = None
    #: The service's label ("0", "1"...); finals only, and only with speaker labels.
    speaker: str | None = None
    #: Partial-result stabilization: True when the item will not change any more.
    stable: bool | None = None

    def to_json(self) -> JsonDict:
        out: JsonDict = {"StartTime": self.start, "EndTime": self.end, "Type": self.type}
        if self.type != "speaker-change":
            out["Content"] = self.content
        if self.confidence is not None:
            out["Confidence"] = self.confidence
        if self.speaker is not None:
            out["Speaker"] = self.speaker
        if self.stable is not None:
            out["Stable"] = self.stable
        return out

    @classmethod
    def from_json(cls, raw: JsonDict) -> ResultItem:
        speaker = _get(raw, "Speaker")
        stable = _get(raw, "Stable")
        confidence = _get(raw, "Confidence")
        return cls(
            content=str(_get(raw, "Content") or ""),
            type=str(_get(raw, "Type") or "pronunciation"),
            start=float(_get(raw, "StartTime") or 0.0),
            end=float(_get(raw, "EndTime") or 0.0),
            confidence=None if confidence is None else float(confidence),
            speaker=None if speaker is None else str(speaker),
            stable=None if stable is None else bool(stable),
        )


@dataclass(slots=True)
class ResultAlternative:
    transcript: str
    items: list[ResultItem] = field(default_factory=list)
    #: PHI spans; None when the result carries no ``Entities`` (identification off).
    entities: list[Entity] | None = None


def entity_from_json(raw: JsonDict) -> Entity:
    """One ``Entities[]`` entry of a streaming result (MedicalEntity)."""
    confidence = _get(raw, "Confidence")
    return Entity(
        content=str(_get(raw, "Content") or ""),
        category=str(_get(raw, "Category") or ""),
        start=float(_get(raw, "StartTime") or 0.0),
        end=float(_get(raw, "EndTime") or 0.0),
        confidence=None if confidence is None else float(confidence),
    )


def entity_to_json(entity: Entity) -> JsonDict:
    out: JsonDict = {
        "Category": entity.category,
        "Content": entity.content,
        "EndTime": entity.end,
        "StartTime": entity.start,
    }
    if entity.confidence is not None:
        out["Confidence"] = entity.confidence
    return out


@dataclass(slots=True)
class Result:
    """One result: a partial or final hypothesis of one speech segment."""

    result_id: str
    start: float
    end: float
    is_partial: bool
    alternatives: list[ResultAlternative] = field(default_factory=list)
    channel_id: str | None = None

    @property
    def transcript(self) -> str:
        return self.alternatives[0].transcript if self.alternatives else ""

    def to_json(self) -> JsonDict:
        out: JsonDict = {
            "Alternatives": [_alternative_to_json(alt) for alt in self.alternatives],
            "EndTime": self.end,
            "IsPartial": self.is_partial,
            "ResultId": self.result_id,
            "StartTime": self.start,
        }
        if self.channel_id is not None:
            out["ChannelId"] = self.channel_id
        return out

    @classmethod
    def from_json(cls, raw: JsonDict) -> Result:
        alternatives = []
        for alt in _get(raw, "Alternatives") or []:
            items = [ResultItem.from_json(i) for i in _get(alt, "Items") or []]
            raw_entities = _get(alt, "Entities")
            entities = None if raw_entities is None else [entity_from_json(e) for e in raw_entities]
            alternatives.append(
                ResultAlternative(str(_get(alt, "Transcript") or ""), items, entities)
            )
        channel = _get(raw, "ChannelId")
        return cls(
            result_id=str(_get(raw, "ResultId") or ""),
            start=float(_get(raw, "StartTime") or 0.0),
            end=float(_get(raw, "EndTime") or 0.0),
            is_partial=bool(_get(raw, "IsPartial")),
            alternatives=alternatives,
            channel_id=None if channel is None else str(channel),
        )

    def to_entities(self) -> list[Entity]:
        """The best alternative's PHI spans (none when it carries no ``Entities``)."""
        if not self.alternatives:
            return []
        return list(self.alternatives[0].entities or [])

    def to_items(self) -> list[Item]:
        """The best alternative as model items (``spk_N`` speakers, ``ch_N`` channel)."""
        if not self.alternatives:
            return []
        out: list[Item] = []
        for raw in self.alternatives[0].items:
            if raw.type not in ("pronunciation", "punctuation"):
                continue  # speaker-change markers carry no text
            punct = raw.type == "punctuation"
            out.append(
                Item(
                    content=raw.content,
                    type="punctuation" if punct else "pronunciation",
                    start=None if punct else raw.start,
                    end=None if punct else raw.end,
                    confidence=None if punct else raw.confidence,
                    speaker=speaker_label(raw.speaker),
                    channel=self.channel_id,
                )
            )
        _punctuation_follows_speaker(out)
        return out

    @classmethod
    def from_items(
        cls,
        items: list[Item],
        *,
        result_id: str,
        is_partial: bool,
        channel_id: str | None = None,
        stable: int | None = None,
        start: float | None = None,
        end: float | None = None,
    ) -> Result:
        """Build a result from model items; the first ``stable`` items are marked Stable."""
        starts = [i.start for i in items if i.start is not None]
        ends = [i.end for i in items if i.end is not None]
        raw_items = []
        last_end = start or 0.0
        for n, item in enumerate(items):
            # The service gives punctuation the end time of the word before it.
            t0 = item.start if item.start is not None else last_end
            t1 = item.end if item.end is not None else last_end
            last_end = t1
            raw_items.append(
                ResultItem(
                    content=item.content,
                    type=item.type,
                    start=round(t0, 3),
                    end=round(t1, 3),
                    confidence=None if item.is_punctuation else item.confidence,
                    speaker=_service_speaker(item.speaker) if not is_partial else None,
                    stable=None if stable is None else n < stable,
                )
            )
        return cls(
            result_id=result_id,
            start=round(start if start is not None else min(starts, default=0.0), 3),
            end=round(end if end is not None else max(ends, default=0.0), 3),
            is_partial=is_partial,
            alternatives=[ResultAlternative(join_items(items), raw_items)],
            channel_id=channel_id,
        )


@dataclass(slots=True)
class TranscriptEvent:
    """One TranscriptEvent message: one or more results."""

    results: list[Result] = field(default_factory=list)
    #: time.monotonic() when the event reached us; not part of the wire shape.
    received: float = 0.0

    def to_json(self) -> JsonDict:
        return {"Transcript": {"Results": [r.to_json() for r in self.results]}}

    @classmethod
    def from_json(cls, raw: JsonDict, *, received: float = 0.0) -> TranscriptEvent:
        transcript = _get(raw, "Transcript") or {}
        results = [Result.from_json(r) for r in _get(transcript, "Results") or []]
        return cls(results=results, received=received)


def _alternative_to_json(alt: ResultAlternative) -> JsonDict:
    out: JsonDict = {"Items": [i.to_json() for i in alt.items], "Transcript": alt.transcript}
    if alt.entities is not None:
        out["Entities"] = [entity_to_json(e) for e in alt.entities]
    return out


def speaker_label(value: str | None) -> str | None:
    """The service's ``"0"`` as the model's ``"spk_0"``."""
    if value is None or value == "":
        return None
    return value if value.startswith("spk_") else f"spk_{value}"


def _service_speaker(label: str | None) -> str | None:
    if label is None:
        return None
    return label.removeprefix("spk_")


def _punctuation_follows_speaker(items: list[Item]) -> None:
    # The service labels words only; punctuation belongs to the word before it.
    previous: str | None = None
    for item in items:
        if item.is_punctuation and item.speaker is None:
            item.speaker = previous
        previous = item.speaker


def _get(raw: JsonDict, key: str) -> Any:
    """``raw[key]``, also under the camelCase spelling some service examples use."""
    if key in raw:
        return raw[key]
    return raw.get(key[0].lower() + key[1:])
