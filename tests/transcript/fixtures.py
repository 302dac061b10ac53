"""Paths and loaders for the hand-written Transcribe Medical JSON in tests/fixtures/transcripts.

speaker-labels.json (speaker partitioning, 2 speakers, items without speaker_label as in
conversation-diarization-batch-med.md), channel-labels.json (channel identification,
2 channels, overlapping speech), alternatives.json (results.segments n-best) and
plain-conversation.json (no labels, two-decimal times as in batch-medical-conversation.md).
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from medscribe.transcript import codec
from medscribe.transcript.model import Transcript

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "transcripts"
SPEAKERS = FIXTURES / "speaker-labels.json"
CHANNELS = FIXTURES / "channel-labels.json"
ALTERNATIVES = FIXTURES / "alternatives.json"
PLAIN = FIXTURES / "plain-conversation.json"
ALL = (SPEAKERS, CHANNELS, ALTERNATIVES, PLAIN)


def doc(path: Path) -> dict[str, Any]:
    return json.loads(path.read_text(encoding="utf-8"))


def transcript(path: Path) -> Transcript:
    return codec.load(path)
