"""What a batch reports: an event per change, a result per file, the summary and its exit code.

The summary counts done, skipped (done by an earlier run) and failed files and
says what was still running when the batch was interrupted
(:class:`BatchInterrupted`). Nothing here holds transcript text in what is
serialised: a :class:`FileResult` keeps its transcript only in memory, for a
caller that renders it to the terminal.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from medscribe.backends.base import JobStatus
from medscribe.errors import EXIT_FAILED, EXIT_OK, EXIT_USAGE, Interrupted
from medscribe.transcript import Transcript

__all__ = [
    "NOT_STARTED",
    "BatchEvent",
    "BatchInterrupted",
    "BatchSummary",
    "EventHandler",
    "FileResult",
    "interrupted_message",
]

#: Status in the summary of a file whose job was not started (the batch was interrupted).
NOT_STARTED = "NOT_STARTED"


class BatchInterrupted(Interrupted):
    """Ctrl-C or SIGTERM: the manifest is saved; service jobs keep running, local ones stop.

    ``running`` names the jobs started or attached and not finished; ``summary``
    is what the batch knew when it stopped (None where the caller has none).
    """

    def __init__(
        self, message: str, running: list[str], summary: BatchSummary | None = None
    ) -> None:
        super().__init__(message)
        self.running = running
        self.summary = summary


def interrupted_message(running: Sequence[str], *, keep_running: bool = True) -> str:
    """The one line for an interrupted batch: which jobs, and how to resume them.

    ``keep_running`` False says the jobs were stopped (the local engine's, which
    a rerun resumes), rather than left running (the service's).
    """
    if not running:
        return "interrupted; run the same command again to resume"
    more = f" and {len(running) - 3} more" if len(running) > 3 else ""
    shown = ", ".join(running[:3]) + more
    state = "keep running" if keep_running else "stopped"
    return (
        f"interrupted; {len(running)} job(s) {state} ({shown}); "
        f"run the same command again to resume, or 'medscribe jobs wait {running[0]}'"
    )


@dataclass(frozen=True, slots=True)
class BatchEvent:
    """A change worth showing.

    ``kind`` is start, attach, skip, status (the status or the ``progress`` changed),
    done, failed, note, or no_speech (a completed transcript without a word).
    """

    kind: str
    input: Path
    job_name: str
    status: str
    message: str | None = None
    outputs: tuple[Path, ...] = ()
    progress: float | None = None


EventHandler = Callable[[BatchEvent], None]


@dataclass(slots=True)
class FileResult:
    """What happened to one input file."""

    input: Path
    job_name: str
    status: str
    outputs: list[Path] = field(default_factory=list)
    failure_reason: str | None = None
    skipped: bool = False
    #: The transcript has no word (silence, noise): files were written all the same.
    no_speech: bool = False
    #: Exit code this file alone would give (2 for input it rejected, 1 for failures).
    error_code: int = EXIT_OK
    #: Kept only when the caller renders to the terminal (never serialised).
    transcript: Transcript | None = field(default=None, repr=False)

    @property
    def succeeded(self) -> bool:
        """Completed in this run (a file done by an earlier run is :attr:`skipped`)."""
        return self.status == JobStatus.COMPLETED.value and not self.skipped

    @property
    def failed(self) -> bool:
        return self.status == JobStatus.FAILED.value

    def to_json(self) -> dict[str, Any]:
        return {
            "input": str(self.input),
            "job_name": self.job_name,
            "status": self.status,
            "skipped": self.skipped,
            "no_speech": self.no_speech,
            "outputs": [str(p) for p in self.outputs],
            "failure_reason": self.failure_reason,
        }


@dataclass(slots=True)
class BatchSummary:
    """Every file's result, in input order."""

    files: list[FileResult]
    #: The batch was interrupted: files not finished keep their last known status.
    interrupted: bool = False

    @property
    def succeeded(self) -> int:
        return sum(1 for f in self.files if f.succeeded)

    @property
    def skipped(self) -> int:
        return sum(1 for f in self.files if f.skipped)

    @property
    def failed(self) -> int:
        return sum(1 for f in self.files if f.failed)

    @property
    def exit_code(self) -> int:
        """0 none failed; 2 when every file was refused as input (nothing went through); else 1.

        A batch where some files went through and others failed is 1 whatever the
        reasons: 2 stays for a request refused as a whole.
        """
        failed = [f for f in self.files if f.failed]
        if not failed:
            return EXIT_OK
        refused = len(failed) == len(self.files) and all(f.error_code == EXIT_USAGE for f in failed)
        return EXIT_USAGE if refused else EXIT_FAILED

    def to_json(self) -> dict[str, Any]:
        return {
            "succeeded": self.succeeded,
            "skipped": self.skipped,
            "failed": self.failed,
            "interrupted": self.interrupted,
            "files": [f.to_json() for f in self.files],
        }
