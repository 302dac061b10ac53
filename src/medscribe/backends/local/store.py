"""The local backend's job and vocabulary store on disk, safe across threads and processes.

Layout under :func:`medscribe.config.data_dir`::

    jobs/.lock                  flock'ed for every read-modify-write of a record
    jobs/.worker.json           the detached worker process, while one runs
    jobs/<name>/job.json        the Job fields + options, engine config and owner
    jobs/<name>/transcript.json Transcribe Medical JSON, once COMPLETED
    vocabularies/<name>/vocabulary.json  parsed entries + state
    vocabularies/<name>/table.txt        the table as the user gave it

Every write is atomic (temp file + ``os.replace``), so a crash never leaves half a
record. A job's *owner* is the process that runs it (pid and start time, so a
reused pid is not mistaken for it); an unfinished job whose owner is dead is
claimable again, which is how a crash or Ctrl-C never loses a started job.
Locks are ``fcntl.flock`` (POSIX; the standard library has no portable file lock
and the lock only has to exclude processes of this machine).
"""

from __future__ import annotations

import contextlib
import fcntl
import json
import os
import shutil
import tempfile
from collections.abc import Iterator
from dataclasses import fields
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from medscribe.backends.base import Job, JobStatus, Vocabulary

JOB_FILE = "job.json"
TRANSCRIPT_FILE = "transcript.json"
VOCABULARY_FILE = "vocabulary.json"
TABLE_FILE = "table.txt"
_DATETIME_FIELDS = ("created", "started", "completed")

Record = dict[str, Any]


def now() -> datetime:
    return datetime.now(UTC)


def write_atomic(path: Path, text: str) -> None:
    """Write ``text`` to ``path`` through a temporary file in the same directory."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as fh:
            fh.write(text)
            fh.flush()
            os.fsync(fh.fileno())
        os.replace(tmp, path)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(tmp)
        raise


# --------------------------------------------------------------------------- owners


def process_start(pid: int) -> str | None:
    """The kernel's start time of ``pid`` (field 22 of /proc/PID/stat), None if unknown."""
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return None
    # The command name (field 2) may contain spaces: split after its closing parenthesis.
    rest = stat.rsplit(")", 1)[-1].split()
    if not rest or rest[0] == "Z":  # a zombie has exited already
        return "zombie"
    return rest[19] if len(rest) > 19 else None


def me() -> dict[str, Any]:
    """This process as an owner."""
    return {"pid": os.getpid(), "start": process_start(os.getpid())}


def is_alive(owner: dict[str, Any] | None) -> bool:
    """True while the process that ``owner`` names is still running."""
    if not owner or not isinstance(owner.get("pid"), int):
        return False
    pid = owner["pid"]
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        pass  # exists, belongs to someone else
    start = process_start(pid)
    if start == "zombie":
        return False
    # A different start time means the pid was reused by another process.
    return start is None or owner.get("start") is None or start == owner["start"]


def is_mine(owner: dict[str, Any] | None) -> bool:
    return bool(owner) and owner.get("pid") == os.getpid()


# --------------------------------------------------------------------------- store


class Store:
    """Jobs and vocabularies under ``root`` (the data directory)."""

    def __init__(self, root: Path) -> None:
        self.root = Path(root)
        self.jobs_dir = self.root / "jobs"
        self.vocab_dir = self.root / "vocabularies"

    # -- locking

    @contextlib.contextmanager
    def lock(self) -> Iterator[None]:
        """Exclusive lock over all job records (short critical sections only)."""
        self.jobs_dir.mkdir(parents=True, exist_ok=True)
        with (self.jobs_dir / ".lock").open("a") as fh:
            fcntl.flock(fh.fileno(), fcntl.LOCK_EX)
            try:
                yield
            finally:
                fcntl.flock(fh.fileno(), fcntl.LOCK_UN)

    # -- jobs

    def job_dir(self, name: str) -> Path:
        return self.jobs_dir / name

    def create_job_dir(self, name: str) -> bool:
        """Reserve ``name``; False when it exists already (mkdir is atomic)."""
        self.jobs_dir.mkdir(parents=True, exist_ok=True)
        try:
            self.job_dir(name).mkdir()
        except FileExistsError:
            return False
        return True

    def read(self, name: str) -> Record | None:
        path = self.job_dir(name) / JOB_FILE
        try:
            return json.loads(path.read_text(encoding="utf-8"))
        except FileNotFoundError:
            return None
        except (OSError, json.JSONDecodeError):
            return None

    def write(self, record: Record) -> None:
        directory = self.job_dir(record["name"])
        if not directory.is_dir():
            return  # deleted meanwhile: do not bring it back
        write_atomic(directory / JOB_FILE, json.dumps(record, indent=2, sort_keys=True))

    def names(self) -> list[str]:
        if not self.jobs_dir.is_dir():
            return []
        return sorted(
            p.name
            for p in self.jobs_dir.iterdir()
            if p.is_dir() and not p.name.startswith(".") and (p / JOB_FILE).exists()
        )

    def delete(self, name: str) -> bool:
        directory = self.job_dir(name)
        if not directory.is_dir():
            return False
        # Rename first so that a reader never sees a half-deleted job.
        trash = self.jobs_dir / f".deleted-{name}-{os.getpid()}"
        os.replace(directory, trash)
        shutil.rmtree(trash, ignore_errors=True)
        return True

    def transcript_path(self, name: str) -> Path:
        return self.job_dir(name) / TRANSCRIPT_FILE

    # -- the detached worker's registration

    @property
    def worker_file(self) -> Path:
        return self.jobs_dir / ".worker.json"

    def worker(self) -> dict[str, Any] | None:
        try:
            return json.loads(self.worker_file.read_text())
        except (OSError, json.JSONDecodeError):
            return None

    def set_worker(self, owner: dict[str, Any] | None) -> None:
        if owner is None:
            with contextlib.suppress(FileNotFoundError):
                self.worker_file.unlink()
            return
        write_atomic(self.worker_file, json.dumps(owner))

    # -- vocabularies

    def vocabulary_dir(self, name: str) -> Path:
        return self.vocab_dir / name

    def read_vocabulary(self, name: str) -> Record | None:
        try:
            return json.loads((self.vocabulary_dir(name) / VOCABULARY_FILE).read_text("utf-8"))
        except (OSError, json.JSONDecodeError):
            return None

    def vocabulary_names(self) -> list[str]:
        if not self.vocab_dir.is_dir():
            return []
        return sorted(p.name for p in self.vocab_dir.iterdir() if (p / VOCABULARY_FILE).is_file())


# --------------------------------------------------------------------------- records


def job_to_record(job: Job, **extra: Any) -> Record:
    """A Job as JSON (its own field names, datetimes in ISO 8601) plus our extra keys."""
    record: Record = {}
    for f in fields(Job):
        value = getattr(job, f.name)
        if isinstance(value, datetime):
            value = value.isoformat()
        elif isinstance(value, JobStatus):
            value = value.value
        record[f.name] = value
    record.update(extra)
    return record


def record_to_job(record: Record) -> Job:
    kwargs: dict[str, Any] = {}
    for f in fields(Job):
        if f.name not in record:
            continue
        value = record[f.name]
        if f.name in _DATETIME_FIELDS and value:
            value = datetime.fromisoformat(value)
        elif f.name == "status":
            value = JobStatus(value)
        kwargs[f.name] = value
    return Job(**kwargs)


def record_to_vocabulary(record: Record) -> Vocabulary:
    modified = record.get("last_modified")
    return Vocabulary(
        name=record["name"],
        state=record.get("state", "READY"),
        language_code=record.get("language_code", "en-US"),
        last_modified=datetime.fromisoformat(modified) if modified else None,
        failure_reason=record.get("failure_reason"),
        download_uri=record.get("download_uri"),
        backend="local",
    )
