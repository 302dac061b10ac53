"""Speaker labels of a stream, decided online: :class:`OnlineSpeakers`, one embedding per final.

The batch stage (:func:`medscribe.engine.speakers.partition.assign_speakers`)
clusters window embeddings over the whole visit; re-running it over a growing
history for each final took seconds per utterance on two cores, far beyond a
stream's latency. A stream instead uses the same voice encoder
(:mod:`medscribe.engine.speakers.embeddings`, Resemblyzer) once per final: the
utterance joins the nearest known voice when the cosine similarity reaches
``threshold`` (or when ``max_speakers`` voices exist), else it starts a new one.
Memory is one centroid per speaker. Like the service's own streams, labels are
per result, not per word inside it.
"""

from __future__ import annotations

import numpy as np

from medscribe.engine.speakers.embeddings import SAMPLE_RATE, load_encoder
from medscribe.transcript.model import Item

__all__ = ["OnlineSpeakers"]


class OnlineSpeakers:
    """Labels ``spk_N`` for the finals of one stream (see the module docstring)."""

    def __init__(self, max_speakers: int, *, threshold: float = 0.75) -> None:
        import torch

        # The encoder is a small LSTM: one thread is fastest, and more threads only
        # fight CTranslate2 for the same cores (seconds per utterance when they do).
        torch.set_num_threads(1)
        self.encoder = load_encoder()
        # The first call is slow (lazy initialisation): pay it before the stream starts.
        self.encoder.embed_utterance(np.zeros(SAMPLE_RATE, dtype=np.float32))
        self.max_speakers = max_speakers
        self.threshold = threshold
        self._sums: list[np.ndarray] = []

    def __call__(self, audio: np.ndarray, items: list[Item]) -> None:
        """Label every item of one final with the speaker of its ``audio``."""
        if len(audio) < SAMPLE_RATE // 2:
            label = self._nearest_label(None)
        else:
            vector = self.encoder.embed_utterance(audio.astype(np.float32))
            label = self._nearest_label(vector / (np.linalg.norm(vector) or 1.0))
        for item in items:
            item.speaker = label

    def _nearest_label(self, vector: np.ndarray | None) -> str:
        if vector is None:  # too short to embed: the latest speaker goes on
            return f"spk_{max(len(self._sums) - 1, 0)}"
        sims = [float(vector @ (c / np.linalg.norm(c))) for c in self._sums]
        best = int(np.argmax(sims)) if sims else -1
        if best < 0 or (sims[best] < self.threshold and len(self._sums) < self.max_speakers):
            self._sums.append(vector.copy())
            return f"spk_{len(self._sums) - 1}"
        self._sums[best] = self._sums[best] + vector
        return f"spk_{best}"
