"""Fixtures of the speaker and channel tests: synthesised conversations, cached per session.

Audio comes from the project's ``scripts/synth.py`` (Piper ``joe`` for the
clinician, festival ``slt`` for the patient, espeak-ng for a third voice); the
reference turns are where each synthesised line really starts and ends. Each
conversation is synthesised and recognised once per session.
"""

from __future__ import annotations

import copy
import sys
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pytest

from medscribe.evaluation.dataset import SpeakerTurn
from medscribe.transcript.model import Item

ROOT = Path(__file__).resolve().parents[2]
if str(ROOT) not in sys.path:  # scripts/ is used from the repository root
    sys.path.insert(0, str(ROOT))

# A clinic visit in short turns: several are a few words only, so that the
# recogniser puts more than one speaker into one segment.
VISIT = [
    ("CLINICIAN", "Good morning. What brings you in today?"),
    ("PATIENT", "I have had a cough for about two weeks."),
    ("CLINICIAN", "Is it dry, or are you bringing anything up?"),
    ("PATIENT", "Mostly dry. It gets worse at night."),
    ("CLINICIAN", "Any fever?"),
    ("PATIENT", "No."),
    ("CLINICIAN", "Any shortness of breath when you climb stairs?"),
    ("PATIENT", "A little, yes, since last week."),
    ("CLINICIAN", "Do you smoke?"),
    ("PATIENT", "I stopped five years ago."),
    ("CLINICIAN", "Okay. I would like to listen to your lungs now."),
    ("PATIENT", "Sure, go ahead."),
    ("CLINICIAN", "Take a deep breath in, and out."),
    ("PATIENT", "Is everything all right?"),
    ("CLINICIAN", "Your lungs sound clear. I think this is a viral cough."),
    ("PATIENT", "Should I take anything for it?"),
    ("CLINICIAN", "Honey and warm fluids will help. Come back if it lasts another two weeks."),
    ("PATIENT", "Thank you, doctor."),
]

THREE_VOICES = [
    ("CLINICIAN", "Hello, I am doctor Reed, and this is our nurse."),
    ("NURSE", "Hi. I took your blood pressure a minute ago."),
    ("PATIENT", "Was it high again?"),
    ("NURSE", "It was one hundred and thirty over eighty five."),
    ("CLINICIAN", "That is a little better than last time."),
    ("PATIENT", "Good. I have been walking every day."),
    ("NURSE", "I will write that down in your chart."),
    ("CLINICIAN", "Keep walking, and we will check again in a month."),
]


@dataclass
class Recording:
    audio: np.ndarray  # 16 kHz float32, (N,) or (channels, N)
    turns: list[SpeakerTurn]
    path: Path

    def text_of(self, speaker: str) -> str:
        return " ".join(t.text for t in self.turns if t.speaker == speaker)


def render(lines: list[tuple[str, str]], folder: Path, name: str, pause: float) -> Recording:
    from scripts.synth import render_conversation, write_wav

    audio, turns = render_conversation(lines, pause=pause)
    ref = [SpeakerTurn(t.speaker, t.start, t.end, t.text) for t in turns]
    return Recording(audio, ref, write_wav(folder / f"{name}.wav", audio))


@pytest.fixture(scope="session")
def synth_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("speakers-audio")


@pytest.fixture(scope="session")
def visit(synth_dir: Path) -> Recording:
    """The two-voice visit, turns 0.35 s apart."""
    return render(VISIT, synth_dir, "visit", 0.35)


@pytest.fixture(scope="session")
def three_voices(synth_dir: Path) -> Recording:
    return render(THREE_VOICES, synth_dir, "three", 0.4)


@pytest.fixture(scope="session")
def recognize():
    """The real recogniser (embedded Whisper tiny.en), loaded once."""
    from medscribe.engine import recognition

    model = recognition.load_model()

    def run(audio: np.ndarray) -> list[Item]:
        return recognition.recognize(audio, model=model)

    return run


@pytest.fixture(scope="session")
def _visit_items(visit: Recording, recognize) -> list[Item]:
    return recognize(visit.audio)


@pytest.fixture(scope="session")
def labelled_visit(visit: Recording, _visit_items: list[Item]) -> tuple[int, list[Item]]:
    """The visit labelled once by assign_speakers(max_speakers=10): (speakers found, items)."""
    from medscribe.engine.speakers import assign_speakers

    items = copy.deepcopy(_visit_items)
    return assign_speakers(visit.audio, items, 10), items
