"""Retention of the local job store: ``medscribe jobs purge`` and the automatic purge.

Jobs are real store records (written with the store's own functions, timestamps in
the past); the CLI runs as a subprocess. A job that is not finished is never purged.
"""

from __future__ import annotations

import json
import os
from datetime import datetime, timedelta
from pathlib import Path

import pytest

from medscribe.backends.base import Job, JobStatus
from medscribe.backends.local.store import Store, job_to_record, me, now

from .test_private_files import cli_env, medscribe, one_error_line


@pytest.fixture
def home(tmp_path: Path) -> Path:
    (tmp_path / "home").mkdir()
    return tmp_path / "home"


def add_job(
    store: Store, name: str, status: JobStatus, age_days: float, *, owner: object = None
) -> None:
    """A job created ``age_days`` ago that finished then (when ``status`` is finished)."""
    when: datetime = now() - timedelta(days=age_days)
    job = Job(name=name, status=status, created=when, backend="local")
    if status.finished:
        job.started = job.completed = when
    assert store.create_job_dir(name)
    with store.lock():
        store.write(job_to_record(job, owner=owner, media_path="/nowhere/in.wav"))
    if status is JobStatus.COMPLETED:
        store.write_transcript(name, json.dumps({"jobName": name, "results": {}}))


def a_dead_owner() -> dict[str, object]:
    """An owner whose process has exited: a pid above the kernel's limit never exists."""
    limit = int(Path("/proc/sys/kernel/pid_max").read_text())
    return {"pid": limit + 1, "start": "1"}


@pytest.fixture
def store(home: Path) -> Store:
    """Old and new finished jobs, plus two unfinished ones older than any cutoff."""
    store = Store(home / "data")
    add_job(store, "old-done", JobStatus.COMPLETED, 120)
    add_job(store, "old-failed", JobStatus.FAILED, 95)
    add_job(store, "month-done", JobStatus.COMPLETED, 40)
    add_job(store, "new-done", JobStatus.COMPLETED, 2)
    # Running, in a process that is alive (this one), and queued with its owner gone:
    # both are resumed, never purged, however old.
    add_job(store, "old-running", JobStatus.IN_PROGRESS, 300, owner=me())
    add_job(store, "old-queued", JobStatus.QUEUED, 300, owner=a_dead_owner())
    return store


UNFINISHED = ["old-queued", "old-running"]


def test_purge_by_default_deletes_jobs_older_than_the_retention(store: Store, home: Path) -> None:
    result = medscribe("jobs", "purge", env=cli_env(home))
    assert result.returncode == 0, result.stderr
    assert result.stderr.strip() == "medscribe: purged 2 finished job(s); 2 unfinished job(s) kept"
    assert store.names() == sorted(["month-done", "new-done", *UNFINISHED])
    assert not (store.jobs_dir / "old-done").exists(), "the transcript went with the record"
    assert [p.name for p in store.jobs_dir.iterdir() if p.name.startswith(".deleted")] == []


def test_purge_older_than_days_with_json_counts(store: Store, home: Path) -> None:
    result = medscribe("jobs", "purge", "--older-than", "30", "--json", env=cli_env(home))
    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout) == {"purged": 3, "unfinished_kept": 2}
    assert store.names() == sorted(["new-done", *UNFINISHED])


def test_purge_all_deletes_every_finished_job_and_keeps_unfinished_ones(
    store: Store, home: Path
) -> None:
    result = medscribe("jobs", "purge", "--all", env=cli_env(home))
    assert result.returncode == 0, result.stderr
    assert store.names() == UNFINISHED
    again = medscribe("jobs", "purge", "--all", "--json", env=cli_env(home))
    assert json.loads(again.stdout) == {"purged": 0, "unfinished_kept": 2}


def test_expired_jobs_are_purged_when_the_local_backend_is_used(store: Store, home: Path) -> None:
    env = cli_env(home)
    env["MEDSCRIBE_JOB_RETENTION_DAYS"] = "0"  # off: nothing is purged
    listed = medscribe("jobs", "list", "--json", env=env)
    assert listed.returncode == 0, listed.stderr
    assert len(json.loads(listed.stdout)) == 6

    env["MEDSCRIBE_JOB_RETENTION_DAYS"] = "30"
    listed = medscribe("jobs", "list", "--json", env=env)
    assert listed.returncode == 0, listed.stderr
    names = sorted(j["MedicalTranscriptionJobName"] for j in json.loads(listed.stdout))
    assert names == sorted(["new-done", *UNFINISHED])

    del env["MEDSCRIBE_JOB_RETENTION_DAYS"]  # the default, 90 days, keeps the rest
    assert medscribe("jobs", "list", env=env).returncode == 0
    assert store.names() == sorted(["new-done", *UNFINISHED])


def test_purge_on_an_empty_store_creates_nothing(home: Path) -> None:
    result = medscribe("jobs", "purge", "--all", "--json", env=cli_env(home))
    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout) == {"purged": 0, "unfinished_kept": 0}
    assert os.listdir(home) == []


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--all", "--older-than", "3"], "--all and --older-than cannot be used together"),
        (["--backend", "aws"], "jobs purge applies to the local job store"),
    ],
)
def test_purge_refusals_are_one_line_and_exit_2(
    store: Store, home: Path, args: list[str], message: str
) -> None:
    result = medscribe("jobs", "purge", *args, env=cli_env(home))
    assert result.returncode == 2
    assert message in one_error_line(result)
    assert len(store.names()) == 6
