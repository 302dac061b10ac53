"""Every vector (shared spec + extra_vectors.tsv) as plain text, as timed items and via the CLI."""

from __future__ import annotations

import copy

import pytest
from click.testing import CliRunner
from formatkit import EXTRA, SPEC, load_vectors, timed_items, vector_params

from medscribe.cli import cli
from medscribe.engine.formatting import format_items, format_text
from medscribe.transcript.model import Item, join_items


@pytest.mark.parametrize(("spoken", "expected"), vector_params())
def test_format_text(spoken: str, expected: str) -> None:
    assert format_text(spoken) == expected


@pytest.mark.parametrize(("spoken", "expected"), vector_params())
def test_format_items(spoken: str, expected: str) -> None:
    items = timed_items(spoken)
    before = copy.deepcopy(items)
    out = format_items(items)

    assert join_items(out) == expected
    assert items == before, "format_items must not change its input"
    check_timing(items, out)


def check_timing(items: list[Item], out: list[Item]) -> None:
    """Each input word lies in exactly one output word whose span and confidence it explains."""
    words = [i for i in items if not i.is_punctuation]
    out_words = [i for i in out if not i.is_punctuation]
    covered = 0
    for item in out_words:
        inside = [w for w in words if item.start <= w.start and w.end <= item.end]
        assert inside, f"{item.content!r} covers no input word"
        assert item.start == inside[0].start and item.end == inside[-1].end
        assert item.confidence == min(w.confidence for w in inside)
        covered += len(inside)
    assert covered == len(words), "every input word is in exactly one output item"
    starts = [i.start for i in out_words]
    assert starts == sorted(starts)
    for item in out:
        assert (item.speaker, item.channel) == ("spk_1", "ch_0")
        if item.is_punctuation:
            assert item.start is None and item.end is None


def test_cli_formats_every_vector_line_for_line() -> None:
    rows = load_vectors(EXTRA) + (load_vectors(SPEC) if SPEC.is_file() else [])
    lines = [spoken for _, spoken, _ in rows]
    # Blank lines stay blank lines, so the output lines up with the input.
    lines[3:3] = [""]
    expected = [e for _, _, e in rows]
    expected[3:3] = [""]

    result = CliRunner().invoke(cli, ["format"], input="\n".join(lines) + "\n")

    assert result.exit_code == 0, result.output
    assert result.output.split("\n")[:-1] == expected
