"""Redacted audio, transcribed again by the real model: the PHI words are not heard again.

Entities are planted on words of a real transcript (their own word timings, as the
service's ``results.entities`` would give them), the recording is redacted, and the
offline engine transcribes the result: none of the planted words comes back, while
the words around them do. Real speech from ../shared/data (skipped without it) and
espeak-ng speech with a full name.
"""

from __future__ import annotations

import re
import subprocess
import wave
from pathlib import Path

from medscribe.engine import shared_engine
from medscribe.redact import phi_spans, redact, redact_audio
from medscribe.request import build_options
from medscribe.transcript import Entity, Transcript


def words(text: str) -> list[str]:
    return re.findall(r"[a-z0-9']+", text.casefold())


def plant(transcript: Transcript, targets: set[str]) -> Transcript:
    """The transcript with one entity on each word spelled as one of ``targets``."""
    entities = [
        Entity(w.content, "PHI-Personal", w.start or 0.0, w.end or 0.0, 0.99)
        for w in transcript.words
        if words(w.content) and words(w.content)[0] in targets
    ]
    return Transcript(items=transcript.items, entities=entities)


def first_seconds(source: Path, target: Path, seconds: float) -> Path:
    with wave.open(str(source), "rb") as src, wave.open(str(target), "wb") as out:
        out.setparams(src.getparams())
        out.writeframes(src.readframes(int(seconds * src.getframerate())))
    return target


def check_not_heard_again(audio: Path, targets: set[str], kept: set[str], tmp_path: Path) -> None:
    options = build_options()
    heard = shared_engine().transcribe(audio, options)
    planted = plant(heard, targets)
    assert {w.casefold() for e in planted.entities or [] for w in words(e.content)} == targets
    out = redact_audio(audio, tmp_path / "redacted.wav", phi_spans(planted))
    again = set(words(shared_engine().transcribe(out, options).text))
    assert again & targets == set()
    assert kept <= again  # the rest of the speech is still there
    assert set(words(redact(planted).text)) & targets == set()


def test_a_real_recording(whisper_model: object, shared_dir: Path, tmp_path: Path) -> None:
    source = shared_dir / "data" / "speech" / "two_cities.wav"
    clip = first_seconds(source, tmp_path / "clip.wav", 12.0)
    check_not_heard_again(clip, {"wisdom", "foolishness"}, {"best", "worst", "age"}, tmp_path)


def test_a_spoken_full_name(whisper_model: object, tmp_path: Path) -> None:
    speech = tmp_path / "visit.wav"
    text = "Hello, my name is Margaret Thompson. Please call me back tomorrow morning."
    subprocess.run(["espeak-ng", "-v", "en-us", "-s", "140", "-w", str(speech), text], check=True)
    check_not_heard_again(speech, {"margaret", "thompson"}, {"call", "tomorrow"}, tmp_path)
