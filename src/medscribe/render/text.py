"""Plain text: one line per turn (``[00:01:02] clinician: text``) or paragraphs.

A transcript with speaker or channel labels becomes one line per turn with its start
time and the speaker's name; one without labels becomes paragraphs split at long
pauses, with no times, ready to paste into a note.
"""

from __future__ import annotations

from medscribe.render.names import SpeakerNames, display_name
from medscribe.transcript.model import Segment, Transcript

#: A pause longer than this (seconds) starts a new paragraph in unlabelled text.
PARAGRAPH_GAP = 2.0


def clock(seconds: float) -> str:
    """``HH:MM:SS``, truncated to the second (a turn starts in the second it shows)."""
    total = max(int(seconds), 0)
    return f"{total // 3600:02d}:{total % 3600 // 60:02d}:{total % 60:02d}"


def render_text(
    transcript: Transcript, names: SpeakerNames, *, show_alternatives: bool = False
) -> str:
    """The transcript as text; the n-best hypotheses follow when asked for and present."""
    if transcript.has_speakers or transcript.has_channels:
        body = "\n".join(
            f"[{clock(turn.start)}] {display_name(turn.label, names)}: {turn.text}"
            for turn in transcript.turns()
        )
    else:
        body = "\n\n".join(turn.text for turn in transcript.turns(max_gap=PARAGRAPH_GAP))
    parts = [body] if body else []
    if show_alternatives and transcript.segments:
        parts.append(render_alternatives_text(transcript.segments))
    return "\n\n".join(parts) + "\n" if parts else ""


def render_alternatives_text(segments: list[Segment]) -> str:
    """Each segment's hypotheses, best first, numbered as the service ranks them."""
    lines = ["Alternatives:"]
    for segment in segments:
        lines.append(f"[{clock(segment.start)} - {clock(segment.end)}]")
        lines.extend(
            f"  {rank}. {alt.transcript}" for rank, alt in enumerate(segment.alternatives, start=1)
        )
    return "\n".join(lines)
