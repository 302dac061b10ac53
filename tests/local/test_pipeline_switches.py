"""EngineConfig's switches give the baselines the evaluation compares against."""

from __future__ import annotations

import subprocess
from pathlib import Path

from medscribe.engine import EngineConfig, shared_engine
from medscribe.request import build_options


def test_formatting_switch(tmp_path: Path, whisper_model) -> None:
    wav = tmp_path / "dose.wav"
    subprocess.run(
        [
            "espeak-ng",
            "-v",
            "en-us",
            "-s",
            "150",
            "-w",
            str(wav),
            "She takes forty milligrams of atorvastatin every night.",
        ],
        check=True,
    )
    options = build_options(specialty="cardiology")
    written = shared_engine().transcribe(wav, options).text
    spoken = shared_engine(EngineConfig(formatting=False)).transcribe(wav, options).text
    assert "40 mg" in written
    assert "40 mg" not in spoken
    assert "milligrams" in spoken.lower()
