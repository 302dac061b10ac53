"""Running local jobs: claim, transcribe, record; in a thread of this process or a detached worker.

Two ways a job runs, both with one model load per process:

* in process (the caller waits): one daemon thread per process takes jobs from a
  queue in order; jobs share the cached model. At interpreter exit (normal end
  or Ctrl-C) jobs it has not finished are released and handed to a detached
  worker, so a started job is never lost;
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
from pathlib import Path

from medscribe.backends.base import JobStatus
from medscribe.backends.local.store import (
    Record,
    Store,
    is_alive,
    is_mine,
    me,
    now,
    process_start,
    write_atomic,
)
from medscribe.errors import MedscribeError

log = logging.getLogger(__name__)

WORKER_MODULE = "medscribe.backends.local.worker"


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


def run_job(store: Store, name: str) -> None:
    """Run job ``name`` if this process owns it; record COMPLETED or FAILED."""
    from medscribe.engine.pipeline import EngineConfig, transcribe_file
    from medscribe.request import TranscriptionOptions
    from medscribe.transcript import dumps

    with store.lock():
        record = store.read(name)
        if record is None or not is_mine(record.get("owner")) or not unfinished(record):
            return
        record["status"] = JobStatus.IN_PROGRESS.value
        record["started"] = now().isoformat()
        store.write(record)
    text: str | None = None
    error: str | None = None
    try:
        options = TranscriptionOptions(**record["options"])
        transcript = transcribe_file(
            record["media_path"],
            options,
            config=EngineConfig(**record["engine"]),
            job_name=name,
            vocabulary=_vocabulary(store, options.vocabulary),
        )
        text = dumps(transcript)
    except MedscribeError as exc:
        error = exc.message
    except Exception as exc:  # a job fails, the runner goes on
        log.debug("job %s failed", name, exc_info=True)
        error = f"internal error in the offline engine ({type(exc).__name__})"
    _finish(store, name, text, error)


def _vocabulary(store: Store, name: str | None) -> list | None:
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
        if text is not None:
            path = store.transcript_path(name)
            write_atomic(path, text)
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
    store.jobs_dir.mkdir(parents=True, exist_ok=True)
    with (store.jobs_dir / "worker.log").open("a") as log_file:
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
        if is_alive(current) and current.get("pid") != owner["pid"]:
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


class InProcessRunner:
    """One daemon thread per process that runs submitted jobs in order."""

    def __init__(self) -> None:
        self._queue: queue.Queue[tuple[Store, str]] = queue.Queue()
        self._pending: dict[tuple[Path, str], threading.Event] = {}
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
                    target=self._loop, name="medscribe-local-jobs", daemon=True
                )
                self._thread.start()
            if not self._atexit:
                atexit.register(self.hand_off)
                self._atexit = True
        return event

    def event(self, store: Store, name: str) -> threading.Event | None:
        with self._lock:
            return self._pending.get((store.root, name))

    def _loop(self) -> None:
        while True:
            store, name = self._queue.get()
            try:
                run_job(store, name)
            except Exception:  # keep serving the other jobs
                log.debug("runner error for %s", name, exc_info=True)
            finally:
                with self._lock:
                    event = self._pending.pop((store.root, name), None)
                if event is not None:
                    event.set()

    def hand_off(self) -> None:
        """Release this process's unfinished jobs to a detached worker (at exit, on Ctrl-C)."""
        with self._lock:
            keys = list(self._pending)
        stores: dict[Path, Store] = {}
        for root, name in keys:
            store = stores.setdefault(root, Store(root))
            with store.lock():
                record = store.read(name)
                if record and unfinished(record) and is_mine(record.get("owner")):
                    record["owner"] = None
                    record["status"] = JobStatus.QUEUED.value
                    store.write(record)
        for store in stores.values():
            with store.lock():
                if any(
                    (r := store.read(n)) and unfinished(r) and r.get("owner") is None
                    for root, n in keys
                    if root == store.root
                ):
                    ensure_worker(store)


RUNNER = InProcessRunner()
