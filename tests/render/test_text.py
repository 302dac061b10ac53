"""Plain text: turns with times and names, or paragraphs; alternatives when asked."""

from __future__ import annotations

import re
from itertools import pairwise

from medscribe.render import render_string
from medscribe.render.text import PARAGRAPH_GAP, clock
from transcript.fixtures import ALTERNATIVES, CHANNELS, PLAIN, SPEAKERS, doc, transcript

LINE = re.compile(r"^\[(\d\d):(\d\d):(\d\d)\] ([^:]+): (.+)$")


def _seconds(match: re.Match[str]) -> int:
    hours, minutes, seconds = (int(g) for g in match.groups()[:3])
    return hours * 3600 + minutes * 60 + seconds


def test_speaker_turns_are_lines_with_time_and_name() -> None:
    parsed = transcript(SPEAKERS)
    out = render_string(parsed, "text", speaker_names="clinician,patient")
    lines = out.splitlines()
    turns = parsed.turns()
    assert len(lines) == len(turns) and out.endswith("\n")
    for line, turn in zip(lines, turns, strict=True):
        match = LINE.match(line)
        assert match, line
        assert _seconds(match) == int(turn.start)
        assert match.group(4) == {"spk_0": "clinician", "spk_1": "patient"}[turn.label]
        assert match.group(5) == turn.text
    assert {LINE.match(x).group(4) for x in lines} == {"clinician", "patient"}


def test_channel_turns_use_the_same_names() -> None:
    parsed = transcript(CHANNELS)
    lines = render_string(parsed, "text", speaker_names="nurse,patient").splitlines()
    names = [LINE.match(x).group(4) for x in lines]
    labels = [t.label for t in parsed.turns()]
    assert names == [{"ch_0": "nurse", "ch_1": "patient"}[x] for x in labels]
    starts = [_seconds(LINE.match(x)) for x in lines]
    assert starts == sorted(starts), "channel turns come in time order"


def test_unlabelled_text_is_paragraphs_split_at_long_pauses() -> None:
    parsed = transcript(PLAIN)
    out = render_string(parsed, "text")
    paragraphs = out.strip("\n").split("\n\n")
    words = parsed.words
    long_pauses = sum(b.start - a.end > PARAGRAPH_GAP for a, b in pairwise(words))
    assert long_pauses >= 1, "the fixture has a long pause"
    assert len(paragraphs) == long_pauses + 1
    assert " ".join(paragraphs) == parsed.text
    assert not any(LINE.match(p) for p in paragraphs), "no times or labels"


def test_alternatives_section_lists_every_hypothesis_when_asked() -> None:
    parsed = transcript(ALTERNATIVES)
    plain = render_string(parsed, "text")
    shown = render_string(parsed, "text", show_alternatives=True)
    assert "Alternatives:" not in plain
    section = shown.split("Alternatives:\n", 1)[1]
    for segment in doc(ALTERNATIVES)["results"]["segments"]:
        span = f"[{clock(float(segment['start_time']))} - {clock(float(segment['end_time']))}]"
        assert span in section
        for rank, alt in enumerate(segment["alternatives"], start=1):
            assert f"  {rank}. {alt['transcript']}\n" in section + "\n"


def test_rich_as_a_string_is_the_plain_text() -> None:
    parsed = transcript(SPEAKERS)
    assert render_string(parsed, "rich") == render_string(parsed, "text")


def test_clock_truncates_to_the_second() -> None:
    assert clock(0.0) == "00:00:00"
    assert clock(62.999) == "00:01:02"
    assert clock(3 * 3600 + 5) == "03:00:05"
