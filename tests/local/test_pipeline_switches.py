"""EngineConfig's switches give the baselines the evaluation compares against."""

from __future__ import annotations

import subprocess
from pathlib import Path

from medscribe.engine.pipeline import EngineConfig, transcribe_file
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
    written = transcribe_file(wav, options).text
    spoken = transcribe_file(wav, options, config=EngineConfig(formatting=False)).text
    assert "40 mg" in written
    assert "40 mg" not in spoken
    assert "milligrams" in spoken.lower()
