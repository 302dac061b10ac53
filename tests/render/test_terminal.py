"""Rich output: header, turns, a colour per speaker, low-confidence marks, alternatives."""

from __future__ import annotations

import io
import re

import pytest
from rich.console import Console

from medscribe.errors import ValidationError
from medscribe.render import render_rich
from medscribe.render.terminal import LOW_CONFIDENCE_STYLE, _turn_text
from medscribe.render.text import clock
from medscribe.transcript.model import Item, Transcript, WordAlternative
from transcript.fixtures import ALTERNATIVES, CHANNELS, PLAIN, SPEAKERS, doc, transcript


def _record(parsed: Transcript, **kwargs) -> str:
    console = Console(record=True, width=100, file=io.StringIO())
    render_rich(parsed, console, **kwargs)
    return console.export_text()


def _flat(text: str) -> str:
    """Rendered text with the grid's wrapping and padding undone, for word-sequence checks."""
    return " ".join(text.split())


def test_header_names_job_duration_and_speakers() -> None:
    parsed = transcript(SPEAKERS)
    out = _record(parsed, speaker_names="clinician,patient", media_duration=95.0)
    header = out.split("\n[")[0]
    assert parsed.job_name in header
    assert "Duration: 00:01:35" in header and "Speech until" not in header
    assert "Speakers: 2" in header
    assert "clinician (spk_0)" in header and "patient (spk_1)" in header


def test_without_the_recordings_length_the_header_says_speech_until() -> None:
    """A Transcribe JSON does not carry the audio's length: the last word's end is all it has."""
    parsed = transcript(SPEAKERS)
    header = _record(parsed).split("\n[")[0]
    assert f"Speech until: {clock(parsed.duration)}" in header
    assert "Duration" not in header


def test_turns_show_time_name_and_every_word() -> None:
    parsed = transcript(SPEAKERS)
    flat = _flat(_record(parsed, speaker_names="clinician,patient"))
    position = 0
    for turn in parsed.turns():
        name = {"spk_0": "clinician", "spk_1": "patient"}[turn.label]
        line = f"[{clock(turn.start)}] {name} {turn.text}"
        found = flat.find(line, position)
        assert found >= 0, line
        position = found + len(line)


def test_channels_are_labelled_in_header_and_turns() -> None:
    parsed = transcript(CHANNELS)
    out = _record(parsed)
    assert "Channels: 2" in out
    for turn in parsed.turns():
        assert f"[{clock(turn.start)}] {turn.label} " in _flat(out)


def test_speakers_get_different_colours() -> None:
    console = Console(
        record=True, width=100, file=io.StringIO(), force_terminal=True, color_system="standard"
    )
    render_rich(transcript(SPEAKERS), console, speaker_names="clinician,patient")
    ansi = console.export_text(styles=True)
    styles: dict[str, set[str]] = {}
    for style, name in re.findall(r"\x1b\[([\d;]+)m(clinician|patient)\b", ansi):
        styles.setdefault(name, set()).add(style)
    assert len(styles["clinician"]) == len(styles["patient"]) == 1, "one colour per speaker"
    assert styles["clinician"] != styles["patient"]


@pytest.mark.parametrize("threshold", [0.5, 0.9])
def test_low_confidence_words_are_marked_with_a_legend(threshold: float) -> None:
    parsed = transcript(SPEAKERS)
    low = [w for w in parsed.words if w.confidence < threshold]
    marked: list[str] = []
    for turn in parsed.turns():
        text, count = _turn_text(turn, threshold, show_alternatives=False)
        spans = [text.plain[s.start : s.end] for s in text.spans if s.style == LOW_CONFIDENCE_STYLE]
        assert count == len(spans)
        marked += spans
    assert marked == [w.content for w in low]
    out = _record(parsed, low_confidence=threshold)
    assert f"confidence below {threshold:.2f} ({len(low)} words)" in out


def test_no_legend_when_nothing_is_marked() -> None:
    out = _record(transcript(SPEAKERS), low_confidence=0.0)
    assert "Legend" not in out


def test_alternatives_table_only_when_asked() -> None:
    parsed = transcript(ALTERNATIVES)
    hidden = _record(parsed)
    shown = _record(parsed, show_alternatives=True)
    for segment in doc(ALTERNATIVES)["results"]["segments"]:
        for alt in segment["alternatives"][1:]:
            assert alt["transcript"] not in hidden
            assert alt["transcript"] in shown
    assert "Alternatives" in shown and "Alternatives" not in hidden


def test_asking_for_missing_alternatives_says_so() -> None:
    assert "No alternative transcriptions" in _record(transcript(PLAIN), show_alternatives=True)


def test_word_alternatives_are_shown_beside_the_word() -> None:
    items = [
        Item("hydralazine", start=0.0, end=0.6, confidence=0.41, speaker="spk_0",
             alternatives=[WordAlternative("hydroxyzine", 0.33)]),
        Item("daily", start=0.7, end=1.0, confidence=0.95, speaker="spk_0"),
    ]  # fmt: skip
    parsed = Transcript(items=items, speakers=1)
    assert "{hydroxyzine}" in _record(parsed, show_alternatives=True)
    assert "hydroxyzine" not in _record(parsed)


def test_unlabelled_transcript_and_bad_threshold() -> None:
    parsed = transcript(PLAIN)
    out = _record(parsed)
    assert "Speakers" not in out and "Channels" not in out
    assert parsed.words[0].content in out
    with pytest.raises(ValidationError, match="between 0 and 1"):
        _record(parsed, low_confidence=1.5)
    assert "no speech" in _record(Transcript())
