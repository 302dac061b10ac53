"""The room condition of a case: the clean mix as heard in a clinic room (sox reverb + noise).

``room.wav`` (mono, 16 kHz, 16-bit) is made from the case's ``mono.wav`` in two steps:

1. reverberation by sox's ``reverb`` effect (:data:`REVERB`: a small, fairly damped
   room), its tail cut at the clean file's length plus :data:`TAIL_S`;
2. background noise added at a signal-to-noise ratio drawn per case, uniformly in
   [:data:`SNR_MIN_DB`, :data:`SNR_MAX_DB`], by a ``random.Random`` seeded with the case
   name: brown-ish noise (white noise from ``numpy.random.default_rng`` seeded the
   same way, low-passed by a one-pole response at 200 Hz): the hum and rumble of
   ventilation and traffic rather than hiss. The SNR is the power of the reverberant
   speech over the power of the noise, both over the whole file.

Both steps are deterministic, so a rebuilt case has the same room file. The SNR and
seed are returned so that the case's ``meta.json`` can record them.
"""

from __future__ import annotations

import hashlib
import random
import shutil
import subprocess
import tempfile
import wave
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from medscribe.errors import ConfigError

__all__ = ["REVERB", "RoomParams", "add_noise", "make_room", "reverberate", "room_params", "snr_db"]

SAMPLE_RATE = 16_000
SNR_MIN_DB = 10.0
SNR_MAX_DB = 15.0
#: sox reverb: reverberance 40 %, HF damping 50 %, room scale 60 %, stereo depth 100 %,
#: pre-delay 10 ms, wet gain 0 dB: a treatment room with hard walls, not a hall.
REVERB = ("reverb", "40", "50", "60", "100", "10", "0")
TAIL_S = 0.3
#: Corner of the noise's one-pole low-pass: most of its power is below it.
NOISE_CORNER_HZ = 200.0
#: Bump when the recipe changes, so that cached room files are made again.
ROOM_VERSION = "2"


@dataclass(frozen=True, slots=True)
class RoomParams:
    """What makes one case's room file: its seed and target SNR."""

    seed: int
    snr_db: float


def room_params(case_name: str) -> RoomParams:
    """The case's seed (from its name) and SNR, drawn in [SNR_MIN_DB, SNR_MAX_DB]."""
    seed = int.from_bytes(hashlib.sha256(case_name.encode()).digest()[:8], "big")
    snr = random.Random(seed).uniform(SNR_MIN_DB, SNR_MAX_DB)
    return RoomParams(seed=seed, snr_db=round(snr, 2))


def read_wav(path: Path) -> np.ndarray:
    """Mono 16-bit WAV as float32 in [-1, 1] (the first channel of a multi-channel file)."""
    with wave.open(str(path), "rb") as fh:
        channels = fh.getnchannels()
        data = np.frombuffer(fh.readframes(fh.getnframes()), dtype="<i2")
    return (data.reshape(-1, channels)[:, 0].astype(np.float32)) / 32768.0


def reverberate(clean: Path, out: Path) -> None:
    """``clean`` through sox's reverb into ``out`` (mono, 16 kHz, 16-bit)."""
    sox = shutil.which("sox")
    if sox is None:
        raise ConfigError("the room condition needs sox (Debian package sox)")
    # -R: sox's repeatable random numbers, -D: no dither, so a rebuild is bit-identical.
    command = [sox, "-q", "-R", "-G", str(clean), "-D", "-b", "16", "-r", str(SAMPLE_RATE)]
    command += [str(out), *REVERB]
    command += ["channels", "1"]
    subprocess.run(command, check=True, capture_output=True)


def brown_noise(samples: int, seed: int) -> np.ndarray:
    """Seeded white noise shaped by a one-pole low-pass at :data:`NOISE_CORNER_HZ`, unit power.

    The shaping is done on the spectrum (the filter's magnitude response), which is
    exact for the whole file and needs no filter library.
    """
    white = np.random.default_rng(seed).standard_normal(samples)
    spectrum = np.fft.rfft(white)
    freqs = np.fft.rfftfreq(samples, d=1.0 / SAMPLE_RATE)
    spectrum /= np.sqrt(1.0 + (freqs / NOISE_CORNER_HZ) ** 2)
    noise = np.fft.irfft(spectrum, n=samples)
    noise -= noise.mean()
    power = float(np.mean(noise**2)) or 1.0
    shaped: np.ndarray = (noise / np.sqrt(power)).astype(np.float32)
    return shaped


def add_noise(speech: np.ndarray, params: RoomParams) -> np.ndarray:
    """``speech`` plus noise at ``params.snr_db``; rescaled as a whole if it would clip."""
    signal_power = float(np.mean(speech.astype(np.float64) ** 2))
    noise = brown_noise(speech.size, params.seed)
    noise *= np.float32(np.sqrt(signal_power / 10 ** (params.snr_db / 10)))
    mixed = speech + noise
    peak = float(np.max(np.abs(mixed))) if mixed.size else 0.0
    if peak > 0.99:  # one gain for both keeps the SNR
        mixed *= np.float32(0.99 / peak)
    out: np.ndarray = mixed.astype(np.float32)
    return out


def snr_db(speech: np.ndarray, noisy: np.ndarray) -> float:
    """The SNR of ``noisy`` against the speech it was made from (same scale assumed)."""
    speech = speech.astype(np.float64)
    noisy = noisy.astype(np.float64)
    gain = float(np.dot(noisy, speech) / np.dot(speech, speech))  # undo an anti-clip gain
    noise = noisy / gain - speech
    return 10 * float(np.log10(np.mean(speech**2) / np.mean(noise**2)))


def make_room(clean: Path, out: Path, case_name: str) -> RoomParams:
    """Write the room condition of ``clean`` to ``out``; returns the seed and SNR used."""
    from medscribe.evaluation.devset import write_wav

    params = room_params(case_name)
    with tempfile.TemporaryDirectory() as tmp:
        wet = Path(tmp) / "reverb.wav"
        reverberate(clean, wet)
        speech = reverberant_speech(wet, clean)
    write_wav(out, add_noise(speech, params))
    return params


def reverberant_speech(wet: Path, clean: Path) -> np.ndarray:
    """The reverberant file cut to the clean length plus the tail."""
    with wave.open(str(clean), "rb") as fh:
        frames = fh.getnframes()
    return read_wav(wet)[: frames + int(TAIL_S * SAMPLE_RATE)]
