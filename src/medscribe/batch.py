"""The batch runner: many audio files -> jobs -> transcripts -> files, resumable.

This module owns what a nightly script needs beyond one job:

* expanding inputs (files, quoted globs, directories of audio files, sorted);
* deterministic default job names (stem in the job-name charset + a short hash
  of the resolved path and size), so a rerun finds the jobs it started;
* the manifest ``<output-dir>/.medscribe-manifest.json``, rewritten atomically
  after every state change, so that a rerun after a crash or Ctrl-C attaches to
  jobs already started and skips files whose outputs are present;
* bounded concurrency with worker threads (jobs are I/O-bound waits on a
  service, or a local engine that is itself the bottleneck);
* polling each job with exponential backoff and jitter, and writing outputs.

Why own code rather than a library: threads come from ``concurrent.futures``;
botocore's waiters (``MedicalTranscriptionJobCompleted``) poll at a fixed delay,
report no intermediate status, cannot be stopped cleanly on Ctrl-C and only
exist for AWS, while this loop must drive both backends through the
:class:`~medscribe.backends.base.Backend` protocol. API throttling itself is
retried inside the AWS backend by botocore's retry modes, not here.

Nothing here logs or prints transcript content; outputs are written only where
the caller asked (``output_dir`` or ``output_file``).
"""

from __future__ import annotations

import contextlib
import glob
import hashlib
import json
import logging
import os
import random
import re
import threading
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import ThreadPoolExecutor, as_completed
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from medscribe.backends.base import Backend, Job, JobStatus
from medscribe.errors import (
    EXIT_FAILED,
    EXIT_INTERRUPTED,
    EXIT_OK,
    EXIT_USAGE,
    ConflictError,
    MediaError,
    MedscribeError,
    NotFoundError,
    ValidationError,
)
from medscribe.render.output import write_atomic
from medscribe.request import TranscriptionOptions, check_for_aws_batch, validate_job_name
from medscribe.transcript import Transcript

log = logging.getLogger(__name__)

MANIFEST_NAME = ".medscribe-manifest.json"
MANIFEST_VERSION = 1
#: Extensions taken from a directory given as input (files named explicitly or
#: by a glob are taken whatever their extension: the backend probes the content).
AUDIO_EXTENSIONS = frozenset(
    {".wav", ".flac", ".mp3", ".mp4", ".m4a", ".ogg", ".oga", ".opus", ".amr", ".webm"}
)
#: Upper bound of concurrent jobs; Settings.concurrency enforces the same bound.
#: It stays well below the service's default quota of concurrent batch jobs per
#: account and region, which other scripts of the same account share.
MAX_CONCURRENCY = 100
#: Formats that are files; "rich" is for the terminal only.
FILE_FORMATS = ("json", "text", "vtt", "srt")
_JOB_NAME_MAX = 200
_HASH_LEN = 10
_BAD_NAME_CHARS = re.compile(r"[^0-9A-Za-z._-]+")


# --------------------------------------------------------------------------- results


class BatchInterrupted(MedscribeError):
    """Ctrl-C while polling: the manifest is saved and started jobs keep running."""

    exit_code = EXIT_INTERRUPTED

    def __init__(self, message: str, running: list[str]) -> None:
        super().__init__(message)
        self.running = running


@dataclass(frozen=True, slots=True)
class BatchEvent:
    """A change worth showing: ``kind`` is start, attach, skip, status, done, failed or note."""

    kind: str
    input: Path
    job_name: str
    status: str
    message: str | None = None
    outputs: tuple[Path, ...] = ()


@dataclass(slots=True)
class FileResult:
    """What happened to one input file."""

    input: Path
    job_name: str
    status: str
    outputs: list[Path] = field(default_factory=list)
    failure_reason: str | None = None
    skipped: bool = False
    #: Exit code this file alone would give (2 for input it rejected, 1 for failures).
    error_code: int = EXIT_OK
    #: Kept only when the caller renders to the terminal (never serialised).
    transcript: Transcript | None = field(default=None, repr=False)

    @property
    def succeeded(self) -> bool:
        return self.status == JobStatus.COMPLETED.value

    @property
    def failed(self) -> bool:
        return self.status == JobStatus.FAILED.value

    def to_json(self) -> dict[str, Any]:
        return {
            "input": str(self.input),
            "job_name": self.job_name,
            "status": self.status,
            "outputs": [str(p) for p in self.outputs],
            "failure_reason": self.failure_reason,
        }


@dataclass(slots=True)
class BatchSummary:
    files: list[FileResult]

    @property
    def succeeded(self) -> int:
        return sum(1 for f in self.files if f.succeeded)

    @property
    def failed(self) -> int:
        return sum(1 for f in self.files if f.failed)

    @property
    def exit_code(self) -> int:
        """0 all succeeded (or submitted), 2 when every failure was rejected input, else 1."""
        codes = [f.error_code or EXIT_FAILED for f in self.files if f.failed]
        if not codes:
            return EXIT_OK
        return EXIT_USAGE if all(c == EXIT_USAGE for c in codes) else EXIT_FAILED

    def to_json(self) -> dict[str, Any]:
        return {
            "succeeded": self.succeeded,
            "failed": self.failed,
            "files": [f.to_json() for f in self.files],
        }


EventHandler = Callable[[BatchEvent], None]


# --------------------------------------------------------------------------- inputs and names


def expand_inputs(specs: Sequence[str | Path]) -> list[Path]:
    """Files, globs and directories -> existing files, in the order given, each once.

    A directory contributes its audio files (by extension, not recursive, sorted);
    a glob its matching files, sorted. Anything missing raises :class:`MediaError`.
    """
    out: list[Path] = []
    seen: set[Path] = set()
    for spec in specs:
        for path in _expand_one(str(spec)):
            key = path.resolve()
            if key not in seen:
                seen.add(key)
                out.append(path)
    if not out:
        raise ValidationError("no input files given")
    return out


def _expand_one(spec: str) -> list[Path]:
    path = Path(spec).expanduser()
    if path.is_dir():
        found = sorted(
            p
            for p in path.iterdir()
            if p.is_file() and not p.name.startswith(".") and p.suffix.lower() in AUDIO_EXTENSIONS
        )
        if not found:
            raise MediaError(f"{path}: no audio files in this directory")
        return found
    if path.is_file():
        return [path]
    if glob.has_magic(spec):
        matches = sorted(Path(p) for p in glob.glob(os.path.expanduser(spec), recursive=True))
        found = [p for p in matches if p.is_file()]
        if not found:
            raise MediaError(f"{spec}: no files match")
        return found
    raise MediaError(f"{path}: no such file")


def default_job_name(path: Path, *, prefix: str | None = None) -> str:
    """``<stem>-<hash>``: readable, valid for the service, stable across reruns.

    The hash covers the resolved path and the size, so two files with the same
    stem in different folders get different names, and a rerun finds the same name.
    """
    resolved = path.resolve()
    size = resolved.stat().st_size
    digest = hashlib.sha256(f"{resolved}\0{size}".encode()).hexdigest()[:_HASH_LEN]
    stem = _BAD_NAME_CHARS.sub("-", path.stem).strip("-") or "audio"
    if prefix:
        stem = f"{prefix}-{stem}"
    return f"{stem[: _JOB_NAME_MAX - _HASH_LEN - 1]}-{digest}"


def _output_bases(inputs: list[Path], output_dir: Path) -> list[Path]:
    """``output_dir/<stem>`` per input; stems that clash get the job-name hash appended."""
    stems = [p.stem for p in inputs]
    bases = []
    for path, stem in zip(inputs, stems, strict=True):
        name = default_job_name(path) if stems.count(stem) > 1 else stem
        bases.append(output_dir / name)
    return bases


def output_paths(base: Path, formats: Sequence[str]) -> list[Path]:
    """Where :func:`write_outputs` puts each file format for ``base``."""
    from medscribe.render import EXTENSIONS

    return [base.with_name(base.name + EXTENSIONS[f]) for f in formats if f in EXTENSIONS]


# --------------------------------------------------------------------------- outputs


def write_outputs(
    transcript: Transcript,
    paths: Sequence[tuple[Path, str]],
    *,
    speaker_names: dict[str, str] | None = None,
    show_alternatives: bool = False,
) -> list[Path]:
    """Write ``transcript`` to each ``(path, format)``, atomically; returns the paths."""
    from medscribe.render import write_output

    speaker_names = names_for(transcript, speaker_names)
    return [
        Path(
            write_output(
                transcript,
                path,
                fmt,
                speaker_names=speaker_names,
                show_alternatives=show_alternatives,
            )
        )
        for path, fmt in paths
    ]


def names_for(transcript: Transcript, names: dict[str, str] | None) -> dict[str, str]:
    """The speaker names that apply to this transcript's labels.

    One ``--speaker-names`` list serves a whole batch; a recording where fewer
    people spoke must still render (the renderer refuses names for absent labels).
    """
    from medscribe.render.names import label_count, label_index

    if not names:
        return {}
    kind, count = label_count(transcript)
    if kind is None:
        return {}
    return {
        label: name
        for label, name in names.items()
        if label.startswith(f"{kind}_") and label_index(label) < count
    }


# --------------------------------------------------------------------------- manifest


@dataclass(slots=True)
class ManifestEntry:
    input: str
    size: int
    mtime: float
    job_name: str
    backend: str
    status: str
    outputs: list[str] = field(default_factory=list)
    failure_reason: str | None = None
    options: dict[str, Any] = field(default_factory=dict)
    updated: str = ""


class Manifest:
    """The batch's memory across runs: one entry per input, saved after every change.

    ``path=None`` keeps it in memory only (no output directory to put it in).
    """

    def __init__(self, path: Path | None, entries: dict[str, ManifestEntry] | None = None):
        self.path = path
        self._entries: dict[str, ManifestEntry] = entries or {}
        self._lock = threading.Lock()

    @classmethod
    def load(cls, path: Path | None) -> Manifest:
        if path is None or not path.exists():
            return cls(path)
        try:
            data = json.loads(path.read_text(encoding="utf-8"))
            entries = {k: ManifestEntry(**v) for k, v in data.get("files", {}).items()}
        except (OSError, ValueError, TypeError, AttributeError) as exc:
            # A broken manifest only costs the skip of done files: job names are
            # deterministic, so starting again still attaches to existing jobs.
            log.warning("%s: unreadable manifest (%s); starting a new one", path, exc)
            return cls(path)
        return cls(path, entries)

    def get(self, key: str) -> ManifestEntry | None:
        with self._lock:
            entry = self._entries.get(key)
            return None if entry is None else ManifestEntry(**asdict(entry))

    def put(self, key: str, entry: ManifestEntry) -> None:
        entry.updated = datetime.now(UTC).isoformat(timespec="seconds")
        with self._lock:
            self._entries[key] = entry
            self._save_locked()

    def save(self) -> None:
        with self._lock:
            self._save_locked()

    def _save_locked(self) -> None:
        if self.path is None:
            return
        data = {
            "version": MANIFEST_VERSION,
            "files": {k: asdict(v) for k, v in self._entries.items()},
        }
        # Atomic (temp file + os.replace) and owner-only, like the transcripts beside it.
        write_atomic(self.path, json.dumps(data, indent=2, sort_keys=True) + "\n")


# --------------------------------------------------------------------------- polling


def backoff_delays(first: float, maximum: float) -> Iterator[float]:
    """Exponential delays ``first, 2*first, ... <= maximum`` with "equal jitter".

    Jitter (a random half of each delay) keeps many jobs of one batch from
    polling the service in lock step.
    """
    delay = first
    while True:
        yield random.uniform(delay / 2, delay)
        delay = min(delay * 2, maximum)


def wait_for_job(
    backend: Backend,
    job: Job | str,
    *,
    poll_interval: float = 5.0,
    poll_max_interval: float = 60.0,
    stop: threading.Event | None = None,
    on_status: Callable[[Job], None] | None = None,
) -> Job:
    """Poll until the job is COMPLETED or FAILED (or ``stop`` is set); returns the last state.

    ``on_status`` is called each time the status changes.
    """
    if isinstance(job, str):
        job = backend.get_job(job)
    stop = stop or threading.Event()
    delays = backoff_delays(poll_interval, max(poll_max_interval, poll_interval))
    while not job.status.finished:
        if stop.wait(next(delays)):
            break
        previous = job.status
        job = backend.get_job(job.name)
        if job.status != previous and on_status is not None:
            on_status(job)
    return job


# --------------------------------------------------------------------------- the runner


@dataclass(slots=True)
class _Task:
    input: Path
    key: str
    job_name: str
    #: (path, format) pairs to write when the job completes.
    targets: list[tuple[Path, str]]


def run_batch(
    backend: Backend,
    inputs: list[Path],
    options: TranscriptionOptions,
    *,
    output_dir: Path | None = None,
    output_file: Path | None = None,
    formats: Sequence[str] = ("json",),
    concurrency: int = 1,
    wait: bool = True,
    job_name: str | None = None,
    on_event: EventHandler | None = None,
    speaker_names: dict[str, str] | None = None,
    poll_interval: float = 5.0,
    poll_max_interval: float = 60.0,
    keep_transcripts: bool | None = None,
) -> BatchSummary:
    """Transcribe ``inputs`` with ``backend``; resumable through the manifest in ``output_dir``.

    ``formats`` are the file formats to write (``rich`` is ignored here; with an
    output directory and no file format, the JSON is written). ``output_file``
    takes a single input and the first file format. ``job_name`` names the job of
    a single input, or prefixes the default names of several. With
    ``wait=False`` jobs are started (or found) and not awaited. Transcripts are
    kept in the results when ``keep_transcripts`` (default: when nothing is
    written), for the caller to render.

    Raises :class:`ValidationError` before any work for a bad request and
    :class:`BatchInterrupted` on Ctrl-C (the manifest is saved first).
    """
    inputs = [Path(p) for p in inputs]
    _check_request(backend, inputs, options, output_dir, output_file, job_name)
    file_formats = [f for f in dict.fromkeys(formats) if f in FILE_FORMATS]
    if keep_transcripts is None:
        keep_transcripts = output_dir is None and output_file is None
    tasks = _plan(inputs, output_dir, output_file, file_formats, job_name)
    manifest = Manifest.load(output_dir / MANIFEST_NAME if output_dir else None)
    runner = _Runner(
        backend=backend,
        options=options,
        manifest=manifest,
        wait=wait,
        on_event=on_event,
        speaker_names=speaker_names,
        poll_interval=poll_interval,
        poll_max_interval=poll_max_interval,
        keep_transcripts=keep_transcripts,
    )
    workers = max(1, min(int(concurrency), MAX_CONCURRENCY, len(tasks)))
    results: dict[int, FileResult] = {}
    pool = ThreadPoolExecutor(max_workers=workers, thread_name_prefix="medscribe-job")
    try:
        futures = {pool.submit(runner.process, task): i for i, task in enumerate(tasks)}
        for future in as_completed(futures):
            results[futures[future]] = future.result()
    except KeyboardInterrupt:
        runner.stop.set()
        pool.shutdown(wait=True, cancel_futures=True)
        manifest.save()
        raise runner.interrupted() from None
    finally:
        pool.shutdown(wait=True, cancel_futures=True)
    return BatchSummary([results[i] for i in range(len(tasks))])


def _check_request(
    backend: Backend,
    inputs: list[Path],
    options: TranscriptionOptions,
    output_dir: Path | None,
    output_file: Path | None,
    job_name: str | None,
) -> None:
    if not inputs:
        raise ValidationError("no input files given")
    if output_dir is not None and output_file is not None:
        raise ValidationError("-o/--output and --output-dir cannot be used together")
    if output_file is not None and len(inputs) != 1:
        raise ValidationError(
            f"-o/--output takes a single input, not {len(inputs)}; use --output-dir for several"
        )
    if job_name is not None:
        validate_job_name(job_name)
    if getattr(backend, "name", "") == "aws":
        check_for_aws_batch(options)
    for path in inputs:
        if not path.is_file():
            raise MediaError(f"{path}: no such file")


def _plan(
    inputs: list[Path],
    output_dir: Path | None,
    output_file: Path | None,
    file_formats: list[str],
    job_name: str | None,
) -> list[_Task]:
    bases = _output_bases(inputs, output_dir) if output_dir is not None else [None] * len(inputs)
    dir_formats = file_formats or ["json"]
    tasks = []
    for path, base in zip(inputs, bases, strict=True):
        if job_name and len(inputs) == 1:
            name = job_name
        else:
            name = default_job_name(path, prefix=job_name)
        if output_file is not None:
            targets = [(output_file, file_formats[0] if file_formats else "json")]
        elif base is not None:
            targets = list(zip(output_paths(base, dir_formats), dir_formats, strict=True))
        else:
            targets = []
        tasks.append(_Task(path, str(path.resolve()), name, targets))
    return tasks


class _Runner:
    """One file's life: find or start its job, poll it, write its outputs; thread-safe."""

    def __init__(
        self,
        *,
        backend: Backend,
        options: TranscriptionOptions,
        manifest: Manifest,
        wait: bool,
        on_event: EventHandler | None,
        speaker_names: dict[str, str] | None,
        poll_interval: float,
        poll_max_interval: float,
        keep_transcripts: bool,
    ) -> None:
        self.backend = backend
        self.options = options
        self.options_record = options.model_dump(mode="json")
        self.manifest = manifest
        self.wait = wait
        self.on_event = on_event
        self.speaker_names = speaker_names
        self.poll_interval = poll_interval
        self.poll_max_interval = poll_max_interval
        self.keep_transcripts = keep_transcripts
        self.stop = threading.Event()
        self._running: set[str] = set()  # jobs started or attached, not yet finished
        self._lock = threading.Lock()

    # ---- public

    def process(self, task: _Task) -> FileResult:
        try:
            return self._process(task)
        except MedscribeError as exc:
            return self._fail(task, task.job_name, str(exc), exc.exit_code)
        except KeyboardInterrupt:
            raise
        except Exception as exc:  # one file's surprise must not sink the whole batch
            log.debug("unexpected error on %s", task.input, exc_info=True)
            return self._fail(task, task.job_name, f"{type(exc).__name__}: {exc}", EXIT_FAILED)

    def interrupted(self) -> BatchInterrupted:
        with self._lock:
            running = sorted(self._running)
        if running:
            more = f" and {len(running) - 3} more" if len(running) > 3 else ""
            shown = ", ".join(running[:3]) + more
            message = (
                f"interrupted; {len(running)} job(s) keep running ({shown}); "
                f"run the same command again to resume, or 'medscribe jobs wait {running[0]}'"
            )
        else:
            message = "interrupted; run the same command again to resume"
        return BatchInterrupted(message, running)

    # ---- steps

    def _process(self, task: _Task) -> FileResult:
        job = self._resume(task)
        if isinstance(job, FileResult):
            return job
        if job is None:
            job = self._start(task)
        self._track(job)
        if not job.status.finished and self.wait:
            job = wait_for_job(
                self.backend,
                job,
                poll_interval=self.poll_interval,
                poll_max_interval=self.poll_max_interval,
                stop=self.stop,
                on_status=lambda j: self._status(task, j),
            )
        if not job.status.finished:
            return FileResult(task.input, job.name, job.status.value)
        self._untrack(job)
        if job.status is JobStatus.FAILED:
            return self._fail(task, job.name, job.failure_reason or "no reason given", EXIT_FAILED)
        return self._complete(task, job)

    def _resume(self, task: _Task) -> Job | FileResult | None:
        """What the manifest knows: a done file (skip), a job to attach to, or nothing."""
        entry = self.manifest.get(task.key)
        if entry is None or entry.backend != self.backend.name:
            return None
        stat = task.input.stat()
        changed = (
            entry.size != stat.st_size
            or entry.mtime != stat.st_mtime
            or entry.options != self.options_record
        )
        if changed:
            # Our own job for an older version of this file or other options: replace it.
            self._emit("note", task, entry.job_name, entry.status, "input or options changed")
            self._discard(entry.job_name)
            return None
        targets = [p for p, _ in task.targets]
        if entry.status == JobStatus.COMPLETED.value and targets and _all_exist(targets):
            outputs = [Path(p) for p in entry.outputs] or targets
            self._emit("skip", task, entry.job_name, entry.status, outputs=tuple(outputs))
            return FileResult(task.input, entry.job_name, entry.status, outputs, skipped=True)
        task.job_name = entry.job_name
        return self._attach(task, entry.job_name)

    def _start(self, task: _Task) -> Job:
        try:
            job = self.backend.start_job(task.job_name, task.input, self.options)
        except ConflictError:
            job = self._attach(task, task.job_name)
            if job is None:  # deleted between the two calls, or a FAILED job we removed
                job = self.backend.start_job(task.job_name, task.input, self.options)
            else:
                return job
        self._record(task, job)
        self._emit("start", task, job.name, job.status.value)
        return job

    def _attach(self, task: _Task, name: str) -> Job | None:
        """The existing job of that name; ``None`` if gone, or FAILED (removed, to retry)."""
        try:
            job = self.backend.get_job(name)
        except NotFoundError:
            return None
        if job.status is JobStatus.FAILED:
            # A rerun retries failed files: the failure may have been transient.
            self._emit("note", task, name, job.status.value, "retrying a failed job")
            self._discard(name)
            return None
        if not _same_request(job, self.options):
            # Names come from the file, so this is our job for it, made with other options.
            self._emit("note", task, name, job.status.value, "replacing a job with other options")
            self._discard(name)
            return None
        self._record(task, job)
        self._emit("attach", task, job.name, job.status.value)
        return job

    def _discard(self, name: str) -> None:
        with contextlib.suppress(NotFoundError):
            self.backend.delete_job(name)

    def _complete(self, task: _Task, job: Job) -> FileResult:
        transcript = self.backend.get_transcript(job)
        written = write_outputs(
            transcript,
            task.targets,
            speaker_names=self.speaker_names,
            show_alternatives=self.options.max_alternatives is not None,
        )
        self._record(task, job, outputs=written)
        self._emit("done", task, job.name, job.status.value, outputs=tuple(written))
        return FileResult(
            task.input,
            job.name,
            job.status.value,
            written,
            transcript=transcript if self.keep_transcripts else None,
        )

    def _fail(self, task: _Task, name: str, reason: str, code: int) -> FileResult:
        status = JobStatus.FAILED.value
        self._record_status(task, name, status, reason)
        self._emit("failed", task, name, status, reason)
        return FileResult(task.input, name, status, failure_reason=reason, error_code=code)

    def _status(self, task: _Task, job: Job) -> None:
        self._record(task, job)
        if not job.status.finished:  # the end is reported by "done" or "failed"
            self._emit("status", task, job.name, job.status.value)

    # ---- bookkeeping

    def _record(self, task: _Task, job: Job, *, outputs: list[Path] | None = None) -> None:
        self._record_status(task, job.name, job.status.value, job.failure_reason, outputs)

    def _record_status(
        self,
        task: _Task,
        name: str,
        status: str,
        reason: str | None,
        outputs: list[Path] | None = None,
    ) -> None:
        try:
            stat = task.input.stat()
            size, mtime = stat.st_size, stat.st_mtime
        except OSError:  # the input vanished meanwhile: record the job all the same
            size, mtime = -1, 0.0
        self.manifest.put(
            task.key,
            ManifestEntry(
                input=str(task.input),
                size=size,
                mtime=mtime,
                job_name=name,
                backend=self.backend.name,
                status=status,
                outputs=[str(p) for p in outputs or []],
                failure_reason=reason,
                options=self.options_record,
            ),
        )

    def _track(self, job: Job) -> None:
        if not job.status.finished:
            with self._lock:
                self._running.add(job.name)

    def _untrack(self, job: Job) -> None:
        with self._lock:
            self._running.discard(job.name)

    def _emit(
        self,
        kind: str,
        task: _Task,
        name: str,
        status: str,
        message: str | None = None,
        *,
        outputs: tuple[Path, ...] = (),
    ) -> None:
        if self.on_event is not None:
            self.on_event(BatchEvent(kind, task.input, name, status, message, outputs))


def _same_request(job: Job, options: TranscriptionOptions) -> bool:
    """Was ``job`` made with these options? (The service lists false flags; ignore them.)"""

    def meaningful(settings: dict[str, Any]) -> dict[str, Any]:
        return {k: v for k, v in settings.items() if v not in (None, False)}

    return (
        job.specialty.upper() == options.specialty.value
        and job.type.upper() == options.type.value
        and meaningful(job.settings) == meaningful(options.settings())
    )


def _all_exist(paths: Sequence[Path]) -> bool:
    return all(p.is_file() for p in paths)
