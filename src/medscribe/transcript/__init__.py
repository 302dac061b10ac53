"""The internal transcript model and its Transcribe Medical JSON codec."""

from medscribe.transcript.codec import dumps, from_json, load, loads, to_json
from medscribe.transcript.model import (
    Entity,
    Item,
    Segment,
    SegmentAlternative,
    SpeakerRoles,
    Transcript,
    Turn,
    WordAlternative,
    join_items,
)

__all__ = [
    "Entity",
    "Item",
    "Segment",
    "SegmentAlternative",
    "SpeakerRoles",
    "Transcript",
    "Turn",
    "WordAlternative",
    "dumps",
    "from_json",
    "join_items",
    "load",
    "loads",
    "to_json",
]
