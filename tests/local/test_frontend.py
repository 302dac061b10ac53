"""engine.frontend: the high-pass keeps real speech and takes out a room's low rumble."""

from __future__ import annotations

import numpy as np

from medscribe.engine import EngineConfig, audio
from medscribe.engine.frontend import HIGH_PASS_HZ, HighPass, filter_windows, high_pass
from medscribe.evaluation.room import RoomParams, add_noise, brown_noise


def _band_power(signal: np.ndarray, lo: float, hi: float) -> float:
    spectrum = np.abs(np.fft.rfft(signal.astype(np.float64))) ** 2
    freqs = np.fft.rfftfreq(signal.size, d=1.0 / audio.SAMPLE_RATE)
    return float(spectrum[(freqs >= lo) & (freqs < hi)].sum())


def _db(ratio: float) -> float:
    return 10 * float(np.log10(ratio))


def test_keeps_speech_and_lowers_the_room_noise(librivox):
    speech = audio.decode(librivox[0][0])
    # The development set's room noise (brown-ish, most of its power below 200 Hz) at 10 dB.
    noisy = add_noise(speech, RoomParams(seed=7, snr_db=10.0))
    noise = noisy - speech
    kept, left = high_pass(speech), high_pass(noise)
    # Speech: the band that carries the words (300 Hz - 4 kHz) loses under 0.5 dB.
    assert abs(_db(_band_power(kept, 300, 4000) / _band_power(speech, 300, 4000))) < 0.5
    # Noise: about 3 dB of its power is gone (half of it lies below the corner), more than
    # the speech loses (its voice's lowest harmonics), so the SNR of the whole rises.
    assert _db(np.mean(left**2) / np.mean(noise**2)) < -2.5
    before = _db(np.mean(speech**2) / np.mean(noise**2))
    after = _db(np.mean(kept**2) / np.mean(left**2))
    assert after - before > 0.5
    assert kept.dtype == np.float32 and kept.shape == speech.shape


def test_blocks_and_channels_filter_as_one_signal():
    noise = brown_noise(16_000, seed=3)
    whole = high_pass(noise)
    step = HighPass()
    assert np.array_equal(np.concatenate([step(noise[:4321]), step(noise[4321:])]), whole)
    stereo = HighPass()(np.stack([noise, noise]))
    assert np.array_equal(stereo[1], whole)


def test_dictations_are_filtered_by_default_conversations_not_unless_set():
    assert EngineConfig().high_pass_for(dictation=True) == HIGH_PASS_HZ > 0
    assert EngineConfig().high_pass_for(dictation=False) == 0.0
    assert EngineConfig(high_pass_hz=150.0).high_pass_for(dictation=False) == 150.0
    assert EngineConfig(high_pass_hz=0.0).high_pass_for(dictation=True) == 0.0


def test_windows_are_filtered_and_kept_when_off():
    signal = brown_noise(32_000, seed=5)
    windows = [audio.Window(0.0, signal[:16_000]), audio.Window(1.0, signal[16_000:])]
    heard = list(filter_windows(windows, HIGH_PASS_HZ))
    assert [w.offset for w in heard] == [0.0, 1.0]
    assert np.array_equal(np.concatenate([w.audio for w in heard]), high_pass(signal))
    assert list(filter_windows(windows, 0)) == windows
