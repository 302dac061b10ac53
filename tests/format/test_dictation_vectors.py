"""Dictation vectors (dictation_vectors.tsv): lists, ranges, headings, spoken punctuation.

Every vector runs as plain text and as recogniser-like timed items; the items
must stay valid Transcribe Medical items and keep every word that was said
(numbers, units and negations above all). Items that only a real recogniser
writes (Whisper's "restricted.2", a pause between words) are built directly.
"""

from __future__ import annotations

import copy
import re
from collections import Counter
from pathlib import Path

import pytest
from formatkit import HERE, timed_items

from medscribe.engine.formatting import format_items, format_text
from medscribe.engine.formatting.numbers import NUMBER_WORDS
from medscribe.engine.formatting.tokens import words
from medscribe.evaluation.normalize import normalize_words
from medscribe.transcript import codec
from medscribe.transcript.model import Item, Transcript, join_items

VECTORS = HERE / "dictation_vectors.tsv"
#: Spoken commands and list words that formatting turns into marks or digits.
_COMMAND_WORDS = words(
    "number next through period comma colon semicolon full stop new line paragraph"
)
#: What a list ("next number" -> "2.") or a range ("five through seven" -> "5-7") may add.
_MAY_ADD = NUMBER_WORDS | {"point", "to"}


def load(path: Path) -> list[tuple[str, bool, str, str]]:
    """(rule, dictation, input, expected) rows; "\\n" in expected is a line break."""
    rows = []
    for line in path.read_text(encoding="utf-8").splitlines():
        if not line or line.startswith("#") or line.startswith("rule\t"):
            continue
        rule, kind, spoken, expected = line.split("\t")
        assert kind in {"dictation", "conversation"}, line
        rows.append((rule, kind == "dictation", spoken, expected.replace("\\n", "\n")))
    return rows


ROWS = load(VECTORS)
PARAMS = [pytest.param(d, s, e, id=f"{k}-{r}") for k, (r, d, s, e) in enumerate(ROWS)]


def test_the_file_has_both_sides_of_every_rule() -> None:
    rules = Counter(r.split(":")[0].split()[0] for r, *_ in ROWS)
    guards = {r.split(":")[0].split()[0] for r, *_ in ROWS if " guard" in r.split(":")[0]}
    assert {"list", "range", "heading", "period"} <= set(rules)
    assert {"list", "range", "heading", "period"} <= guards


@pytest.mark.parametrize(("dictation", "spoken", "expected"), PARAMS)
def test_text(dictation: bool, spoken: str, expected: str) -> None:
    assert format_text(spoken, dictation=dictation) == expected


@pytest.mark.parametrize(("dictation", "spoken", "expected"), PARAMS)
def test_items(dictation: bool, spoken: str, expected: str) -> None:
    items = timed_items(spoken)
    before = copy.deepcopy(items)
    out = format_items(items, dictation=dictation)

    assert join_items(out) == expected
    assert items == before, "format_items must not change its input"
    check_items(items, out)
    check_json_round_trip(out)


@pytest.mark.parametrize(("dictation", "spoken", "expected"), PARAMS)
def test_every_word_said_is_kept(dictation: bool, spoken: str, expected: str) -> None:
    """Numbers, units, negations: nothing said is lost; a list may only add its numbers."""
    said = Counter(normalize_words(spoken))
    written = Counter(normalize_words(format_text(spoken, dictation=dictation)))
    lost = {w: n for w, n in (said - written).items() if w not in _COMMAND_WORDS}
    # "No. 2" is Whisper's "number two": that "No" may become the list marker, no other "no".
    if lost.get("no", 0) <= len(re.findall(r"\bNo\.\s?\d", spoken)):
        lost.pop("no", None)
    added = {w: n for w, n in (written - said).items() if w not in _MAY_ADD}
    assert not lost, f"words lost: {lost}"
    assert not added, f"words added: {added}"


def check_items(items: list[Item], out: list[Item]) -> None:
    """Each word said lies in one output word (or became a spoken mark); marks are untimed."""
    words = [i for i in items if not i.is_punctuation]
    out_words = [i for i in out if not i.is_punctuation]
    covered: list[int] = []
    for item in out_words:
        assert item.type == "pronunciation"
        inside = [k for k, w in enumerate(words) if item.start <= w.start and w.end <= item.end]
        assert inside, f"{item.content!r} covers no input word"
        first, last = words[inside[0]], words[inside[-1]]
        assert (item.start, item.end) == (first.start, last.end)
        assert item.confidence == min(words[k].confidence for k in inside)
        covered += inside
    assert len(covered) == len(set(covered)), "an input word is in two output items"
    marks = [w.content for k, w in enumerate(words) if k not in set(covered)]
    assert all(m.lower() in _COMMAND_WORDS for m in marks), f"words lost: {marks}"
    starts = [i.start for i in out_words]
    assert starts == sorted(starts)
    for item in out:
        assert (item.speaker, item.channel) == ("spk_1", "ch_0")
        if item.is_punctuation:
            assert item.start is None and item.end is None


def check_json_round_trip(out: list[Item]) -> None:
    back = codec.loads(codec.dumps(Transcript(items=out, job_name="vectors")))
    assert [(i.content, i.type) for i in back.items] == [(i.content, i.type) for i in out]


# ----------------------------------------------------------------- what only a recogniser writes


def _whisper(words: list[str], gaps: dict[int, float] | None = None) -> list[Item]:
    """Items the way recognition splits Whisper's words (marks apart), with pauses."""
    items, t = [], 0.5
    for k, word in enumerate(words):
        if word in {".", ","}:
            items.append(Item(word, "punctuation"))
            continue
        t += (gaps or {}).get(k, 0.1)
        items.append(Item(word, start=round(t, 3), end=round(t + 0.4, 3), confidence=0.9))
        t += 0.4
    return items


def test_a_number_glued_to_a_sentence_end_continues_the_list() -> None:
    """The "restricted .2, mild" defect: Whisper writes "restricted.2," for "... number two"."""
    items = _whisper(
        [
            "Number",
            "1",
            ",",
            "mild",
            "aortic",
            "stenosis",
            "with",
            "restricted",
            ".2",
            ",",
            "mild",
            "mitral",
            "regurgitation",
            ".",
        ]
    )
    out = format_items(items, dictation=True)

    assert join_items(out) == (
        "1. Mild aortic stenosis with restricted.\n2. Mild mitral regurgitation."
    )
    two = next(i for i in out if i.content == "2")
    glued = next(i for i in items if i.content == ".2")
    assert (two.type, two.start, two.end) == ("pronunciation", glued.start, glued.end)


def test_a_glued_number_continues_a_list_of_written_numbers_too() -> None:
    items = _whisper(
        ["Impression", ".", "1", ".", "Mild", "stenosis", "restricted", ".2", ",", "mild", "MR"]
    )
    assert join_items(format_items(items, dictation=True)) == (
        "IMPRESSION:\n1. Mild stenosis restricted.\n2. Mild MR"
    )


def test_a_glued_number_outside_a_list_is_left_as_written() -> None:
    items = _whisper(["the", "valve", "is", "restricted", ".2", ",", "mild"])
    assert join_items(format_items(items, dictation=True)) == "The valve is restricted .2, mild"


def test_a_list_marker_spans_the_words_that_said_it() -> None:
    items = timed_items("plan colon number one rest number two fluids")
    out = format_items(items, dictation=True)

    assert join_items(out) == "PLAN:\n1. Rest.\n2. Fluids"
    two = next(i for i in out if i.content == "2")
    said = items[5:7]  # "number two"
    assert (two.start, two.end) == (said[0].start, said[1].end)
    assert two.confidence == min(i.confidence for i in said)
    layout = [i for i in out if i.content == "\n"]
    assert len(layout) == 2 and all(i.is_punctuation and i.start is None for i in layout)


def test_a_pause_after_a_heading_makes_it_a_heading() -> None:
    words = ["Patient", "is", "stable", ".", "Plan", "continue", "current", "medications", "."]
    paused = _whisper(words, gaps={5: 1.2})  # a 1.2 s silence after "Plan"
    quick = _whisper(words)

    assert join_items(format_items(paused, dictation=True)) == (
        "Patient is stable.\n\nPLAN: Continue current medications."
    )
    assert join_items(format_items(quick, dictation=True)) == (
        "Patient is stable. Plan continue current medications."
    )


def test_a_range_is_one_item_over_its_three_words() -> None:
    items = timed_items("thirty to thirty five millimeters of mercury")
    out = format_items(items, dictation=True)

    assert [i.content for i in out] == ["30-35", "mmHg"]
    assert (out[0].start, out[0].end) == (items[0].start, items[3].end)
