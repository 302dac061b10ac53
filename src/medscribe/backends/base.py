"""The contract both backends meet: validation, jobs, transcripts, streams and vocabularies.

A backend turns a validated request into a :class:`Job` and a finished job into
a :class:`~medscribe.transcript.Transcript`, or a live audio source into
:class:`~medscribe.streaming.events.TranscriptEvent` callbacks. The AWS backend
does it with Transcribe Medical and S3; the local backend with the offline
engine and a job store on disk. Everything above (the batch runner, the CLI,
the renderers) talks to this protocol only: what differs between backends is
either one of its methods (which rules a request must meet, what an interrupt
does to running jobs) or one of its :class:`Capabilities`, never a test of which
backend it is.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum
from pathlib import Path
from typing import TYPE_CHECKING, Any, Protocol, runtime_checkable

from medscribe.request import Specialty, TranscriptionOptions, TranscriptionType
from medscribe.transcript import Transcript
from medscribe.vocabulary import VocabularyState

if TYPE_CHECKING:
    from medscribe.backends.checks import Check
    from medscribe.streaming.events import TranscriptEvent
    from medscribe.streaming.source import AudioSource

#: progress_factory(path, total_bytes) -> callback(bytes_just_sent), for an upload bar.
ProgressFactory = Callable[[Path, int], Callable[[int], None]]
#: A stream's callback: one call per TranscriptEvent (partial or final results).
OnEvent = Callable[["TranscriptEvent"], None]


class JobStatus(StrEnum):
    """TranscriptionJobStatus values of the service, used by both backends."""

    QUEUED = "QUEUED"
    IN_PROGRESS = "IN_PROGRESS"
    COMPLETED = "COMPLETED"
    FAILED = "FAILED"

    @property
    def finished(self) -> bool:
        return self in (JobStatus.COMPLETED, JobStatus.FAILED)


@dataclass(slots=True)
class Job:
    """A medical transcription job as the service describes it (MedicalTranscriptionJob)."""

    name: str
    status: JobStatus
    specialty: Specialty = Specialty.PRIMARYCARE
    type: TranscriptionType = TranscriptionType.CONVERSATION
    language_code: str = "en-US"
    media_uri: str | None = None
    media_format: str | None = None
    sample_rate: int | None = None
    transcript_uri: str | None = None
    failure_reason: str | None = None
    created: datetime | None = None
    started: datetime | None = None
    completed: datetime | None = None
    settings: dict[str, Any] = field(default_factory=dict)
    backend: str = ""
    #: ``ContentIdentificationType`` ("PHI") when the job labels PHI, else None.
    content_identification: str | None = None
    #: How far an unfinished job has got, 0.0 to 1.0, when its backend knows (the local
    #: engine does, from the recogniser's position in the audio; the service does not).
    progress: float | None = None

    def to_service_dict(self) -> dict[str, Any]:
        """The job in the service's own field names, for ``--json`` output."""
        out: dict[str, Any] = {
            "MedicalTranscriptionJobName": self.name,
            "TranscriptionJobStatus": self.status.value,
            "LanguageCode": self.language_code,
            "Specialty": self.specialty,  # a StrEnum: JSON writes its plain value
            "Type": self.type,
        }
        if self.media_uri:
            out["Media"] = {"MediaFileUri": self.media_uri}
        if self.media_format:
            out["MediaFormat"] = self.media_format
        if self.sample_rate:
            out["MediaSampleRateHertz"] = self.sample_rate
        if self.transcript_uri:
            out["Transcript"] = {"TranscriptFileUri": self.transcript_uri}
        if self.failure_reason:
            out["FailureReason"] = self.failure_reason
        for key, value in (
            ("CreationTime", self.created),
            ("StartTime", self.started),
            ("CompletionTime", self.completed),
        ):
            if value is not None:
                out[key] = value.isoformat()
        if self.settings:
            out["Settings"] = dict(self.settings)
        if self.content_identification:
            out["ContentIdentificationType"] = self.content_identification
        return out


@dataclass(slots=True)
class Vocabulary:
    """A custom medical vocabulary (MedicalVocabulary in the service's terms)."""

    name: str
    state: VocabularyState
    language_code: str = "en-US"
    last_modified: datetime | None = None
    failure_reason: str | None = None
    download_uri: str | None = None
    backend: str = ""


@dataclass(frozen=True, slots=True)
class Capabilities:
    """What a backend can do beyond the protocol's methods; callers ask these, never its name.

    Each flag is read where the behaviour differs: ``medscribe transcribe`` reads
    ``detach`` for ``--no-wait``, ``upload_progress`` for the upload bar and
    ``parallel_jobs`` for its default concurrency; ``jobs purge`` reads
    ``job_store``; the batch runner words an interrupt with ``jobs_survive_interrupt``.
    """

    #: Jobs can be handed to a runner that outlives this process (:meth:`Backend.detach`),
    #: so that ``--no-wait`` may return. A backend whose jobs run elsewhere anyway (the
    #: service) has nothing to hand over and says False.
    detach: bool = False
    #: Starting a job uploads the media and reports the bytes sent
    #: (:meth:`Backend.report_uploads`).
    upload_progress: bool = False
    #: Jobs report how far they are (:attr:`Job.progress`).
    job_progress: bool = False
    #: Several jobs at once finish sooner (a service). False where the jobs compete for
    #: the same CPU (the offline engine is its own bottleneck): callers run one at a time.
    parallel_jobs: bool = True
    #: Jobs started here keep running when this process is interrupted (the service's,
    #: or a detached worker's); False: :meth:`Backend.interrupt` stops them and a rerun
    #: resumes them.
    jobs_survive_interrupt: bool = True
    #: Finished jobs and transcripts are kept in a store on this machine, which
    #: :meth:`Backend.purge_jobs` purges (the service expires its own job records).
    job_store: bool = False
    #: The longest wait between two polls of an unfinished job, whatever the caller's
    #: backoff: where a poll costs no call to a service (the local store: one small
    #: file read) a finished job is seen at once. None: the caller's backoff alone.
    max_poll_s: float | None = None


@dataclass(slots=True)
class PurgeResult:
    """What :meth:`Backend.purge_jobs` did: jobs deleted, unfinished jobs kept (counts only)."""

    deleted: int = 0
    unfinished: int = 0


@dataclass(frozen=True, slots=True)
class Stopped:
    """What :meth:`Backend.interrupt` did to the jobs this process runs."""

    #: Jobs that were stopped and left for a rerun to resume (none where jobs keep running).
    released: tuple[str, ...] = ()
    #: The jobs' runner ended in time; False: it is still inside a native call, and the
    #: process should end at once rather than tear it down (nothing is lost: see ``released``).
    joined: bool = True


@runtime_checkable
class Backend(Protocol):
    """What the CLI, the batch runner and library callers need from a backend."""

    #: ``aws`` or ``local``: recorded in jobs and batch manifests, never tested by callers.
    name: str

    @property
    def capabilities(self) -> Capabilities:
        """What this backend can do (see :class:`Capabilities`)."""
        ...

    # ---- requests

    def validate(
        self,
        options: TranscriptionOptions,
        media: Path | None = None,
        *,
        streaming: bool = False,
    ) -> None:
        """Refuse (``ValidationError``, ``MediaError``) what this backend would not accept.

        Without ``media`` only the options are checked: the request as a whole, before
        any work. With ``media`` the file is probed and checked too. ``streaming``
        checks the options for :meth:`stream` rather than for a batch job.
        """
        ...

    def check_ready(self, *, streaming: bool = False) -> None:
        """Raise one ``NotReadyError`` naming every missing setting; no work, no call.

        A setting that is present but cannot work (a model path that does not exist)
        raises ``ConfigError``. ``streaming`` asks only for what a stream needs (no
        bucket, say).
        """
        ...

    def checks(self, *, deep: bool = False) -> list[Check]:
        """Health checks that prove this backend can work, each saying what is missing.

        Never raises for a failed check: every failure is a :class:`Check` of its own.
        ``deep`` adds the slow checks (loading the model, say) where there are any.
        """
        ...

    # ---- jobs

    def start_job(self, name: str, media: Path, options: TranscriptionOptions) -> Job:
        """Validate ``media`` for this backend, then start a job; returns at once.

        Raises ``ConflictError`` when a job of that name exists already.
        """
        ...

    def get_job(self, name: str) -> Job:
        """The job's current state; ``NotFoundError`` when there is none."""
        ...

    def list_jobs(
        self, *, status: JobStatus | None = None, contains: str | None = None
    ) -> list[Job]:
        """Jobs, newest first."""
        ...

    def delete_job(self, name: str) -> None:
        """Delete the job's record; ``NotFoundError`` when there is none."""
        ...

    def get_transcript(self, job: Job) -> Transcript:
        """The transcript of a COMPLETED job."""
        ...

    def purge_jobs(self, older_than_days: float | None = None) -> PurgeResult:
        """Delete finished jobs that ended more than ``older_than_days`` ago (None: all).

        Only where :attr:`Capabilities.job_store`; elsewhere ``ValidationError``.
        """
        ...

    def detach(self) -> None:
        """Run the jobs started from now on in a runner that outlives this process.

        A no-op where jobs run elsewhere anyway (:attr:`Capabilities.detach` False).
        """
        ...

    def report_uploads(self, factory: ProgressFactory | None) -> None:
        """Call ``factory(path, total)`` per upload for a callback of bytes sent (None: off).

        A no-op where nothing is uploaded (:attr:`Capabilities.upload_progress` False).
        """
        ...

    def interrupt(self, *, timeout: float) -> Stopped:
        """Ctrl-C or SIGTERM: stop, in order, the jobs this process runs.

        Jobs that run elsewhere keep running and nothing is done. The runner is
        waited for at most ``timeout`` seconds.
        """
        ...

    # ---- streams

    def stream(
        self,
        source: AudioSource,
        options: TranscriptionOptions,
        *,
        on_event: OnEvent,
        session_id: str | None = None,
    ) -> None:
        """Transcribe ``source`` as it plays, calling ``on_event`` per TranscriptEvent.

        Blocks until the audio ends and the last final has been delivered.
        ``session_id`` names the stream where the backend has such a name.
        """
        ...

    # ---- vocabularies

    def create_vocabulary(self, name: str, path: Path) -> Vocabulary:
        """Create vocabulary ``name`` from the table in ``path`` (checked first)."""
        ...

    def update_vocabulary(self, name: str, path: Path) -> Vocabulary:
        """Replace vocabulary ``name`` with the table in ``path``."""
        ...

    def get_vocabulary(self, name: str) -> Vocabulary:
        """Vocabulary ``name`` and its state; ``NotFoundError`` when there is none."""
        ...

    def list_vocabularies(self) -> list[Vocabulary]:
        """Every vocabulary, by name."""
        ...

    def delete_vocabulary(self, name: str) -> None:
        """Delete vocabulary ``name``; ``NotFoundError`` when there is none."""
        ...
