"""The errors medscribe raises on purpose: one tree, each with its exit code and its subject.

The tree, with the exit code the CLI gives each branch::

    MedscribeError                  1  base of every deliberate error
    ├── ValidationError             2  a request or input refused before any work started
    │   ├── MediaError                 an input recording: missing, not audio, outside the limits
    │   ├── VocabularyFormatError      a vocabulary table that breaks the format (``problems``)
    │   ├── TranscriptFormatError      a transcript file that is unreadable or of another shape
    │   ├── DatasetError               an evaluation dataset or case that breaks the format
    │   └── WriteError                 a destination that cannot be written
    ├── ConfigError                 2  a setting missing or unusable (``setting``)
    │   └── NotReadyError              a backend that lacks several settings (``missing``)
    ├── BackendError                1  a backend (the service or the engine) failed at its work
    │   ├── JobFailedError             a job that ended FAILED (``reason``)
    │   ├── NotFoundError              no such job, vocabulary or object
    │   ├── ConflictError              a job or vocabulary name that exists already
    │   └── StreamError                a live stream that failed (the service's or the engine's)
    └── Interrupted               130  Ctrl-C or SIGTERM: local jobs stop, service jobs keep
                                       running; a rerun resumes

Exit codes (also in the README): 0 everything asked for succeeded; 1 at least one job or
file failed; 2 the request was refused as a whole (usage or input error, nothing
started); 130 interrupted.

Every error carries one human sentence (``message``, optionally a ``hint``) and, where it
concerns one, the subject: the file (``path``), the job (``job_name``), the vocabulary
(``vocabulary_name``), the argument or setting (``option``; ``setting`` on a
:class:`ConfigError`), so that a caller can act on it without parsing the sentence.
Library messages name no command-line flag: they speak of an option in words
("channel identification", "model"), and the CLI, which knows its flags, words the
error its own way (``--channels``, ``--model``) from ``option``. The CLI prints the
sentence on one line, never a traceback. Messages must not quote transcript text or
audio content: they are patient data. Standard library only, so that every module can
import it.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

__all__ = [
    "EXIT_FAILED",
    "EXIT_INTERRUPTED",
    "EXIT_OK",
    "EXIT_USAGE",
    "BackendError",
    "ConfigError",
    "ConflictError",
    "DatasetError",
    "Interrupted",
    "JobFailedError",
    "MediaError",
    "MedscribeError",
    "Missing",
    "NotFoundError",
    "NotReadyError",
    "Problem",
    "StreamError",
    "TranscriptFormatError",
    "ValidationError",
    "VocabularyFormatError",
    "WriteError",
    "describe_missing",
    "missing_phrase",
]

EXIT_OK = 0
EXIT_FAILED = 1
EXIT_USAGE = 2
EXIT_INTERRUPTED = 130

#: One problem of a file: (1-based line number, 0 for the file as a whole; what is wrong).
Problem = tuple[int, str]


class MedscribeError(Exception):
    """Base of every deliberate medscribe error; ``exit_code`` is the CLI's for it.

    ``path`` and ``job_name`` name the file or the job the error concerns, when one does
    (they are patient data as well: shown to the user who named them, never logged);
    ``option`` names the argument or setting it concerns (``"channels"``, ``"model"``).
    """

    exit_code: int = EXIT_FAILED

    def __init__(
        self,
        message: str,
        *,
        hint: str | None = None,
        path: Path | str | None = None,
        job_name: str | None = None,
        option: str | None = None,
    ) -> None:
        super().__init__(message)
        self.message = message
        self.hint = hint
        self.path = None if path is None else Path(path)
        self.job_name = job_name
        self.option = option

    def __str__(self) -> str:
        return self.message if not self.hint else f"{self.message} ({self.hint})"


# --------------------------------------------------------------------------- refused input


class ValidationError(MedscribeError):
    """A request or input that the service (or we) would refuse: nothing was started."""

    exit_code = EXIT_USAGE


class MediaError(ValidationError):
    """An input file that is missing, not audio, truncated or outside the limits."""


class VocabularyFormatError(ValidationError):
    """A custom vocabulary file that breaks the table format; ``problems`` lists each bad line."""

    def __init__(
        self,
        message: str,
        problems: Sequence[Problem] | None = None,
        *,
        path: Path | str | None = None,
    ) -> None:
        super().__init__(message, path=path)
        self.problems: list[Problem] = list(problems or [])


class TranscriptFormatError(ValidationError):
    """A transcript file that is missing, not JSON, or JSON of another shape."""


class DatasetError(ValidationError):
    """An evaluation dataset or case that does not follow the dataset format."""


class WriteError(ValidationError):
    """A file or folder that cannot be written: missing folder, permission, read-only, full."""


# --------------------------------------------------------------------------- configuration


class ConfigError(MedscribeError):
    """Missing or unusable configuration: credentials, region, bucket, model, config file.

    ``setting`` names the setting concerned (``"bucket"``, ``"model"``...), when one is;
    it is the error's ``option`` as well.
    """

    exit_code = EXIT_USAGE

    def __init__(
        self,
        message: str,
        *,
        hint: str | None = None,
        path: Path | str | None = None,
        setting: str | None = None,
    ) -> None:
        super().__init__(message, hint=hint, path=path, option=setting)
        self.setting = setting


@dataclass(frozen=True, slots=True)
class Missing:
    """One piece a backend needs and lacks: which setting, what is wrong, how to set it."""

    setting: str  # "bucket" | "region" | "credentials" | ...
    problem: str  # "no S3 bucket is set"
    remedy: str  # "set MEDSCRIBE_BUCKET or run 'medscribe config set bucket NAME'"


class NotReadyError(ConfigError):
    """A backend that lacks several settings at once: all are reported in one line.

    ``missing`` keeps the pieces so that a caller can word the remedies its own way
    (the CLI adds the flags that set them: :meth:`describe`).
    """

    def __init__(self, what: str, missing: Sequence[Missing]) -> None:
        self.what = what
        self.missing = list(missing)
        setting = self.missing[0].setting if len(self.missing) == 1 else None
        super().__init__(describe_missing(what, self.missing, {}), setting=setting)

    def describe(self, flags: Mapping[str, str]) -> str:
        """The message with ``flags`` (setting -> the option that sets it) in the remedies."""
        return describe_missing(self.what, self.missing, flags)


def describe_missing(what: str, missing: Sequence[Missing], flags: Mapping[str, str]) -> str:
    """``"<what> not ready: no S3 bucket is set (pass --bucket or set ...); ..."``.

    ``flags`` maps a setting to the command-line flag that sets it, if any.
    """
    return f"{what} not ready: " + "; ".join(missing_phrase(m, flags) for m in missing)


def missing_phrase(missing: Missing, flags: Mapping[str, str]) -> str:
    """One missing piece and its remedy, with the flag that sets it first when there is one."""
    flag = flags.get(missing.setting)
    remedy = f"pass {flag} or {missing.remedy}" if flag else missing.remedy
    return f"{missing.problem} ({remedy})"


# --------------------------------------------------------------------------- backends


class BackendError(MedscribeError):
    """A backend (AWS or the local engine) failed to do what it was asked.

    ``vocabulary_name`` names the custom vocabulary concerned, when one is.
    """

    def __init__(
        self,
        message: str,
        *,
        hint: str | None = None,
        path: Path | str | None = None,
        job_name: str | None = None,
        vocabulary_name: str | None = None,
        option: str | None = None,
    ) -> None:
        super().__init__(message, hint=hint, path=path, job_name=job_name, option=option)
        self.vocabulary_name = vocabulary_name


class JobFailedError(BackendError):
    """A transcription job ended in FAILED; ``reason`` is the job's FailureReason."""

    def __init__(self, job_name: str, reason: str | None) -> None:
        super().__init__(f"job {job_name} failed: {reason or 'no reason given'}", job_name=job_name)
        self.reason = reason


class NotFoundError(BackendError):
    """A job, vocabulary or object that does not exist."""


class ConflictError(BackendError):
    """A name that already exists (job or vocabulary)."""


class StreamError(BackendError):
    """A live stream that failed: the service's exception, a lost connection, the engine's."""


# --------------------------------------------------------------------------- interruption


class Interrupted(MedscribeError):
    """Ctrl-C or SIGTERM stopped the work; what was finished is kept and a rerun resumes."""

    exit_code = EXIT_INTERRUPTED
