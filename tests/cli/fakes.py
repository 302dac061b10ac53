"""An in-memory job service implementing the Backend contract, for batch edge cases.

It behaves like the service where the batch runner depends on it: a job starts
QUEUED, moves to IN_PROGRESS and then COMPLETED (or FAILED with a FailureReason)
as it is polled; a taken name raises ConflictError; an unknown name NotFoundError.
A fake named ``aws`` validates requests with the service's own rules (the
backend's ``validate``) and one named ``local`` runs jobs one at a time by
default (its capabilities), as the real backends do.
Media are probed for real (medscribe.media.probe decodes the file's headers), and
the transcript is derived from the input: one word per part of the file's stem,
spread over the real duration, so tests can tell which file a transcript is from.
"""

from __future__ import annotations

import re
import threading
from collections import Counter
from dataclasses import replace
from datetime import UTC, datetime
from pathlib import Path

from medscribe import media
from medscribe.backends.aws import rules as aws_rules
from medscribe.backends.base import Capabilities, Job, JobStatus, PurgeResult, Stopped, Vocabulary
from medscribe.backends.checks import Check
from medscribe.errors import ConflictError, NotFoundError
from medscribe.request import TranscriptionOptions, validate_job_name
from medscribe.transcript import Item, Transcript


class FakeJobService:
    """Jobs shared by every FakeBackend made from it (one "account"), like the real service."""

    def __init__(self) -> None:
        self.jobs: dict[str, Job] = {}
        self.media: dict[str, Path] = {}
        self.polls: Counter[str] = Counter()
        self.starts: list[str] = []
        self.deletes: list[str] = []
        self.lock = threading.Lock()


class FakeBackend:
    """Backend protocol over a :class:`FakeJobService`.

    ``polls_to_finish``: get_job calls before a job finishes. ``fail``: input file
    names whose job ends FAILED with that reason. ``interrupt_on_poll``: the
    get_job call number (counted over all jobs) that raises KeyboardInterrupt,
    as Ctrl-C would while polling.
    """

    def __init__(
        self,
        service: FakeJobService | None = None,
        *,
        name: str = "fake",
        polls_to_finish: int = 2,
        fail: dict[str, str] | None = None,
        interrupt_on_poll: int | None = None,
    ) -> None:
        self.name = name
        self.service = service or FakeJobService()
        self.polls_to_finish = polls_to_finish
        self.fail = fail or {}
        self.interrupt_on_poll = interrupt_on_poll
        self.get_calls = 0
        self.max_active = 0
        self._active: set[str] = set()

    # ---- what differs between backends

    @property
    def capabilities(self) -> Capabilities:
        # A fake named "local" runs one job at a time by default, as the engine does.
        return Capabilities(parallel_jobs=self.name != "local")

    def validate(
        self, options: TranscriptionOptions, media_path: Path | None = None, *, streaming=False
    ) -> None:
        if self.name == "aws" and not streaming:
            aws_rules.check_batch_options(options)

    def check_ready(self, *, streaming: bool = False) -> None:
        """An in-memory service needs no settings."""

    def checks(self, *, deep: bool = False) -> list[Check]:
        return [Check("fake service", "ok", "answers")]

    def detach(self) -> None:
        """Jobs live in the service, whatever this process does."""

    def report_uploads(self, factory) -> None:
        """Nothing is uploaded."""

    def interrupt(self, *, timeout: float) -> Stopped:
        return Stopped()

    def purge_jobs(self, older_than_days: float | None = None) -> PurgeResult:
        raise NotImplementedError

    def stream(self, source, options, *, on_event, session_id=None) -> None:
        raise NotImplementedError

    # ---- jobs

    def start_job(self, name: str, media_path: Path, options: TranscriptionOptions) -> Job:
        validate_job_name(name)
        info = media.probe(media_path)
        with self.service.lock:
            if name in self.service.jobs:
                raise ConflictError(f"a job named {name} already exists")
            job = Job(
                name=name,
                status=JobStatus.QUEUED,
                specialty=options.specialty.value,
                type=options.type.value,
                media_uri=str(Path(media_path).resolve()),
                media_format=info.format,
                sample_rate=info.sample_rate,
                created=datetime.now(UTC),
                settings=options.settings(),
                backend=self.name,
            )
            self.service.jobs[name] = job
            self.service.media[name] = Path(media_path)
            self.service.starts.append(name)
            self._active.add(name)
            self.max_active = max(self.max_active, len(self._active))
            return replace(job)

    def get_job(self, name: str) -> Job:
        with self.service.lock:
            self.get_calls += 1
            if self.interrupt_on_poll is not None and self.get_calls >= self.interrupt_on_poll:
                raise KeyboardInterrupt
            job = self.service.jobs.get(name)
            if job is None:
                raise NotFoundError(f"no job named {name}")
            self.service.polls[name] += 1
            self._advance(job)
            return replace(job)

    def _advance(self, job: Job) -> None:
        if job.status.finished:
            return
        polls = self.service.polls[job.name]
        if polls >= self.polls_to_finish:
            reason = self.fail.get(self.service.media[job.name].name)
            job.status = JobStatus.FAILED if reason else JobStatus.COMPLETED
            job.failure_reason = reason
            job.completed = datetime.now(UTC)
            self._active.discard(job.name)
        elif polls >= 1:
            job.status = JobStatus.IN_PROGRESS
            job.started = job.started or datetime.now(UTC)

    def list_jobs(
        self, *, status: JobStatus | None = None, contains: str | None = None
    ) -> list[Job]:
        with self.service.lock:
            jobs = [
                replace(j)
                for j in self.service.jobs.values()
                if (status is None or j.status is status)
                and (not contains or contains.lower() in j.name.lower())
            ]
        return sorted(
            jobs, key=lambda j: j.created or datetime.min.replace(tzinfo=UTC), reverse=True
        )

    def delete_job(self, name: str) -> None:
        with self.service.lock:
            if self.service.jobs.pop(name, None) is None:
                raise NotFoundError(f"no job named {name}")
            self.service.deletes.append(name)
            self._active.discard(name)

    def get_transcript(self, job: Job) -> Transcript:
        path = self.service.media[job.name]
        info = media.probe(path)
        words = [w for w in re.split(r"[^A-Za-z0-9]+", path.stem) if w]
        step = info.duration / max(len(words), 1)
        items = [
            Item(
                content=w,
                start=round(i * step, 3),
                end=round((i + 1) * step, 3),
                confidence=0.9,
                speaker=f"spk_{i % 2}" if job.settings.get("ShowSpeakerLabels") else None,
            )
            for i, w in enumerate(words)
        ]
        items.append(Item(content=".", type="punctuation"))
        speakers = min(2, len(words)) if job.settings.get("ShowSpeakerLabels") else None
        return Transcript(items=items, job_name=job.name, speakers=speakers)

    # ---- vocabularies (not used by the batch runner)

    def create_vocabulary(self, name: str, path: Path) -> Vocabulary:
        raise NotImplementedError

    def update_vocabulary(self, name: str, path: Path) -> Vocabulary:
        raise NotImplementedError

    def get_vocabulary(self, name: str) -> Vocabulary:
        raise NotFoundError(f"no vocabulary named {name}")

    def list_vocabularies(self) -> list[Vocabulary]:
        return []

    def delete_vocabulary(self, name: str) -> None:
        raise NotFoundError(f"no vocabulary named {name}")
