"""write_output: atomic writes, modes whatever the umask, refused destinations, extensions."""

from __future__ import annotations

import os
import shutil
import stat
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from medscribe.errors import ValidationError
from medscribe.files import WriteError, prepare_output_dir
from medscribe.render import EXTENSIONS, FORMATS, format_for_path, render_string, write_output
from transcript.fixtures import SPEAKERS, transcript


def _mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


@pytest.mark.parametrize("fmt", sorted(EXTENSIONS))
def test_each_file_format_is_written_whole(tmp_path: Path, fmt: str) -> None:
    parsed = transcript(SPEAKERS)
    (tmp_path / "out").mkdir()
    target = tmp_path / "out" / f"visit{EXTENSIONS[fmt]}"
    written = write_output(parsed, target, fmt, speaker_names="clinician,patient")
    assert written == target
    expected = render_string(parsed, fmt, speaker_names="clinician,patient")
    assert target.read_text(encoding="utf-8") == expected
    assert sorted(os.listdir(target.parent)) == [target.name], "no temp file left behind"
    assert format_for_path(target) == fmt


@pytest.fixture
def umask_000() -> Iterator[None]:
    previous = os.umask(0)
    try:
        yield
    finally:
        os.umask(previous)


@pytest.mark.usefixtures("umask_000")
def test_new_files_are_private_whatever_the_umask_and_replaced_files_keep_their_mode(
    tmp_path: Path,
) -> None:
    parsed = transcript(SPEAKERS)
    fresh = write_output(parsed, tmp_path / "a.txt", "text")
    assert _mode(fresh) == 0o600
    write_output(parsed, fresh, "json")
    assert _mode(fresh) == 0o600
    shared = tmp_path / "b.txt"
    shared.write_text("old", encoding="utf-8")
    shared.chmod(0o640)
    write_output(parsed, shared, "text")
    assert _mode(shared) == 0o640
    assert shared.read_text(encoding="utf-8") == render_string(parsed, "text")


@pytest.mark.usefixtures("umask_000")
def test_an_output_folder_is_made_0700_only_when_its_parent_exists(tmp_path: Path) -> None:
    made = prepare_output_dir(tmp_path / "out")
    assert made.is_dir() and _mode(made) == 0o700
    assert os.listdir(made) == [], "the write probe leaves nothing behind"
    with pytest.raises(WriteError, match=f"^{tmp_path / 'a'}: no such directory$"):
        prepare_output_dir(tmp_path / "a" / "b")
    assert not (tmp_path / "a").exists()


def test_bad_targets_and_formats_are_validation_errors(tmp_path: Path) -> None:
    parsed = transcript(SPEAKERS)
    with pytest.raises(ValidationError, match="is a directory"):
        write_output(parsed, tmp_path, "json")
    with pytest.raises(ValidationError, match="unknown output format"):
        write_output(parsed, tmp_path / "x.doc", "docx")
    blocker = tmp_path / "file"
    blocker.write_text("", encoding="utf-8")
    with pytest.raises(WriteError, match=f"^{blocker}: not a directory$"):
        write_output(parsed, blocker / "x.json", "json")
    with pytest.raises(WriteError, match=f"^{tmp_path / 'missing'}: no such directory$"):
        write_output(parsed, tmp_path / "missing" / "x.json", "json")
    assert os.listdir(tmp_path) == ["file"], "no folder made, no temp file left"


# --------------------------------------------------------------------------- the CLI


def _cli(*args: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if k != "MEDSCRIBE_CONFIG"}
    env["XDG_CONFIG_HOME"] = str(cwd / "config")
    return subprocess.run(
        [sys.executable, "-m", "medscribe", *args],
        capture_output=True,
        text=True,
        env=env,
        cwd=cwd,
        stdin=subprocess.DEVNULL,
        timeout=120,
    )


def _error(result: subprocess.CompletedProcess[str]) -> str:
    assert result.returncode == 2, result.stderr
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and "Errno" not in lines[0], result.stderr
    return lines[0]


def test_render_o_into_a_missing_folder_is_refused(tmp_path: Path) -> None:
    result = _cli(
        "render", str(SPEAKERS), "-o", str(tmp_path / "no" / "such" / "v.vtt"), cwd=tmp_path
    )
    assert _error(result) == f"medscribe: error: {tmp_path / 'no' / 'such'}: no such directory"
    assert not (tmp_path / "no").exists()


#: Run as root in a private mount namespace: a read-only folder and a full one.
_MOUNTS = """
set -e
mount -t tmpfs -o ro,size=64k tmpfs "$1/ro"
mount -t tmpfs -o size=8k tmpfs "$1/full"
dd if=/dev/zero of="$1/full/pad" bs=1k count=64 2>/dev/null || true
shift
for target in ro/v.json full/v.json; do
    "$@" -o "$target" && echo "rc=0" || echo "rc=$?"
done
ls -A full
"""


def test_read_only_and_full_file_systems_give_one_line_each(tmp_path: Path) -> None:
    if shutil.which("unshare") is None or os.geteuid() != 0:
        pytest.skip("needs root and unshare for private mounts")
    probe = subprocess.run(["unshare", "-m", "true"], capture_output=True)
    if probe.returncode != 0:
        pytest.skip("mount namespaces are not allowed here")
    (tmp_path / "ro").mkdir()
    (tmp_path / "full").mkdir()
    command = [sys.executable, "-m", "medscribe", "render", str(SPEAKERS), "--format", "json"]
    private = ["unshare", "-m", "--propagation", "private", "sh", "-c", _MOUNTS, "sh"]
    result = subprocess.run(
        [*private, str(tmp_path), *command],
        capture_output=True,
        text=True,
        cwd=tmp_path,
        timeout=120,
    )
    if "mount:" in result.stderr:
        pytest.skip(f"tmpfs cannot be mounted here: {result.stderr.strip()}")
    assert result.stdout.split() == ["rc=2", "rc=2", "pad"], result.stdout + result.stderr
    assert result.stderr.strip().splitlines() == [
        "medscribe: error: ro/v.json: cannot write: Read-only file system",
        "medscribe: error: full/v.json: cannot write: No space left on device",
    ]


def test_formats_and_extensions_agree() -> None:
    assert FORMATS == ("rich", "json", "text", "vtt", "srt")
    assert set(EXTENSIONS) == set(FORMATS) - {"rich"}
    assert format_for_path(Path("notes.md")) is None
