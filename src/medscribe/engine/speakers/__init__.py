"""The speakers and channels stage: who said each word, by voice or by microphone.

This package owns the labels ``spk_N`` and ``ch_N``, one module per job:

* :mod:`.activity`: where anyone speaks (Silero VAD or the words);
* :mod:`.embeddings`: the voice encoder (Resemblyzer) and the window layout;
* :mod:`.partition`: speaker partitioning of a whole mono recording
  (:func:`diarize`: the timeline; :func:`label_words`: on the words;
  :func:`assign_speakers`: both);
* :mod:`.resegment`: the Viterbi pass that makes frame labels follow time;
* :mod:`.online`: the same stage over a stream, final by final, word by word
  (:class:`OnlineSpeakers`);
* :mod:`.channels`: channel identification (:func:`transcribe_channels`: each
  channel recognised alone, leakage removed, merged in time).

:class:`SpeakerStage` is the stage object of a batch request with speaker
partitioning. Its encoder does not depend on the audio, so the stage has it
loaded and warmed up on a helper thread while the recogniser decodes
(:meth:`SpeakerStage.preparing`): seconds of one core that would otherwise
follow the decode, with the other core idle.
"""

from __future__ import annotations

import contextlib
import logging
import threading
from collections.abc import Iterator

import numpy as np

from medscribe.engine.speakers import embeddings
from medscribe.engine.speakers.channels import MAX_CHANNELS, transcribe_channels
from medscribe.engine.speakers.online import OnlineSpeakers
from medscribe.engine.speakers.partition import Diarization, assign_speakers, diarize, label_words
from medscribe.transcript import Item

__all__ = [
    "MAX_CHANNELS",
    "Diarization",
    "OnlineSpeakers",
    "SpeakerStage",
    "assign_speakers",
    "diarize",
    "label_words",
    "transcribe_channels",
]

log = logging.getLogger(__name__)


class SpeakerStage:
    """Stage 5 of the engine for one mono recording: ``spk_N`` on every item."""

    def __init__(self, max_speakers: int) -> None:
        self.max_speakers = max_speakers

    @contextlib.contextmanager
    def preparing(self) -> Iterator[None]:
        """Warm the voice encoder up on a helper thread while the body runs; joined on exit.

        Joined whatever happens (a cancelled job too): no native thread may be left
        running when the caller's process exits.
        """
        helper = threading.Thread(target=_warm_up, name="medscribe-speakers-warm-up", daemon=True)
        helper.start()
        try:
            yield
        finally:
            helper.join()

    def apply(self, audio: np.ndarray, items: list[Item]) -> int:
        """Label ``items`` (recognised from ``audio``); returns the number of speakers."""
        return assign_speakers(audio, items, self.max_speakers) if items else 0


def _warm_up() -> None:
    try:
        embeddings.warm_up()
    except Exception:  # the stage itself reports a broken encoder, with its own error
        log.debug("warming the voice encoder up failed", exc_info=True)
