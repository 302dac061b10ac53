"""Rich terminal output: a header, turns with times and a colour per speaker, doubtful words marked.

Layout: a panel with the job name, duration and speakers (or channels); then one row
per turn (time, speaker, text) in a grid so long turns wrap under their own column;
words whose confidence is below the threshold are dimmed and underlined, and a legend
says what that means; the service's n-best hypotheses (``results.segments``) follow
in a table when asked for.

The header's "Duration" is the recording's length, which only the caller can know
(a Transcribe Medical JSON does not carry it: its last word may end long before
the audio does). Without it the header says "Speech until" and the last word's
end time, which is all the transcript itself tells.
"""

from __future__ import annotations

from rich.console import Console, Group
from rich.panel import Panel
from rich.table import Table
from rich.text import Text

from medscribe.errors import ValidationError
from medscribe.render.names import (
    SpeakerNames,
    display_name,
    label_count,
    label_index,
    transcript_labels,
)
from medscribe.render.text import PARAGRAPH_GAP, clock
from medscribe.transcript.model import Item, Segment, Transcript, Turn

#: Colours per label index; they repeat after ten labels (the service labels at most ten).
PALETTE = (
    "cyan",
    "magenta",
    "green",
    "yellow",
    "bright_blue",
    "bright_red",
    "bright_cyan",
    "bright_magenta",
    "bright_green",
    "orange3",
)
LOW_CONFIDENCE_STYLE = "dim underline"
ALTERNATIVE_STYLE = "italic bright_black"


def speaker_style(label: str | None) -> str:
    index = label_index(label) if label else -1
    return f"bold {PALETTE[index % len(PALETTE)]}" if index >= 0 else "bold"


def print_transcript(
    transcript: Transcript,
    console: Console,
    names: SpeakerNames,
    *,
    show_alternatives: bool = False,
    low_confidence: float = 0.5,
    media_duration: float | None = None,
) -> None:
    """Print the transcript on ``console``; ``media_duration`` is the recording's length."""
    if not 0.0 <= low_confidence <= 1.0:
        raise ValidationError(
            f"low-confidence threshold must be between 0 and 1, not {low_confidence}"
        )
    console.print(_header(transcript, names, media_duration))
    labelled = transcript.has_speakers or transcript.has_channels
    turns = transcript.turns() if labelled else transcript.turns(max_gap=PARAGRAPH_GAP)
    marked = 0
    grid = Table.grid(padding=(0, 1))
    grid.add_column(style="dim", no_wrap=True)
    if labelled:
        grid.add_column(no_wrap=True)
    grid.add_column(overflow="fold")
    for turn in turns:
        text, low = _turn_text(turn, low_confidence, show_alternatives)
        marked += low
        row = [Text(f"[{clock(turn.start)}]")]
        if labelled:
            row.append(Text(display_name(turn.label, names), style=speaker_style(turn.label)))
        grid.add_row(*row, text)
    if turns:
        console.print(grid)
    else:
        console.print(Text("(no speech in this transcript)", style="dim"))
    if marked:
        console.print(_legend(low_confidence, marked))
    if show_alternatives:
        console.print(_alternatives(transcript.segments))


def _header(transcript: Transcript, names: SpeakerNames, media_duration: float | None) -> Panel:
    kind, count = label_count(transcript)
    lines = Text()
    lines.append("Job: ", style="bold")
    lines.append(transcript.job_name or "(unnamed)")
    if media_duration is not None:
        lines.append("   Duration: ", style="bold")
        lines.append(clock(media_duration))
    else:
        lines.append("   Speech until: ", style="bold")
        lines.append(clock(transcript.duration))
    if transcript.status and transcript.status != "COMPLETED":
        lines.append("   Status: ", style="bold")
        lines.append(transcript.status, style="red")
    if kind is not None:
        lines.append("\nChannels: " if kind == "ch" else "\nSpeakers: ", style="bold")
        lines.append(f"{count}  ")
        for n, label in enumerate(transcript_labels(transcript)):
            shown = display_name(label, names)
            lines.append(
                shown if shown == label else f"{shown} ({label})", style=speaker_style(label)
            )
            if n < count - 1:
                lines.append(", ")
    return Panel(lines, title="medscribe transcript", title_align="left", expand=False)


def _turn_text(turn: Turn, low_confidence: float, show_alternatives: bool) -> tuple[Text, int]:
    """The turn's words; returns how many were marked as low confidence."""
    text = Text()
    marked = 0
    for item in turn.items:
        if not item.is_punctuation and text:
            text.append(" ")
        low = _is_low(item, low_confidence)
        marked += low
        text.append(item.content, style=LOW_CONFIDENCE_STYLE if low else "")
        if show_alternatives and item.alternatives:
            others = "|".join(a.content for a in item.alternatives)
            text.append(f" {{{others}}}", style=ALTERNATIVE_STYLE)
    return text, marked


def _is_low(item: Item, threshold: float) -> bool:
    return not item.is_punctuation and item.confidence is not None and item.confidence < threshold


def _legend(threshold: float, marked: int) -> Text:
    word = "word" if marked == 1 else "words"
    return Text.assemble(
        ("Legend: ", "bold"),
        ("underlined", LOW_CONFIDENCE_STYLE),
        f" = confidence below {threshold:.2f} ({marked} {word})",
    )


def _alternatives(segments: list[Segment]) -> Group | Text:
    if not segments:
        return Text(
            "No alternative transcriptions in this transcript.",
            style="dim",
        )
    table = Table(title="Alternatives", title_justify="left", show_lines=False)
    table.add_column("Time", style="dim", no_wrap=True)
    table.add_column("#", justify="right")
    table.add_column("Transcript", ratio=1, overflow="fold")
    for segment in segments:
        span = f"{clock(segment.start)}-{clock(segment.end)}"
        for rank, alt in enumerate(segment.alternatives, start=1):
            table.add_row(
                span if rank == 1 else "",
                str(rank),
                Text(alt.transcript, style="bold" if rank == 1 else ""),
            )
    return Group(table)
