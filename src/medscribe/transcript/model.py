"""The one internal transcript model that both backends produce and every renderer reads.

It is a plain data model in the spirit of faster-whisper's ``Segment``/``Word``:
dataclasses with floats, no behaviour beyond small derived views. The AWS backend
fills it by parsing the service's JSON (:mod:`medscribe.transcript.codec`); the
offline engine builds it directly; every output format (Transcribe Medical JSON,
Rich, text, WebVTT, SRT) renders it.

Conventions

* Times are seconds as floats; punctuation items have no times (``None``).
* ``speaker`` is a service label such as ``"spk_0"``; ``channel`` is ``"ch_0"``.
  Either may be ``None`` when the transcript was made without that option. With
  speaker roles (:mod:`medscribe.roles`) the two speakers of a visit are
  ``"CLINICIAN_0"`` and ``"PATIENT_0"``, as AWS HealthScribe names participants, and
  :attr:`Transcript.roles` says how sure that is.
* ``Item.alternatives`` are the *other* word candidates beyond ``content``
  (the service usually gives none). Whole-segment n-best hypotheses live in
  :class:`Segment` (``results.segments[]`` in the JSON).
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from typing import Literal

ItemType = Literal["pronunciation", "punctuation"]
#: What became of a request for speaker roles (see :class:`SpeakerRoles`).
RoleStatus = Literal["assigned", "unsure", "too_little_speech", "speaker_count"]
#: What labels a turn: the items' speaker labels or their channel labels.
LabelKind = Literal["speaker", "channel"]


@dataclass(slots=True)
class WordAlternative:
    """Another candidate for one item, as in ``items[].alternatives[1:]``."""

    content: str
    confidence: float | None = None


@dataclass(slots=True)
class Item:
    """One recognised word or punctuation mark."""

    content: str
    type: ItemType = "pronunciation"
    start: float | None = None
    end: float | None = None
    confidence: float | None = None
    speaker: str | None = None
    channel: str | None = None
    alternatives: list[WordAlternative] = field(default_factory=list)

    @property
    def is_punctuation(self) -> bool:
        return self.type == "punctuation"


@dataclass(slots=True)
class SegmentAlternative:
    """One complete hypothesis of a segment: its text and its items."""

    transcript: str
    items: list[Item] = field(default_factory=list)


@dataclass(slots=True)
class Segment:
    """A stretch of audio with its n-best hypotheses, best first (``results.segments[]``)."""

    start: float
    end: float
    alternatives: list[SegmentAlternative] = field(default_factory=list)


@dataclass(slots=True)
class Turn:
    """Consecutive items of one speaker (or channel): what renderers show as a line or cue."""

    label: str | None
    start: float
    end: float
    items: list[Item]

    @property
    def text(self) -> str:
        return join_items(self.items)


@dataclass(slots=True)
class SpeakerRoles:
    """Who is the clinician and who the patient, decided from what each speaker said.

    ``status`` is ``assigned`` (the items' labels are ``CLINICIAN_0`` and
    ``PATIENT_0``), else the reason the partitioning's labels were kept:
    ``unsure`` (confidence below the model's threshold), ``too_little_speech``
    (a speaker said too few words to tell), ``speaker_count`` (not two speakers).
    ``confidence`` is the probability that the likelier mapping is right (None
    when none was computed); ``replaced`` maps each role label to the label it
    replaced (``{"CLINICIAN_0": "spk_1", "PATIENT_0": "spk_0"}``), empty unless
    assigned.
    """

    status: RoleStatus
    confidence: float | None = None
    replaced: dict[str, str] = field(default_factory=dict)

    @property
    def assigned(self) -> bool:
        return self.status == "assigned"


@dataclass(slots=True)
class Entity:
    """One span of personal health information, as ``results.entities[]`` lists it.

    ``category`` is the service's string (the PHI group, e.g. ``PHI-Personal``);
    ``content`` is the words of the span as transcribed; times are seconds.
    """

    content: str
    category: str
    start: float
    end: float
    confidence: float | None = None


@dataclass(slots=True)
class Transcript:
    """A whole transcript with the job metadata that the service's JSON carries."""

    items: list[Item] = field(default_factory=list)
    job_name: str = ""
    account_id: str = ""
    #: The document's status as written (the service writes COMPLETED; kept verbatim).
    status: str = "COMPLETED"
    #: Number of speakers found when speaker partitioning was on, else ``None``.
    speakers: int | None = None
    #: Number of channels when channel identification was on, else ``None``.
    channels: int | None = None
    segments: list[Segment] = field(default_factory=list)
    #: Speaker roles when they were asked for (``--speaker-roles``), else ``None``.
    roles: SpeakerRoles | None = None
    #: PHI spans when identification was on (``[]``: on, nothing found), else ``None``.
    entities: list[Entity] | None = None

    @property
    def text(self) -> str:
        """The whole transcript as one string, in time order."""
        return join_items(self.items)

    @property
    def words(self) -> list[Item]:
        return [i for i in self.items if not i.is_punctuation]

    @property
    def duration(self) -> float:
        ends = [i.end for i in self.items if i.end is not None]
        return max(ends, default=0.0)

    @property
    def has_speakers(self) -> bool:
        return self.speakers is not None or any(i.speaker for i in self.items)

    @property
    def has_channels(self) -> bool:
        return self.channels is not None or any(i.channel for i in self.items)

    def turns(self, *, max_gap: float | None = None) -> list[Turn]:
        """Group items into turns by speaker, else by channel, else by pauses.

        ``max_gap`` also splits a turn where the silence between two words is
        longer than that many seconds (subtitles want short cues; text does not).
        """
        by: LabelKind | None = (
            "speaker" if self.has_speakers else "channel" if self.has_channels else None
        )
        return list(_group_turns(self.items, by, max_gap))


#: Punctuation that opens: a space before it, none after (dictated "open parenthesis").
OPENING_MARKS = frozenset({"(", "[", "{"})


def join_items(items: Iterable[Item]) -> str:
    """Join items into text: words separated by spaces, punctuation attached to the left.

    Opening marks attach to the word after them, and nothing is put after a
    layout mark ("\\n" new line, "\\n\\n" new paragraph, from dictation).
    """
    parts: list[str] = []
    glue = True  # no space before the next item: start, or after "(" or a line break
    for item in items:
        opening = item.is_punctuation and item.content in OPENING_MARKS
        if not glue and (not item.is_punctuation or opening):
            parts.append(" ")
        parts.append(item.content)
        glue = opening or item.content.endswith("\n")
    return "".join(parts).strip()


def _label(item: Item, by: LabelKind | None) -> str | None:
    if by == "speaker":
        return item.speaker
    return item.channel if by == "channel" else None


def _group_turns(items: list[Item], by: LabelKind | None, max_gap: float | None) -> Iterator[Turn]:
    current: list[Item] = []
    label: str | None = None
    last_end: float | None = None
    for item in items:
        item_label = _label(item, by)
        if not item.is_punctuation and current:
            gap = (item.start - last_end) if item.start is not None and last_end is not None else 0
            if item_label != label or (max_gap is not None and gap > max_gap):
                yield _turn(label, current)
                current = []
        if not current:
            label = item_label if not item.is_punctuation else label
        current.append(item)
        if item.end is not None:
            last_end = item.end
    if current:
        yield _turn(label, current)


def _turn(label: str | None, items: list[Item]) -> Turn:
    starts = [i.start for i in items if i.start is not None]
    ends = [i.end for i in items if i.end is not None]
    return Turn(
        label=label, start=min(starts, default=0.0), end=max(ends, default=0.0), items=items
    )
