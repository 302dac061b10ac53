"""A redacted copy of a transcript: each PHI entity's words become one tag.

Which items an entity covers is decided from the times, as the service gives no
item indices: a word belongs to an entity when it overlaps the entity's
``startTime``..``endTime`` by more than :data:`OVERLAP_S` (the service's own
example ends the entity at 1.2 s and its word at 0.9989 s, so exact equality
cannot be asked for). The covered run, from its first to its last word with the
punctuation inside it, becomes one pronunciation item whose content is the tag
(``[PHI:PERSONAL]`` for ``PHI-Personal``), spanning the run's times, with the
first word's speaker and channel. When no word overlaps (times from another
tool, a shifted file) the entity's words are searched for by content, nearest
in time; an entity found neither way is refused rather than left in the copy.
Entities name no channel, so with channel identification a span also takes the
other channel's words said at the same time: redacting too much, never too little.

Everything the codec and the renderers derive from the items (the whole text,
``speaker_labels``, ``channel_labels``, text, WebVTT and SRT) is then redacted as
well; n-best ``segments`` have their items redacted the same way (by time only:
a hypothesis elsewhere in time is not about that entity) and their text rebuilt;
the entities keep their category, times and confidence with the tag as content.

With a mapping (:func:`redact_with_mapping`), tags are numbered per category and
distinct content (``[PHI:PERSONAL-1]`` for every "Bertrand"), so that the
mapping can give each tag its original; without one the tags carry no number.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, replace

from medscribe.errors import ValidationError
from medscribe.transcript.model import (
    Entity,
    Item,
    Segment,
    SegmentAlternative,
    Transcript,
    join_items,
)

#: Least overlap (seconds) of a word and an entity for the word to be the entity's.
#: Times are written to the millisecond, and the service's entity and item times
#: disagree at that rounding; 5 ms is well under the shortest spoken word (set by
#: hand, not tuned: the tests hold adjacent words that touch an entity's edge).
OVERLAP_S = 0.005

_WORD = re.compile(r"[\w']+")

#: A function giving each entity (by its index) its tag.
Tagger = Callable[[int, Entity], str]


@dataclass(frozen=True, slots=True)
class Redaction:
    """A redacted transcript and, when asked for, each tag's original content."""

    transcript: Transcript
    mapping: dict[str, str] | None = None


def require_entities(transcript: Transcript) -> list[Entity]:
    """The transcript's entities; one clear error when it was made without PHI identification."""
    if transcript.entities is None:
        raise ValidationError(
            "the transcript has no PHI entities (results.entities): it was made without "
            "PHI identification, so there is nothing to redact by"
        )
    return transcript.entities


def tag_for(category: str, number: int | None = None) -> str:
    """``PHI-Personal`` -> ``[PHI:PERSONAL]`` (``[PHI:PERSONAL-2]`` with a number)."""
    name = re.sub(r"^PHI[-_: ]*", "", category.strip(), flags=re.I)
    name = re.sub(r"[^A-Za-z0-9]+", "_", name).strip("_").upper() or "UNKNOWN"
    return f"[PHI:{name}]" if number is None else f"[PHI:{name}-{number}]"


def redact(transcript: Transcript) -> Transcript:
    """A copy of ``transcript`` with every entity's words replaced by its category's tag.

    The input is not changed. Raises ValidationError when the transcript has no
    entities (identification was off) or an entity matches no word.
    """
    entities = require_entities(transcript)
    return _redacted(transcript, entities, lambda _, e: tag_for(e.category))


def redact_with_mapping(transcript: Transcript) -> Redaction:
    """As :func:`redact`, with numbered tags and the mapping tag -> original content."""
    entities = require_entities(transcript)
    tags, mapping = _numbered_tags(entities)
    return Redaction(_redacted(transcript, entities, lambda i, _: tags[i]), mapping)


def _numbered_tags(entities: list[Entity]) -> tuple[list[str], dict[str, str]]:
    numbers: dict[tuple[str, str], str] = {}
    counts: dict[str, int] = {}
    mapping: dict[str, str] = {}
    tags: list[str] = []
    for entity in entities:
        key = (tag_for(entity.category), " ".join(_words(entity.content)))
        if key not in numbers:
            counts[key[0]] = counts.get(key[0], 0) + 1
            numbers[key] = tag_for(entity.category, counts[key[0]])
            mapping[numbers[key]] = entity.content
        tags.append(numbers[key])
    return tags, mapping


def _redacted(transcript: Transcript, entities: list[Entity], tagger: Tagger) -> Transcript:
    runs = [_run_of(transcript.items, i, e) for i, e in enumerate(entities)]
    items = _replace_runs(transcript.items, runs, [tagger(i, e) for i, e in enumerate(entities)])
    segments = [_redact_segment(s, entities, tagger) for s in transcript.segments]
    redacted_entities = [replace(e, content=tagger(i, e)) for i, e in enumerate(entities)]
    return replace(
        transcript,
        items=items,
        segments=segments,
        entities=redacted_entities,
    )


def _overlaps(item: Item, entity: Entity) -> bool:
    if item.is_punctuation or item.start is None or item.end is None:
        return False
    if item.end <= item.start:  # a zero-length word: inside or not
        return entity.start <= item.start <= entity.end
    overlap = min(item.end, entity.end) - max(item.start, entity.start)
    return overlap > min(OVERLAP_S, (item.end - item.start) / 2)


def _by_time(items: list[Item], entity: Entity) -> tuple[int, int] | None:
    hits = [n for n, item in enumerate(items) if _overlaps(item, entity)]
    return (hits[0], hits[-1]) if hits else None


def _words(text: str) -> list[str]:
    return [w.casefold() for w in _WORD.findall(text)]


def _by_content(items: list[Item], entity: Entity) -> tuple[int, int] | None:
    """The run of words whose text is the entity's, nearest to its start time."""
    wanted = _words(entity.content)
    if not wanted:
        return None
    found: list[tuple[float, int, int]] = []
    for first, item in enumerate(items):
        run = _match_from(items, first, wanted)
        if run is not None:
            found.append((abs((item.start or 0.0) - entity.start), first, run))
    if not found:
        return None
    _, first, last = min(found)
    return first, last


def _match_from(items: list[Item], first: int, wanted: list[str]) -> int | None:
    """The index of the last item when the words from ``first`` on spell ``wanted``."""
    if items[first].is_punctuation:
        return None
    got: list[str] = []
    for n in range(first, len(items)):
        if items[n].is_punctuation:
            continue
        got.extend(_words(items[n].content))
        if got == wanted:
            return n
        if got != wanted[: len(got)]:
            return None
    return None


def _run_of(items: list[Item], index: int, entity: Entity) -> tuple[int, int]:
    run = _by_time(items, entity) or _by_content(items, entity)
    if run is None:
        # No content in the message: it is PHI.
        raise ValidationError(
            f"entity {index + 1} ({entity.category}, {entity.start:.3f}-{entity.end:.3f} s) "
            "matches no word of the transcript by time or by content; nothing was written"
        )
    return run


def _replace_runs(items: list[Item], runs: list[tuple[int, int]], tags: list[str]) -> list[Item]:
    """Items with each run replaced by its tag; runs that overlap are merged (first tag)."""
    merged: list[tuple[int, int, str]] = []
    for (first, last), tag in sorted(zip(runs, tags, strict=True)):
        if merged and first <= merged[-1][1]:
            start, end, kept = merged[-1]
            merged[-1] = (start, max(end, last), kept)
        else:
            merged.append((first, last, tag))
    out: list[Item] = []
    position = 0
    for first, last, tag in merged:
        out.extend(replace(i, alternatives=list(i.alternatives)) for i in items[position:first])
        out.append(_tag_item(items[first : last + 1], tag))
        position = last + 1
    out.extend(replace(i, alternatives=list(i.alternatives)) for i in items[position:])
    return out


def _tag_item(run: list[Item], tag: str) -> Item:
    words = [i for i in run if not i.is_punctuation]
    starts = [i.start for i in words if i.start is not None]
    ends = [i.end for i in words if i.end is not None]
    confidences = [i.confidence for i in words if i.confidence is not None]
    return Item(
        content=tag,
        start=min(starts, default=None),
        end=max(ends, default=None),
        confidence=min(confidences, default=None),
        speaker=words[0].speaker if words else None,
        channel=words[0].channel if words else None,
    )


def _redact_segment(segment: Segment, entities: list[Entity], tagger: Tagger) -> Segment:
    alternatives = []
    for alt in segment.alternatives:
        runs: list[tuple[int, int]] = []
        tags: list[str] = []
        for index, entity in enumerate(entities):
            run = _by_time(alt.items, entity)
            if run is not None:
                runs.append(run)
                tags.append(tagger(index, entity))
        items = _replace_runs(alt.items, runs, tags)
        text = join_items(items) if alt.items else _text_without_items(alt, segment, entities)
        alternatives.append(SegmentAlternative(transcript=text, items=items))
    return replace(segment, alternatives=alternatives)


def _text_without_items(alt: SegmentAlternative, segment: Segment, entities: list[Entity]) -> str:
    """A hypothesis given as text alone cannot be redacted word by word: when it is
    at the time of any entity, none of it is kept."""
    touched = any(e.start < segment.end and e.end > segment.start for e in entities)
    return "[PHI:REDACTED]" if touched else alt.transcript


def entity_words(transcript: Transcript) -> list[list[Item]]:
    """Each entity's words in the transcript (as :func:`redact` finds them), by entity."""
    entities = require_entities(transcript)
    items = transcript.items
    out = []
    for index, entity in enumerate(entities):
        first, last = _run_of(items, index, entity)
        out.append([i for i in items[first : last + 1] if not i.is_punctuation])
    return out
