"""LocalBackend: the job lifecycle on disk, resumption after a crash, the detached worker."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from pathlib import Path

import pytest

from medscribe.backends import JobStatus, get_backend
from medscribe.backends.local import LocalBackend
from medscribe.config import Settings, data_dir
from medscribe.errors import (
    ConfigError,
    ConflictError,
    JobFailedError,
    MediaError,
    NotFoundError,
    ValidationError,
)
from medscribe.request import build_options
from transcript.schema import assert_transcribe_medical_schema

from .conftest import ROOT, ffmpeg

pytestmark = pytest.mark.model


@pytest.fixture
def backend(whisper_model) -> LocalBackend:
    return LocalBackend(Settings())


def test_the_default_backend_is_local(tmp_path):
    assert isinstance(get_backend(Settings()), LocalBackend)


def test_job_lifecycle(backend, utterance):
    wav, _ = utterance
    options = build_options(specialty="cardiology")
    job = backend.start_job("visit-1", wav, options)
    assert job.status is JobStatus.QUEUED and job.specialty == "CARDIOLOGY"
    with pytest.raises(ConflictError):
        backend.start_job("visit-1", wav, options)

    done = backend.wait("visit-1", timeout=120)
    assert done.status is JobStatus.COMPLETED
    assert done.created <= done.started <= done.completed
    assert done.media_format == "wav" and done.transcript_uri.endswith("transcript.json")
    record = json.loads((data_dir() / "jobs" / "visit-1" / "job.json").read_text())
    assert record["status"] == "COMPLETED" and record["owner"] is None

    transcript = backend.get_transcript(done)
    assert "chest pain" in transcript.text.lower()
    stored = json.loads((data_dir() / "jobs" / "visit-1" / "transcript.json").read_text())
    assert_transcribe_medical_schema(stored, exact_format=True)
    assert stored["jobName"] == "visit-1"

    backend.start_job("other-2", wav, build_options())
    backend.wait("other-2", timeout=120)
    assert [j.name for j in backend.list_jobs()] == ["other-2", "visit-1"]
    assert [j.name for j in backend.list_jobs(contains="VISIT")] == ["visit-1"]
    assert backend.list_jobs(status=JobStatus.FAILED) == []
    assert done.to_service_dict()["MedicalTranscriptionJobName"] == "visit-1"

    backend.delete_job("visit-1")
    with pytest.raises(NotFoundError):
        backend.get_job("visit-1")
    with pytest.raises(NotFoundError):
        backend.delete_job("visit-1")
    assert [j.name for j in backend.list_jobs()] == ["other-2"]


def test_bad_requests_start_nothing(backend, tmp_path, utterance):
    wav, _ = utterance
    (tmp_path / "notes.wav").write_text("not audio")
    with pytest.raises(MediaError):
        backend.start_job("a", tmp_path / "missing.wav", build_options())
    with pytest.raises(MediaError):
        backend.start_job("b", tmp_path / "notes.wav", build_options())
    with pytest.raises(ValidationError):
        backend.start_job("bad name!", wav, build_options())
    with pytest.raises(ValidationError):
        backend.start_job("c", wav, build_options(vocabulary="nope"))
    with pytest.raises(ConfigError):
        LocalBackend(Settings(model=str(tmp_path))).start_job("d", wav, build_options())
    assert backend.list_jobs() == []


def test_a_file_that_fails_while_decoding_ends_failed(backend, utterance, tmp_path):
    wav, _ = utterance
    flac = tmp_path / "visit.flac"
    ffmpeg("-i", str(wav), str(flac))
    cut = tmp_path / "cut.flac"
    cut.write_bytes(flac.read_bytes()[: flac.stat().st_size // 3])
    backend.start_job("cut", cut, build_options())
    job = backend.wait("cut", timeout=120)
    assert job.status is JobStatus.FAILED and "truncated" in job.failure_reason
    with pytest.raises(JobFailedError):
        backend.get_transcript(job)


def test_a_transcript_that_cannot_be_stored_fails_the_job(backend, utterance, monkeypatch):
    # A full disk at the very end: the job ends FAILED with the reason, nobody waits forever.
    from medscribe.backends.local.store import Store
    from medscribe.files import WriteError

    def full_disk(self: Store, name: str, text: str) -> Path:
        raise WriteError(f"{self.transcript_path(name)}: cannot write: No space left on device")

    monkeypatch.setattr(Store, "write_transcript", full_disk)
    wav, _ = utterance
    backend.start_job("full-disk", wav, build_options())
    job = backend.wait("full-disk", timeout=120)
    assert job.status is JobStatus.FAILED
    assert "cannot store the transcript" in job.failure_reason
    assert "No space left on device" in job.failure_reason


def _run(code: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-c", code], cwd=ROOT, env=dict(os.environ), timeout=120, check=True
    )


def test_a_job_left_by_a_dead_process_is_resumed(backend, utterance):
    wav, _ = utterance
    # A process starts a job and dies at once, before its runner finished (os._exit
    # skips every clean-up, as a crash or SIGKILL would).
    _run(
        "import os; from pathlib import Path; from medscribe.backends.local import LocalBackend;"
        "from medscribe.request import build_options;"
        f"LocalBackend().start_job('orphan', Path({str(wav)!r}), build_options()); os._exit(0)"
    )
    record = json.loads((data_dir() / "jobs" / "orphan" / "job.json").read_text())
    assert record["status"] in {"QUEUED", "IN_PROGRESS"} and record["owner"]["pid"] != os.getpid()

    assert backend.get_job("orphan").status in {JobStatus.QUEUED, JobStatus.IN_PROGRESS}
    job = backend.wait("orphan", timeout=120)
    assert job.status is JobStatus.COMPLETED
    assert "chest pain" in backend.get_transcript(job).text.lower()


def test_no_wait_jobs_run_in_a_detached_worker(whisper_model, utterance):
    wav, _ = utterance
    detached = LocalBackend(Settings(), detach=True)
    for name in ("bg-1", "bg-2"):
        detached.start_job(name, wav, build_options())
    worker = json.loads((data_dir() / "jobs" / ".worker.json").read_text())
    assert worker["pid"] != os.getpid()
    for name in ("bg-1", "bg-2"):
        assert detached.wait(name, timeout=120).status is JobStatus.COMPLETED
    # The worker drains the queue and exits on its own.
    deadline = time.monotonic() + 30
    while (data_dir() / "jobs" / ".worker.json").exists() and time.monotonic() < deadline:
        time.sleep(0.2)
    assert not (data_dir() / "jobs" / ".worker.json").exists()
    log = (data_dir() / "jobs" / "worker.log").read_text()
    assert "bg-1" in log and "chest" not in log.lower()  # names only, never transcript text


def test_vocabularies(backend, tmp_path):
    table = tmp_path / "cardio.txt"
    table.write_text("Phrase\tIPA\tSoundsLike\tDisplayAs\nmetoprolol\t\tmet-oh-pro-lol\t\n")
    vocabulary = backend.create_vocabulary("cardio", table)
    assert vocabulary.state == "READY" and vocabulary.backend == "local"
    with pytest.raises(ConflictError):
        backend.create_vocabulary("cardio", table)
    assert [v.name for v in backend.list_vocabularies()] == ["cardio"]
    assert backend.vocabulary_entries("cardio")[0].phrase == "metoprolol"

    table.write_text("Phrase\tIPA\tSoundsLike\tDisplayAs\napixaban\t\t\tApixaban\n")
    backend.update_vocabulary("cardio", table)
    assert backend.vocabulary_entries("cardio")[0].display_as == "Apixaban"
    assert backend.get_vocabulary("cardio").last_modified is not None

    bad = tmp_path / "bad.txt"
    bad.write_text("metoprolol,met-oh-pro-lol\n")
    with pytest.raises(ValidationError):
        backend.create_vocabulary("broken", bad)
    with pytest.raises(NotFoundError):
        backend.get_vocabulary("broken")

    backend.delete_vocabulary("cardio")
    assert backend.list_vocabularies() == []
    with pytest.raises(NotFoundError):
        backend.delete_vocabulary("cardio")


@pytest.mark.parametrize("kind", ["missing", "text", "truncated"])
def test_cli_reports_bad_files_on_one_line(tmp_path, utterance, kind):
    medscribe = Path(sys.executable).parent / "medscribe"
    wav, _ = utterance
    path = tmp_path / "input.wav"
    if kind == "text":
        path.write_text("Assessment: stable\n")
    elif kind == "truncated":
        path.write_bytes(wav.read_bytes()[: wav.stat().st_size // 2])
    result = subprocess.run(
        [
            str(medscribe),
            "transcribe",
            str(path),
            "--backend",
            "local",
            "--output-dir",
            str(tmp_path / "out"),
        ],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode != 0
    assert "Traceback" not in result.stderr
    reason = {"missing": "no such file", "text": "not a readable", "truncated": "truncated"}[kind]
    assert len([line for line in result.stderr.splitlines() if reason in line]) == 1, result.stderr
    # Refused before anything started: no job was recorded.
    assert LocalBackend(Settings()).list_jobs() == []
