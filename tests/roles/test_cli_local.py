"""``medscribe transcribe --speaker-roles`` end to end on the offline engine.

Real parts: a visit in two synthesised voices (``scripts/synth.py``: Piper ``joe``,
Festival ``slt``), the embedded Whisper model, the speaker stage (not told the
count: ``--speakers 10``), the role model, the files written.
"""

from __future__ import annotations

import sys
from collections import Counter
from pathlib import Path

import pytest

from medscribe.transcript import codec

ROOT = Path(__file__).resolve().parents[2]
pytestmark = [pytest.mark.model, pytest.mark.slow]

LINES = [
    ("CLINICIAN", "Good morning. What brings you in today?"),
    ("PATIENT", "I have had a sore throat and a fever for three days."),
    ("CLINICIAN", "Do you have a cough? Any trouble swallowing?"),
    ("PATIENT", "My throat hurts when I swallow, and I feel very tired."),
    ("CLINICIAN", "Have you taken anything for the fever?"),
    ("PATIENT", "I took some paracetamol last night and it helped a little."),
    ("CLINICIAN", "Okay. I am going to look at your throat. Open wide for me."),
    ("PATIENT", "Is it an infection?"),
    (
        "CLINICIAN",
        "It looks like tonsillitis. I will prescribe an antibiotic. "
        "Make sure you drink plenty of fluids, and come back if it is not better in a week.",
    ),
    ("PATIENT", "Thank you, doctor."),
]


@pytest.fixture(scope="module")
def visit(tmp_path_factory: pytest.TempPathFactory):
    if str(ROOT) not in sys.path:
        sys.path.insert(0, str(ROOT))
    from scripts.synth import render_conversation, write_wav

    audio, turns = render_conversation(LINES, pause=0.5)
    folder = tmp_path_factory.mktemp("roles-audio")
    return write_wav(folder / "visit.wav", audio), turns


def reference_role(start: float, end: float, turns) -> str:
    middle = (start + end) / 2
    return min(turns, key=lambda t: max(t.start - middle, middle - t.end, 0.0)).speaker


def test_transcribe_labels_clinician_and_patient(cli, visit, tmp_path: Path) -> None:
    wav, turns = visit
    out = tmp_path / "out"
    result = cli(
        "transcribe",
        str(wav),
        "--backend",
        "local",
        "--speakers",
        "10",
        "--speaker-roles",
        "--speaker-names",
        "Dr Reed,Ms Cole",
        "--output-dir",
        str(out),
        "--format",
        "json,text",
    )
    assert result.code == 0, result.err

    transcript = codec.load(out / "visit.json")
    assert transcript.roles is not None and transcript.roles.assigned, result.err
    pairs = Counter(
        (w.speaker, reference_role(w.start, w.end, turns))
        for w in transcript.words
        if w.start is not None and w.end is not None
    )
    right = pairs[("CLINICIAN_0", "CLINICIAN")] + pairs[("PATIENT_0", "PATIENT")]
    assert right >= 0.9 * sum(pairs.values()), pairs
    text = (out / "visit.txt").read_text(encoding="utf-8")
    assert "Dr Reed:" in text and "Ms Cole:" in text and "spk_" not in text
    assert "throat" not in result.err  # status lines never carry transcript text
