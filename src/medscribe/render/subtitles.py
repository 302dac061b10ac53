"""WebVTT and SRT subtitles: the transcript cut into short, readable cues.

Cueing rules (the same for both formats): a new cue starts when the speaker or
channel changes, after a pause longer than :data:`MAX_GAP`, before a cue would last
longer than :data:`MAX_DURATION` or hold more than :data:`MAX_CHARS` characters, and
after a sentence end once a cue is half full. Written here rather than with a
subtitle library (pysrt, webvtt-py) because those only serialise cues: the cueing
from word timings is the part that matters, and both formats are a few lines of text.
"""

from __future__ import annotations

from dataclasses import dataclass

from medscribe.render.names import SpeakerNames, display_name
from medscribe.transcript.model import Item, Transcript, Turn, join_items

MAX_GAP = 1.5
MAX_DURATION = 7.0
MAX_CHARS = 80
#: Shortest cue a player can show; used only for items that carry no usable times.
MIN_CUE = 0.5
_SENTENCE_END = (".", "?", "!")


@dataclass(slots=True)
class Cue:
    """One subtitle: a time span, the speaker label (or None) and its items."""

    start: float
    end: float
    label: str | None
    items: list[Item]

    @property
    def text(self) -> str:
        return join_items(self.items)


def build_cues(
    transcript: Transcript,
    *,
    max_gap: float = MAX_GAP,
    max_duration: float = MAX_DURATION,
    max_chars: int = MAX_CHARS,
) -> list[Cue]:
    """Cut the transcript's turns into cues (see the module docstring for the rules)."""
    cues: list[Cue] = []
    for turn in transcript.turns(max_gap=max_gap):
        for items in _split_turn(turn, max_duration, max_chars):
            cues.append(_cue(turn.label, items, cues[-1].end if cues else 0.0))
    return cues


def _split_turn(turn: Turn, max_duration: float, max_chars: int) -> list[list[Item]]:
    groups: list[list[Item]] = []
    current: list[Item] = []
    start: float | None = None
    for item in turn.items:
        if _starts_new_cue(current, item, start, max_duration, max_chars):
            groups.append(current)
            current, start = [], None
        current.append(item)
        if start is None and item.start is not None:
            start = item.start
    if current:
        groups.append(current)
    return groups


def _starts_new_cue(
    current: list[Item], item: Item, start: float | None, max_duration: float, max_chars: int
) -> bool:
    """Only a word opens a cue (punctuation stays with the word before it)."""
    if item.is_punctuation or not any(not i.is_punctuation for i in current):
        return False
    return _too_long(current, item, start, max_duration, max_chars) or _sentence_break(
        current, item, start, max_duration, max_chars
    )


def _too_long(
    current: list[Item], item: Item, start: float | None, max_duration: float, max_chars: int
) -> bool:
    if len(join_items([*current, item])) > max_chars:
        return True
    return start is not None and item.end is not None and item.end - start > max_duration


def _sentence_break(
    current: list[Item], item: Item, start: float | None, max_duration: float, max_chars: int
) -> bool:
    """After a sentence end, start a new cue once this one is half full: easier to read."""
    if not current[-1].is_punctuation or not current[-1].content.endswith(_SENTENCE_END):
        return False
    half_time = (
        start is not None and item.start is not None and item.start - start >= max_duration / 2
    )
    return half_time or len(join_items(current)) >= max_chars / 2


def _cue(label: str | None, items: list[Item], previous_end: float) -> Cue:
    starts = [i.start for i in items if i.start is not None]
    ends = [i.end for i in items if i.end is not None]
    start = min(starts, default=previous_end)
    end = max(ends, default=start)
    # A zero-length cue is never shown; stretch it a little.
    return Cue(
        start=start,
        end=max(end, start + (MIN_CUE if end <= start else 0.0)),
        label=label,
        items=items,
    )


def timestamp(seconds: float, *, separator: str = ".") -> str:
    """``HH:MM:SS.mmm`` (WebVTT) or, with ``separator=","``, ``HH:MM:SS,mmm`` (SRT)."""
    millis = max(round(seconds * 1000), 0)
    hours, rest = divmod(millis, 3_600_000)
    minutes, rest = divmod(rest, 60_000)
    secs, millis = divmod(rest, 1000)
    return f"{hours:02d}:{minutes:02d}:{secs:02d}{separator}{millis:03d}"


def _escape_vtt(text: str) -> str:
    """WebVTT cue text may not hold raw ``&``, ``<`` or ``>`` (``-->`` ends a timing line)."""
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def _labelled(transcript: Transcript) -> bool:
    return transcript.has_speakers or transcript.has_channels


def render_vtt(transcript: Transcript, names: SpeakerNames) -> str:
    """A WebVTT file; cues carry ``<v Name>`` voice tags when the transcript has labels."""
    voices = _labelled(transcript)
    blocks = ["WEBVTT"]
    for cue in build_cues(transcript):
        text = _escape_vtt(cue.text)
        if voices:
            text = f"<v {_escape_vtt(display_name(cue.label, names))}>{text}"
        blocks.append(f"{timestamp(cue.start)} --> {timestamp(cue.end)}\n{text}")
    return "\n\n".join(blocks) + "\n"


def render_srt(transcript: Transcript, names: SpeakerNames) -> str:
    """An SRT file: numbered cues; ``Name: `` before the text when the transcript has labels."""
    voices = _labelled(transcript)
    blocks = []
    for number, cue in enumerate(build_cues(transcript), start=1):
        text = f"{display_name(cue.label, names)}: {cue.text}" if voices else cue.text
        span = f"{timestamp(cue.start, separator=',')} --> {timestamp(cue.end, separator=',')}"
        blocks.append(f"{number}\n{span}\n{text}")
    return "\n\n".join(blocks) + "\n" if blocks else ""
