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
"""

from __future__ import annotations

from collections import deque
from collections.abc import Callable, Iterable, Iterator, Sequence
from concurrent.futures import Future, ThreadPoolExecutor
from typing import TypeVar

__all__ = ["in_order", "side_by_side"]

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
