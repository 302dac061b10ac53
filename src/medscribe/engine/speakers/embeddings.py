"""Speaker embeddings of short sliding windows over the speech of a recording.

Owns the voice encoder (Resemblyzer's pretrained ``VoiceEncoder``, shipped in its
wheel, so nothing is downloaded at run time) and the window layout that
:mod:`medscribe.engine.speakers.partition` clusters. Resemblyzer's own ``embed_utterance``
computes a mel spectrogram per call and uses fixed 1.6 s partials; here the mel
spectrogram of the whole recording is computed once (with Resemblyzer's own
``wav_to_mel_spectrogram``) and windows of our length are cut from it and run
through the encoder in batches, which is much faster on long audio.

Windows lie inside *speech runs*: stretches of recognised words, cut wherever the
signal falls silent for a moment (an energy gate, because word timestamps of the
recogniser often run into the pause after a word). A change of speaker nearly
always comes with such a pause, so a window rarely mixes two voices; a change
without a pause is still found by the sliding windows inside a run.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass
from functools import cache
from types import ModuleType
from typing import TYPE_CHECKING

import numpy as np

if TYPE_CHECKING:  # torch and resemblyzer are imported lazily: they are slow to import
    from resemblyzer import VoiceEncoder

#: Resemblyzer's mel frames are 10 ms apart (16 kHz audio).
FRAME_SECONDS = 0.01
SAMPLE_RATE = 16000
#: A pause at least this long (seconds, below the energy gate) ends a speech run.
MIN_PAUSE = 0.12
#: Frames quieter than this many dB under the loud speech level count as pause.
GATE_DB = 30.0
_BATCH = 128
_BUCKET = 10  # frames


@dataclass
class WindowEmbeddings:
    """Embeddings of windows; window ``i`` covers frames ``starts[i]:ends[i]`` (10 ms frames)."""

    starts: np.ndarray  # (n,) int
    ends: np.ndarray  # (n,) int
    vectors: np.ndarray  # (n, 256) float32, L2-normed
    n_frames: int  # frames in the recording


#: Serialises the encoder's loading and warm-up (they may run on a helper thread).
_ENCODER_LOCK = threading.Lock()


def load_encoder() -> VoiceEncoder:
    """Resemblyzer's pretrained encoder, loaded once per process, on the CPU (thread-safe)."""
    with _ENCODER_LOCK:
        return _load_encoder()


@cache
def _load_encoder() -> VoiceEncoder:
    import torch

    # One thread: the encoder is a small LSTM, and torch's OpenMP pool otherwise spins
    # on every core between batches (measured on the tune recordings: the stage's CPU
    # was 50-66 % of the recognition's with the default pool, 9 % with one thread, and
    # the same labels), fighting CTranslate2 for the cores the recogniser needs.
    torch.set_num_threads(1)
    encoder = _resemblyzer().VoiceEncoder(device="cpu", verbose=False)
    encoder.eval()
    return encoder


def warm_up() -> None:
    """Load the encoder and run it once, so that a later call does not pay its set-up.

    Importing torch and librosa, loading the weights, the first mel spectrogram
    and the LSTM's first call take seconds of one core, independent of the
    audio: the speaker stage has this done on a helper thread while the
    recogniser decodes (:class:`medscribe.engine.speakers.SpeakerStage`).
    """
    with _ENCODER_LOCK:
        _warm_up()


@cache
def _warm_up() -> None:
    import torch

    encoder = _load_encoder()
    mel = mel_frames(np.zeros(2 * SAMPLE_RATE, dtype=np.float32))
    window = np.ascontiguousarray(mel[None, : round(1.2 / FRAME_SECONDS)], dtype=np.float32)
    with torch.inference_mode():
        encoder(torch.from_numpy(window))


def mel_frames(audio: np.ndarray) -> np.ndarray:
    """Resemblyzer's mel spectrogram of the whole recording, (frames, 40)."""
    audio_mod = _resemblyzer().audio
    mel: np.ndarray = audio_mod.wav_to_mel_spectrogram(
        np.ascontiguousarray(audio, dtype=np.float32)
    )
    return mel


@cache
def _resemblyzer() -> ModuleType:
    """Import resemblyzer once, quietly: webrtcvad (its dependency) warns about
    pkg_resources on import, which would reach the user's terminal."""
    import warnings

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        import resemblyzer
        import resemblyzer.audio  # the submodule mel_frames uses

    module: ModuleType = resemblyzer
    return module


def frame_levels_db(audio: np.ndarray, n_frames: int) -> np.ndarray:
    """RMS level of each 10 ms frame in dB."""
    hop = int(SAMPLE_RATE * FRAME_SECONDS)
    padded = np.zeros(n_frames * hop, dtype=np.float32)
    usable = min(len(audio), len(padded))
    padded[:usable] = audio[:usable]
    rms = np.sqrt(np.mean(padded.reshape(n_frames, hop) ** 2, axis=1))
    levels: np.ndarray = 20 * np.log10(rms + 1e-6)
    return levels


def audible(levels_db: np.ndarray, spans: list[tuple[float, float]]) -> np.ndarray:
    """Frames inside ``spans`` that are not part of a pause of at least ``MIN_PAUSE`` seconds."""
    mask = np.zeros(len(levels_db), dtype=bool)
    for start, end in spans:
        mask[max(0, int(start / FRAME_SECONDS)) : int(np.ceil(end / FRAME_SECONDS))] = True
    return without_pauses(levels_db, mask)


def without_pauses(levels_db: np.ndarray, mask: np.ndarray) -> np.ndarray:
    """``mask`` less the pauses in it: ``MIN_PAUSE`` s or more ``GATE_DB`` under its loud level."""
    mask = mask.copy()
    if mask.any():
        loud = np.percentile(levels_db[mask], 95)
        quiet = mask & (levels_db < loud - GATE_DB)
        mask &= ~_long_runs(quiet, round(MIN_PAUSE / FRAME_SECONDS))
    return mask


def runs_of(mask: np.ndarray) -> list[tuple[int, int]]:
    """``[start, end)`` frame ranges of the runs of True in ``mask``."""
    edges = np.flatnonzero(np.diff(np.concatenate([[0], mask.astype(np.int8), [0]])))
    return [(int(a), int(b)) for a, b in zip(edges[::2], edges[1::2], strict=True)]


def _long_runs(flags: np.ndarray, min_length: int) -> np.ndarray:
    """Only the runs of True in ``flags`` that are at least ``min_length`` long."""
    out = np.zeros_like(flags)
    for a, b in runs_of(flags):
        if b - a >= min_length:
            out[a:b] = True
    return out


def window_layout(runs: list[tuple[int, int]], length: int, step: int) -> list[tuple[int, int]]:
    """Windows of ``length`` frames every ``step`` frames in each run; a short run is one window."""
    windows: list[tuple[int, int]] = []
    for a, b in runs:
        if b - a <= length:
            # Short runs are cut to a multiple of _BUCKET frames (centred), so that
            # they batch together: the LSTM runs once per distinct length.
            cut = (b - a) % _BUCKET if b - a > _BUCKET else 0
            windows.append((a + cut // 2, b - (cut - cut // 2)))
            continue
        starts = list(range(a, b - length + 1, step))
        if starts[-1] != b - length:  # the last window ends where the run ends
            starts.append(b - length)
        windows += [(s, s + length) for s in starts]
    return windows


def embed_windows(
    mel: np.ndarray,
    runs: list[tuple[int, int]],
    *,
    window: float = 1.2,
    hop: float = 0.2,
    min_window: float = 0.2,
) -> WindowEmbeddings:
    """Embed windows of ``window`` seconds every ``hop`` seconds inside the speech ``runs``."""
    import torch

    length, step = round(window / FRAME_SECONDS), max(1, round(hop / FRAME_SECONDS))
    shortest = min_window / FRAME_SECONDS
    layout = [w for w in window_layout(runs, length, step) if w[1] - w[0] >= shortest]
    vectors = np.zeros((len(layout), 256), dtype=np.float32)
    # Batch windows of equal length together (all full windows, then each short run alone).
    by_length: dict[int, list[int]] = {}
    for index, (a, b) in enumerate(layout):
        by_length.setdefault(b - a, []).append(index)
    encoder = load_encoder()
    with torch.inference_mode():
        for indices in by_length.values():
            for i in range(0, len(indices), _BATCH):
                chunk = indices[i : i + _BATCH]
                batch = np.stack([mel[layout[j][0] : layout[j][1]] for j in chunk])
                vectors[chunk] = encoder(torch.from_numpy(batch)).numpy()
    starts = np.array([a for a, _ in layout], dtype=int)
    ends = np.array([b for _, b in layout], dtype=int)
    return WindowEmbeddings(starts, ends, vectors, len(mel))
