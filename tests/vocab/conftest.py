"""Fixtures of the vocabulary tests: short sentences spoken by Piper, cached per session."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))  # for scripts.synth

#: A cardiology dictation sentence: drug names tiny.en mishears without help.
CARDIO = (
    "Continue metoprolol succinate and apixaban, and start spironolactone for the cardiomyopathy."
)
#: Lay speech: nothing in it may change because a lexicon is in force.
LAY = "I get chest pain when I walk up the stairs, and my ankles swell by the evening."
#: Terms of no committed lexicon, for the custom vocabulary test.
CUSTOM = "Her reflux improved, so we will stop the vonoprazan. The blood pressure is normal."


@pytest.fixture(scope="session")
def speech(tmp_path_factory: pytest.TempPathFactory):
    """A function text -> 16 kHz WAV path (Piper's joe voice), cached per session."""
    from scripts.synth import synthesize, write_wav

    folder = tmp_path_factory.mktemp("speech")
    made: dict[str, Path] = {}

    def make(text: str) -> Path:
        if text not in made:
            made[text] = write_wav(folder / f"s{len(made)}.wav", synthesize(text, "joe"))
        return made[text]

    return make
