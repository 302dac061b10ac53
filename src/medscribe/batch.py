"""The batch runner: many audio files -> jobs -> transcripts -> files, resumable.

This module owns what a nightly script needs beyond one job:

* expanding inputs (files, quoted globs, directories of audio files, sorted),
  as absolute paths, so that every path in the summary and in status lines is;
* deterministic default job names from the content and the options, never from
  the file name (file names are patient data, and job names reach the service,
  the job store and logs): ``medscribe-<hash>`` (:func:`job_name_for`), so a
  rerun finds the jobs it started; identical files of one batch are told apart
  by their rank among their twins, in input order;
* the manifest ``<output-dir>/.medscribe-manifest.json``, rewritten atomically
  after every state change, so that a rerun after a crash or Ctrl-C attaches to
  jobs already started and skips files whose outputs are present;
* bounded concurrency with worker threads (jobs are I/O-bound waits on a
  service, or a local engine that is itself the bottleneck);
* polling each job with exponential backoff and jitter (at most
  :data:`PROGRESS_POLL_S` apart while a job reports progress), and writing outputs;
* the summary: done, skipped (done by an earlier run), failed, and what was
  still running when the batch was interrupted (:class:`BatchInterrupted`).

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
import threading
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import Future, ThreadPoolExecutor, as_completed
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
from medscribe.files import check_output_file, prepare_output_dir, sweep_leftovers
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
#: Prefix of default job names (the service's job-name charset: letters, digits, . _ -).
JOB_NAME_PREFIX = "medscribe"
#: Status in the summary of a file whose job was not started (the batch was interrupted).
NOT_STARTED = "NOT_STARTED"
#: Longest wait between two polls of a job that reports its progress (the local engine).
PROGRESS_POLL_S = 1.0
_JOB_NAME_MAX = 200
#: Hex digits of the content hash in a job name: 80 bits, no collision in any archive.
_HASH_LEN = 20
_CHUNK = 1 << 20


# --------------------------------------------------------------------------- results


class BatchInterrupted(MedscribeError):
    """Ctrl-C or SIGTERM: the manifest is saved; service jobs keep running, local ones stop.

    ``running`` names the jobs started or attached and not finished; ``summary``
    is what the batch knew when it stopped (None where the caller has none).
    """

    exit_code = EXIT_INTERRUPTED

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


EventHandler = Callable[[BatchEvent], None]


# --------------------------------------------------------------------------- inputs and names


def expand_inputs(specs: Sequence[str | Path]) -> list[Path]:
    """Files, globs and directories -> existing files, absolute, in the order given, each once.

    A directory contributes its audio files (by extension, not recursive, sorted);
    a glob its matching files, sorted. Anything missing raises :class:`MediaError`.
    Paths are made absolute (``os.path.abspath``: symbolic links are kept as given).
    """
    out: list[Path] = []
    seen: set[Path] = set()
    for spec in specs:
        for path in _expand_one(str(spec)):
            key = path.resolve()
            if key not in seen:
                seen.add(key)
                out.append(absolute(path))
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
            raise MediaError(f"{absolute(path)}: no audio files in this directory")
        return found
    if path.is_file():
        return [path]
    if glob.has_magic(spec):
        matches = sorted(Path(p) for p in glob.glob(os.path.expanduser(spec), recursive=True))
        found = [p for p in matches if p.is_file()]
        if not found:
            raise MediaError(f"{spec}: no files match")
        return found
    raise MediaError(f"{absolute(path)}: no such file")


def absolute(path: str | Path) -> Path:
    """``path`` made absolute against the working directory (links and names kept)."""
    return Path(os.path.abspath(os.path.expanduser(path)))


def content_digest(path: Path) -> str:
    """SHA-256 of the file's bytes (hex): what a job name stands for."""
    digest = hashlib.sha256()
    with Path(path).open("rb") as fh:
        while chunk := fh.read(_CHUNK):
            digest.update(chunk)
    return digest.hexdigest()


def job_name_for(
    digest: str,
    options: TranscriptionOptions | dict[str, Any],
    *,
    prefix: str | None = None,
    rank: int = 1,
) -> str:
    """``<prefix>-<hash>[-<rank>]``: the default job name of a content ``digest`` and options.

    The hash covers the content and the options record, never the file's name or
    place, so the name says nothing about the patient, and a rerun of the same
    file with the same options finds the same job. ``rank`` tells identical files
    of one batch apart (2 for the second twin in input order, ...); their
    transcripts are the same, so a rerun that ranks them otherwise still gets
    each file right. ``prefix`` defaults to :data:`JOB_NAME_PREFIX`; the result
    fits the service's job-name charset and its 200-character limit.
    """
    record = (
        options.model_dump(mode="json") if isinstance(options, TranscriptionOptions) else options
    )
    identity = json.dumps({"content": digest, "options": record}, sort_keys=True)
    hashed = hashlib.sha256(identity.encode()).hexdigest()[:_HASH_LEN]
    suffix = f"-{hashed}" + (f"-{rank}" if rank > 1 else "")
    head = (prefix or JOB_NAME_PREFIX)[: _JOB_NAME_MAX - len(suffix)]
    return validate_job_name(head + suffix)


def default_job_name(
    path: Path, options: TranscriptionOptions | dict[str, Any], *, prefix: str | None = None
) -> str:
    """The default job name of one file (:func:`job_name_for` of its content)."""
    return job_name_for(content_digest(path), options, prefix=prefix)


def _job_names(
    digests: Sequence[str], options: TranscriptionOptions, prefix: str | None
) -> list[str]:
    """One name per input; twins (same content) get ranks in input order."""
    seen: dict[str, int] = {}
    names = []
    for digest in digests:
        seen[digest] = seen.get(digest, 0) + 1
        names.append(job_name_for(digest, options, prefix=prefix, rank=seen[digest]))
    return names


def _output_bases(inputs: list[Path], output_dir: Path) -> list[Path]:
    """``output_dir/<stem>`` per input; stems that clash get a short hash of the path.

    Output names are the user's own file names in the folder they chose; the hash
    only tells apart ``a/visit.wav`` and ``b/visit.wav``.
    """
    stems = [p.stem for p in inputs]
    bases = []
    for path, stem in zip(inputs, stems, strict=True):
        if stems.count(stem) > 1:
            tag = hashlib.sha256(str(path.resolve()).encode()).hexdigest()[:10]
            stem = f"{stem}-{tag}"
        bases.append(output_dir / stem)
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
    no_speech: bool = False


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

    ``on_status`` is called each time the status or the progress changes. While
    the job reports progress (a local job: polling reads a file), polls are at
    most :data:`PROGRESS_POLL_S` apart, so that the progress shown keeps up.
    """
    if isinstance(job, str):
        job = backend.get_job(job)
    stop = stop or threading.Event()
    delays = backoff_delays(poll_interval, max(poll_max_interval, poll_interval))
    while not job.status.finished:
        delay = next(delays)
        if job.progress is not None:
            delay = min(delay, PROGRESS_POLL_S)
        if stop.wait(delay):
            break
        previous = (job.status, job.progress)
        job = backend.get_job(job.name)
        if (job.status, job.progress) != previous and on_status is not None:
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
    #: Why the file cannot even be named (unreadable): it fails without a job.
    error: str | None = None


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

    Every path of the results is absolute. Raises :class:`ValidationError` before
    any work for a bad request and :class:`BatchInterrupted` on Ctrl-C (the
    manifest is saved first; its ``summary`` has every file, with the status it
    had, or :data:`NOT_STARTED`).
    """
    inputs = [absolute(p) for p in inputs]
    output_dir = absolute(output_dir) if output_dir is not None else None
    output_file = absolute(output_file) if output_file is not None else None
    _check_request(backend, inputs, options, output_dir, output_file, job_name)
    # Half-written files of a run that was killed (kill -9, power cut) go first.
    if output_dir is not None:
        sweep_leftovers(output_dir)
    elif output_file is not None:
        sweep_leftovers(output_file.parent, [output_file.name])
    file_formats = [f for f in dict.fromkeys(formats) if f in FILE_FORMATS]
    if keep_transcripts is None:
        keep_transcripts = output_dir is None and output_file is None
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
    workers = max(1, min(int(concurrency), MAX_CONCURRENCY, len(inputs)))
    results: dict[int, FileResult] = {}
    tasks: list[_Task] = []
    futures: dict[Future[FileResult], int] = {}
    pool = ThreadPoolExecutor(max_workers=workers, thread_name_prefix="medscribe-job")
    try:
        # Hashing reads every file: in the pool, so that large files are read in
        # parallel and Ctrl-C is answered meanwhile.
        names, errors = _name_jobs(pool, inputs, options, job_name)
        tasks = _plan(inputs, names, errors, output_dir, output_file, file_formats)
        futures = {pool.submit(runner.process, task): i for i, task in enumerate(tasks)}
        for future in as_completed(futures):
            results[futures[future]] = future.result()
    except KeyboardInterrupt:
        runner.stop.set()
        pool.shutdown(wait=True, cancel_futures=True)
        for future, index in futures.items():
            if future.done() and not future.cancelled() and future.exception() is None:
                results[index] = future.result()
        manifest.save()
        files = [results.get(i) or runner.unfinished(task) for i, task in enumerate(tasks)]
        if not tasks:  # interrupted while naming the jobs
            files = [FileResult(path, "", NOT_STARTED) for path in inputs]
        raise runner.interrupted(BatchSummary(files, interrupted=True)) from None
    finally:
        pool.shutdown(wait=True, cancel_futures=True)
    return BatchSummary([results[i] for i in range(len(tasks))])


def _name_jobs(
    pool: ThreadPoolExecutor,
    inputs: list[Path],
    options: TranscriptionOptions,
    job_name: str | None,
) -> tuple[list[str], list[str | None]]:
    """Each input's job name (see :func:`job_name_for`), and why a file could not be read."""
    if job_name and len(inputs) == 1:
        return [job_name], [None]

    def digest(path: Path) -> tuple[str, str | None]:
        try:
            return content_digest(path), None
        except OSError as exc:
            return f"unreadable:{path}", f"cannot read: {exc.strerror or type(exc).__name__}"

    read = list(pool.map(digest, inputs))
    names = _job_names([d for d, _ in read], options, job_name)
    errors = [error for _, error in read]
    return [("" if error else name) for name, error in zip(names, errors, strict=True)], errors


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
    # Destinations before any work: a missing folder is refused, never made with its parents.
    if output_file is not None:
        check_output_file(output_file)
    if output_dir is not None:
        prepare_output_dir(output_dir)


def _plan(
    inputs: list[Path],
    names: list[str],
    errors: list[str | None],
    output_dir: Path | None,
    output_file: Path | None,
    file_formats: list[str],
) -> list[_Task]:
    bases: list[Path | None] = (
        list(_output_bases(inputs, output_dir)) if output_dir is not None else [None] * len(inputs)
    )
    dir_formats = file_formats or ["json"]
    tasks = []
    for path, name, error, base in zip(inputs, names, errors, bases, strict=True):
        if output_file is not None:
            targets = [(output_file, file_formats[0] if file_formats else "json")]
        elif base is not None:
            targets = list(zip(output_paths(base, dir_formats), dir_formats, strict=True))
        else:
            targets = []
        tasks.append(_Task(path, str(path.resolve()), name, targets, error))
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
        #: The last (job name, status) recorded per task key, for the interrupted summary.
        self._last: dict[str, tuple[str, str]] = {}
        self._lock = threading.Lock()

    # ---- public

    def process(self, task: _Task) -> FileResult:
        if task.error is not None:
            return self._fail(task, task.job_name, task.error, EXIT_USAGE)
        if self.stop.is_set():  # interrupted before this file's turn
            return self.unfinished(task)
        try:
            return self._process(task)
        except MedscribeError as exc:
            return self._fail(task, task.job_name, str(exc), exc.exit_code)
        except KeyboardInterrupt:
            raise
        except Exception as exc:  # one file's surprise must not sink the whole batch
            # The job name, not the file's: file names are patient data, even in debug logs.
            log.debug("job %s: unexpected %s", task.job_name, type(exc).__name__)
            return self._fail(task, task.job_name, f"{type(exc).__name__}: {exc}", EXIT_FAILED)

    def interrupted(self, summary: BatchSummary) -> BatchInterrupted:
        with self._lock:
            running = sorted(self._running)
        return BatchInterrupted(interrupted_message(running), running, summary)

    def unfinished(self, task: _Task) -> FileResult:
        """A file the batch left before its end: its job's last known status, or not started."""
        with self._lock:
            name, status = self._last.get(task.key, (task.job_name, NOT_STARTED))
        return FileResult(task.input, name, status)

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
            outputs = [absolute(p) for p in outputs]
            self._emit("skip", task, entry.job_name, entry.status, outputs=tuple(outputs))
            return FileResult(
                task.input,
                entry.job_name,
                entry.status,
                outputs,
                skipped=True,
                no_speech=entry.no_speech,
            )
        task.job_name = entry.job_name
        return self._attach(task, entry.job_name)

    def _start(self, task: _Task) -> Job:
        try:
            job = self.backend.start_job(task.job_name, task.input, self.options)
        except ConflictError:
            found = self._attach(task, task.job_name)
            if found is not None:
                return found
            # Deleted between the two calls, or a FAILED job we removed: start it again.
            job = self.backend.start_job(task.job_name, task.input, self.options)
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
            # A name given by the caller (default names cover the options): our job for
            # this file, made with other options.
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
        no_speech = not transcript.words
        self._record(task, job, outputs=written, no_speech=no_speech)
        self._emit("done", task, job.name, job.status.value, outputs=tuple(written))
        if no_speech:
            self._emit("no_speech", task, job.name, job.status.value, "no speech detected")
        return FileResult(
            task.input,
            job.name,
            job.status.value,
            written,
            no_speech=no_speech,
            transcript=transcript if self.keep_transcripts else None,
        )

    def _fail(self, task: _Task, name: str, reason: str, code: int) -> FileResult:
        status = JobStatus.FAILED.value
        reason = _without_path(reason, task.input)
        self._record_status(task, name, status, reason)
        self._emit("failed", task, name, status, reason)
        return FileResult(task.input, name, status, failure_reason=reason, error_code=code)

    def _status(self, task: _Task, job: Job) -> None:
        with self._lock:
            seen = self._last.get(task.key)
        if seen != (job.name, job.status.value):  # progress alone is not worth a manifest write
            self._record(task, job)
        if not job.status.finished:  # the end is reported by "done" or "failed"
            self._emit("status", task, job.name, job.status.value, progress=job.progress)

    # ---- bookkeeping

    def _record(
        self,
        task: _Task,
        job: Job,
        *,
        outputs: list[Path] | None = None,
        no_speech: bool = False,
    ) -> None:
        self._record_status(
            task, job.name, job.status.value, job.failure_reason, outputs, no_speech=no_speech
        )

    def _record_status(
        self,
        task: _Task,
        name: str,
        status: str,
        reason: str | None,
        outputs: list[Path] | None = None,
        *,
        no_speech: bool = False,
    ) -> None:
        with self._lock:
            self._last[task.key] = (name, status)
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
                no_speech=no_speech,
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
        progress: float | None = None,
    ) -> None:
        if self.on_event is not None:
            self.on_event(BatchEvent(kind, task.input, name, status, message, outputs, progress))


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


def _without_path(reason: str, path: Path) -> str:
    """A backend's ``"<path>: not audio"`` -> ``"not audio"``: the summary names the file."""
    prefix = f"{path}: "
    return (
        reason[len(prefix) :] if reason.startswith(prefix) and len(reason) > len(prefix) else reason
    )
