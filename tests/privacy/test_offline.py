"""Nothing leaves the machine, nothing lands outside the data directory and the outputs.

The field test found onnxruntime (under the VAD) writing a device id and queued
telemetry events to ``~/.cache/Microsoft/DeveloperTools/.onnxruntime/`` on every
run. Each test runs the real CLI as a child process with an empty HOME, an empty
TMPDIR and an empty working directory, and then lists every path it left.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from medscribe.offline import OFFLINE_ENVIRONMENT

ROOT = Path(__file__).resolve().parents[2]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))  # for scripts.synth

pytestmark = pytest.mark.model

SENTENCE = "The patient takes metoprolol twice daily and denies chest pain."


@pytest.fixture(scope="module")
def recording(tmp_path_factory: pytest.TempPathFactory) -> Path:
    from scripts.synth import synthesize, write_wav

    return write_wav(tmp_path_factory.mktemp("rec") / "visit.wav", synthesize(SENTENCE, "joe"))


def _run_isolated(tmp_path: Path, *args: str) -> tuple[subprocess.CompletedProcess[str], Path]:
    home = tmp_path / "home"
    for name in ("home", "tmp", "cwd", "out"):
        (tmp_path / name).mkdir()
    env = {k: v for k, v in os.environ.items() if not k.startswith(("XDG_", "MEDSCRIBE_"))}
    # The suite's own settings must not hide a write: only the data dir is pointed.
    for name in (*OFFLINE_ENVIRONMENT, "AWS_CONFIG_FILE", "AWS_SHARED_CREDENTIALS_FILE"):
        env.pop(name, None)
    env.update(
        HOME=str(home),
        TMPDIR=str(tmp_path / "tmp"),
        MEDSCRIBE_DATA_DIR=str(home / "data"),
        ORT_DISABLE_TELEMETRY="0",  # an inherited "on" must not win (medscribe.offline)
    )
    done = subprocess.run(
        [sys.executable, "-m", "medscribe", *args],
        cwd=tmp_path / "cwd",
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
        stdin=subprocess.DEVNULL,
    )
    return done, home


def _left_behind(tmp_path: Path, home: Path) -> list[str]:
    """Paths outside the data directory and the output folder (their parents excepted)."""
    allowed = (home / "data", tmp_path / "out")

    def fine(path: Path) -> bool:
        return any(path == a or a in path.parents or path in a.parents for a in allowed)

    roots = (home, tmp_path / "tmp", tmp_path / "cwd")
    return sorted(str(p.relative_to(tmp_path)) for r in roots for p in r.rglob("*") if not fine(p))


def test_a_batch_run_with_speakers_writes_only_the_data_dir_and_the_output(tmp_path, recording):
    out = tmp_path / "out" / "visit.json"
    done, home = _run_isolated(
        tmp_path, "transcribe", str(recording), "--speakers", "2", "-o", str(out)
    )
    assert done.returncode == 0, done.stderr
    assert out.is_file()
    assert not (home / ".cache" / "Microsoft").exists()
    assert _left_behind(tmp_path, home) == []


def test_a_local_stream_writes_only_the_data_dir_and_the_output(tmp_path, recording):
    out = tmp_path / "out" / "live.json"
    done, home = _run_isolated(tmp_path, "stream", str(recording), "-o", str(out))
    assert done.returncode == 0, done.stderr
    assert out.is_file()
    assert _left_behind(tmp_path, home) == []


def test_importing_medscribe_switches_third_party_telemetry_off():
    code = (
        "import os; os.environ['ORT_DISABLE_TELEMETRY'] = '0'; import medscribe; "
        "print(os.environ['ORT_DISABLE_TELEMETRY'], os.environ['HF_HUB_OFFLINE'])"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert done.stdout.split() == ["1", "1"]
