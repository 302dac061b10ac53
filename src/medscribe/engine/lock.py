"""Fair turns on the recogniser: :class:`FairLock`, one per loaded model (:func:`model_lock`).

A model decodes as many requests at once as it has workers (CTranslate2
replicas, see :func:`medscribe.engine.config.resolve_threads`); more at once
would only fight for the same cores. Every model call of the engine (batch
jobs, streams, the second look, n-best readings) therefore holds the model's
lock, one step at a time (a segment of a first pass, one clip), so that
concurrent callers of one process take turns instead of slowing each other.
"""

from __future__ import annotations

import collections
import threading

__all__ = ["FairLock", "model_lock"]


class FairLock:
    """A first-come first-served lock that ``capacity`` holders may hold at once.

    ``threading.Lock`` is not fair: a stream that releases the model and asks again
    a few milliseconds later often wins again, and the other streams starve and
    fall behind. Here waiting callers take turns in arrival order.
    """

    def __init__(self, capacity: int = 1) -> None:
        self.capacity = max(int(capacity), 1)
        self._cond = threading.Condition()
        self._queue: collections.deque[object] = collections.deque()
        self._holders = 0

    def __enter__(self) -> FairLock:
        ticket = object()
        with self._cond:
            self._queue.append(ticket)
            while self._holders >= self.capacity or self._queue[0] is not ticket:
                self._cond.wait()
            self._queue.popleft()
            self._holders += 1
            self._cond.notify_all()  # the next in line may fit as well
        return self

    def __exit__(self, *exc: object) -> None:
        with self._cond:
            self._holders -= 1
            self._cond.notify_all()


#: id(model) -> (the model, kept alive so that its id is not reused; its lock).
_LOCKS: dict[int, tuple[object, FairLock]] = {}
_LOCKS_GUARD = threading.Lock()


def model_lock(model: object, capacity: int) -> FairLock:
    """The lock of ``model`` (one per model object and process), ``capacity`` holders."""
    with _LOCKS_GUARD:
        entry = _LOCKS.get(id(model))
        if entry is None or entry[0] is not model:
            entry = _LOCKS[id(model)] = (model, FairLock(capacity))
        return entry[1]
