"""Labels that follow time: a Viterbi pass over per-frame speaker scores.

Owns :func:`viterbi_labels`. Window embeddings are noisy frame by frame: a
frame-wise argmax flickers between speakers inside one turn, and a fixed majority
filter either keeps the flicker or wipes out a short answer. An HMM with one state
per speaker does better, staying costs nothing, changing speaker
costs ``switch_cost`` (in frame score summed over frames: a cost of 3 is paid by
a speaker scoring 0.1 better for 0.3 s), and the best path over the whole
recording is found by dynamic programming. A real change of speaker carries enough
score difference over a few tenths of a second to pay the cost; a flicker does not.

The path is computed on ``step`` frames at a time (50 ms by default: a change of
speaker is not located finer than the windows allow anyway), which keeps an hour of
audio to about 70,000 steps. No library offers a Viterbi pass over a score matrix
without a whole HMM toolkit (hmmlearn fits models; we only decode), so it is these
few lines of numpy.
"""

from __future__ import annotations

import numpy as np

__all__ = ["viterbi_labels"]


def viterbi_labels(
    scores: np.ndarray,
    switch_cost: float,
    *,
    free: np.ndarray | None = None,
    step: int = 5,
) -> np.ndarray:
    """The best label sequence for ``scores`` (frames, speakers), one label per frame.

    ``free`` (bool per frame) marks where a change costs nothing: the first frame
    after a pause, since a new speaker nearly always starts after one, and a one-word
    answer between two pauses must not have to pay for its own turn.
    """
    n, k = scores.shape
    if n == 0 or k == 1:
        return np.zeros(n, dtype=int)
    free = np.zeros(n, dtype=bool) if free is None else free.astype(bool)
    # Blocks of ``step`` frames that never straddle a free frame: a block starts at every
    # free frame, so the frames before a change keep the speaker before it.
    since = np.arange(n) - np.maximum.accumulate(np.where(free, np.arange(n), 0))
    block_of = np.cumsum(free | (since % step == 0)) - 1
    blocks = int(block_of[-1]) + 1
    emission = np.zeros((blocks, k), dtype=np.float64)
    np.add.at(emission, block_of, scores)
    costs = np.full(blocks, switch_cost)
    costs[block_of[free]] = 0.0
    total = emission[0].copy()
    came_from = np.zeros((blocks, k), dtype=np.int32)
    came_from[0] = np.arange(k)
    for t in range(1, blocks):
        leader = int(np.argmax(total))
        switch = total[leader] - costs[t]
        stay = total >= switch
        came_from[t] = np.where(stay, np.arange(k), leader)
        total = np.where(stay, total, switch) + emission[t]
    path = np.empty(blocks, dtype=int)
    path[-1] = int(np.argmax(total))
    for t in range(blocks - 1, 0, -1):
        path[t - 1] = came_from[t, path[t]]
    labels: np.ndarray = path[block_of]
    return labels
