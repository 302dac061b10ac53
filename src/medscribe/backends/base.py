"""The contract both backends meet: jobs, transcripts and vocabularies.

A backend turns a validated request into a :class:`Job` and a finished job into
a :class:`~medscribe.transcript.Transcript`. The AWS backend does it with
Transcribe Medical and S3; the local backend with the offline engine and a job
store on disk. Everything above (batch runner, CLI, renderers) talks to this
protocol only, so both backends behave the same for users and scripts.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum
from pathlib import Path
from typing import Any, Protocol, runtime_checkable

from medscribe.request import TranscriptionOptions
from medscribe.transcript import Transcript


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
    specialty: str = "PRIMARYCARE"
    type: str = "CONVERSATION"
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
    #: How far an unfinished job has got, 0.0 to 1.0, when its backend knows (the local
    #: engine does, from the recogniser's position in the audio; the service does not).
    progress: float | None = None

    def to_service_dict(self) -> dict[str, Any]:
        """The job in the service's own field names, for ``--json`` output."""
        out: dict[str, Any] = {
            "MedicalTranscriptionJobName": self.name,
            "TranscriptionJobStatus": self.status.value,
            "LanguageCode": self.language_code,
            "Specialty": self.specialty,
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
        return out


@dataclass(slots=True)
class Vocabulary:
    """A custom medical vocabulary (MedicalVocabulary in the service's terms)."""

    name: str
    state: str  # PENDING | READY | FAILED
    language_code: str = "en-US"
    last_modified: datetime | None = None
    failure_reason: str | None = None
    download_uri: str | None = None
    backend: str = ""


@runtime_checkable
class Backend(Protocol):
    """What the CLI and the batch runner need from a backend."""

    name: str

    def start_job(self, name: str, media: Path, options: TranscriptionOptions) -> Job:
        """Validate ``media`` for this backend, then start a job; returns at once.

        Raises ``ConflictError`` when a job of that name exists already.
        """

    def get_job(self, name: str) -> Job:
        """The job's current state; ``NotFoundError`` when there is none."""

    def list_jobs(
        self, *, status: JobStatus | None = None, contains: str | None = None
    ) -> list[Job]:
        """Jobs, newest first."""

    def delete_job(self, name: str) -> None: ...

    def get_transcript(self, job: Job) -> Transcript:
        """The transcript of a COMPLETED job."""

    def create_vocabulary(self, name: str, path: Path) -> Vocabulary: ...

    def update_vocabulary(self, name: str, path: Path) -> Vocabulary: ...

    def get_vocabulary(self, name: str) -> Vocabulary: ...

    def list_vocabularies(self) -> list[Vocabulary]: ...

    def delete_vocabulary(self, name: str) -> None: ...
