"""Dictation: spoken punctuation and layout commands become marks; conversations keep words."""

from __future__ import annotations

import itertools

import pytest
from formatkit import timed_items

from medscribe.engine.formatting import format_items, format_text
from medscribe.transcript.model import join_items

DICTATED = [
    (
        "patient is stable period new paragraph plan colon continue current medications period",
        "Patient is stable.\n\nPLAN: Continue current medications.",
    ),
    (
        "history of hypertension comma diabetes comma and asthma period",
        "History of hypertension, diabetes, and asthma.",
    ),
    (
        "blood pressure open parenthesis seated close parenthesis one twenty over eighty period",
        "BP (seated) 120/80.",
    ),
    ("any chest pain question mark new line denies", "Any chest pain?\nDenies"),
    (
        "colon cancer screening semicolon due next year full stop",
        "Colon cancer screening; due next year.",
    ),
    # The recogniser's own marks next to a spoken one are not written twice.
    ("stable, period. next line follow up in two weeks", "Stable.\nFollow up in two weeks"),
    # Nouns that sound like commands stay words.
    ("her last period was two weeks ago period", "Her last period was two weeks ago."),
    ("sigmoid colon biopsy period", "Sigmoid colon biopsy."),
    ("start a new line of therapy period", "Start a new line of therapy."),
]


@pytest.mark.parametrize(("spoken", "expected"), DICTATED)
def test_dictation_text(spoken: str, expected: str) -> None:
    assert format_text(spoken, dictation=True) == expected


@pytest.mark.parametrize(("spoken", "_"), DICTATED)
def test_conversation_keeps_command_words(spoken: str, _: str) -> None:
    out = format_text(spoken)
    for word in ("period", "comma", "parenthesis", "colon", "line", "question"):
        assert out.count(word) == spoken.count(word)


@pytest.mark.parametrize(("spoken", "expected"), DICTATED)
def test_dictation_items(spoken: str, expected: str) -> None:
    items = timed_items(spoken)
    out = format_items(items, dictation=True)

    assert join_items(out) == expected
    marks = [i for i in out if i.is_punctuation]
    assert all(m.start is None and m.end is None for m in marks)
    assert all((i.speaker, i.channel) == ("spk_1", "ch_0") for i in out)
    words = [i for i in out if not i.is_punctuation]
    assert all(a.end <= b.start for a, b in itertools.pairwise(words))


def test_layout_commands_are_punctuation_items_with_line_breaks() -> None:
    out = format_items(timed_items("plan new paragraph rest new line fluids"), dictation=True)

    layout = [(i.content, i.type) for i in out if i.content.startswith("\n")]
    assert layout == [("\n\n", "punctuation"), ("\n", "punctuation")]
    # A spoken mark keeps the confidence of the words that said it.
    paragraph = next(i for i in out if i.content == "\n\n")
    assert paragraph.confidence is not None


def test_dictated_numbers_are_formatted_too() -> None:
    spoken = "metoprolol twenty five milligrams twice daily period pulse seventy two period"
    assert format_text(spoken, dictation=True) == "Metoprolol 25 mg twice daily. P 72."
