"""``medscribe render``: show or convert any Transcribe Medical JSON (from AWS or elsewhere).

A thin layer over :mod:`medscribe.render`: read the JSON with the codec (a missing
file, bad JSON or a JSON of another shape is a ValidationError: one line, exit 2),
render it, write it to stdout or atomically to ``-o FILE``. The default ``rich``
format is for a terminal: when stdout is a pipe or a file it prints plain text, as
``medscribe transcribe`` does. Imports only the renderers, so it starts fast.
``--speaker-roles`` runs :func:`medscribe.roles.assign_roles` on the transcript
read, whichever backend made it (a JSON from AWS too).
"""

from __future__ import annotations

import sys
from pathlib import Path

import click

from medscribe.errors import ValidationError
from medscribe.render import (
    FORMATS,
    OutputFormat,
    format_for_path,
    parse_speaker_names,
    render_string,
)
from medscribe.transcript import codec
from medscribe.transcript.model import Transcript

STDIO = "-"


@click.command("render")
@click.argument("transcript_path", metavar="TRANSCRIPT.json")
@click.option(
    "-f",
    "--format",
    "fmt",
    type=click.Choice(FORMATS),
    default=None,
    help="Output format [default: from the -o extension, else rich].",
)
@click.option(
    "-o",
    "--output",
    default=None,
    metavar="FILE",
    help="Write here instead of stdout ('-' is stdout). Written atomically.",
)
@click.option(
    "--speaker-names",
    default=None,
    metavar="NAMES",
    help="Names for spk_0/ch_0, spk_1/ch_1, ... e.g. 'clinician,patient' or 'spk_1=patient'.",
)
@click.option(
    "--speaker-roles",
    is_flag=True,
    default=False,
    help="Label a two-party visit's speakers CLINICIAN_0 and PATIENT_0 from what they say "
    "(the transcript needs speaker labels; spk_N are kept when unsure).",
)
@click.option(
    "--alternatives/--no-alternatives",
    default=False,
    help="Also show the alternative transcriptions (n-best) when the transcript has them.",
)
@click.option(
    "--low-confidence",
    type=click.FloatRange(0.0, 1.0),
    default=0.5,
    show_default=True,
    help="Words below this confidence are marked (rich format).",
)
def render(
    transcript_path: str,
    fmt: OutputFormat | None,
    output: str | None,
    speaker_names: str | None,
    speaker_roles: bool,
    alternatives: bool,
    low_confidence: float,
) -> None:
    """Render or convert TRANSCRIPT.json (Transcribe Medical JSON; '-' reads stdin).

    \b
    Formats: rich (terminal), json, text, vtt (WebVTT), srt.
    Examples:
      medscribe render visit.json --speaker-names clinician,patient
      medscribe render visit.json -o visit.vtt
      medscribe render visit.json --speaker-roles --speaker-names "Dr Lee,Ms Park"
    """
    names = parse_speaker_names(speaker_names)
    transcript = _load(transcript_path)
    if speaker_roles:
        _assign_roles(transcript)
    target = None if output in (None, STDIO) else Path(output)
    fmt = fmt or (format_for_path(target) if target else None) or "rich"
    if fmt == "rich" and target is None and sys.stdout.isatty():
        _print_rich(transcript, names, alternatives, low_confidence)
        return
    content = render_string(transcript, fmt, speaker_names=names, show_alternatives=alternatives)
    if target is None:
        click.echo(content, nl=False)
        return
    from medscribe.render.output import write_atomic

    written = write_atomic(target, content)
    click.echo(f"medscribe: wrote {written} ({fmt})", err=True)


def _assign_roles(transcript: Transcript) -> None:
    """Roles on a transcript that has speaker labels and no roles yet; a note when kept."""
    from medscribe.roles import assign_roles, explain

    if transcript.roles is not None and transcript.roles.assigned:
        return  # already decided (by transcribe --speaker-roles): keep that decision
    if not any(i.speaker for i in transcript.items):
        raise ValidationError(
            "the transcript has no speaker labels; --speaker-roles needs one made with --speakers"
        )
    assign_roles(transcript)
    note = explain(transcript)
    if note is not None:
        click.echo(f"medscribe: {note}", err=True)


def _load(path: str) -> Transcript:
    if path != STDIO:
        return codec.load(path)
    try:
        # Bytes: the codec accepts a UTF-8 BOM and UTF-16/32, whatever the locale says.
        return codec.loads(sys.stdin.buffer.read())
    except ValidationError as exc:
        raise ValidationError(f"stdin: {exc.message}") from None


def _print_rich(
    transcript: Transcript, names: dict[str, str], alternatives: bool, low_confidence: float
) -> None:
    from rich.console import Console

    from medscribe.render import render_rich

    console = Console(file=sys.stdout, highlight=False)
    render_rich(
        transcript,
        console,
        speaker_names=names,
        show_alternatives=alternatives,
        low_confidence=low_confidence,
    )
