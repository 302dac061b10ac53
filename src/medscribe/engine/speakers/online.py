"""Speaker labels of a stream, decided online and word by word: :class:`OnlineSpeakers`.

The batch stage (:func:`medscribe.engine.speakers.partition.diarize`) clusters the
windows of the whole visit at once; a stream cannot wait for the whole visit, and
re-clustering a growing history for each final costs seconds per utterance on two
cores. So a stream runs the same pieces on each final as it comes:

* the final's speech (its words, cut at pauses) is cut into the same sliding windows
  and embedded with the same encoder (:mod:`.embeddings`);
* windows are compared with the voices heard so far (one centre per speaker, kept as
  a running sum). Windows that match no known voice (cosine similarity under
  ``NEW_VOICE_SIMILARITY``) and together last at least ``NEW_VOICE_SECONDS`` start a
  new speaker, while fewer than ``max_speakers`` exist;
* frame scores and the Viterbi pass (:mod:`.resegment`) give each 10 ms frame a
  speaker, and each word takes the majority of its frames
  (:func:`~medscribe.engine.speakers.partition.word_speakers`), so a change of
  speaker inside one final is honoured, as in batch.

Memory is one centre per speaker; labels, once written, never change (a final is
final).
"""

from __future__ import annotations

import numpy as np

from medscribe.engine.speakers import partition
from medscribe.engine.speakers.embeddings import (
    FRAME_SECONDS,
    WindowEmbeddings,
    audible,
    embed_windows,
    frame_levels_db,
    load_encoder,
    mel_frames,
    runs_of,
    warm_up,
)
from medscribe.transcript.model import Item

__all__ = ["OnlineSpeakers"]

#: A window less similar than this to every known voice may be a new speaker. Chosen
#: with the batch stage's centre similarities on the tune recordings (see partition).
NEW_VOICE_SIMILARITY = 0.72
#: ... and a new speaker needs this much such speech in one final (seconds of windows).
NEW_VOICE_SECONDS = 1.0


class OnlineSpeakers:
    """Labels ``spk_N`` for the words of one stream's finals (see the module docstring)."""

    def __init__(self, max_speakers: int) -> None:
        import torch

        # The encoder is a small LSTM: one thread is fastest, and more threads only
        # fight CTranslate2 for the same cores (seconds per utterance when they do).
        torch.set_num_threads(1)
        load_encoder()
        warm_up()  # the first call is slow (lazy set-up): pay it before the stream starts
        self.max_speakers = max_speakers
        self._sums: list[np.ndarray] = []
        self._last = 0

    def __call__(self, audio: np.ndarray, items: list[Item], offset: float = 0.0) -> None:
        """Label the items of one final; ``audio`` starts at ``offset`` s of the stream."""
        words = [i for i in items if not i.is_punctuation and i.start is not None]
        if not words:
            partition.label_items(items, {})
            return
        windows = self._windows(audio, words, offset)
        labels = self._word_labels(windows, words, offset) if windows else None
        if labels is None:
            labels = [self._last] * len(words)
        self._last = labels[-1]
        partition.label_items(items, {id(w): s for w, s in zip(words, labels, strict=True)})

    def _windows(self, audio: np.ndarray, words: list[Item], offset: float) -> WindowEmbeddings:
        mel = mel_frames(audio)
        spans = [((w.start or 0.0) - offset, (w.end or 0.0) - offset) for w in words]
        speech = audible(frame_levels_db(audio, len(mel)), spans)
        return embed_windows(
            mel, runs_of(speech), window=partition.WINDOW_SECONDS, hop=partition.HOP_SECONDS
        )

    def _word_labels(
        self, windows: WindowEmbeddings, words: list[Item], offset: float
    ) -> list[int] | None:
        if len(windows.vectors) == 0:
            return None
        self._add_new_voice(windows)
        centres = partition.normed(np.stack(self._sums))
        frame_labels, covered = partition.frame_speakers(windows, centres)
        nearest = np.argmax(windows.vectors @ centres.T, axis=1)
        for index, vector in zip(nearest, windows.vectors, strict=True):
            self._sums[int(index)] = self._sums[int(index)] + vector
        shifted = [_shifted(w, offset) for w in words]
        return partition.word_speakers(frame_labels, covered, shifted)

    def _add_new_voice(self, windows: WindowEmbeddings) -> None:
        """Start a speaker from the windows that match no known voice, if they are enough."""
        if not self._sums:
            self._sums.append(windows.vectors.mean(axis=0))
            return
        if len(self._sums) >= self.max_speakers:
            return
        centres = partition.normed(np.stack(self._sums))
        unknown = (windows.vectors @ centres.T).max(axis=1) < NEW_VOICE_SIMILARITY
        seconds = float((windows.ends - windows.starts)[unknown].sum()) * FRAME_SECONDS
        if seconds >= NEW_VOICE_SECONDS:
            self._sums.append(windows.vectors[unknown].mean(axis=0))


def _shifted(word: Item, offset: float) -> Item:
    """A copy of ``word`` timed from the start of its final's audio."""
    return Item(word.content, start=(word.start or 0.0) - offset, end=(word.end or 0.0) - offset)
