"""The transcript model's derived views: text, words, duration, turns."""

from __future__ import annotations

from itertools import pairwise

from medscribe.transcript.model import Item, Transcript, join_items

from .fixtures import CHANNELS, PLAIN, SPEAKERS, transcript


def test_join_attaches_punctuation_to_the_left() -> None:
    items = [Item("Yes"), Item(",", type="punctuation"), Item("twice"), Item(".", "punctuation")]
    assert join_items(items) == "Yes, twice."
    assert join_items([]) == ""


def test_words_duration_and_text_follow_the_items() -> None:
    parsed = transcript(PLAIN)
    assert all(not w.is_punctuation for w in parsed.words)
    assert parsed.duration == max(i.end for i in parsed.words)
    assert parsed.text == join_items(parsed.items)
    assert Transcript().duration == 0.0 and Transcript().text == ""


def test_turns_split_on_speaker_change() -> None:
    parsed = transcript(SPEAKERS)
    turns = parsed.turns()
    assert " ".join(t.text for t in turns) == parsed.text
    for turn in turns:
        assert {i.speaker for i in turn.items} == {turn.label}
    for a, b in pairwise(turns):
        assert a.label != b.label


def test_turns_use_channels_when_there_are_no_speakers() -> None:
    parsed = transcript(CHANNELS)
    assert not parsed.has_speakers and parsed.has_channels
    assert {t.label for t in parsed.turns()} == {"ch_0", "ch_1"}


def test_max_gap_splits_long_pauses_only() -> None:
    parsed = transcript(PLAIN)
    words = parsed.words
    gaps = [b.start - a.end for a, b in pairwise(words)]
    limit = sorted(gaps)[-1] - 0.01  # just below the longest pause in the recording
    assert len(parsed.turns()) == 1
    assert len(parsed.turns(max_gap=limit)) == 1 + sum(g > limit for g in gaps)
