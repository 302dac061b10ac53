"""Fixtures of the offline-engine tests: real audio made with real tools (Piper, FFmpeg)."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

ROOT = Path(__file__).resolve().parents[2]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))  # for scripts.synth

LIBRIVOX = Path("/usr/share/pocketsphinx/test/data/librivox")
UTTERANCE = "The patient reports chest pain since Tuesday."


def ffmpeg(*args: str) -> None:
    if shutil.which("ffmpeg") is None:
        pytest.skip("ffmpeg is not installed")
    subprocess.run(["ffmpeg", "-loglevel", "error", "-y", *args], check=True)


@pytest.fixture(scope="session")
def utterance(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, np.ndarray]:
    """A short sentence spoken by Piper's joe voice: (16 kHz WAV path, samples)."""
    from scripts.synth import synthesize, write_wav

    audio = synthesize(UTTERANCE, "joe")
    path = write_wav(tmp_path_factory.mktemp("utt") / "utterance.wav", audio)
    return path, audio


@pytest.fixture(scope="session")
def librivox() -> list[tuple[Path, str]]:
    """The five librivox utterances of Debian's pocketsphinx-testdata with their references."""
    listing = LIBRIVOX / "transcription"
    if not listing.is_file():
        pytest.skip("pocketsphinx-testdata is not installed")
    out = []
    for line in listing.read_text().splitlines():
        text, _, file_id = line.rpartition("(")
        words = text.replace("<s>", "").replace("</s>", "").split()
        out.append((LIBRIVOX / f"{file_id.strip(') ')}.wav", " ".join(words)))
    return out
