"""Renderers of the one transcript model: Transcribe Medical JSON, text, WebVTT, SRT and Rich.

Every renderer reads :class:`~medscribe.transcript.model.Transcript`, whichever
backend made it. Modules: :mod:`.formats` (the format names, a ``Literal``),
:mod:`.names` (speaker names), :mod:`.text`, :mod:`.subtitles` (WebVTT/SRT cueing),
:mod:`.terminal` (Rich) and :mod:`.output` (atomic file writes). JSON is
:func:`medscribe.transcript.codec.dumps` unchanged: it keeps the service's labels,
never the display names.
"""

from __future__ import annotations

from pathlib import Path

from rich.console import Console

from medscribe.render.formats import (
    EXTENSIONS,
    FILE_FORMATS,
    FORMATS,
    FileFormat,
    OutputFormat,
    format_for_path,
    is_file_format,
    is_format,
    parse_format,
)
from medscribe.render.names import SpeakerNames, as_names, check_speaker_names, parse_speaker_names
from medscribe.render.output import write_atomic
from medscribe.render.subtitles import build_cues, render_srt, render_vtt
from medscribe.render.terminal import print_transcript
from medscribe.render.text import render_text
from medscribe.transcript import codec
from medscribe.transcript.model import Transcript


def render_string(
    transcript: Transcript,
    fmt: OutputFormat,
    *,
    speaker_names: SpeakerNames | str | None = None,
    show_alternatives: bool = False,
) -> str:
    """The transcript in ``fmt`` as a string; ``"rich"`` gives the plain-text form.

    ``speaker_names`` is a mapping from :func:`parse_speaker_names` (or the raw option
    string). Names for labels the transcript lacks raise ValidationError.
    """
    parse_format(fmt)  # a caller without a type checker may pass any string
    names = as_names(speaker_names)
    check_speaker_names(transcript, names)
    if fmt == "json":
        return codec.dumps(transcript) + "\n"
    if fmt == "vtt":
        return render_vtt(transcript, names)
    if fmt == "srt":
        return render_srt(transcript, names)
    return render_text(transcript, names, show_alternatives=show_alternatives)


def render_rich(
    transcript: Transcript,
    console: Console,
    *,
    speaker_names: SpeakerNames | str | None = None,
    show_alternatives: bool = False,
    low_confidence: float = 0.5,
    media_duration: float | None = None,
) -> None:
    """Print the transcript on a Rich ``console`` (header, coloured turns, marked words).

    ``media_duration`` is the recording's length in seconds when the caller knows it
    (the header then says "Duration"; else "Speech until" the last word's end).
    """
    names = as_names(speaker_names)
    check_speaker_names(transcript, names)
    print_transcript(
        transcript,
        console,
        names,
        show_alternatives=show_alternatives,
        low_confidence=low_confidence,
        media_duration=media_duration,
    )


def write_output(
    transcript: Transcript,
    path: Path,
    fmt: OutputFormat,
    *,
    speaker_names: SpeakerNames | str | None = None,
    show_alternatives: bool = False,
) -> Path:
    """Write the transcript to ``path`` in ``fmt`` atomically; returns ``path``."""
    content = render_string(
        transcript, fmt, speaker_names=speaker_names, show_alternatives=show_alternatives
    )
    return write_atomic(Path(path), content)


__all__ = [
    "EXTENSIONS",
    "FILE_FORMATS",
    "FORMATS",
    "FileFormat",
    "OutputFormat",
    "SpeakerNames",
    "build_cues",
    "format_for_path",
    "is_file_format",
    "is_format",
    "parse_format",
    "parse_speaker_names",
    "render_rich",
    "render_string",
    "write_output",
]
