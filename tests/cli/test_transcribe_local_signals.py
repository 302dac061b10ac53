"""``medscribe transcribe`` on the real local backend, as scripts and people meet it.

* SIGTERM and SIGINT sent to a real child while the engine decodes: the engine's
  thread is stopped in order (no abort, no "terminate called"), the ``--json``
  summary is still printed, the exit status is 130, and the next run resumes the
  same job (no duplicate) and completes it.
* ``examples/nightly.sh`` under ``umask 000`` on a folder of recordings and one text
  file named ``broken.wav``: exit 1, the summary names the bad file by its absolute
  path, the summary is 0600 and the folder 0700, and a rerun counts skipped files.
* One second of silence: a completed job, files written, and a "no speech detected"
  notice (none with ``--quiet``).

Speech is the LibriVox read speech of Debian's pocketsphinx-testdata.
"""

from __future__ import annotations

import json
import os
import re
import signal
import stat
import subprocess
import sys
import threading
import wave
from pathlib import Path

import pytest

from medscribe.config import data_dir
from medscribe.engine import TranscriptionCancelled, shared_engine
from medscribe.engine.progress import RECOGNITION_SHARE_WITH_SPEAKERS
from medscribe.request import build_options

pytestmark = pytest.mark.model

ROOT = Path(__file__).resolve().parents[2]
LIBRIVOX = Path("/usr/share/pocketsphinx/test/data/librivox")
SHORT = ("0880", "0930", "0890")  # 3.0, 3.3 and 5.3 seconds


def librivox(number: str) -> Path:
    path = LIBRIVOX / f"sense_and_sensibility_01_austen_64kb-{number}.wav"
    if not path.is_file():
        pytest.skip("Debian's pocketsphinx-testdata is not installed")
    return path


@pytest.fixture(scope="module")
def long_speech(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """About 50 s of speech: two 30-second windows, so the engine reports progress midway."""
    parts = [str(p) for p in sorted(LIBRIVOX.glob("*.wav"))] * 2
    if not parts:
        pytest.skip("Debian's pocketsphinx-testdata is not installed")
    out = tmp_path_factory.mktemp("speech") / "visit.wav"
    subprocess.run(["sox", *parts, str(out)], check=True)
    return out


def _default_sigint() -> None:
    # A test run started in the background (CI) inherits an ignored SIGINT, and
    # Python installs its Ctrl-C handler only where SIGINT is not ignored.
    signal.signal(signal.SIGINT, signal.SIG_DFL)


def interrupt(args: list[str], when: str, sig: signal.Signals) -> tuple[int, str, str]:
    """Run ``medscribe ARGS``; send ``sig`` once a stderr line matches ``when``."""
    proc = subprocess.Popen(
        [sys.executable, "-m", "medscribe", *args],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env={**os.environ, "PYTHONUNBUFFERED": "1"},
        preexec_fn=_default_sigint,
    )
    seen: list[str] = []
    try:
        assert proc.stderr is not None
        for line in proc.stderr:
            seen.append(line)
            if re.search(when, line):
                proc.send_signal(sig)
                break
        out, err = proc.communicate(timeout=120)
    finally:
        if proc.poll() is None:
            proc.kill()
    return proc.returncode, out, "".join(seen) + err


def check_interrupted(code: int, out: str, err: str, audio: Path) -> str:
    """Exit 130, the summary on stdout, one error line; returns the job's name."""
    assert code == 130, err
    assert "terminate called" not in err and "Traceback" not in err, err
    summary = json.loads(out)
    assert summary["interrupted"] is True and summary["succeeded"] == 0
    (entry,) = summary["files"]
    assert entry["input"] == str(audio) and entry["status"] in {"QUEUED", "IN_PROGRESS"}
    name = entry["job_name"]
    assert all(line.startswith("medscribe: ") for line in err.splitlines()), err
    errors = [line for line in err.splitlines() if line.startswith("medscribe: error:")]
    assert errors == [
        f"medscribe: error: interrupted; 1 job(s) stopped ({name}); run the same command "
        f"again to resume, or 'medscribe jobs wait {name}'"
    ]
    return name


def stored_jobs(cli) -> list[dict]:
    listed = cli("jobs", "list", "--json")
    assert listed.code == 0, listed.err
    return json.loads(listed.out)


def test_sigterm_and_sigint_stop_in_order_and_a_rerun_resumes(long_speech, tmp_path, cli):
    out = tmp_path / "visit.txt"
    args = ["transcribe", str(long_speech), "--backend", "local", "--speakers", "2"]
    args += ["-o", str(out), "--json"]

    # SIGTERM (a service manager, `timeout`) as soon as the job runs: model load or decode.
    code, stdout, err = interrupt(args, r" IN_PROGRESS$", signal.SIGTERM)
    name = check_interrupted(code, stdout, err, long_speech)
    jobs = stored_jobs(cli)
    assert [(j["MedicalTranscriptionJobName"], j["TranscriptionJobStatus"]) for j in jobs] == [
        (name, "QUEUED")
    ]
    # Stopped, not handed to a background worker: nothing runs on after the interrupt.
    assert not (data_dir() / "jobs" / ".worker.json").exists()
    assert not out.exists()

    # Ctrl-C in the middle of decoding: after the first window's progress shows.
    code, stdout, err = interrupt(args, r"IN_PROGRESS \d+%", signal.SIGINT)
    assert f"attached to job {name}" in err
    assert check_interrupted(code, stdout, err, long_speech) == name
    assert len(stored_jobs(cli)) == 1 and not out.exists()

    # The same command once more resumes the job and completes it.
    done = subprocess.run(
        [sys.executable, "-m", "medscribe", *args], capture_output=True, text=True, timeout=300
    )
    assert done.returncode == 0, done.stderr
    assert f"attached to job {name}" in done.stderr
    summary = json.loads(done.stdout)
    assert (summary["succeeded"], summary["interrupted"]) == (1, False)
    assert summary["files"][0]["job_name"] == name
    assert "Dashwood" in out.read_text()
    jobs = stored_jobs(cli)
    assert [(j["MedicalTranscriptionJobName"], j["TranscriptionJobStatus"]) for j in jobs] == [
        (name, "COMPLETED")
    ]


def test_nightly_script_mixed_folder_under_umask_000(tmp_path):
    recordings = tmp_path / "recordings"
    recordings.mkdir()
    for number in SHORT:
        (recordings / f"Smith-John-{number}.wav").write_bytes(librivox(number).read_bytes())
    (recordings / "broken.wav").write_text("Assessment: stable.\n" * 40)
    env = {**os.environ, "MEDSCRIBE": str(Path(sys.executable).parent / "medscribe")}
    env["CONCURRENCY"] = "2"

    def nightly() -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            ["bash", str(ROOT / "examples" / "nightly.sh"), "recordings", "out"],
            cwd=tmp_path,  # relative folders, as cron gives them
            env=env,
            capture_output=True,
            text=True,
            timeout=300,
            preexec_fn=lambda: os.umask(0),
        )

    first = nightly()
    assert first.returncode == 1, first.stderr
    assert "nightly: some files FAILED" in first.stderr
    assert "nightly: 3 succeeded, 0 skipped, 1 failed" in first.stdout
    out = tmp_path / "out"
    assert stat.S_IMODE(out.stat().st_mode) == 0o700
    (summary_file,) = out.glob("summary-*.json")
    assert stat.S_IMODE(summary_file.stat().st_mode) == 0o600
    summary = json.loads(summary_file.read_text())
    bad = [f for f in summary["files"] if f["status"] == "FAILED"]
    assert [f["input"] for f in bad] == [str(recordings / "broken.wav")]
    assert f"medscribe: {recordings / 'broken.wav'}: FAILED: " in first.stderr
    for entry in summary["files"]:
        assert Path(entry["input"]).is_absolute()
        for output in entry["outputs"]:
            assert stat.S_IMODE(Path(output).stat().st_mode) == 0o600
    assert "young man" in (out / "Smith-John-0880.txt").read_text()
    # The job store names jobs by content: no part of a file name reaches it.
    stored = sorted(p.name for p in (data_dir() / "jobs").iterdir() if not p.name.startswith("."))
    assert len(stored) == 3 and all(re.fullmatch(r"medscribe-[0-9a-f]{20}", n) for n in stored)

    again = nightly()
    assert again.returncode == 1, again.stderr
    assert "nightly: 0 succeeded, 3 skipped, 1 failed" in again.stdout


def write_silence(path: Path, seconds: float = 1.0, rate: int = 16000) -> Path:
    with wave.open(str(path), "wb") as out:
        out.setnchannels(1)
        out.setsampwidth(2)
        out.setframerate(rate)
        out.writeframes(b"\0\0" * int(seconds * rate))
    return path


def test_silence_completes_with_a_no_speech_notice(cli, tmp_path):
    silence = write_silence(tmp_path / "room.wav")
    target = tmp_path / "room.txt"
    result = cli("transcribe", str(silence), "--backend", "local", "-o", str(target), "--json")
    assert result.code == 0, result.err
    assert f"medscribe: {silence}: no speech detected" in result.err.splitlines()
    (entry,) = json.loads(result.out)["files"]
    assert entry["status"] == "COMPLETED" and entry["no_speech"] is True
    assert target.is_file() and target.read_text().strip() == ""

    quiet = cli("transcribe", str(silence), "--backend", "local", "-o", str(target), "-q")
    assert quiet.code == 0 and quiet.err == ""


def test_the_engine_reports_progress_and_stops_between_segments(long_speech, whisper_model):
    """The hooks under the CLI: progress rises to the first pass's share; cancel stops it."""
    options = build_options(max_speakers=2)
    seen: list[float] = []
    engine = shared_engine()
    transcript = engine.transcribe(long_speech, options, progress=seen.append)
    assert transcript.words and len(seen) >= 2
    assert seen == sorted(seen) and seen[-1] == pytest.approx(RECOGNITION_SHARE_WITH_SPEAKERS)

    cancel = threading.Event()
    reached: list[float] = []

    def stop_midway(fraction: float) -> None:
        reached.append(fraction)
        cancel.set()  # as the runner's stop() does from another thread

    with pytest.raises(TranscriptionCancelled):
        engine.transcribe(long_speech, options, cancel=cancel, progress=stop_midway)
    assert reached and reached[-1] < RECOGNITION_SHARE_WITH_SPEAKERS
