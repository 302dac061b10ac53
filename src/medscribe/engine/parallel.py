"""Side by side: the independent decodes of one engine call, spread over the model's workers.

This module owns two order-keeping maps on a thread pool of as many threads as
the model has workers (see :func:`medscribe.engine.config.resolve_threads`), for
the places where one call holds decodes that do not depend on each other:

* :func:`side_by_side` over a list: the clips of the specialty stage's second
  look, the channels of channel identification;
* :func:`in_order` over a stream of inputs, with at most as many in flight as
  there are workers: the ten-minute windows of a long recording, so that memory
  stays bounded (a 2-hour file is never decoded whole).

Results come back in the order of the inputs, so the transcript is the same as
one decode after another. Every thread has finished when they return, whatever
happened (a cancelled job too): no native thread may be left running when the
caller's process exits.

It also owns :func:`limit_allocator_arenas`: glibc gives each thread that
allocates its own malloc arena, and memory freed in one is not reused by
another, so windows decoded on two threads raised the peak memory of a 2-hour
recording from 1.1 GB to 1.6 GB; two arenas bring it back to 1.2 GB at the same
speed (measured with ``benchmarks/bench_engine.py``).
"""

from __future__ import annotations

import ctypes
import ctypes.util
import functools
import logging
import os
import sys
from collections import deque
from collections.abc import Callable, Iterable, Iterator, Sequence
from concurrent.futures import Future, ThreadPoolExecutor
from typing import TypeVar

__all__ = ["in_order", "limit_allocator_arenas", "side_by_side"]

log = logging.getLogger(__name__)

#: glibc's mallopt parameter for the most malloc arenas (malloc.h: M_ARENA_MAX).
_M_ARENA_MAX = -8
#: Arenas once the engine decodes side by side: the main thread's and one for the rest.
ARENAS = 2

_In = TypeVar("_In")
_Out = TypeVar("_Out")


def side_by_side(work: Callable[[_In], _Out], inputs: Sequence[_In], workers: int) -> list[_Out]:
    """``[work(x) for x in inputs]``, up to ``workers`` at a time; the first error is raised."""
    if workers <= 1 or len(inputs) <= 1:
        return [work(x) for x in inputs]
    pool = ThreadPoolExecutor(max_workers=min(workers, len(inputs)), thread_name_prefix="medscribe")
    try:
        return list(pool.map(work, inputs))
    finally:
        pool.shutdown(wait=True, cancel_futures=True)


def in_order(work: Callable[[_In], _Out], inputs: Iterable[_In], workers: int) -> Iterator[_Out]:
    """``work(x)`` for each input as it comes, ``workers`` at a time at most, in input order.

    An input is taken from ``inputs`` only when a worker is free for it, so no
    more than ``workers`` inputs are held at once.
    """
    if workers <= 1:
        for item in inputs:
            yield work(item)
        return
    pool = ThreadPoolExecutor(max_workers=workers, thread_name_prefix="medscribe")
    pending: deque[Future[_Out]] = deque()
    try:
        for item in inputs:
            pending.append(pool.submit(work, item))
            if len(pending) >= workers:
                yield pending.popleft().result()
        while pending:
            yield pending.popleft().result()
    finally:
        pool.shutdown(wait=True, cancel_futures=True)


@functools.cache
def limit_allocator_arenas() -> bool:
    """Cap glibc's malloc arenas at :data:`ARENAS` (see the module docstring); True if done.

    Done once per process, before the engine starts its threads; left alone where
    the user set ``MALLOC_ARENA_MAX`` or the C library is not glibc.
    """
    if not sys.platform.startswith("linux") or "MALLOC_ARENA_MAX" in os.environ:
        return False
    name = ctypes.util.find_library("c")
    try:
        libc = ctypes.CDLL(name or "libc.so.6")
        done = bool(libc.mallopt(_M_ARENA_MAX, ARENAS))
    except (OSError, AttributeError):  # musl and others: no mallopt, nothing to limit
        return False
    log.debug("malloc arenas capped at %d: %s", ARENAS, done)
    return done
