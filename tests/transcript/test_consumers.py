"""Someone else's consumer must read our JSON: ``tscribe`` (PyPI) turns Transcribe JSON into CSV."""

from __future__ import annotations

import csv
from pathlib import Path

import pytest

from medscribe.transcript import codec
from transcript.fixtures import CHANNELS, SPEAKERS, transcript


@pytest.mark.parametrize("fixture", [SPEAKERS, CHANNELS], ids=["speakers", "channels"])
def test_tscribe_reads_our_output(fixture: Path, tmp_path: Path) -> None:
    tscribe = pytest.importorskip("tscribe")
    ours = transcript(fixture)
    source = tmp_path / "ours.json"
    source.write_text(codec.dumps(ours), encoding="utf-8")
    target = tmp_path / "ours.csv"
    tscribe.write(str(source), format="csv", save_as=str(target))
    with target.open(newline="", encoding="utf-8") as fh:
        rows = list(csv.DictReader(fh))
    assert rows, "tscribe wrote no rows"
    text = " ".join(row.get("comment", "") for row in rows)
    for word in ours.words[:5]:
        assert word.content in text
