"""Fixtures of the streaming tests: fake AWS credentials and endpoint, synthesised visits."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path

import numpy as np
import pytest
from streamkit import ACCESS_KEY, REGION, SECRET_KEY, FakeStreamingService, Voice, write_wav

#: A short visit: (channel/speaker, line). Pauses between turns end utterances.
VISIT = [
    (0, "Good morning, what brings you in today?"),
    (1, "I have had chest pain for three days, mostly when I climb the stairs."),
    (0, "Does the pain spread to your left arm or to your jaw?"),
    (1, "Sometimes to my left arm, and I feel short of breath."),
    (0, "Do you have any history of high blood pressure or diabetes?"),
    (1, "My doctor said my blood pressure was high last year."),
    (0, "We will do an electrocardiogram and check your blood tests today."),
]
PAUSE_S = 1.0


@pytest.fixture
def aws_credentials(monkeypatch: pytest.MonkeyPatch) -> None:
    """Fake static credentials and a region; nothing can reach a real account."""
    for var in ("AWS_SESSION_TOKEN", "AWS_PROFILE", "AWS_ENDPOINT_URL", "MEDSCRIBE_REGION"):
        monkeypatch.delenv(var, raising=False)
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", ACCESS_KEY)
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", SECRET_KEY)
    monkeypatch.setenv("AWS_DEFAULT_REGION", REGION)
    monkeypatch.setenv("AWS_REGION", REGION)
    monkeypatch.setenv("AWS_EC2_METADATA_DISABLED", "true")


@pytest.fixture
def fake_service(aws_credentials: None) -> Iterator[Callable[..., FakeStreamingService]]:
    """Start scripted streaming endpoints; each is stopped at the end of the test."""
    started: list[FakeStreamingService] = []

    def start(**kwargs: object) -> FakeStreamingService:
        service = FakeStreamingService(**kwargs).start()  # type: ignore[arg-type]
        started.append(service)
        return service

    yield start
    for service in started:
        service.stop()


@pytest.fixture
def tone_wav(tmp_path: Path) -> Path:
    """1.5 s of a 440 Hz tone at 44.1 kHz: real audio for the framing tests."""
    rate = 44_100
    t = np.arange(int(1.5 * rate)) / rate
    return write_wav(tmp_path / "tone.wav", (np.sin(2 * np.pi * 440 * t) * 8000), rate)


@pytest.fixture
def stereo_tone_wav(tmp_path: Path) -> Path:
    rate = 16_000
    t = np.arange(int(1.0 * rate)) / rate
    left = np.sin(2 * np.pi * 440 * t) * 8000
    right = np.sin(2 * np.pi * 660 * t) * 4000
    return write_wav(tmp_path / "stereo.wav", np.stack([left, right], axis=1), rate)


@pytest.fixture(scope="session")
def voice() -> Voice:
    return Voice()


@pytest.fixture(scope="session")
def visit(tmp_path_factory: pytest.TempPathFactory, voice: Voice) -> dict:
    """The visit as a mono file and a two-channel file (clinician left, patient right).

    Returns paths, the reference text and each line's (channel, start, end) times.
    """
    out = tmp_path_factory.mktemp("visit")
    parts: list[np.ndarray] = [voice.silence(0.5)]
    spans = []
    t = 0.5
    for channel, line in VISIT:
        audio = voice.say(line)
        spans.append((channel, t, t + len(audio) / voice.rate))
        parts += [audio, voice.silence(PAUSE_S)]
        t += len(audio) / voice.rate + PAUSE_S
    mono = np.concatenate(parts)
    stereo = np.zeros((len(mono), 2), dtype=np.int16)
    for channel, start, end in spans:
        a, b = int(start * voice.rate), int(end * voice.rate)
        stereo[a:b, channel] = mono[a:b]
    return {
        "mono": write_wav(out / "visit.wav", mono, voice.rate),
        "stereo": write_wav(out / "visit-2ch.wav", stereo, voice.rate),
        "reference": " ".join(line for _, line in VISIT),
        "spans": spans,
        "duration": len(mono) / voice.rate,
    }


@pytest.fixture(scope="session")
def two_voices(tmp_path_factory: pytest.TempPathFactory, voice: Voice) -> dict:
    """The visit with two different voices in one channel: Piper (0) and espeak-ng (1)."""
    import shutil
    import subprocess

    from medscribe.engine.audio import decode

    if shutil.which("espeak-ng") is None:
        pytest.skip("espeak-ng is not installed")
    out = tmp_path_factory.mktemp("voices")
    parts: list[np.ndarray] = [voice.silence(0.5)]
    spans = []
    t = 0.5
    for n, (speaker, line) in enumerate(VISIT):
        if speaker == 0:
            audio = voice.say(line)
        else:
            wav = out / f"line{n}.wav"
            subprocess.run(
                ["espeak-ng", "-v", "en-us+f3", "-s", "150", "-w", str(wav), line], check=True
            )
            mono16k = decode(wav)
            positions = np.arange(int(len(mono16k) * voice.rate / 16000)) * 16000 / voice.rate
            audio = (np.interp(positions, np.arange(len(mono16k)), mono16k) * 32767).astype(
                np.int16
            )
        spans.append((speaker, t, t + len(audio) / voice.rate))
        parts += [audio, voice.silence(PAUSE_S)]
        t += len(audio) / voice.rate + PAUSE_S
    return {
        "path": write_wav(out / "two-voices.wav", np.concatenate(parts), voice.rate),
        "spans": spans,
    }
