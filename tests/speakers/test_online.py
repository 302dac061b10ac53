"""The stream's speaker stage: labels per word, final by final, on synthesised speech."""

from __future__ import annotations

import copy
from collections import Counter

from medscribe.engine.speakers import OnlineSpeakers, diarize
from medscribe.evaluation.dataset import SpeakerTurn
from medscribe.evaluation.metrics import diarization_counts
from medscribe.transcript.model import Item


def reference_speaker(word: Item, turns) -> str:
    middle = ((word.start or 0.0) + (word.end or 0.0)) / 2
    return min(turns, key=lambda t: max(t.start - middle, middle - t.end, 0.0)).speaker


def word_accuracy(words: list[Item], turns) -> float:
    """Share of words whose label maps to their reference speaker (best one-to-one map)."""
    pairs = Counter((w.speaker, reference_speaker(w, turns)) for w in words)
    mapping: dict[str | None, str] = {}
    for (hyp, ref), _ in pairs.most_common():
        if hyp not in mapping and ref not in mapping.values():
            mapping[hyp] = ref
    return sum(mapping.get(w.speaker) == reference_speaker(w, turns) for w in words) / len(words)


def finals_of(words: list[Item], turns_per_final: int, visit) -> list[list[Item]]:
    """The visit's words cut into finals of ``turns_per_final`` reference turns each."""
    edges = [t.end for t in visit.turns][turns_per_final - 1 :: turns_per_final]
    finals: list[list[Item]] = [[]]
    for word in words:
        while edges and (word.start or 0.0) > edges[0]:
            edges.pop(0)
            finals.append([])
        finals[-1].append(word)
    return [f for f in finals if f]


def test_a_change_inside_one_final_is_honoured(visit, _visit_items):
    """Every final holds a question and its answer: both speakers, word by word."""
    words = [copy.copy(i) for i in _visit_items if not i.is_punctuation]
    online = OnlineSpeakers(10)
    mixed = 0
    for final in finals_of(words, 2, visit):
        start = max(0.0, (final[0].start or 0.0) - 0.1)
        end = (final[-1].end or 0.0) + 0.1
        online(visit.audio[int(start * 16000) : int(end * 16000)], final, start)
        mixed += len({w.speaker for w in final}) == 2

    assert {w.speaker for w in words} == {"spk_0", "spk_1"}
    assert words[0].speaker == "spk_0"  # numbered by first appearance
    assert mixed >= 6  # of the 9 two-turn finals, most show the change inside them
    assert word_accuracy(words, visit.turns) >= 0.9


def test_a_final_with_nothing_audible_keeps_the_last_speaker(visit, _visit_items):
    words = [copy.copy(i) for i in _visit_items if not i.is_punctuation][:6]
    online = OnlineSpeakers(2)
    online(visit.audio[: (3 * 16000)], words[:3], 0.0)
    silent = [Item("yes", start=40.0, end=40.2)]
    online(visit.audio[:0] * 0.0, silent, 40.0)

    assert silent[0].speaker == words[2].speaker


def test_diarize_without_words_finds_the_two_voices(visit):
    """The timeline needs no words: the VAD finds the speech."""
    result = diarize(visit.audio, 10)

    assert result.speakers == 2
    assert {k for k, _, _ in result.turns} == {0, 1}
    hypothesis = [SpeakerTurn(f"s{k}", start, end) for k, start, end in result.turns]
    counts = diarization_counts(visit.turns, hypothesis)
    assert counts.der is not None and counts.der <= 0.1
    assert counts.missed <= 0.05 * counts.total  # speech with no word is still speech
