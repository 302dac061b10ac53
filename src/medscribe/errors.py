"""Errors medscribe raises on purpose, each with the exit code the CLI documents.

Exit codes (also in the README):

* 0 - everything asked for succeeded
* 1 - at least one job or file failed (service error, FAILED job, engine error)
* 2 - usage error: a bad option or input that was rejected before any work started
* 130 - interrupted (Ctrl-C or SIGTERM): local jobs stop, service jobs keep running;
  a rerun resumes

Every error carries one human sentence. The CLI prints it on one line and never
a traceback. Messages must not quote transcript text or audio content: they are
patient data.
"""

from __future__ import annotations

EXIT_OK = 0
EXIT_FAILED = 1
EXIT_USAGE = 2
EXIT_INTERRUPTED = 130


class MedscribeError(Exception):
    """Base of every deliberate medscribe error."""

    exit_code: int = EXIT_FAILED

    def __init__(self, message: str, *, hint: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.hint = hint

    def __str__(self) -> str:
        return self.message if not self.hint else f"{self.message} ({self.hint})"


class ValidationError(MedscribeError):
    """A request or input that the service (or we) would refuse: nothing was started."""

    exit_code = EXIT_USAGE


class MediaError(ValidationError):
    """An input file that is missing, not audio, truncated or outside the limits."""


class VocabularyFormatError(ValidationError):
    """A custom vocabulary file that breaks the table format; ``problems`` lists each bad line."""

    def __init__(self, message: str, problems: list[tuple[int, str]] | None = None) -> None:
        super().__init__(message)
        self.problems = problems or []


class ConfigError(MedscribeError):
    """Missing or unusable configuration: credentials, region, bucket, config file."""

    exit_code = EXIT_USAGE


class BackendError(MedscribeError):
    """A backend (AWS or local engine) failed to do what it was asked."""


class JobFailedError(BackendError):
    """A transcription job ended in FAILED; ``reason`` is the job's FailureReason."""

    def __init__(self, job_name: str, reason: str | None) -> None:
        super().__init__(f"job {job_name} failed: {reason or 'no reason given'}")
        self.job_name = job_name
        self.reason = reason


class NotFoundError(BackendError):
    """A job, vocabulary or object that does not exist."""


class ConflictError(BackendError):
    """A name that already exists (job or vocabulary)."""
