"""Where anyone speaks: the speech mask (10 ms frames) that the speaker stage labels.

Owns :func:`speech_frames`. The recogniser's words alone are a poor guide to who
speaks when: on distant-microphone recordings (several people round a table)
Whisper leaves whole turns without a word, and a word's time span runs into the
pause after it. So speech is the union of two detectors:

* **Silero VAD**, the small ONNX model that faster-whisper ships (and runs for its
  own ``vad_filter``), so nothing new is installed or downloaded. It gives a speech
  probability per 32 ms chunk; a chunk is speech at ``VAD_THRESHOLD`` and gaps
  shorter than ``CLOSE_GAP`` seconds are closed (people pause inside a turn).
  Both values were chosen on the tune meetings of
  ``data/devset/speakers-split.json`` only (frame miss + false alarm against their
  reference turns, thresholds 0.02-0.5 and gaps 0-0.4 s tried): 0.05 and 0.38 s gave
  0.156 of the reference speech wrong, against 0.355 at Silero's usual 0.5.
* **The words**, each span cut where the signal falls silent for a moment
  (:func:`medscribe.engine.speakers.embeddings.audible`), so speech the VAD missed
  but the recogniser heard is labelled too.
"""

from __future__ import annotations

import itertools

import numpy as np

from medscribe.engine.speakers.embeddings import (
    FRAME_SECONDS,
    SAMPLE_RATE,
    audible,
    without_pauses,
)

__all__ = ["CLOSE_GAP", "VAD_THRESHOLD", "speech_frames", "vad_frames"]

VAD_THRESHOLD = 0.05
CLOSE_GAP = 0.38
_CHUNK = 512  # samples per Silero probability (32 ms at 16 kHz)


def speech_frames(
    audio_16k_mono: np.ndarray,
    levels_db: np.ndarray,
    spans: list[tuple[float, float]],
) -> tuple[np.ndarray, np.ndarray]:
    """Speech masks over the ``len(levels_db)`` frames: (speech, speech without pauses).

    ``speech`` is the VAD's speech or the words'; it is what gets a speaker label.
    The second mask has the pauses inside it cut out again (:func:`without_pauses`):
    the VAD's closed gaps and a word's span both run over the short pause where one
    speaker hands over to the next, and an embedding window across that pause would
    hear both, so windows are laid inside its runs only.
    """
    words = audible(levels_db, spans) if spans else np.zeros(len(levels_db), dtype=bool)
    speech = vad_frames(audio_16k_mono, len(levels_db)) | words
    return speech, without_pauses(levels_db, speech)


def vad_frames(audio_16k_mono: np.ndarray, n_frames: int) -> np.ndarray:
    """Silero's speech decision on ``n_frames`` 10 ms frames (gaps under CLOSE_GAP closed)."""
    if len(audio_16k_mono) == 0 or n_frames == 0:
        return np.zeros(n_frames, dtype=bool)
    from faster_whisper.vad import get_vad_model

    audio = np.ascontiguousarray(audio_16k_mono, dtype=np.float32)
    padded = np.pad(audio, (0, (-len(audio)) % _CHUNK))
    probabilities = np.asarray(get_vad_model()(padded)).reshape(-1)
    chunk = _close_gaps(probabilities >= VAD_THRESHOLD, round(CLOSE_GAP * SAMPLE_RATE / _CHUNK))
    # Frame f (10 ms) takes the decision of the chunk its middle falls in.
    middles = ((np.arange(n_frames) + 0.5) * FRAME_SECONDS * SAMPLE_RATE / _CHUNK).astype(int)
    frames: np.ndarray = chunk[np.minimum(middles, len(chunk) - 1)]
    return frames


def _close_gaps(flags: np.ndarray, max_gap: int) -> np.ndarray:
    """``flags`` with runs of False shorter than ``max_gap`` between two Trues set True."""
    out = flags.copy()
    on = np.flatnonzero(flags)
    if len(on) < 2:
        return out
    for a, b in itertools.pairwise(on):
        if 1 < b - a <= max_gap:
            out[a:b] = True
    return out
