"""The audio stage's front-end: a high-pass filter on what the recogniser hears.

This module owns the one signal step between decoding (:mod:`medscribe.engine.audio`)
and recognition: a causal Butterworth high-pass (``scipy.signal.butter`` as
second-order sections, run by ``scipy.signal.sosfilt``) that takes out the
rumble below the voice (ventilation, traffic, handling noise), where a clinic
room's noise has most of its power and speech has little. It is switched by
``EngineConfig.high_pass_hz`` (0 turns it off; by default dictations only) and applied

* in batch, to each recognition window in order, the filter's state carried
  from one window to the next (:func:`filter_windows`), so the recogniser, its
  VAD, the specialty stage's second look and the alternatives all hear the
  filtered signal; the speaker stage keeps the signal as decoded (its values
  were chosen on it);
* in streams, to each decode's window (:func:`high_pass`, started at the
  window's first sample's steady state), so partials and finals are decoded
  from the same filtered signal as batch; the stream's own VAD (which cuts
  utterances), the scoring of a final's corrections and its speaker labels hear
  the signal as it came.

Where the values come from: the development set's ``tune`` split only (35 cases:
20 dictations, 15 conversations, 8,720 reference words per condition), bare engine
(specialty pass off), Whisper tiny.en int8 on the CPU, each case in the clean and
the room condition (sox reverberation plus brown-ish noise at 10-15 dB SNR,
:mod:`medscribe.evaluation.room`); corpus WER, ratio = room / clean:

=================  ======================  ======================  ======================
front-end          dictations              conversations           all
                   clean / room / ratio    clean / room / ratio    clean / room / ratio
=================  ======================  ======================  ======================
none               0.1022 0.1393 1.36      0.0826 0.1360 1.65      0.0913 0.1375 1.51
high-pass 150 Hz   0.1004 0.1310 1.31      0.0873 0.1367 1.57      0.0931 0.1342 1.44
high-pass 200 Hz   0.0994 0.1248 1.26      0.0873 0.1323 1.52      0.0927 0.1290 1.39
VAD threshold .35  0.1028 0.1370 1.33      0.0820 0.1344 1.64      0.0912 0.1356 1.49
=================  ======================  ======================  ======================

* By type (``EngineConfig.high_pass_for``): dictations get the filter, conversations
  do not (unless ``high_pass_hz`` is set). On the table above it lowers dictations'
  WER in both conditions (clean 0.1022 -> 0.0994, room 0.1393 -> 0.1248), while it
  raises conversations' clean WER (0.0826 -> 0.0873) by more than it lowers their
  room WER (0.1360 -> 0.1323); the lead's choice at integration, from these tune
  figures only.
* :data:`HIGH_PASS_HZ` = 200 Hz, order :data:`ORDER` = 2: the lowest room WER
  (24 of the 35 room cases better, 6 worse); the clean WER moves within the
  cases' scatter (12 better, 15 worse, +12 errors in 8,720 words; the
  conversations' +0.005 is the most of it). Chosen
  first on a 14-case tune subset among 100, 150, 200 and 300 Hz (300 Hz lost
  words in both conditions: room 0.1352 against 0.1229 at 200 Hz), then read
  on the whole tune split above. Its CPU: 0.6 s for 6,600 s of audio, under
  0.3 % of recognition's.
* Tried and not taken (14-case tune subset): spectral gating (``noisereduce``
  3.0.3): stationary at full reduction tripled the clean WER (0.0904 -> 0.279),
  at 60 % it did not lower the room WER (0.1335 -> 0.1340), non-stationary at
  60 % neither (0.1375), each for about +10 % CPU; Silero VAD's threshold at
  0.35 instead of 0.5 (faster-whisper's ``vad_parameters``): a small room
  gain (table) that does not pay a change to the recogniser's options.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from functools import lru_cache

import numpy as np

from medscribe.engine.audio import SAMPLE_RATE, Window
from medscribe.engine.config import DEFAULT_HIGH_PASS_HZ

__all__ = ["HIGH_PASS_HZ", "ORDER", "HighPass", "filter_windows", "high_pass"]

#: Corner of the high-pass (Hz; ``EngineConfig.high_pass_hz``'s default): see above.
HIGH_PASS_HZ = DEFAULT_HIGH_PASS_HZ
#: Butterworth order: 12 dB per octave below the corner, no ringing a word would hear.
ORDER = 2


@lru_cache(maxsize=8)
def _sections(cutoff_hz: float) -> np.ndarray:
    from scipy.signal import butter

    sos: np.ndarray = butter(ORDER, cutoff_hz, "highpass", fs=SAMPLE_RATE, output="sos")
    return sos


class HighPass:
    """A causal high-pass over consecutive blocks of one signal (its state carried between them).

    Blocks are mono ``(n,)`` or channels ``(channels, n)`` float32 at 16 kHz; the
    first block sets the shape the state has. Not thread-safe: one per signal.
    """

    def __init__(self, cutoff_hz: float = HIGH_PASS_HZ) -> None:
        if not 0 < cutoff_hz < SAMPLE_RATE / 2:
            raise ValueError("the high-pass corner must lie between 0 Hz and 8 kHz")
        self._sos = _sections(float(cutoff_hz))
        self._state: np.ndarray | None = None

    def __call__(self, block: np.ndarray) -> np.ndarray:
        from scipy.signal import sosfilt, sosfilt_zi

        if block.shape[-1] == 0:
            return block
        if self._state is None:
            # Start in the steady state of the first sample: no click at the start.
            zi = sosfilt_zi(self._sos)
            first = np.asarray(block[..., 0], dtype=np.float64)
            self._state = zi.reshape(zi.shape[0], *([1] * first.ndim), 2) * first[..., None]
        # In float64 (the sections' type), as the tune figures were measured: Whisper's
        # beam reads a float32 rounding of the filter differently on some cases. A
        # 10-minute window briefly takes 77 MB more for it.
        out, self._state = sosfilt(self._sos, block, axis=-1, zi=self._state)
        filtered: np.ndarray = np.ascontiguousarray(out, dtype=np.float32)
        return filtered


def high_pass(signal: np.ndarray, cutoff_hz: float = HIGH_PASS_HZ) -> np.ndarray:
    """``signal`` (mono or ``(channels, n)``) high-passed at ``cutoff_hz``, as float32."""
    return HighPass(cutoff_hz)(signal)


def filter_windows(windows: Iterable[Window], cutoff_hz: float) -> Iterator[Window]:
    """Consecutive windows of one signal, high-passed at ``cutoff_hz`` (0: as they are)."""
    if cutoff_hz <= 0:
        yield from windows
        return
    step = HighPass(cutoff_hz)
    for window in windows:
        yield Window(window.offset, step(window.audio))
