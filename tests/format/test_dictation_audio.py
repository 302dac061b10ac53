"""A dictated list, range and heading through the real engine: Piper speaks, Whisper hears.

What the recogniser writes for "number one" ("No. 1.", "Number 1,") is not
what the text vectors say; this checks the whole way from audio to the note.
"""

from __future__ import annotations

import re
import sys
from pathlib import Path

import pytest

from medscribe.engine import EngineConfig, shared_engine
from medscribe.request import build_options

pytestmark = pytest.mark.model

ROOT = Path(__file__).resolve().parents[2]
DICTATION = (
    "Impression. Number one, mild aortic stenosis. Number two, the estimated pulmonary "
    "artery pressure is thirty to thirty five millimeters of mercury. Number three, "
    "normal left ventricular function."
)


@pytest.fixture(scope="module")
def note(tmp_path_factory: pytest.TempPathFactory, whisper_model: object) -> str:
    if str(ROOT) not in sys.path:
        sys.path.insert(0, str(ROOT))  # for scripts.synth
    from scripts.synth import synthesize, write_wav

    path = write_wav(tmp_path_factory.mktemp("dictation") / "d.wav", synthesize(DICTATION, "joe"))
    options = build_options(specialty="cardiology", type="dictation")
    return shared_engine(EngineConfig(specialty_pass=False)).transcribe(path, options).text


def test_the_list_is_numbered_one_item_a_line(note: str) -> None:
    assert note.startswith("IMPRESSION:\n1. ")
    assert re.findall(r"^(\d+)\. ", note, flags=re.MULTILINE) == ["1", "2", "3"]
    assert "No." not in note and "Number" not in note


def test_the_range_keeps_both_numbers_and_its_unit(note: str) -> None:
    assert "30-35 mmHg" in note
