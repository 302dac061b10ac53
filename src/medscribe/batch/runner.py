"""The batch runner: a :class:`BatchRequest` -> jobs -> transcripts -> files, resumable.

This module owns the life of each file and the bounded concurrency around them:
worker threads from ``concurrent.futures`` (jobs are I/O-bound waits on a
service, or a local engine that is itself the bottleneck); per file, the
manifest is asked first (skip a done file, attach to a started job), otherwise
the job is started (or attached to on a name conflict), polled
(:mod:`medscribe.batch.polling`) and its outputs written
(:mod:`medscribe.batch.outputs`), after the speaker roles when asked for
(:func:`medscribe.roles.assign_roles`: here, on the transcript any backend
returns, so both backends get them alike). On Ctrl-C the manifest is saved and
:class:`~medscribe.batch.results.BatchInterrupted` carries every file's last
status.

Nothing here logs or prints transcript content or file names (patient data):
debug logs name jobs only; outputs are written only where the request says.
"""

from __future__ import annotations

import contextlib
import logging
import threading
from collections.abc import Callable, Mapping, Sequence
from concurrent.futures import Future, ThreadPoolExecutor, as_completed
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from medscribe.backends.base import Backend, Job, JobStatus
from medscribe.batch.inputs import absolute
from medscribe.batch.manifest import MANIFEST_NAME, Manifest, ManifestEntry
from medscribe.batch.naming import content_digest, job_names
from medscribe.batch.outputs import output_bases, output_paths, write_outputs
from medscribe.batch.polling import wait_for_job
from medscribe.batch.request import BatchRequest
from medscribe.batch.results import (
    NOT_STARTED,
    BatchEvent,
    BatchInterrupted,
    BatchSummary,
    EventHandler,
    FileResult,
    interrupted_message,
)
from medscribe.errors import (
    EXIT_FAILED,
    EXIT_USAGE,
    ConflictError,
    MedscribeError,
    NotFoundError,
)
from medscribe.files import sweep_leftovers
from medscribe.render.formats import FileFormat
from medscribe.request import TranscriptionOptions
from medscribe.transcript import Transcript

__all__ = ["run_batch"]

log = logging.getLogger(__name__)


def run_batch(
    backend: Backend,
    request: BatchRequest,
    *,
    on_event: EventHandler | None = None,
    wording: Callable[[MedscribeError], str] = str,
) -> BatchSummary:
    """Transcribe the request's inputs with ``backend``; resumable through the manifest.

    ``on_event`` is called (from worker threads) for each change worth showing.
    ``wording`` turns a file's error into its failure reason (the CLI's adds its
    flags; the library's words name settings).
    Every path of the results is absolute. Raises :class:`ValidationError` before
    any work for a bad request and :class:`BatchInterrupted` on Ctrl-C (the
    manifest is saved first; its ``summary`` has every file, with the status it
    had, or :data:`NOT_STARTED`).
    """
    request = request.resolved()
    request.check(backend)
    _sweep(request)
    manifest = Manifest.load(request.output_dir / MANIFEST_NAME if request.output_dir else None)
    runner = _Runner(backend, request, manifest, on_event, wording)
    inputs = list(request.inputs)
    results: dict[int, FileResult] = {}
    tasks: list[_Task] = []
    futures: dict[Future[FileResult], int] = {}
    pool = ThreadPoolExecutor(max_workers=request.workers, thread_name_prefix="medscribe-job")
    try:
        # Hashing reads every file: in the pool, so that large files are read in
        # parallel and Ctrl-C is answered meanwhile.
        names, errors = _name_jobs(pool, inputs, request.options, request.job_name)
        tasks = _plan(request, names, errors)
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


def _sweep(request: BatchRequest) -> None:
    """Half-written files of a run that was killed (kill -9, power cut) go first."""
    if request.output_dir is not None:
        sweep_leftovers(request.output_dir)
    elif request.output_file is not None:
        sweep_leftovers(request.output_file.parent, [request.output_file.name])


@dataclass(slots=True)
class _Task:
    input: Path
    key: str
    job_name: str
    #: (path, format) pairs to write when the job completes.
    targets: list[tuple[Path, FileFormat]]
    #: Why the file cannot even be named (unreadable): it fails without a job.
    error: str | None = None


def _name_jobs(
    pool: ThreadPoolExecutor,
    inputs: list[Path],
    options: TranscriptionOptions,
    job_name: str | None,
) -> tuple[list[str], list[str | None]]:
    """Each input's job name (see :func:`~medscribe.batch.naming.job_name_for`), and why a
    file could not be read."""
    if job_name and len(inputs) == 1:
        return [job_name], [None]

    def digest(path: Path) -> tuple[str, str | None]:
        try:
            return content_digest(path), None
        except OSError as exc:
            return f"unreadable:{path}", f"cannot read: {exc.strerror or type(exc).__name__}"

    read = list(pool.map(digest, inputs))
    names = job_names([d for d, _ in read], options, job_name)
    errors = [error for _, error in read]
    return [("" if error else name) for name, error in zip(names, errors, strict=True)], errors


def _plan(request: BatchRequest, names: list[str], errors: list[str | None]) -> list[_Task]:
    """One task per input: its key in the manifest, its job name, what to write where."""
    inputs = list(request.inputs)
    output_dir, output_file = request.output_dir, request.output_file
    file_formats = request.file_formats
    bases: list[Path | None] = (
        list(output_bases(inputs, output_dir)) if output_dir is not None else [None] * len(inputs)
    )
    dir_formats: list[FileFormat] = file_formats or ["json"]
    tasks = []
    for path, name, error, base in zip(inputs, names, errors, bases, strict=True):
        targets: list[tuple[Path, FileFormat]]
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
        backend: Backend,
        request: BatchRequest,
        manifest: Manifest,
        on_event: EventHandler | None,
        wording: Callable[[MedscribeError], str] = str,
    ) -> None:
        self.backend = backend
        self.wording = wording
        self.request = request
        self.options = request.options
        self.options_record = options_record(request.options)
        self.manifest = manifest
        self.on_event = on_event
        self.speaker_names: Mapping[str, str] | None = request.speaker_names
        self.keep_transcripts = request.keeps_transcripts
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
            return self._fail(task, task.job_name, self.wording(exc), exc.exit_code)
        except KeyboardInterrupt:
            raise
        except Exception as exc:  # one file's surprise must not sink the whole batch
            # The job name, not the file's: file names are patient data, even in debug logs.
            log.debug("job %s: unexpected %s", task.job_name, type(exc).__name__)
            return self._fail(task, task.job_name, f"{type(exc).__name__}: {exc}", EXIT_FAILED)

    def interrupted(self, summary: BatchSummary) -> BatchInterrupted:
        with self._lock:
            running = sorted(self._running)
        keep = self.backend.capabilities.jobs_survive_interrupt
        return BatchInterrupted(interrupted_message(running, keep_running=keep), running, summary)

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
        if not job.status.finished and self.request.wait:
            job = wait_for_job(
                self.backend,
                job,
                poll_interval=self.request.poll_interval,
                poll_max_interval=self.request.poll_max_interval,
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
        if self._changed(task, entry):
            # Our own job for an older version of this file or other options: replace it.
            self._emit("note", task, entry.job_name, entry.status, "input or options changed")
            self._discard(entry.job_name)
            return None
        targets = [p for p, _ in task.targets]
        done = entry.status == JobStatus.COMPLETED.value and entry.options == self.options_record
        if done and targets and _all_exist(targets):
            return self._skip(task, entry, targets)
        # Same job, outputs to (re)write (roles asked for now, or not any more): attach.
        task.job_name = entry.job_name
        return self._attach(task, entry.job_name)

    def _changed(self, task: _Task, entry: ManifestEntry) -> bool:
        """Another file or other job options: the job itself no longer fits."""
        stat = task.input.stat()
        return (
            entry.size != stat.st_size
            or entry.mtime != stat.st_mtime
            or _job_part(entry.options) != _job_part(self.options_record)
        )

    def _skip(self, task: _Task, entry: ManifestEntry, targets: list[Path]) -> FileResult:
        """A file done by an earlier run whose outputs are all present."""
        outputs = [absolute(p) for p in ([Path(p) for p in entry.outputs] or targets)]
        self._emit("skip", task, entry.job_name, entry.status, outputs=tuple(outputs))
        return FileResult(
            task.input,
            entry.job_name,
            entry.status,
            outputs,
            skipped=True,
            no_speech=entry.no_speech,
        )

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
        if self.options.speaker_roles:
            self._roles(task, job, transcript)
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

    def _roles(self, task: _Task, job: Job, transcript: Transcript) -> None:
        """Clinician and patient labels; a note (counts, no words) when spk_N are kept."""
        from medscribe.roles import assign_roles, explain

        assign_roles(transcript)
        note = explain(transcript)
        if note is not None:
            self._emit("note", task, job.name, job.status.value, note)

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


def options_record(options: TranscriptionOptions) -> dict[str, Any]:
    """The options as the manifest records them: the job's, and ``speaker_roles`` when on.

    Roles are not part of the job (see ``TranscriptionOptions.speaker_roles``), but
    they change what is written, so a file done without them is done again with
    them (attaching to its job). Off, the key is left out, so manifests written
    before roles existed still match.
    """
    record = options.model_dump(mode="json")
    if options.speaker_roles:
        record["speaker_roles"] = True
    return record


def _job_part(record: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in record.items() if k != "speaker_roles"}


def _same_request(job: Job, options: TranscriptionOptions) -> bool:
    """Was ``job`` made with these options? (The service lists false flags; ignore them.)"""

    def meaningful(settings: dict[str, Any]) -> dict[str, Any]:
        return {k: v for k, v in settings.items() if v not in (None, False)}

    # PHI identification is a parameter of the job itself, not of its Settings: a job
    # made without it must not stand for a request that asks for it (nor the reverse).
    phi = options.content_identification.value if options.content_identification else None
    return (
        job.specialty.upper() == options.specialty.value
        and job.type.upper() == options.type.value
        and meaningful(job.settings) == meaningful(options.settings())
        and (job.content_identification or None) == phi
    )


def _all_exist(paths: Sequence[Path]) -> bool:
    return all(p.is_file() for p in paths)


def _without_path(reason: str, path: Path) -> str:
    """A backend's ``"<path>: not audio"`` -> ``"not audio"``: the summary names the file."""
    prefix = f"{path}: "
    return (
        reason[len(prefix) :] if reason.startswith(prefix) and len(reason) > len(prefix) else reason
    )
