"""Speaker partitioning (diarization) of a one-channel recording, frame by frame and word by word.

Owns :func:`diarize` (who spoke when: a label per 10 ms frame of speech, and the
turns), :func:`label_words` (those labels on the recognised words) and
:func:`assign_speakers` (both, as the offline pipeline calls them after recognition
when ``--speakers N`` is asked for). Labels are ``spk_0``, ``spk_1``, ... numbered
by first appearance, as the service does.

The stages, in order

1. **Speech** (:mod:`.activity`): Silero VAD or the words, so speech the recogniser
   has no word for still gets a speaker; pauses are cut out for the windows.
2. **Windows** (:mod:`.embeddings`): 1.2 s of speech every 0.4 s, inside pause-free
   runs, so that no window hears both sides of a handover and a change inside a
   recogniser segment shows.
3. **Count and clusters**: average-linkage agglomerative clustering on cosine
   distance, cut at ``DISTANCE_THRESHOLD``, capped at ``max_speakers``; clusters with
   under ``MIN_CLUSTER_SECONDS`` of speech, and minor ones (``MINOR_SHARE``) whose
   voice is close to another's (``MINOR_SIMILARITY``), are folded into the others;
   two k-means steps then move windows that average linkage put on the wrong side.
4. **Frames** (:func:`frame_speakers`): each frame scores every speaker by the mean
   similarity of the windows that cover it (weighted towards each window's end:
   the LSTM's last state hears its last frames best), and a Viterbi pass
   (:mod:`.resegment`) picks the path: a change inside a run of speech costs
   ``SWITCH_COST``, one after a pause is free. Speech no window covers takes its
   nearest frame's speaker; pauses under ``FILL_PAUSE`` inside one speaker's speech
   join the turn.
5. **Words**: each word takes the majority label of its frames; punctuation its
   word's. Word edges that the recogniser put into a pause are first moved onto
   the audible speech (:func:`trim_to_speech`); words are never widened.

Where the values come from. All were chosen on the tune recordings of
``data/devset/speakers-split.json`` (six AMI meeting excerpts) and the sixteen tune
close-voice synthetic visits (two male diphone voices; a female voice and the same
voice three semitones lower), scoring the timeline's DER (pyannote.metrics, collar
0.25 s, overlap counted, UEM on the meetings), never on a test recording:

* ``DISTANCE_THRESHOLD`` 0.3: 0.2 over-splits (count right on 13 of 16 visits),
  0.4 merges the close voices (0 of 16); 0.3 and 0.35 both 16 of 16, meetings DER
  0.365 either way.
* Spectral clustering with the normalised maximum eigengap (Park et al. 2019) was
  tried for the count and dropped: it split the dominant talker of a meeting in two
  (meetings DER 0.57 against 0.365) with no gain on the visits.
* ``FILL_PAUSE`` 0.6 s: 0.3 / 0.6 / 1.0 / 1.5 s gave meetings 0.360 / 0.366 / 0.385 /
  0.413 and visits 0.032 / 0.026 / 0.023 / 0.023 (before the Viterbi fix below).
* ``SWITCH_COST`` 3: any value from 1 to 10 gave the same DER on tune (visits 0.0171,
  meetings 0.365), as the changes there come after pauses; 3 keeps a flicker inside a
  run from making a turn.

Scipy's hierarchical clustering does the clustering (no need for scikit-learn);
the frame scoring is a few lines of numpy because no library maps window
embeddings back to frames and words.
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass

import numpy as np

from medscribe.engine.speakers.activity import speech_frames
from medscribe.engine.speakers.embeddings import (
    FRAME_SECONDS,
    WindowEmbeddings,
    embed_windows,
    frame_levels_db,
    mel_frames,
    runs_of,
)
from medscribe.engine.speakers.resegment import viterbi_labels
from medscribe.transcript.model import Item

#: Average-linkage cosine distance above which two groups of windows are two voices.
DISTANCE_THRESHOLD = 0.3
#: A cluster with less speech than this (seconds of window coverage) is folded away.
MIN_CLUSTER_SECONDS = 2.0
#: A cluster with less than this share of the speech is folded away too, unless its
#: voice is distinct (centre similarity to every other cluster at most MINOR_SIMILARITY).
MINOR_SHARE = 0.2
MINOR_SIMILARITY = 0.75
#: More windows than this are clustered on an even subsample (linkage is O(n^2)).
MAX_CLUSTERED_WINDOWS = 2500
#: Windows shorter than this (seconds) are assigned to clusters but do not form them.
MIN_CLUSTERED_SECONDS = 0.8
WINDOW_SECONDS = 1.2
SWITCH_COST = 3.0
FILL_PAUSE = 0.6
HOP_SECONDS = 0.4


@dataclass(frozen=True, slots=True)
class Diarization:
    """Who spoke when in one recording: the speaker stage's timeline, before any word.

    ``labels[f]`` is the speaker index of 10 ms frame ``f`` where ``speech[f]``;
    ``turns`` are the runs of one speaker, ``(speaker, start_s, end_s)``, speakers
    numbered by first appearance. Evaluation scores this timeline (DER on speech the
    recogniser may have no words for); :func:`label_words` puts it on the words.
    """

    labels: np.ndarray  # (frames,) int
    speech: np.ndarray  # (frames,) bool
    speakers: int

    @property
    def turns(self) -> list[tuple[int, float, float]]:
        out: list[tuple[int, float, float]] = []
        for a, b in runs_of(self.speech):
            cuts = np.flatnonzero(np.diff(self.labels[a:b])) + a + 1
            for start, end in zip([a, *cuts], [*cuts, b], strict=True):
                out.append((int(self.labels[start]), start * FRAME_SECONDS, end * FRAME_SECONDS))
        return out


def diarize(
    audio_16k_mono: np.ndarray, max_speakers: int, *, words: list[Item] | None = None
) -> Diarization:
    """The speaker timeline of a recording, at most ``max_speakers`` speakers.

    ``words`` (timed recognised words), when given, mark speech as well and have
    their edges trimmed onto it (see :func:`trim_to_speech`).
    """
    mel = mel_frames(audio_16k_mono)
    spans = [(w.start or 0.0, w.end or 0.0) for w in words or []]
    speech, runs = speech_frames(audio_16k_mono, frame_levels_db(audio_16k_mono, len(mel)), spans)
    if words:
        trim_to_speech(words, runs)
    windows = embed_windows(mel, runs_of(runs), window=WINDOW_SECONDS, hop=HOP_SECONDS)
    if len(windows.vectors) == 0:  # no audible speech
        return Diarization(np.zeros(len(mel), dtype=int), speech, 1 if speech.any() else 0)
    centroids = cluster_windows(windows, max_speakers)
    frame_labels, covered = frame_speakers(windows, centroids)
    frame_labels = _nearest_covered(frame_labels, covered)
    speech = _fill_pauses(speech | covered, frame_labels, round(FILL_PAUSE / FRAME_SECONDS))
    order = _first_appearance([int(x) for x in frame_labels[speech]])
    relabel = np.array([order.get(k, 0) for k in range(len(centroids))], dtype=int)
    return Diarization(relabel[frame_labels], speech, len(order))


def _fill_pauses(speech: np.ndarray, labels: np.ndarray, max_frames: int) -> np.ndarray:
    """Pauses of at most ``max_frames`` between two frames of one speaker become speech.

    A speaker's turn holds pauses between sentences; a turn is one span in the
    output (and in any reference annotation), not a run of sentence-long pieces.
    """
    out = speech.copy()
    runs = runs_of(speech)
    for (_, end), (start, _) in itertools.pairwise(runs):
        if start - end <= max_frames and labels[end - 1] == labels[start]:
            out[end:start] = True
    return out


def _nearest_covered(labels: np.ndarray, covered: np.ndarray) -> np.ndarray:
    """Every frame takes the label of the nearest frame that a window covers."""
    at = np.flatnonzero(covered)
    if len(at) == 0 or len(at) == len(labels):
        return labels
    right = np.clip(np.searchsorted(at, np.arange(len(labels))), 0, len(at) - 1)
    left = np.clip(right - 1, 0, len(at) - 1)
    frames = np.arange(len(labels))
    nearest = np.where(np.abs(at[left] - frames) <= np.abs(at[right] - frames), at[left], at[right])
    out: np.ndarray = labels[nearest]
    return out


def label_words(diarization: Diarization, items: list[Item]) -> int:
    """Give every item the label of its frames; return the number of speakers the words have."""
    words = [i for i in items if not i.is_punctuation and i.start is not None and i.end is not None]
    if not words:
        label_items(items, {})
        return 0
    if not diarization.speech.any():
        label_items(items, dict.fromkeys(map(id, words), 0))
        return 1
    labels = word_speakers(diarization.labels, diarization.speech, words)
    order = _first_appearance(labels)
    label_items(items, {id(w): order[label] for w, label in zip(words, labels, strict=True)})
    return len(order)


def assign_speakers(audio_16k_mono: np.ndarray, items: list[Item], max_speakers: int) -> int:
    """Set ``item.speaker`` on every item; return the number of speakers found.

    Also trims the edges of word spans that lie in silence (see :func:`trim_to_speech`).
    """
    words = [i for i in items if not i.is_punctuation and i.start is not None and i.end is not None]
    if not words:
        label_items(items, {})
        return 0
    return label_words(diarize(audio_16k_mono, max_speakers, words=words), items)


def trim_to_speech(words: list[Item], speech: np.ndarray, margin: float = 0.03) -> None:
    """Move word edges that lie in a pause onto the speech (never widen a word).

    The recogniser's word timestamps (cross-attention alignment) often start a
    word early or end it late by 0.2-0.7 s, into the pause around a turn. The
    speaker segments of the output are built from word times, so without this a
    turn seems to begin before its speaker speaks. A word with no audible frame
    at all keeps its times.
    """
    for word in words:
        start, end = word.start or 0.0, word.end or 0.0  # timed words only
        a = int(start / FRAME_SECONDS)
        b = max(a + 1, int(np.ceil(end / FRAME_SECONDS)))
        inside = np.flatnonzero(speech[a:b])
        if len(inside) == 0:
            continue
        word.start = max(start, (a + inside[0]) * FRAME_SECONDS - margin)
        word.end = min(end, (a + inside[-1] + 1) * FRAME_SECONDS + margin)


# --------------------------------------------------------------------------- clustering


def cluster_windows(windows: WindowEmbeddings, max_speakers: int) -> np.ndarray:
    """Cluster centres (k, dim), L2-normed, with k estimated between 1 and ``max_speakers``."""
    vectors = windows.vectors
    # Short windows (a lone "No.") give noisy embeddings: they are assigned to the
    # clusters but do not shape them, unless there is nothing else.
    sample = np.flatnonzero(windows.ends - windows.starts >= MIN_CLUSTERED_SECONDS / FRAME_SECONDS)
    if len(sample) < 2:
        sample = np.arange(len(vectors))
    if len(sample) < 2:
        return normed(vectors[:1])
    if len(sample) > MAX_CLUSTERED_WINDOWS:
        sample = sample[np.linspace(0, len(sample) - 1, MAX_CLUSTERED_WINDOWS).astype(int)]
    centroids = _centroids(vectors[sample], _agglomerative(vectors[sample], max_speakers))
    while len(centroids) > 1:
        smallest = _minor_cluster(windows, centroids)
        if smallest is None:
            break
        centroids = np.delete(centroids, smallest, axis=0)
    for _ in range(2):  # k-means steps on all windows
        nearest = np.argmax(vectors @ centroids.T, axis=1)
        centroids = _centroids(vectors, nearest)[np.unique(nearest)]
    return centroids


def _minor_cluster(windows: WindowEmbeddings, centroids: np.ndarray) -> int | None:
    """The cluster with the least speech if it should be folded into the others, else None."""
    labels, covered = frame_speakers(windows, centroids)
    speech = np.bincount(labels[covered], minlength=len(centroids)) * FRAME_SECONDS
    smallest = int(np.argmin(speech))
    if speech[smallest] < MIN_CLUSTER_SECONDS:
        return smallest
    similarity = np.delete(centroids @ centroids[smallest], smallest).max()
    minor = speech[smallest] < MINOR_SHARE * speech.sum()
    return smallest if minor and similarity > MINOR_SIMILARITY else None


def _agglomerative(vectors: np.ndarray, max_speakers: int) -> np.ndarray:
    from scipy.cluster.hierarchy import fcluster, linkage

    tree = linkage(vectors, method="average", metric="cosine")
    labels = fcluster(tree, t=DISTANCE_THRESHOLD, criterion="distance")
    if labels.max() > max_speakers:
        labels = fcluster(tree, t=max_speakers, criterion="maxclust")
    return labels - 1


def _centroids(vectors: np.ndarray, labels: np.ndarray) -> np.ndarray:
    sums = np.zeros((int(labels.max()) + 1, vectors.shape[1]), dtype=np.float64)
    np.add.at(sums, labels, vectors)
    return normed(sums)


def normed(x: np.ndarray) -> np.ndarray:
    normed: np.ndarray = x / np.maximum(np.linalg.norm(x, axis=-1, keepdims=True), 1e-9)
    return normed.astype(np.float32)


# --------------------------------------------------------------------------- frames and words


def frame_speakers(
    windows: WindowEmbeddings, centroids: np.ndarray
) -> tuple[np.ndarray, np.ndarray]:
    """A speaker index for every 10 ms frame, and which frames any window covers."""
    n, k = windows.n_frames, len(centroids)
    similarity = windows.vectors @ centroids.T  # (windows, k)
    scores = np.zeros((n, k), dtype=np.float32)
    totals = np.zeros(n, dtype=np.float32)
    for a, b, row in zip(windows.starts, windows.ends, similarity, strict=True):
        # A window's embedding speaks most for its later frames: weight them up linearly.
        weights = np.linspace(0.5, 1.5, b - a, dtype=np.float32)
        scores[a:b] += weights[:, None] * row[None, :]
        totals[a:b] += weights
    covered = totals > 0
    labels = np.argmax(scores, axis=1)
    mean = scores[covered] / totals[covered, None]
    starts = np.zeros(n, dtype=bool)
    starts[[a for a, _ in runs_of(covered)]] = True
    labels[covered] = viterbi_labels(mean, SWITCH_COST, free=starts[covered])
    return labels, covered


def word_speakers(frame_labels: np.ndarray, covered: np.ndarray, words: list[Item]) -> list[int]:
    """Each word's majority label over its covered frames, else the nearest covered frame's."""
    covered_at = np.flatnonzero(covered)
    out: list[int] = []
    for word in words:
        a = int((word.start or 0.0) / FRAME_SECONDS)
        b = max(a + 1, int(np.ceil((word.end or 0.0) / FRAME_SECONDS)))
        inside = frame_labels[a:b][covered[a:b]]
        if len(inside):
            out.append(int(np.bincount(inside).argmax()))
        else:
            middle = (a + b) // 2
            nearest = covered_at[np.argmin(np.abs(covered_at - middle))]
            out.append(int(frame_labels[nearest]))
    return out


def _first_appearance(labels: list[int]) -> dict[int, int]:
    order: dict[int, int] = {}
    for label in labels:
        order.setdefault(label, len(order))
    return order


def label_items(items: list[Item], speaker_of: dict[int, int]) -> None:
    """Write ``spk_N`` on words; punctuation (and untimed items) take the word before."""
    previous: str | None = None
    for item in items:
        number = speaker_of.get(id(item))
        if number is not None:
            item.speaker = previous = f"spk_{number}"
        else:
            item.speaker = previous
    # Leading punctuation (before any word) takes the first word's speaker.
    first = next((i.speaker for i in items if i.speaker), None)
    for item in items:
        if item.speaker is not None:
            break
        item.speaker = first
