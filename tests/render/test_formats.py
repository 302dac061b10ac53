"""The output formats: one list, typed, shared by the CLI and the writers."""

from __future__ import annotations

from pathlib import Path

import pytest

from medscribe.errors import EXIT_USAGE, ValidationError
from medscribe.render import (
    EXTENSIONS,
    FILE_FORMATS,
    FORMATS,
    format_for_path,
    is_file_format,
    parse_format,
)


def test_every_file_format_has_an_extension_and_rich_is_for_terminals_only() -> None:
    assert FORMATS == ("rich", "json", "text", "vtt", "srt")
    assert set(EXTENSIONS) == set(FILE_FORMATS) == set(FORMATS) - {"rich"}
    assert [f for f in FORMATS if is_file_format(f)] == list(FILE_FORMATS)


@pytest.mark.parametrize(
    ("name", "expected"),
    [("visit.vtt", "vtt"), ("VISIT.SRT", "srt"), ("a/b.txt", "text"), ("x.json", "json")],
)
def test_format_for_path(name: str, expected: str) -> None:
    assert format_for_path(Path(name)) == expected


def test_a_name_without_a_known_extension_implies_no_format() -> None:
    assert format_for_path("visit.docx") is None
    assert format_for_path("visit") is None


def test_an_unknown_format_is_one_line_naming_the_choices() -> None:
    assert parse_format("srt") == "srt"
    with pytest.raises(ValidationError) as info:
        parse_format("docx")
    assert (
        str(info.value) == "unknown output format 'docx'; choose one of rich, json, text, vtt, srt"
    )
    assert info.value.exit_code == EXIT_USAGE
