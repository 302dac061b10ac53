"""What medscribe leaves on disk, as a user meets it: the CLI as a subprocess.

Folders 0700 and files 0600 under ``umask 000`` (job store, vocabularies, worker log,
outputs, manifest); no input file name in the store's paths, its files or the
worker's log; destinations refused before any work, with one line and exit 2.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import stat
import subprocess
import sys
import time
import wave
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from medscribe.backends.local.store import Store, is_alive

from .conftest import ROOT

#: A clinic's file naming: none of these words may reach the store or a log.
PATIENT = "Zelda-Quixote-DOB-1970-01-01"
PATIENT_WORDS = ("Zelda", "Quixote", "1970-01-01")
OTHER = "Yusuf-Ampersand-MRN-55512"
OTHER_WORDS = ("Yusuf", "Ampersand", "55512")


def cli_env(home: Path) -> dict[str, str]:
    """The user's environment: an empty home, our data directory, no config file."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("MEDSCRIBE_")}
    env.update(
        HOME=str(home),
        XDG_CONFIG_HOME=str(home / ".config"),
        XDG_CACHE_HOME=str(home / ".cache"),
        MEDSCRIBE_DATA_DIR=str(home / "data"),
    )
    return env


def medscribe(
    *args: str, env: dict[str, str], umask: int | None = None, timeout: float = 300
) -> subprocess.CompletedProcess[str]:
    preexec = (lambda: os.umask(umask)) if umask is not None else None
    return subprocess.run(
        [sys.executable, "-m", "medscribe", *args],
        capture_output=True,
        text=True,
        env=env,
        cwd=ROOT,
        stdin=subprocess.DEVNULL,
        timeout=timeout,
        preexec_fn=preexec,
    )


def one_error_line(result: subprocess.CompletedProcess[str]) -> str:
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    assert lines[0].startswith("medscribe: error: "), result.stderr
    assert "Errno" not in lines[0] and "Traceback" not in result.stderr
    return lines[0]


def tone(path: Path, seconds: float = 1.0) -> Path:
    with wave.open(str(path), "wb") as w:
        w.setnchannels(1)
        w.setsampwidth(2)
        w.setframerate(16000)
        w.writeframes(b"\x00\x10" * int(16000 * seconds))
    return path


def mode(path: Path) -> int:
    return stat.S_IMODE(path.lstat().st_mode)


def tree(root: Path) -> Iterator[Path]:
    yield root
    yield from sorted(root.rglob("*"))


def stored_jobs(home: Path) -> list[str]:
    return Store(home / "data").names()


# --------------------------------------------------------------------------- a real session


@dataclass
class Session:
    home: Path
    data: Path
    outputs: list[Path]


@pytest.fixture(scope="module")
def session(tmp_path_factory: pytest.TempPathFactory, librivox: list[tuple[Path, str]]) -> Session:
    """Under umask 000: a vocabulary, a --no-wait job collected by jobs wait, a batch, -o."""
    home = tmp_path_factory.mktemp("private")
    env = cli_env(home)
    inputs = home / "recordings"
    inputs.mkdir()
    first = shutil.copy(librivox[0][0], inputs / f"{PATIENT}.wav")
    second = shutil.copy(librivox[1][0], inputs / f"{OTHER}.wav")
    out = home / "out"
    out.mkdir()

    def ok(*args: str) -> subprocess.CompletedProcess[str]:
        result = medscribe(*args, env=env, umask=0)
        assert result.returncode == 0, result.stderr
        return result

    ok("vocab", "create", "cardio", str(ROOT / "examples" / "cardiology-vocabulary.txt"))
    started = ok("transcribe", str(first), "--no-wait", "--json")
    name = json.loads(started.stdout)["files"][0]["job_name"]
    ok("jobs", "wait", name, "--output-dir", str(out / "waited"), "--format", "text")
    ok("transcribe", str(second), "--output-dir", str(out / "batch"), "--format", "json,srt")
    ok("transcribe", str(second), "-o", str(out / "single.vtt"))
    _wait_for_the_worker(Store(home / "data"))
    return Session(home, home / "data", [out / "waited", out / "batch", out / "single.vtt"])


def _wait_for_the_worker(store: Store) -> None:
    """The detached worker removes its registration as it exits; let it finish first."""
    while is_alive(store.worker()):
        time.sleep(0.1)


@pytest.mark.model
def test_umask_000_leaves_every_folder_0700_and_every_file_0600(session: Session) -> None:
    created = [p for root in [session.data, *session.outputs] for p in tree(root)]
    assert {p.name for p in created} >= {"job.json", "transcript.json", ".lock", "worker.log"}
    assert any(p.name == "vocabulary.json" for p in created)
    assert any(p.name == ".medscribe-manifest.json" for p in created)
    assert any(p.suffix == ".srt" for p in created) and any(p.suffix == ".txt" for p in created)
    wrong = {
        str(p.relative_to(session.home)): oct(mode(p))
        for p in created
        if mode(p) != (0o700 if p.is_dir() else 0o600)
    }
    assert wrong == {}


@pytest.mark.model
def test_no_input_file_name_in_the_store_or_the_worker_log(session: Session) -> None:
    words = PATIENT_WORDS + OTHER_WORDS
    log = (session.data / "jobs" / "worker.log").read_text(encoding="utf-8")
    assert "running job" in log
    for path in tree(session.data):
        relative = str(path.relative_to(session.data))
        assert not [w for w in words if w in relative], relative
        if not path.is_file():
            continue
        text = path.read_text(encoding="utf-8", errors="replace")
        if path.name == "job.json":
            # The job needs its media to run: the path stays in the 0600 record, only there.
            record = json.loads(text)
            text = json.dumps(
                {k: v for k, v in record.items() if k not in ("media_path", "media_uri")}
            )
        assert not [w for w in words if w in text], relative


# --------------------------------------------------------------------------- destinations


@pytest.fixture
def home(tmp_path: Path) -> Path:
    (tmp_path / "home").mkdir()
    return tmp_path / "home"


def test_o_into_a_missing_folder_is_refused_before_any_work(home: Path, tmp_path: Path) -> None:
    audio = tone(tmp_path / "visit.wav")
    env = cli_env(home)
    result = medscribe(
        "transcribe", str(audio), "-o", str(tmp_path / "new" / "deep" / "v.txt"), env=env
    )
    assert result.returncode == 2
    assert (
        one_error_line(result)
        == f"medscribe: error: {tmp_path / 'new' / 'deep'}: no such directory"
    )
    assert not (tmp_path / "new").exists()
    assert stored_jobs(home) == []


def test_output_dir_is_made_only_when_its_parent_exists(home: Path, tmp_path: Path) -> None:
    audio = tone(tmp_path / "visit.wav")
    env = cli_env(home)
    result = medscribe("transcribe", str(audio), "--output-dir", str(tmp_path / "a" / "b"), env=env)
    assert result.returncode == 2
    assert one_error_line(result).endswith(f"{tmp_path / 'a'}: no such directory")
    assert not (tmp_path / "a").exists()
    assert stored_jobs(home) == []


@pytest.mark.parametrize(
    ("target", "expected"),
    [
        ("blocker/v.txt", "{t}/blocker: not a directory"),  # the parent is a regular file
        ("folder", "{t}/folder: is a directory, not a file to write"),
    ],
)
def test_o_onto_something_that_cannot_take_a_file(
    home: Path, tmp_path: Path, target: str, expected: str
) -> None:
    audio = tone(tmp_path / "visit.wav")
    (tmp_path / "blocker").write_text("not a folder", encoding="utf-8")
    (tmp_path / "folder").mkdir()
    result = medscribe("transcribe", str(audio), "-o", str(tmp_path / target), env=cli_env(home))
    assert result.returncode == 2
    assert one_error_line(result) == f"medscribe: error: {expected.format(t=tmp_path)}"
    assert stored_jobs(home) == []


def _permission_denied_folder() -> Path:
    """A folder that refuses new files even to root: sysfs has no create operation."""
    import tempfile

    try:
        fd, name = tempfile.mkstemp(dir="/sys")
    except PermissionError:
        return Path("/sys")
    except OSError:
        pass
    else:
        os.close(fd)
        os.unlink(name)
    pytest.skip("/sys does not refuse new files here")


def test_permission_denied_destination_is_one_line_and_exit_2(home: Path, tmp_path: Path) -> None:
    denied = _permission_denied_folder()
    audio = tone(tmp_path / "visit.wav")
    env = cli_env(home)
    result = medscribe("transcribe", str(audio), "-o", str(denied / "visit.txt"), env=env)
    assert result.returncode == 2
    assert one_error_line(result) == (
        f"medscribe: error: {denied / 'visit.txt'}: cannot write: Permission denied"
    )
    assert stored_jobs(home) == []
    # The job store itself where it cannot be written: the same line, the same code.
    env["MEDSCRIBE_DATA_DIR"] = str(denied / "medscribe")
    vocab = medscribe(
        "vocab", "create", "cardio", str(ROOT / "examples" / "cardiology-vocabulary.txt"), env=env
    )
    assert vocab.returncode == 2
    # mkdir there says EPERM where creating a file says EACCES: either way, the system's words.
    assert re.fullmatch(
        f"medscribe: error: {re.escape(str(denied / 'medscribe'))}: cannot write: "
        "(Permission denied|Operation not permitted)",
        one_error_line(vocab),
    )


def test_a_data_directory_under_a_file_is_one_line_and_exit_2(home: Path, tmp_path: Path) -> None:
    (tmp_path / "blocker").write_text("", encoding="utf-8")
    env = cli_env(home)
    env["MEDSCRIBE_DATA_DIR"] = str(tmp_path / "blocker" / "data")
    table = str(ROOT / "examples" / "cardiology-vocabulary.txt")
    result = medscribe("vocab", "create", "cardio", table, env=env)
    assert result.returncode == 2
    assert one_error_line(result) == f"medscribe: error: {tmp_path / 'blocker'}: not a directory"
