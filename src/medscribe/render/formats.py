"""The output formats: their names, which of them are files, and their file extensions.

This module owns the one list of formats every caller shares (the CLI's ``--format``
choices, the batch and stream writers, the ``format`` setting): ``rich`` is for a
terminal, the others are file formats. A format is an :data:`OutputFormat` (a
``Literal``), never a bare string; :func:`parse_format` turns what a user typed into
one, with one line naming the choices.
"""

from __future__ import annotations

from pathlib import Path
from typing import Literal, TypeGuard, get_args

from medscribe.errors import ValidationError

__all__ = [
    "EXTENSIONS",
    "FILE_FORMATS",
    "FORMATS",
    "FileFormat",
    "OutputFormat",
    "format_for_path",
    "is_file_format",
    "is_format",
    "parse_format",
]

#: Every format a transcript can be rendered in.
OutputFormat = Literal["rich", "json", "text", "vtt", "srt"]
#: The formats that are written to files ("rich" is for terminals; its file form is text).
FileFormat = Literal["json", "text", "vtt", "srt"]

FORMATS: tuple[OutputFormat, ...] = get_args(OutputFormat)
FILE_FORMATS: tuple[FileFormat, ...] = get_args(FileFormat)
#: File extension per file format.
EXTENSIONS: dict[FileFormat, str] = {"json": ".json", "text": ".txt", "vtt": ".vtt", "srt": ".srt"}


def is_format(value: str) -> TypeGuard[OutputFormat]:
    """Whether ``value`` names an output format (exactly, lower case)."""
    return value in FORMATS


def is_file_format(value: str) -> TypeGuard[FileFormat]:
    """Whether ``value`` names a format that is written to files (not ``rich``)."""
    return value in FILE_FORMATS


def parse_format(value: str) -> OutputFormat:
    """``value`` as an output format; anything else is a ValidationError naming the choices."""
    if not is_format(value):
        choices = ", ".join(FORMATS)
        raise ValidationError(f"unknown output format {value!r}; choose one of {choices}")
    return value


def format_for_path(path: Path | str) -> FileFormat | None:
    """The file format an output name implies (``visit.vtt`` -> ``"vtt"``), or None."""
    suffix = Path(path).suffix.lower()
    return next((fmt for fmt, ext in EXTENSIONS.items() if ext == suffix), None)
