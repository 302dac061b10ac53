"""WebVTT and SRT: cue rules, voice tags, numbering, timestamps, escaping."""

from __future__ import annotations

import re
from itertools import pairwise

import pytest

from medscribe.render import build_cues, render_string
from medscribe.render.subtitles import MAX_CHARS, MAX_DURATION, MAX_GAP, timestamp
from medscribe.transcript.model import Item, Transcript
from transcript.fixtures import ALL, CHANNELS, PLAIN, SPEAKERS, transcript

VTT_CUE = re.compile(
    r"^(\d\d:\d\d:\d\d\.\d{3}) --> (\d\d:\d\d:\d\d\.\d{3})\n(?:<v ([^>]+)>)?(.+)$", re.S
)
SRT_CUE = re.compile(r"^(\d+)\n(\d\d:\d\d:\d\d,\d{3}) --> (\d\d:\d\d:\d\d,\d{3})\n(.+)$", re.S)


def _seconds(stamp: str) -> float:
    hours, minutes, rest = stamp.replace(",", ".").split(":")
    return int(hours) * 3600 + int(minutes) * 60 + float(rest)


def _vtt_cues(text: str) -> list[re.Match[str]]:
    header, *blocks = text.rstrip("\n").split("\n\n")
    assert header == "WEBVTT"
    cues = [VTT_CUE.match(b) for b in blocks]
    assert all(cues), blocks
    return cues  # type: ignore[return-value]


@pytest.mark.parametrize("path", ALL, ids=[p.stem for p in ALL])
def test_cues_follow_the_rules(path) -> None:
    parsed = transcript(path)
    cues = build_cues(parsed)
    assert " ".join(c.text for c in cues) == parsed.text, "no word lost or repeated"
    for cue in cues:
        words = [i for i in cue.items if not i.is_punctuation]
        assert words and not cue.items[0].is_punctuation
        assert len({(i.speaker, i.channel) for i in cue.items}) == 1, "one voice per cue"
        if len(words) > 1:
            assert len(cue.text) <= MAX_CHARS
            assert cue.end - cue.start <= MAX_DURATION
        for a, b in pairwise(words):
            assert b.start - a.end <= MAX_GAP, "a long pause starts a new cue"
        assert cue.start == words[0].start and cue.end == max(w.end for w in words)


def test_long_turn_is_split_and_pauses_split_cues() -> None:
    parsed = transcript(SPEAKERS)
    turns = parsed.turns()
    longest = max(turns, key=lambda t: len(t.text))
    assert len(longest.text) > MAX_CHARS, "the fixture has a turn too long for one cue"
    assert len(build_cues(parsed)) > len(turns)


def test_vtt_has_voice_tags_with_names() -> None:
    parsed = transcript(SPEAKERS)
    cues = _vtt_cues(render_string(parsed, "vtt", speaker_names="clinician,patient"))
    built = build_cues(parsed)
    assert len(cues) == len(built)
    for match, cue in zip(cues, built, strict=True):
        start, end, voice, text = match.groups()
        assert voice == {"spk_0": "clinician", "spk_1": "patient"}[cue.label]
        assert text == cue.text
        assert abs(_seconds(start) - cue.start) < 0.0005
        assert abs(_seconds(end) - cue.end) < 0.0005


def test_vtt_channels_keep_overlapping_cues_in_time_order() -> None:
    cues = _vtt_cues(render_string(transcript(CHANNELS), "vtt"))
    assert {m.group(3) for m in cues} == {"ch_0", "ch_1"}
    starts = [_seconds(m.group(1)) for m in cues]
    assert starts == sorted(starts)
    assert any(_seconds(b.group(1)) < _seconds(a.group(2)) for a, b in pairwise(cues))


def test_vtt_without_labels_has_no_voice_tags() -> None:
    cues = _vtt_cues(render_string(transcript(PLAIN), "vtt"))
    assert cues and all(m.group(3) is None for m in cues)


def test_srt_is_numbered_with_comma_times_and_names() -> None:
    parsed = transcript(SPEAKERS)
    out = render_string(parsed, "srt", speaker_names="clinician,patient")
    blocks = out.rstrip("\n").split("\n\n")
    built = build_cues(parsed)
    assert len(blocks) == len(built)
    for number, (block, cue) in enumerate(zip(blocks, built, strict=True), start=1):
        match = SRT_CUE.match(block)
        assert match, block
        assert int(match.group(1)) == number
        name = {"spk_0": "clinician", "spk_1": "patient"}[cue.label]
        assert match.group(4) == f"{name}: {cue.text}"
        assert abs(_seconds(match.group(2)) - cue.start) < 0.0005


def test_cue_text_is_escaped_and_empty_transcripts_render() -> None:
    items = [
        Item("BP", start=0.0, end=0.3, confidence=0.9, speaker="spk_0"),
        Item("<140", start=0.4, end=0.9, confidence=0.9, speaker="spk_0"),
        Item("&", start=1.0, end=1.1, confidence=0.9, speaker="spk_0"),
        Item("stable", start=1.2, end=1.5, confidence=0.9, speaker="spk_0"),
    ]
    out = render_string(Transcript(items=items), "vtt", speaker_names="Dr <Lee>")
    assert "<v Dr &lt;Lee&gt;>BP &lt;140 &amp; stable" in out
    assert render_string(Transcript(), "vtt") == "WEBVTT\n"
    assert render_string(Transcript(), "srt") == ""


def test_timestamps() -> None:
    assert timestamp(3661.5) == "01:01:01.500"
    assert timestamp(0.0004, separator=",") == "00:00:00,000"
    assert timestamp(59.9996) == "00:01:00.000"
