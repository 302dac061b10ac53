"""Waiting for a job: polls with exponential backoff and jitter, stoppable at once.

Why own code rather than botocore's waiters (``MedicalTranscriptionJobCompleted``):
those poll at a fixed delay, report no intermediate status, cannot be stopped
cleanly on Ctrl-C and only exist for AWS, while this loop drives both backends
through the :class:`~medscribe.backends.base.Backend` contract. API throttling
itself is retried inside the AWS backend by botocore's retry modes, not here.
"""

from __future__ import annotations

import random
import threading
from collections.abc import Callable, Iterator

from medscribe.backends.base import Backend, Job

__all__ = ["PROGRESS_POLL_S", "backoff_delays", "wait_for_job"]

#: Longest wait between two polls of a job that reports its progress (the local engine).
PROGRESS_POLL_S = 1.0


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
    the job reports progress, polls are at most :data:`PROGRESS_POLL_S` apart, so
    that the progress shown keeps up; a backend whose polls are cheap says how
    often to poll (:attr:`~medscribe.backends.base.Capabilities.max_poll_s`).
    """
    if isinstance(job, str):
        job = backend.get_job(job)
    stop = stop or threading.Event()
    delays = backoff_delays(poll_interval, max(poll_max_interval, poll_interval))
    cap = backend.capabilities.max_poll_s
    while not job.status.finished:
        delay = next(delays)
        if job.progress is not None:
            delay = min(delay, PROGRESS_POLL_S)
        if cap is not None:
            delay = min(delay, cap)
        if stop.wait(delay):
            break
        previous = (job.status, job.progress)
        job = backend.get_job(job.name)
        if (job.status, job.progress) != previous and on_status is not None:
            on_status(job)
    return job
