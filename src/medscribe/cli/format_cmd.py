"""``medscribe format``: rewrite transcript text in clinical written form.

A thin layer over :func:`medscribe.engine.formatting.format_text`: text on
stdin, formatted text on stdout, one line out for each line in (blank lines
kept), so transcripts made elsewhere can be reformatted and the rules tested
directly. In dictation mode a dictated "new line"/"new paragraph" is a line
break in the output, which is the point of saying it.
"""

from __future__ import annotations

import sys
from typing import Literal

import click

from medscribe.errors import ValidationError


@click.command("format")
@click.option(
    "--type",
    "kind",
    type=click.Choice(["conversation", "dictation"]),
    default="conversation",
    show_default=True,
    help="dictation: spoken punctuation ('period', 'new paragraph') becomes marks.",
)
def format_command(kind: Literal["conversation", "dictation"]) -> None:
    """Write numbers and measurements as clinicians do: stdin text -> stdout text.

    \b
    echo "blood pressure one twenty over eighty" | medscribe format
    BP 120/80
    """
    from medscribe.engine.formatting import format_text

    dictation = kind == "dictation"
    # Bytes in, so that a file that is not UTF-8 gets one clear line instead of a traceback.
    for number, raw in enumerate(sys.stdin.buffer, start=1):
        click.echo(format_text(_decode(raw, number), dictation=dictation))


def _decode(raw: bytes, number: int) -> str:
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError:
        # Say where, never what: the text is patient data.
        raise ValidationError(f"standard input is not UTF-8 text (line {number})") from None
    return text.rstrip("\r\n")
