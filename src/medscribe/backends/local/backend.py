"""The local backend: the Backend contract over the offline engine and an on-disk job store.

Jobs behave like the service's: a unique name, statuses QUEUED -> IN_PROGRESS ->
COMPLETED or FAILED, the same Job fields and the same transcript JSON. Media is
read in place (its absolute path is recorded; audio is never copied into the
store). Whether a job runs in this process or in a detached worker is the
``detach`` flag: False (default) for callers that wait, True once
:meth:`LocalBackend.detach` is called (``--no-wait``); an interrupt stops the
jobs of this process in order (:meth:`LocalBackend.interrupt`) and leaves them
for a rerun. Requests are checked with the engine's rules
(:mod:`medscribe.backends.local.rules`); streams are handed to
:mod:`medscribe.backends.local.streaming` with the stored vocabulary's entries.

Retention: finished jobs (record and transcript) are kept ``job_retention_days``
(default 90, as the service keeps its job records), then deleted the first time
the store is used by a backend in a process; :meth:`LocalBackend.purge_jobs`
deletes on request. Unfinished jobs are never purged: they are resumed.
"""

from __future__ import annotations

import json
import logging
import threading
import time
from dataclasses import replace
from datetime import timedelta
from pathlib import Path
from typing import TYPE_CHECKING

from medscribe.backends.base import (
    Capabilities,
    Job,
    JobStatus,
    OnEvent,
    ProgressFactory,
    PurgeResult,
    Stopped,
    Vocabulary,
)
from medscribe.backends.checks import Check
from medscribe.backends.local import runner
from medscribe.backends.local.store import (
    TABLE_FILE,
    VOCABULARY_FILE,
    Record,
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
    MedscribeError,
    NotFoundError,
    ValidationError,
)
from medscribe.files import write_private
from medscribe.request import (
    TranscriptionOptions,
    validate_job_name,
    validate_vocabulary_name,
)
from medscribe.transcript import Transcript
from medscribe.transcript import load as load_transcript
from medscribe.vocabulary import VocabularyState

if TYPE_CHECKING:
    from medscribe.engine import EngineConfig
    from medscribe.streaming.source import AudioSource
    from medscribe.vocabulary import VocabularyEntry

log = logging.getLogger(__name__)

#: Data directories already purged by this process (the check runs at most once per run).
_purged_roots: set[Path] = set()


#: How often a waiting caller reads a local job's record: a finished transcript is
#: picked up within this, at the cost of ten small file reads a second.
LOCAL_POLL_S = 0.1


class LocalBackend:
    """Transcription on this machine; see the module docstring."""

    name = "local"

    def __init__(
        self, settings: Settings | None = None, *, detach: bool = False, auto_purge: bool = True
    ) -> None:
        self.settings = settings or Settings()
        self._store = Store(data_dir(self.settings))
        #: True: jobs go to a detached worker process and outlive this one (``--no-wait``).
        self.detached = detach
        #: Whether the retention purge still has to run before the store is first used.
        self._auto_purge = auto_purge

    @property
    def store(self) -> Store:
        """The job store, purged of expired jobs on first use (see the module docstring).

        On first use rather than when the backend is made: a backend made only to
        stream, or to purge on request, then leaves the store as it is.
        """
        if self._auto_purge:
            self._auto_purge = False
            self._purge_expired()
        return self._store

    @property
    def capabilities(self) -> Capabilities:
        """Jobs compete for this machine's CPU; they outlive it only once detached."""
        return Capabilities(
            detach=True,
            upload_progress=False,
            job_progress=True,
            parallel_jobs=False,
            jobs_survive_interrupt=self.detached,
            job_store=True,
            max_poll_s=LOCAL_POLL_S,
        )

    def detach(self) -> None:
        """Hand the jobs started from now on to a detached worker (``--no-wait``)."""
        self.detached = True

    def report_uploads(self, factory: ProgressFactory | None) -> None:
        """Nothing is uploaded: media are read in place."""

    def interrupt(self, *, timeout: float) -> Stopped:
        """Stop this process's engine thread in order; a detached worker's jobs go on.

        The thread is cancelled at its next segment and joined (for at most
        ``timeout`` seconds); its jobs are left QUEUED for the next command that
        asks for them.
        """
        if self.detached:
            return Stopped()
        stopped = runner.RUNNER.stop(timeout=timeout)
        return Stopped(released=tuple(stopped.released), joined=stopped.joined)

    # ------------------------------------------------------------------ retention

    def purge_jobs(self, older_than_days: float | None = None) -> PurgeResult:
        """Delete finished jobs that ended more than ``older_than_days`` ago (None: all)."""
        cutoff = None
        if older_than_days is not None:
            cutoff = now() - timedelta(days=older_than_days)
        self._auto_purge = False  # this purge is the one the caller asked for
        return self._store.purge(finished_before=cutoff)

    def _purge_expired(self) -> None:
        """The automatic purge: once per process and store, never a reason to fail.

        Temporary files that a killed process left in the store are swept first.
        """
        days = self.settings.job_retention_days
        root = self._store.root.resolve()
        if root in _purged_roots:
            return
        _purged_roots.add(root)
        self._store.sweep_leftovers()
        if not days:
            return
        try:
            result = self.purge_jobs(days)
        except (OSError, ValueError, MedscribeError):
            log.debug("automatic purge of the job store skipped", exc_info=True)
            return
        if result.deleted:
            log.info("purged %d job(s) older than %d days", result.deleted, days)

    # ------------------------------------------------------------------ requests

    def validate(
        self,
        options: TranscriptionOptions,
        media: Path | None = None,
        *,
        streaming: bool = False,
    ) -> None:
        """The engine's rules: every option but content identification; ``media`` it can read."""
        from medscribe.backends.local.rules import check_media, check_options  # numpy: on use

        check_options(options)
        if media is not None:
            check_media(Path(media), options)

    def check_ready(self, *, streaming: bool = False) -> None:
        """The model path, device and compute type can work (``ConfigError`` otherwise).

        Checked before any work, so that a batch or a stream is refused as a whole
        (one line, nothing written) rather than job by job; nothing is loaded.
        """
        self.engine_config()

    def checks(self, *, deep: bool = False) -> list[Check]:
        """Model files, word lists, audio decoding, data directory; ``deep`` loads the model."""
        from medscribe.backends.local.doctor import local_checks

        return local_checks(self.settings, deep=deep)

    # ------------------------------------------------------------------ jobs

    def start_job(self, name: str, media: Path, options: TranscriptionOptions) -> Job:
        """Check the request, record the job QUEUED, and start it; returns at once."""
        from medscribe.backends.local.rules import check_media

        validate_job_name(name)
        info = check_media(Path(media), options)  # missing, not audio, cut-off WAV, channels
        self._check_vocabulary(options)
        engine = self.engine_config()
        job = Job(
            name=name,
            status=JobStatus.QUEUED,
            specialty=options.specialty,
            type=options.type,
            language_code=options.language_code,
            media_uri=info.path.resolve().as_uri(),
            media_format=info.format,
            sample_rate=info.sample_rate or None,
            created=now(),
            settings=options.settings(),
            backend=self.name,
        )
        record = job_to_record(
            job,
            media_path=str(info.path.resolve()),
            options=options.model_dump(mode="json"),
            engine=engine.as_record(),
            owner=None if self.detached else me(),
        )
        with self.store.lock():
            # Folder and record are made under the lock, so a folder without a record
            # seen here is the leftover of a process killed in between: take it over.
            if not self.store.create_job_dir(name) and self.store.read(name) is not None:
                raise ConflictError(f"a job named {name} exists already")
            try:
                self.store.write(record)
                if self.detached:
                    runner.ensure_worker(self.store)
            except BaseException:
                if self.store.read(name) is None:
                    self.store.job_dir(name).rmdir()  # free the name again
                raise
        if not self.detached:
            runner.RUNNER.submit(self.store, name)
        return job

    def _check_vocabulary(self, options: TranscriptionOptions) -> None:
        if options.vocabulary and self.store.read_vocabulary(options.vocabulary) is None:
            raise ValidationError(
                f"vocabulary {options.vocabulary} does not exist", option="vocabulary"
            )

    def get_job(self, name: str) -> Job:
        """The job's state; a job whose runner died is started again here."""
        record = self._record(name)
        if runner.claimable(record, self.store, by_worker=False):
            record = self._resume(name) or record
        return record_to_job(record)

    def _resume(self, name: str) -> Record | None:
        with self.store.lock():
            record = self.store.read(name)
            if record is None or not runner.claimable(record, self.store, by_worker=False):
                return record
            record["status"] = JobStatus.QUEUED.value
            record["owner"] = None if self.detached else me()
            self.store.write(record)
            if self.detached:
                runner.ensure_worker(self.store)
        if not self.detached:
            runner.RUNNER.submit(self.store, name)
        return record

    def list_jobs(
        self, *, status: JobStatus | None = None, contains: str | None = None
    ) -> list[Job]:
        jobs: list[Job] = []
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

    def _record(self, name: str) -> Record:
        record = self.store.read(name)
        if record is None:
            raise NotFoundError(f"no local job named {name}")
        return record

    # ------------------------------------------------------------------ streams

    def stream(
        self,
        source: AudioSource,
        options: TranscriptionOptions,
        *,
        on_event: OnEvent,
        session_id: str | None = None,
    ) -> None:
        """Incremental decoding with the engine, biased and corrected by the vocabulary.

        ``session_id`` names nothing here: a local stream has no service session.
        """
        from medscribe.backends.local.streaming import stream_local
        from medscribe.engine import shared_engine

        entries = self.vocabulary_entries(options.vocabulary) if options.vocabulary else None
        engine = shared_engine(self.engine_config())  # the one the batch runner uses too
        stream_local(source, options, on_event=on_event, engine=engine, vocabulary=entries)

    def engine_config(self) -> EngineConfig:
        """The engine the settings ask for, its model checked now (a bad path refuses the job).

        A job records it, so that whoever runs the job (this process or a worker)
        runs the engine it was started with.
        """
        from medscribe.engine import EngineConfig
        from medscribe.engine.recognition import resolve_model_path

        config = EngineConfig.from_settings(self.settings)
        if config.model:
            config = replace(config, model=resolve_model_path(config.model))
        config.check()  # a device or compute type that cannot load refuses the job too
        return config

    # ------------------------------------------------------------------ vocabularies

    def create_vocabulary(self, name: str, path: Path) -> Vocabulary:
        validate_vocabulary_name(name)
        with self.store.lock():
            if self.store.read_vocabulary(name) is not None:
                raise ConflictError(f"a vocabulary named {name} exists already")
            return self._save_vocabulary(name, path)

    def update_vocabulary(self, name: str, path: Path) -> Vocabulary:
        validate_vocabulary_name(name)
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
        out: list[Vocabulary] = []
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

    def vocabulary_entries(self, name: str) -> list[VocabularyEntry]:
        """The parsed entries of stored vocabulary ``name``."""
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
            "state": VocabularyState.READY.value,
            "language_code": "en-US",
            "last_modified": now().isoformat(),
            "download_uri": table.resolve().as_uri(),
            "entries": [asdict(e) for e in entries],
        }
        write_private(directory / VOCABULARY_FILE, json.dumps(record, indent=2))
        return record_to_vocabulary(record)
