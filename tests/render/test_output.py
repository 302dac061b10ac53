"""write_output: atomic writes, modes, extensions."""

from __future__ import annotations

import os
import stat
from pathlib import Path

import pytest

from medscribe.errors import ValidationError
from medscribe.render import EXTENSIONS, FORMATS, format_for_path, render_string, write_output
from transcript.fixtures import SPEAKERS, transcript


def _mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


@pytest.mark.parametrize("fmt", sorted(EXTENSIONS))
def test_each_file_format_is_written_whole(tmp_path: Path, fmt: str) -> None:
    parsed = transcript(SPEAKERS)
    target = tmp_path / "out" / f"visit{EXTENSIONS[fmt]}"
    written = write_output(parsed, target, fmt, speaker_names="clinician,patient")
    assert written == target
    expected = render_string(parsed, fmt, speaker_names="clinician,patient")
    assert target.read_text(encoding="utf-8") == expected
    assert sorted(os.listdir(target.parent)) == [target.name], "no temp file left behind"
    assert format_for_path(target) == fmt


def test_new_files_are_private_and_replaced_files_keep_their_mode(tmp_path: Path) -> None:
    parsed = transcript(SPEAKERS)
    fresh = write_output(parsed, tmp_path / "a.txt", "text")
    assert _mode(fresh) == 0o600
    shared = tmp_path / "b.txt"
    shared.write_text("old", encoding="utf-8")
    shared.chmod(0o640)
    write_output(parsed, shared, "text")
    assert _mode(shared) == 0o640
    assert shared.read_text(encoding="utf-8") == render_string(parsed, "text")


def test_bad_targets_and_formats_are_validation_errors(tmp_path: Path) -> None:
    parsed = transcript(SPEAKERS)
    with pytest.raises(ValidationError, match="is a directory"):
        write_output(parsed, tmp_path, "json")
    with pytest.raises(ValidationError, match="unknown output format"):
        write_output(parsed, tmp_path / "x.doc", "docx")
    blocker = tmp_path / "file"
    blocker.write_text("", encoding="utf-8")
    with pytest.raises(ValidationError, match="cannot write"):
        write_output(parsed, blocker / "x.json", "json")
    assert os.listdir(tmp_path) == ["file"]


def test_formats_and_extensions_agree() -> None:
    assert FORMATS == ("rich", "json", "text", "vtt", "srt")
    assert set(EXTENSIONS) == set(FORMATS) - {"rich"}
    assert format_for_path(Path("notes.md")) is None
