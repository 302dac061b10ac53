"""The local backend: the Backend protocol over the offline engine and an on-disk job store.

Jobs behave like the service's: a unique name, statuses QUEUED -> IN_PROGRESS ->
COMPLETED or FAILED, the same Job fields and the same transcript JSON. Media is
read in place (its absolute path is recorded; audio is never copied into the
store). Whether a job runs in this process or in a detached worker is the
``detach`` flag: False (default) for callers that wait, True for ``--no-wait``.

Retention: finished jobs (record and transcript) are kept ``job_retention_days``
(default 90, as the service keeps its job records), then deleted the first time
a backend is made for that store in a process; :meth:`LocalBackend.purge_jobs`
deletes on request. Unfinished jobs are never purged: they are resumed.
"""

from __future__ import annotations

import json
import logging
import threading
import time
from datetime import timedelta
from pathlib import Path

from medscribe.backends.base import Job, JobStatus, Vocabulary
from medscribe.backends.local import runner
from medscribe.backends.local.store import (
    TABLE_FILE,
    VOCABULARY_FILE,
    PurgeResult,
    Store,
    job_to_record,
    me,
    now,
    record_to_job,
    record_to_vocabulary,
)
from medscribe.config import Settings, data_dir
from medscribe.errors import (
    BackendError,
    ConflictError,
    JobFailedError,
    MediaError,
    MedscribeError,
    NotFoundError,
    ValidationError,
)
from medscribe.files import write_private
from medscribe.request import (
    LOCAL_MAX_CHANNELS,
    VOCABULARY_NAME_PATTERN,
    TranscriptionOptions,
    validate_job_name,
)
from medscribe.transcript import Transcript
from medscribe.transcript import load as load_transcript

log = logging.getLogger(__name__)

#: Data directories already purged by this process (the check runs at most once per run).
_purged_roots: set[Path] = set()


class LocalBackend:
    """Transcription on this machine; see the module docstring."""

    name = "local"

    def __init__(
        self, settings: Settings | None = None, *, detach: bool = False, auto_purge: bool = True
    ) -> None:
        self.settings = settings or Settings()
        self.store = Store(data_dir(self.settings))
        #: True: jobs go to a detached worker process and outlive this one (``--no-wait``).
        self.detach = detach
        if auto_purge:
            self._purge_expired()

    # ------------------------------------------------------------------ retention

    def purge_jobs(self, older_than_days: float | None = None) -> PurgeResult:
        """Delete finished jobs that ended more than ``older_than_days`` ago (None: all)."""
        cutoff = None
        if older_than_days is not None:
            cutoff = now() - timedelta(days=older_than_days)
        return self.store.purge(finished_before=cutoff)

    def _purge_expired(self) -> None:
        """The automatic purge: once per process and store, never a reason to fail.

        Temporary files that a killed process left in the store are swept first.
        """
        days = self.settings.job_retention_days
        root = self.store.root.resolve()
        if root in _purged_roots:
            return
        _purged_roots.add(root)
        self.store.sweep_leftovers()
        if not days:
            return
        try:
            result = self.purge_jobs(days)
        except (OSError, ValueError, MedscribeError):
            log.debug("automatic purge of the job store skipped", exc_info=True)
            return
        if result.deleted:
            log.info("purged %d job(s) older than %d days", result.deleted, days)

    # ------------------------------------------------------------------ jobs

    def start_job(self, name: str, media: Path, options: TranscriptionOptions) -> Job:
        """Check the request, record the job QUEUED, and start it; returns at once."""
        from medscribe.engine.audio import check
        from medscribe.engine.pipeline import EngineConfig
        from medscribe.engine.recognition import resolve_model_path

        validate_job_name(name)
        info = check(media)  # MediaError: missing, not audio, cut-off WAV
        if options.channel_identification and info.channels > LOCAL_MAX_CHANNELS:
            raise MediaError(
                f"{media}: {info.channels} channels; the offline engine takes at most "
                f"{LOCAL_MAX_CHANNELS}"
            )
        if options.vocabulary and self.store.read_vocabulary(options.vocabulary) is None:
            raise ValidationError(f"vocabulary {options.vocabulary} does not exist")
        model = resolve_model_path(self.settings.model) if self.settings.model else None
        job = Job(
            name=name,
            status=JobStatus.QUEUED,
            specialty=options.specialty.value,
            type=options.type.value,
            language_code=options.language_code,
            media_uri=info.path.resolve().as_uri(),
            media_format=info.format,
            sample_rate=info.sample_rate or None,
            created=now(),
            settings=options.settings(),
            backend=self.name,
        )
        engine = EngineConfig(model=model, threads=self.settings.threads)
        record = job_to_record(
            job,
            media_path=str(info.path.resolve()),
            options=options.model_dump(mode="json"),
            engine={"model": engine.model, "threads": engine.threads, "beam_size": 5},
            owner=None if self.detach else me(),
        )
        with self.store.lock():
            # Folder and record are made under the lock, so a folder without a record
            # seen here is the leftover of a process killed in between: take it over.
            if not self.store.create_job_dir(name) and self.store.read(name) is not None:
                raise ConflictError(f"a job named {name} exists already")
            try:
                self.store.write(record)
                if self.detach:
                    runner.ensure_worker(self.store)
            except BaseException:
                if self.store.read(name) is None:
                    self.store.job_dir(name).rmdir()  # free the name again
                raise
        if not self.detach:
            runner.RUNNER.submit(self.store, name)
        return job

    def get_job(self, name: str) -> Job:
        """The job's state; a job whose runner died is started again here."""
        record = self._record(name)
        if runner.claimable(record, self.store, by_worker=False):
            record = self._resume(name) or record
        return record_to_job(record)

    def _resume(self, name: str) -> dict | None:
        with self.store.lock():
            record = self.store.read(name)
            if record is None or not runner.claimable(record, self.store, by_worker=False):
                return record
            record["status"] = JobStatus.QUEUED.value
            record["owner"] = None if self.detach else me()
            self.store.write(record)
            if self.detach:
                runner.ensure_worker(self.store)
        if not self.detach:
            runner.RUNNER.submit(self.store, name)
        return record

    def list_jobs(
        self, *, status: JobStatus | None = None, contains: str | None = None
    ) -> list[Job]:
        jobs = []
        for name in self.store.names():
            if contains and contains.lower() not in name.lower():
                continue
            record = self.store.read(name)
            if record is None:
                continue
            job = record_to_job(record)
            if status is None or job.status is status:
                jobs.append(job)
        return sorted(jobs, key=lambda j: (j.created is not None, j.created), reverse=True)

    def delete_job(self, name: str) -> None:
        with self.store.lock():
            if not self.store.delete(name):
                raise NotFoundError(f"no local job named {name}")

    def get_transcript(self, job: Job) -> Transcript:
        record = self._record(job.name)
        status = JobStatus(record["status"])
        if status is JobStatus.FAILED:
            raise JobFailedError(job.name, record.get("failure_reason"))
        if status is not JobStatus.COMPLETED:
            raise BackendError(f"job {job.name} is {status.value}; it has no transcript yet")
        path = self.store.transcript_path(job.name)
        if not path.is_file():
            raise BackendError(f"job {job.name}: its transcript file is missing from the store")
        return load_transcript(path)

    def wait(self, name: str, *, timeout: float | None = None, poll: float = 0.5) -> Job:
        """Block until job ``name`` is COMPLETED or FAILED (local convenience, not protocol)."""
        deadline = None if timeout is None else time.monotonic() + timeout
        while True:
            job = self.get_job(name)
            if job.status.finished:
                return job
            remaining = None if deadline is None else deadline - time.monotonic()
            if remaining is not None and remaining <= 0:
                raise BackendError(f"job {name} did not finish within {timeout:.0f} s")
            event = runner.RUNNER.event(self.store, name)
            step = poll if remaining is None else min(poll, remaining)
            if isinstance(event, threading.Event):
                event.wait(step)
            else:
                time.sleep(step)

    def _record(self, name: str) -> dict:
        record = self.store.read(name)
        if record is None:
            raise NotFoundError(f"no local job named {name}")
        return record

    # ------------------------------------------------------------------ vocabularies

    def create_vocabulary(self, name: str, path: Path) -> Vocabulary:
        _check_vocabulary_name(name)
        with self.store.lock():
            if self.store.read_vocabulary(name) is not None:
                raise ConflictError(f"a vocabulary named {name} exists already")
            return self._save_vocabulary(name, path)

    def update_vocabulary(self, name: str, path: Path) -> Vocabulary:
        _check_vocabulary_name(name)
        with self.store.lock():
            if self.store.read_vocabulary(name) is None:
                raise NotFoundError(f"no local vocabulary named {name}")
            return self._save_vocabulary(name, path)

    def get_vocabulary(self, name: str) -> Vocabulary:
        record = self.store.read_vocabulary(name)
        if record is None:
            raise NotFoundError(f"no local vocabulary named {name}")
        return record_to_vocabulary(record)

    def list_vocabularies(self) -> list[Vocabulary]:
        out = []
        for name in self.store.vocabulary_names():
            record = self.store.read_vocabulary(name)
            if record is not None:
                out.append(record_to_vocabulary(record))
        return out

    def delete_vocabulary(self, name: str) -> None:
        import shutil

        with self.store.lock():
            if self.store.read_vocabulary(name) is None:
                raise NotFoundError(f"no local vocabulary named {name}")
            shutil.rmtree(self.store.vocabulary_dir(name), ignore_errors=True)

    def vocabulary_entries(self, name: str) -> list:
        """The parsed entries of vocabulary ``name`` (``medscribe.vocabulary.VocabularyEntry``)."""
        from medscribe.vocabulary import VocabularyEntry

        record = self.store.read_vocabulary(name)
        if record is None:
            raise NotFoundError(f"no local vocabulary named {name}")
        return [VocabularyEntry(**entry) for entry in record.get("entries", [])]

    def _save_vocabulary(self, name: str, path: Path) -> Vocabulary:
        from dataclasses import asdict

        from medscribe.vocabulary import parse_vocabulary

        entries = parse_vocabulary(path)  # VocabularyFormatError lists every bad line
        directory = self.store.ensure_vocabulary_dir(name)
        table = directory / TABLE_FILE
        write_private(table, Path(path).read_text(encoding="utf-8"))
        record = {
            "name": name,
            "state": "READY",
            "language_code": "en-US",
            "last_modified": now().isoformat(),
            "download_uri": table.resolve().as_uri(),
            "entries": [asdict(e) for e in entries],
        }
        write_private(directory / VOCABULARY_FILE, json.dumps(record, indent=2))
        return record_to_vocabulary(record)


def _check_vocabulary_name(name: str) -> None:
    if not VOCABULARY_NAME_PATTERN.match(name):
        raise ValidationError(
            f"invalid vocabulary name {name!r}: use 1 to 200 letters, digits, '.', '_' or '-'"
        )
