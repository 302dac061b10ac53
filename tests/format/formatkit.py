"""Helpers of the formatting tests: the vector files and recogniser-like timed items."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from medscribe.transcript.model import Item

HERE = Path(__file__).resolve().parent
SPEC = HERE.parents[2] / "shared" / "spec" / "medical-formatting.tsv"
EXTRA = HERE / "extra_vectors.tsv"


def load_vectors(path: Path) -> list[tuple[str, str, str]]:
    """(rule, input, expected) rows of a vector file: '#' comments and the header skipped."""
    rows = []
    for line in path.read_text(encoding="utf-8").splitlines():
        if not line or line.startswith("#") or line.startswith("rule\t"):
            continue
        rule, spoken, expected = line.split("\t")
        rows.append((rule, spoken, expected))
    return rows


def vector_params() -> list:
    """Every vector as a pytest param; the shared ones skip cleanly when ../shared is absent."""
    params = []
    if SPEC.is_file():
        params += [
            pytest.param(s, e, id=f"spec{k}-{r.split()[0]}")
            for k, (r, s, e) in enumerate(load_vectors(SPEC))
        ]
    else:
        params.append(pytest.param("", "", marks=pytest.mark.skip(reason="../shared is absent")))
    params += [
        pytest.param(s, e, id=f"extra{k}-{r.split()[0]}")
        for k, (r, s, e) in enumerate(load_vectors(EXTRA))
    ]
    return params


# A word, possibly with inner dots or commas ("8.2%", "1,200", "a.m."), or one mark.
_TOKEN = re.compile(r"(?:[A-Za-z]\.){2,}|[^\s.,;:?!]+(?:[.,][^\s.,;:?!]+)*|[.,;:?!]")


def timed_items(text: str, *, speaker: str = "spk_1", channel: str = "ch_0") -> list[Item]:
    """Items as a recogniser gives them: words with made-up times and distinct confidences."""
    items: list[Item] = []
    k = 0
    for token in _TOKEN.findall(text):
        if token in {".", ",", ";", ":", "?", "!"}:
            items.append(Item(token, "punctuation", speaker=speaker, channel=channel))
            continue
        start = round(0.35 + 0.6 * k, 3)
        conf = round(0.99 - 0.037 * ((k * 7) % 11), 3)
        items.append(
            Item(
                token,
                start=start,
                end=start + 0.45,
                confidence=conf,
                speaker=speaker,
                channel=channel,
            )
        )
        k += 1
    return items
