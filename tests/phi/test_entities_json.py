"""``results.entities``: the PHI spans of the service's JSON, read and written in its shape."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from medscribe.transcript import Entity, Transcript, codec
from medscribe.transcript.model import Item

REFERENCE = Path(__file__).resolve().parents[2].parent / "shared" / "reference"
PHI_BATCH = REFERENCE / "transcribe-medical" / "phi-id-batch.md"


def reference_example() -> str:
    """The PHI output example of phi-id-batch.md, as a JSON document."""
    text = PHI_BATCH.read_text(encoding="utf-8")
    block = next(b for b in re.findall(r"```\n(\{.*?\})\n```", text, re.S) if '"entities"' in b)
    # The page's Markdown escapes leak into the example ("PHI*-Personal*"), and it
    # leaves a trailing comma after the entities list; the service writes neither.
    return re.sub(r",(\s*})", r"\1", block.replace("*-Personal*", "-Personal"))


@pytest.mark.skipif(not PHI_BATCH.exists(), reason="needs ../shared/reference")
def test_the_reference_example_reads_and_writes_back_in_its_shape() -> None:
    doc = json.loads(reference_example())
    transcript = codec.from_json(doc)

    assert transcript.entities == [Entity("Bertrand", "PHI-Personal", 0.92, 1.2, 0.9989)]
    assert codec.to_json(transcript)["results"]["entities"] == doc["results"]["entities"]


def test_entities_round_trip_and_are_absent_unless_asked() -> None:
    words = [Item("Bertrand", start=0.92, end=1.2, confidence=0.99)]
    plain = Transcript(items=words)
    assert "entities" not in codec.to_json(plain)["results"]

    none_found = Transcript(items=words, entities=[])
    assert codec.to_json(none_found)["results"]["entities"] == []
    assert codec.loads(codec.dumps(none_found)).entities == []

    found = Transcript(items=words, entities=[Entity("Bertrand", "PHI-Personal", 0.92, 1.2)])
    back = codec.loads(codec.dumps(found))
    assert back.entities == found.entities
    assert codec.dumps(back) == codec.dumps(found)
