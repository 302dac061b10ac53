"""scripts/build_roles.py: the committed model is what the builder makes from the tune visits."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import pytest

from medscribe.roles.model import model_path

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="module")
def builder():
    pytest.importorskip("sklearn")
    if str(ROOT / "scripts") not in sys.path:
        sys.path.insert(0, str(ROOT / "scripts"))
    import build_roles

    return build_roles


def test_the_committed_model_is_rebuilt_byte_for_byte(builder, shared_dir: Path, tmp_path: Path):
    corpora = shared_dir / "data" / "corpora"
    if not corpora.is_dir():
        pytest.skip("no corpora in ../shared")
    out = tmp_path / "model.json"
    assert builder.main(["--corpora", str(corpora), "--out", str(out)]) == 0
    assert out.read_text(encoding="utf-8") == model_path().read_text(encoding="utf-8")
    record = json.loads(out.read_text(encoding="utf-8"))
    assert record["provenance"]["split"] == "tune"
    # Only tune visits went in: every one of them is in the tune split.
    from medscribe.evaluation.corpus import load_visits

    tune = builder.two_party(load_visits(corpora, split="tune"))
    assert record["provenance"]["visits"] == len(tune)
    assert {v.id for v in tune} >= builder.SWAPPED_TAGS
