"""Whisper splits written numbers at their point or comma; recognition glues them back."""

from __future__ import annotations

from faster_whisper.transcribe import Word

from medscribe.engine.recognition import join_number_pieces


def _w(text: str, start: float, end: float, p: float = 0.9) -> Word:
    return Word(start=start, end=end, word=text, probability=p)


def test_decimal_and_thousands_are_joined() -> None:
    words = [
        _w(" A1C", 0.0, 0.4),
        _w(" 10", 0.4, 0.7),
        _w(".2", 0.7, 0.9, 0.6),
        _w(" and", 1.0, 1.1),
        _w(" 180", 1.2, 1.5),
        _w(",000", 1.5, 1.8),
    ]
    out = join_number_pieces(words)
    assert [t for t, *_ in out] == [" A1C", " 10.2", " and", " 180,000"]
    assert out[1][1:] == (0.4, 0.9, 0.6)


def test_sentence_punctuation_after_a_number_is_left_alone() -> None:
    out = join_number_pieces([_w(" 80", 0.0, 0.3), _w(".", 0.3, 0.3), _w(" Next", 0.5, 0.8)])
    assert [t for t, *_ in out] == [" 80", ".", " Next"]
    out = join_number_pieces([_w(" five", 0.0, 0.3), _w(".5", 0.3, 0.5)])
    assert [t for t, *_ in out] == [" five", ".5"]


def test_a_written_range_keeps_its_dash() -> None:
    # Whisper writes "one to two ... four to six" as " 1" "-2" ... " 4" "-6".
    words = [_w(" 1", 0.0, 0.2), _w("-2", 0.2, 0.4), _w(" tablets", 0.5, 0.9), _w(" 4", 1.0, 1.2)]
    words += [_w("–6", 1.2, 1.4), _w(" hours", 1.5, 1.9)]
    out = join_number_pieces(words)
    assert [t for t, *_ in out] == [" 1-2", " tablets", " 4-6", " hours"]
    # A dash after a word is not a range: nothing to join.
    out = join_number_pieces([_w(" minus", 0.0, 0.3), _w("-2", 0.3, 0.5)])
    assert [t for t, *_ in out] == [" minus", "-2"]
