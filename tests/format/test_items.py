"""Timing of merged items, and what format_items keeps (speakers, channels, alternatives)."""

from __future__ import annotations

from formatkit import timed_items

from medscribe.engine.formatting import format_items
from medscribe.transcript.model import Item, WordAlternative, join_items


def _by_content(items: list[Item], content: str) -> Item:
    return next(i for i in items if i.content == content)


def test_blood_pressure_spans_its_words_with_lowest_confidence() -> None:
    items = timed_items("patient BP was one twenty over eighty")
    src = items[3:7]  # one twenty over eighty
    out = format_items(items)

    bp = _by_content(out, "120/80")
    assert (bp.start, bp.end) == (src[0].start, src[-1].end)
    assert bp.confidence == min(i.confidence for i in src)
    assert bp.type == "pronunciation"


def test_unit_keeps_number_and_unit_as_separate_items() -> None:
    items = timed_items("forty milligrams")
    out = format_items(items)

    assert [i.content for i in out] == ["40", "mg"]
    assert (out[0].start, out[0].end) == (items[0].start, items[0].end)
    assert (out[1].start, out[1].end) == (items[1].start, items[1].end)


def test_inserted_date_comma_is_untimed_punctuation_of_the_speaker() -> None:
    out = format_items(timed_items("January twenty third twenty twenty", speaker="spk_0"))

    assert join_items(out) == "January 23rd, 2020"
    comma = _by_content(out, ",")
    assert comma.is_punctuation and comma.start is None and comma.speaker == "spk_0"


def test_speaker_change_separates_numbers() -> None:
    first = timed_items("it was twenty", speaker="spk_0")
    second = timed_items("five years ago", speaker="spk_1")
    for item in second:  # later in time than the first speaker
        item.start, item.end = item.start + 10, item.end + 10
    out = format_items(first + second)

    assert join_items(out) == "it was 20 five years ago"
    assert _by_content(out, "five").speaker == "spk_1"


def test_long_pause_separates_numbers() -> None:
    items = timed_items("twenty five")
    items[1].start, items[1].end = items[0].end + 3.0, items[0].end + 3.4

    assert join_items(format_items(items)) == "20 five"


def test_untouched_words_keep_their_alternatives() -> None:
    items = timed_items("lisinopril daily")
    items[0].alternatives = [WordAlternative("lisinopril", 0.4)]
    out = format_items(items)

    assert out[0].alternatives == items[0].alternatives
    assert out[0] is not items[0]


def test_items_without_times_or_confidence() -> None:
    items = [Item("one"), Item("hundred"), Item("milligrams"), Item(".", "punctuation")]
    out = format_items(items)

    assert [(i.content, i.start, i.confidence) for i in out] == [
        ("100", None, None),
        ("mg", None, None),
        (".", None, None),
    ]


def test_empty() -> None:
    assert format_items([]) == []
