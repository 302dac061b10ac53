"""Cancellation and progress of one engine call: :class:`Watch` and :class:`TranscriptionCancelled`.

A caller that may stop the work passes ``cancel`` (a :class:`threading.Event`):
the engine checks it between the recogniser's segments and between its stages,
and raises :class:`TranscriptionCancelled`, so that no native thread
(CTranslate2, onnxruntime) is left running when the caller's process exits.

``progress`` is called with an estimate of the fraction of the work done (0.0 to
1.0): the position of the first decoding pass in the audio (the end times of its
segments), scaled by the share of the time that pass takes (about half with
speaker partitioning, whose embeddings come after it, nearly all otherwise).
Only first passes count (the VAD is on there); the prompted second look of the
specialty stage decodes clips whose times are not the file's.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterable, Iterator
from typing import TypeVar

__all__ = [
    "RECOGNITION_SHARE",
    "RECOGNITION_SHARE_WITH_SPEAKERS",
    "ProgressFn",
    "TranscriptionCancelled",
    "Watch",
]

#: Share of a job's time spent in the first decoding pass (measured with tiny.en on a
#: CPU: speaker partitioning takes about as long again after it). Progress estimates only.
RECOGNITION_SHARE = 0.95
RECOGNITION_SHARE_WITH_SPEAKERS = 0.5

#: ``progress`` callback: the fraction of the work done so far.
ProgressFn = Callable[[float], None]

_Segment = TypeVar("_Segment")


class TranscriptionCancelled(Exception):
    """The caller's ``cancel`` event was set; the engine stopped between two steps."""


class Watch:
    """One call's cancel event and progress callback (see the module docstring)."""

    def __init__(
        self,
        cancel: threading.Event | None = None,
        progress: ProgressFn | None = None,
        total_s: float = 0.0,
        share: float = 1.0,
    ) -> None:
        self.cancel = cancel
        self.progress = progress if total_s > 0 else None
        self.total_s = total_s
        self.share = share
        self.done_s = 0.0  # audio of the first passes finished so far
        self.reported = 0.0
        self._lock = threading.Lock()  # first passes of channels may run side by side

    def check(self) -> None:
        """Raise :class:`TranscriptionCancelled` if the caller asked to stop."""
        if self.cancel is not None and self.cancel.is_set():
            raise TranscriptionCancelled

    def segments(
        self,
        segments: Iterable[_Segment],
        length_s: float | None,
        end_of: Callable[[_Segment], float],
    ) -> Iterator[_Segment]:
        """``segments`` as they decode; ``length_s`` is the audio of a first pass, else None.

        ``end_of`` gives a segment's end time in the decoded audio.
        """
        for segment in segments:
            if length_s is not None:
                self._report(self.done_s + min(end_of(segment), length_s))
            yield segment
            self.check()  # before the next segment is decoded
        if length_s is not None:
            with self._lock:
                self.done_s += length_s
            self._report(self.done_s)

    def _report(self, position_s: float) -> None:
        if self.progress is None:  # not asked for, or a file of unknown duration
            return
        fraction = self.share * min(max(position_s / self.total_s, 0.0), 1.0)
        with self._lock:  # reported values only ever grow, whichever thread reports
            if fraction <= self.reported:
                return
            self.reported = fraction
        self.progress(fraction)
