"""The local backend's job and vocabulary store on disk, safe across threads and processes.

Layout under :func:`medscribe.config.data_dir`::

    jobs/.lock                  flock'ed for every read-modify-write of a record
    jobs/.worker.json           the detached worker process, while one runs
    jobs/worker.log             the detached worker's log (job names and counts only)
    jobs/<name>/job.json        the Job fields + options, engine config and owner
    jobs/<name>/transcript.json Transcribe Medical JSON, once COMPLETED
    vocabularies/<name>/vocabulary.json  parsed entries + state
    vocabularies/<name>/table.txt        the table as the user gave it

Every write is atomic (temp file + ``os.replace``), so a crash never leaves half a
record, and private: folders 0700, files 0600 whatever the umask
(:mod:`medscribe.files`). Nothing here is named after the input file: job folders
are job names, and the record's ``media_path`` (which the job needs to run) stays
inside the 0600 ``job.json``. :meth:`Store.purge` deletes finished jobs older than
a cutoff (retention), never unfinished ones.

A job's *owner* is the process that runs it (pid and start time, so a reused pid
is not mistaken for it); an unfinished job whose owner is dead is claimable
again, which is how a crash or Ctrl-C never loses a started job.
Locks are ``fcntl.flock`` (POSIX; the standard library has no portable file lock
and the lock only has to exclude processes of this machine).
"""

from __future__ import annotations

import contextlib
import fcntl
import json
import os
import shutil
from collections.abc import Iterator
from dataclasses import fields
from datetime import UTC, datetime
from enum import StrEnum
from pathlib import Path
from typing import Any, TextIO

from medscribe.backends.base import Job, JobStatus, PurgeResult, Vocabulary
from medscribe.files import (
    cannot_write,
    open_private_append,
    private_dir,
    sweep_leftovers,
    tighten_dir,
    write_private,
)
from medscribe.request import Specialty, TranscriptionType
from medscribe.vocabulary import VocabularyState

JOB_FILE = "job.json"
TRANSCRIPT_FILE = "transcript.json"
VOCABULARY_FILE = "vocabulary.json"
TABLE_FILE = "table.txt"
#: Job folders being deleted are renamed to this prefix first.
TRASH_PREFIX = ".deleted-"
_DATETIME_FIELDS = ("created", "started", "completed")
#: Job fields stored as their plain values and read back as these enums.
_ENUM_FIELDS: dict[str, type[StrEnum]] = {
    "status": JobStatus,
    "specialty": Specialty,
    "type": TranscriptionType,
}

Record = dict[str, Any]


def now() -> datetime:
    return datetime.now(UTC)


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
    return owner is not None and owner.get("pid") == os.getpid()


# --------------------------------------------------------------------------- store


class Store:
    """Jobs and vocabularies under ``root`` (the data directory)."""

    def __init__(self, root: Path) -> None:
        self.root = Path(root)
        self.jobs_dir = self.root / "jobs"
        self.vocab_dir = self.root / "vocabularies"

    # -- folders

    def ensure_jobs_dir(self) -> Path:
        """``jobs/`` (and the data directory, 0700, when missing)."""
        return self._own_dir(self.jobs_dir)

    def ensure_vocabulary_dir(self, name: str) -> Path:
        self._own_dir(self.vocab_dir)
        return private_dir(self.vocabulary_dir(name))

    @staticmethod
    def _own_dir(path: Path) -> Path:
        if path.is_dir():
            tighten_dir(path)  # ours alone: undo what an older version's umask let through
            return path
        return private_dir(path, parents=True)

    # -- locking

    @contextlib.contextmanager
    def lock(self) -> Iterator[None]:
        """Exclusive lock over all job records (short critical sections only)."""
        self.ensure_jobs_dir()
        with open_private_append(self.jobs_dir / ".lock") as fh:
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
        self.ensure_jobs_dir()
        try:
            private_dir(self.job_dir(name), exist_ok=False)
        except FileExistsError:
            return False
        return True

    def read(self, name: str) -> Record | None:
        return _read_record(self.job_dir(name) / JOB_FILE)

    def write(self, record: Record) -> None:
        directory = self.job_dir(record["name"])
        if not directory.is_dir():
            return  # deleted meanwhile: do not bring it back
        write_private(directory / JOB_FILE, json.dumps(record, indent=2, sort_keys=True))

    def sweep_leftovers(self) -> int:
        """Remove temporary files that killed processes left in the store; how many."""
        folders = [self.root, self.jobs_dir, self.vocab_dir]
        for parent in (self.jobs_dir, self.vocab_dir):
            if parent.is_dir():
                folders += [p for p in parent.iterdir() if p.is_dir()]
        return sum(sweep_leftovers(folder) for folder in folders if folder.is_dir())

    def names(self) -> list[str]:
        if not self.jobs_dir.is_dir():
            return []
        return sorted(
            p.name
            for p in self.jobs_dir.iterdir()
            if p.is_dir() and not p.name.startswith(".") and (p / JOB_FILE).exists()
        )

    def delete(self, name: str) -> bool:
        trash = self._to_trash(name)
        if trash is None:
            return False
        shutil.rmtree(trash, ignore_errors=True)
        return True

    def _to_trash(self, name: str) -> Path | None:
        """Rename job ``name`` out of sight (so no reader sees it half-deleted); its new path."""
        directory = self.job_dir(name)
        if not directory.is_dir():
            return None
        trash = self.jobs_dir / f"{TRASH_PREFIX}{name}-{os.getpid()}"
        try:
            os.replace(directory, trash)
        except OSError as exc:
            raise cannot_write(directory, exc) from None
        return trash

    def transcript_path(self, name: str) -> Path:
        return self.job_dir(name) / TRANSCRIPT_FILE

    def write_transcript(self, name: str, text: str) -> Path:
        return write_private(self.transcript_path(name), text)

    # -- retention

    def purge(self, *, finished_before: datetime | None) -> PurgeResult:
        """Delete finished jobs (with their transcripts) that finished before the cutoff.

        ``None`` deletes every finished job. A job that is not finished (queued or
        running, whether or not its runner is alive) is never deleted: it is
        resumed instead. Leftovers of an interrupted delete are swept as well.
        """
        result = PurgeResult()
        if not self.jobs_dir.is_dir():
            return result  # nothing stored yet: create nothing either
        trash: list[Path] = []
        with self.lock():
            for name in self.names():
                record = self.read(name)
                if record is None:
                    continue
                if not _finished(record):
                    result.unfinished += 1
                    continue
                ended = finished_at(record)
                if finished_before is not None and (ended is None or ended >= finished_before):
                    continue
                moved = self._to_trash(name)
                if moved is not None:
                    trash.append(moved)
                    result.deleted += 1
            trash += [p for p in self.jobs_dir.iterdir() if p.name.startswith(TRASH_PREFIX)]
        for path in trash:  # outside the lock: other processes need not wait for this
            shutil.rmtree(path, ignore_errors=True)
        return result

    # -- the detached worker's registration

    @property
    def worker_file(self) -> Path:
        return self.jobs_dir / ".worker.json"

    @property
    def worker_log(self) -> Path:
        return self.jobs_dir / "worker.log"

    def open_worker_log(self) -> TextIO:
        """The detached worker's log, appended to, 0600."""
        self.ensure_jobs_dir()
        return open_private_append(self.worker_log)

    def worker(self) -> dict[str, Any] | None:
        return _read_record(self.worker_file)

    def set_worker(self, owner: dict[str, Any] | None) -> None:
        if owner is None:
            with contextlib.suppress(FileNotFoundError):
                self.worker_file.unlink()
            return
        self.ensure_jobs_dir()
        write_private(self.worker_file, json.dumps(owner))

    # -- vocabularies

    def vocabulary_dir(self, name: str) -> Path:
        return self.vocab_dir / name

    def read_vocabulary(self, name: str) -> Record | None:
        return _read_record(self.vocabulary_dir(name) / VOCABULARY_FILE)

    def vocabulary_names(self) -> list[str]:
        if not self.vocab_dir.is_dir():
            return []
        return sorted(p.name for p in self.vocab_dir.iterdir() if (p / VOCABULARY_FILE).is_file())


def _read_record(path: Path) -> Record | None:
    """The JSON object in ``path``; None when it is missing, unreadable or not an object."""
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, json.JSONDecodeError, UnicodeDecodeError):
        return None
    return data if isinstance(data, dict) else None


def _finished(record: Record) -> bool:
    """COMPLETED or FAILED; a record in any other or an unreadable state is kept."""
    status = record.get("status")
    try:
        return isinstance(status, str) and JobStatus(status).finished
    except ValueError:
        return False


def finished_at(record: Record) -> datetime | None:
    """When a finished job ended (its ``completed``, else ``created``); None if unknown."""
    for key in ("completed", "created"):
        value = record.get(key)
        if isinstance(value, str) and value:
            try:
                when = datetime.fromisoformat(value)
            except ValueError:
                continue
            return when if when.tzinfo else when.replace(tzinfo=UTC)
    return None


# --------------------------------------------------------------------------- records


def job_to_record(job: Job, **extra: Any) -> Record:
    """A Job as JSON (its own field names, datetimes in ISO 8601) plus our extra keys."""
    record: Record = {}
    for f in fields(Job):
        value = getattr(job, f.name)
        if isinstance(value, datetime):
            value = value.isoformat()
        elif isinstance(value, StrEnum):  # status, specialty, type: their plain values
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
        elif f.name in _ENUM_FIELDS:
            value = _ENUM_FIELDS[f.name](value)
        kwargs[f.name] = value
    return Job(**kwargs)


def record_to_vocabulary(record: Record) -> Vocabulary:
    modified = record.get("last_modified")
    return Vocabulary(
        name=record["name"],
        state=VocabularyState(record.get("state", VocabularyState.READY)),
        language_code=record.get("language_code", "en-US"),
        last_modified=datetime.fromisoformat(modified) if modified else None,
        failure_reason=record.get("failure_reason"),
        download_uri=record.get("download_uri"),
        backend="local",
    )
