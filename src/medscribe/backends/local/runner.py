"""Running local jobs: claim, transcribe, record; in a thread of this process or a detached worker.

Two ways a job runs, both with one model load per process:

* in process (the caller waits): one daemon thread per process takes jobs from a
  queue in order; jobs share the process's engine
  (:func:`medscribe.engine.shared_engine` for the job's recorded
  :class:`~medscribe.engine.EngineConfig`). :meth:`InProcessRunner.stop`
  cancels the job it runs (the engine stops at its next segment), joins the
  thread and releases the jobs it has not finished (QUEUED, no owner): a native
  thread torn down under an exiting interpreter aborts the process, so nothing
  may still run when it exits. ``medscribe transcribe`` stops it this way on
  Ctrl-C or SIGTERM, and the next command that asks for the job resumes it (from
  the start of its file). At interpreter exit without that call, the same
  happens and the released jobs are handed to a detached worker, so a started
  job is never lost;
* detached (``--no-wait``, or the hand-off above): ``python -m
  medscribe.backends.local.worker`` in its own session drains every claimable
  job, then exits.

Ownership rules live in :mod:`medscribe.backends.local.store`: a job is run only
by its owner, and its result is written only if the runner still owns it (a
deleted or re-assigned job is left alone).
"""

from __future__ import annotations

import atexit
import logging
import os
import queue
import subprocess
import sys
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from medscribe.backends.base import JobStatus
from medscribe.backends.local.store import (
    Record,
    Store,
    is_alive,
    is_mine,
    me,
    now,
    process_start,
)
from medscribe.errors import MedscribeError

if TYPE_CHECKING:
    from medscribe.vocabulary import VocabularyEntry

log = logging.getLogger(__name__)

WORKER_MODULE = "medscribe.backends.local.worker"
#: Progress is written to the job record (an atomic write) when it moved by this much,
#: or when this long has passed: segments arrive in bursts, one per 30 s of audio.
PROGRESS_STEP = 0.02
PROGRESS_EVERY_S = 0.5
#: How long the exit of the interpreter waits for the running job to stop.
EXIT_JOIN_S = 120.0


def unfinished(record: Record) -> bool:
    return not JobStatus(record["status"]).finished


def claimable(record: Record, store: Store, *, by_worker: bool) -> bool:
    """May a new runner take this job? Unfinished, and its owner gone.

    ``owner = None`` means "queued for the detached worker": the worker itself
    may take it; anyone else only when no worker is alive to do so.
    """
    if not unfinished(record):
        return False
    owner = record.get("owner")
    if owner is None:
        return by_worker or not is_alive(store.worker())
    return not is_alive(owner)


def run_job(store: Store, name: str, *, cancel: threading.Event | None = None) -> None:
    """Run job ``name`` if this process owns it; record COMPLETED or FAILED.

    When ``cancel`` is set meanwhile the engine stops between two segments and
    the job is released (QUEUED, no owner) for whoever asks for it next.
    """
    from medscribe.engine import EngineConfig, TranscriptionCancelled, shared_engine
    from medscribe.request import TranscriptionOptions
    from medscribe.transcript import dumps

    with store.lock():
        record = store.read(name)
        if record is None or not is_mine(record.get("owner")) or not unfinished(record):
            return
        record["status"] = JobStatus.IN_PROGRESS.value
        record["started"] = now().isoformat()
        record["progress"] = 0.0
        store.write(record)
    text: str | None = None
    error: str | None = None
    try:
        options = TranscriptionOptions(**record["options"])
        engine = shared_engine(EngineConfig(**record["engine"]))  # loaded once per process
        transcript = engine.transcribe(
            record["media_path"],
            options,
            job_name=name,
            vocabulary=_vocabulary(store, options.vocabulary),
            cancel=cancel,
            progress=_progress_writer(store, name),
        )
        text = dumps(transcript)
    except TranscriptionCancelled:
        release(store, name)
        return
    except MedscribeError as exc:
        error = exc.message
    except Exception as exc:  # a job fails, the runner goes on
        log.debug("job %s failed", name, exc_info=True)
        error = f"internal error in the offline engine ({type(exc).__name__})"
    _finish(store, name, text, error)


def release(store: Store, name: str) -> bool:
    """Give up job ``name`` if this process owns it: QUEUED, no owner; True if it did."""
    with store.lock():
        record = store.read(name)
        if record is None or not unfinished(record) or not is_mine(record.get("owner")):
            return False
        record["owner"] = None
        record["status"] = JobStatus.QUEUED.value
        record["progress"] = None
        store.write(record)
    return True


def _progress_writer(store: Store, name: str) -> Callable[[float], None]:
    """The engine's progress callback: the fraction into the job record (see PROGRESS_STEP)."""
    last = [0.0, 0.0]  # monotonic time and fraction of the last write

    def report(fraction: float) -> None:
        moment = time.monotonic()
        if moment - last[0] < PROGRESS_EVERY_S and fraction - last[1] < PROGRESS_STEP:
            return
        last[:] = [moment, fraction]
        with store.lock():
            record = store.read(name)
            if record is None or not unfinished(record) or not is_mine(record.get("owner")):
                return
            record["progress"] = round(fraction, 4)
            store.write(record)

    return report


def _vocabulary(store: Store, name: str | None) -> list[VocabularyEntry] | None:
    """The stored entries of custom vocabulary ``name`` (``--vocabulary NAME``)."""
    if not name:
        return None
    from medscribe.errors import NotFoundError
    from medscribe.vocabulary import VocabularyEntry

    record = store.read_vocabulary(name)
    if record is None:
        raise NotFoundError(f"no local vocabulary named {name}")
    return [VocabularyEntry(**entry) for entry in record.get("entries", [])]


def _finish(store: Store, name: str, text: str | None, error: str | None) -> None:
    with store.lock():
        record = store.read(name)
        if record is None or not is_mine(record.get("owner")):
            return  # deleted, or handed to another runner meanwhile
        record["progress"] = None
        if text is not None:
            try:
                path: Path | None = store.write_transcript(name, text)
            except MedscribeError as exc:  # a full disk: the job fails, nobody waits forever
                path, error = None, f"cannot store the transcript ({exc.message})"
        if text is not None and path is not None:
            record["status"] = JobStatus.COMPLETED.value
            record["transcript_uri"] = path.resolve().as_uri()
        else:
            record["status"] = JobStatus.FAILED.value
            record["failure_reason"] = error
        record["completed"] = now().isoformat()
        record["owner"] = None
        store.write(record)


# --------------------------------------------------------------------------- detached worker


def ensure_worker(store: Store) -> None:
    """Start a detached worker unless one is alive. Call with ``store.lock()`` held."""
    if is_alive(store.worker()):
        return
    with store.open_worker_log() as log_file:  # 0600, like everything in the store
        proc = subprocess.Popen(
            [sys.executable, "-m", WORKER_MODULE, "--data-dir", str(store.root)],
            stdin=subprocess.DEVNULL,
            stdout=log_file,
            stderr=log_file,
            start_new_session=True,  # Ctrl-C in the terminal must not reach it
            close_fds=True,
            env={**os.environ, "MEDSCRIBE_DATA_DIR": str(store.root)},
        )
    store.set_worker({"pid": proc.pid, "start": process_start(proc.pid)})
    _children.append(proc)


#: Popen objects of spawned workers, kept so that they are reaped when they exit.
_children: list[subprocess.Popen[bytes]] = []


def drain(store: Store) -> int:
    """The detached worker's loop: claim and run jobs until none is left; returns the count."""
    owner = me()
    with store.lock():
        current = store.worker()
        if current is not None and is_alive(current) and current.get("pid") != owner["pid"]:
            return 0  # another worker is draining already
        store.set_worker(owner)
    done = 0
    while True:
        with store.lock():
            name = _next_claimable(store)
            if name is None:
                if (store.worker() or {}).get("pid") == owner["pid"]:
                    store.set_worker(None)
                return done
            record = store.read(name)
            assert record is not None
            record["owner"] = owner
            record["status"] = JobStatus.QUEUED.value
            store.write(record)
        log.info("running job %s", name)
        run_job(store, name)
        done += 1


def _next_claimable(store: Store) -> str | None:
    candidates = []
    for name in store.names():
        record = store.read(name)
        if record and claimable(record, store, by_worker=True):
            candidates.append((record.get("created") or "", name))
    return min(candidates)[1] if candidates else None


# --------------------------------------------------------------------------- in process


@dataclass(frozen=True, slots=True)
class Stopped:
    """What :meth:`InProcessRunner.stop` did: the jobs it released, and whether the thread ended."""

    released: list[str]
    joined: bool


_Queue = queue.Queue[tuple[Store, str] | None]
_Pending = dict[tuple[Path, str], threading.Event]


class InProcessRunner:
    """One daemon thread per process that runs submitted jobs in order; see :meth:`stop`."""

    def __init__(self) -> None:
        self._queue: _Queue = queue.Queue()
        self._cancel = threading.Event()
        self._pending: _Pending = {}
        self._lock = threading.Lock()
        self._thread: threading.Thread | None = None
        self._atexit = False

    def submit(self, store: Store, name: str) -> threading.Event:
        key = (store.root, name)
        with self._lock:
            event = self._pending.get(key)
            if event is None:
                event = self._pending[key] = threading.Event()
                self._queue.put((store, name))
            if self._thread is None or not self._thread.is_alive():
                self._thread = threading.Thread(
                    target=self._loop,
                    args=(self._queue, self._cancel, self._pending),
                    name="medscribe-local-jobs",
                    daemon=True,
                )
                self._thread.start()
            if not self._atexit:
                atexit.register(self.hand_off)
                self._atexit = True
        return event

    def event(self, store: Store, name: str) -> threading.Event | None:
        with self._lock:
            return self._pending.get((store.root, name))

    def _loop(self, jobs: _Queue, cancel: threading.Event, pending: _Pending) -> None:
        """Run jobs until the ``None`` that :meth:`stop` queues; after ``cancel``, release them.

        ``jobs``, ``cancel`` and ``pending`` are this thread's own: :meth:`stop`
        gives the runner new ones, so a later thread never shares them.
        """
        while True:
            item = jobs.get()
            if item is None:
                return
            store, name = item
            try:
                if cancel.is_set():
                    release(store, name)
                else:
                    run_job(store, name, cancel=cancel)
            except Exception:  # keep serving the other jobs
                log.debug("runner error for %s", name, exc_info=True)
            finally:
                with self._lock:
                    event = pending.pop((store.root, name), None)
                if event is not None:
                    event.set()

    def stop(self, *, hand_off: bool = False, timeout: float | None = None) -> Stopped:
        """Stop the thread in order: cancel its job, join it, release what it did not finish.

        Released jobs are QUEUED with no owner: a later ``get_job`` resumes them;
        with ``hand_off`` a detached worker is started for them. After ``timeout``
        seconds this returns even if the running job has not stopped (it is
        released all the same, so its result would be dropped). The runner can be
        used again afterwards.
        """
        with self._lock:
            thread, jobs, cancel, pending = self._thread, self._queue, self._cancel, self._pending
            self._thread, self._queue, self._cancel, self._pending = (
                None,
                queue.Queue(),
                threading.Event(),
                {},
            )
            cancel.set()
            jobs.put(None)
            keys = list(pending)
        if thread is not None:
            thread.join(timeout)
        joined = thread is None or not thread.is_alive()
        stores: dict[Path, Store] = {}
        released: list[str] = []
        for root, name in keys:
            store = stores.setdefault(root, Store(root))
            release(store, name)  # the thread released the jobs it reached; these it did not
            record = store.read(name)
            if record and unfinished(record) and record.get("owner") is None:
                released.append(name)
        for event in list(pending.values()):
            event.set()  # whoever waits looks at the job again
        if hand_off and released:
            for store in stores.values():
                with store.lock():
                    ensure_worker(store)
        return Stopped(released, joined)

    def hand_off(self) -> None:
        """At interpreter exit: stop, and hand unfinished jobs to a detached worker."""
        self.stop(hand_off=True, timeout=EXIT_JOIN_S)


RUNNER = InProcessRunner()
