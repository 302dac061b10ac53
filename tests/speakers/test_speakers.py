"""Speaker partitioning of the offline engine on synthesised and real conversations.

Real parts throughout: synthesised voices, the embedded Whisper model, Resemblyzer's
encoder, DER by pyannote.metrics (0.25 s collar). The engine is never told the
number of speakers (``max_speakers=10``) unless a test is about the cap.
"""

from __future__ import annotations

import copy
from collections import Counter
from itertools import pairwise

import pytest

from medscribe.engine.audio import decode
from medscribe.engine.speakers import assign_speakers
from medscribe.evaluation.dataset import SpeakerTurn, read_rttm
from medscribe.evaluation.metrics import diarization_counts, hypothesis_turns
from medscribe.transcript.model import Item, Transcript

pytestmark = [pytest.mark.model, pytest.mark.slow]


def der(reference: list[SpeakerTurn], items: list[Item]) -> float:
    counts = diarization_counts(reference, hypothesis_turns(Transcript(items=items)))
    assert counts.der is not None
    return counts.der


def reference_speaker(word: Item, turns: list[SpeakerTurn]) -> str:
    """The reference turn nearest to the word's middle."""
    middle = (word.start + word.end) / 2
    return min(turns, key=lambda t: max(t.start - middle, middle - t.end, 0.0)).speaker


def word_accuracy(items: list[Item], turns: list[SpeakerTurn]) -> float:
    """Share of words whose label maps to their reference speaker (labels mapped by majority)."""
    words = [i for i in items if not i.is_punctuation]
    pairs = Counter((w.speaker, reference_speaker(w, turns)) for w in words)
    mapping: dict[str, str] = {}
    for (hyp, ref), _ in pairs.most_common():
        if hyp not in mapping and ref not in mapping.values():
            mapping[hyp] = ref
    right = sum(mapping.get(w.speaker) == reference_speaker(w, turns) for w in words)
    return right / len(words)


def test_two_voices_der_without_the_count(visit, labelled_visit):
    found, visit_items = labelled_visit

    assert found == 2
    assert der(visit.turns, visit_items) <= 0.05
    assert word_accuracy(visit_items, visit.turns) >= 0.95


def test_every_item_labelled_in_order_of_appearance(labelled_visit):
    _, visit_items = labelled_visit

    assert all(i.speaker in {"spk_0", "spk_1"} for i in visit_items)
    first_seen = list(dict.fromkeys(i.speaker for i in visit_items))
    assert first_seen == ["spk_0", "spk_1"]
    for before, item in pairwise(visit_items):
        if item.is_punctuation:  # punctuation takes its word's speaker
            assert item.speaker == before.speaker


def test_short_turns_get_their_own_speaker(labelled_visit):
    """One-word answers ("No.") between the clinician's questions are the patient's."""
    _, visit_items = labelled_visit
    words = [i for i in visit_items if not i.is_punctuation]
    clinician = words[0].speaker  # "Good morning" opens the visit
    answer = next(
        w
        for w, nxt in pairwise(words)
        if w.content.lower() == "no" and nxt.content.lower() == "any"
    )
    assert answer.speaker != clinician
    fever = words[words.index(answer) - 1]
    assert fever.content.lower() == "fever" and fever.speaker == clinician


def test_change_inside_a_recognised_segment(visit, labelled_visit):
    """Whisper segments that hold two speakers' words get both labels, word by word."""
    from medscribe.engine.recognition import load_model

    segments, _ = load_model().transcribe(visit.audio, language="en", vad_filter=True)
    spans = [(s.start, s.end) for s in segments]
    _, visit_items = labelled_visit
    words = [i for i in visit_items if not i.is_punctuation]

    mixed = 0
    for start, end in spans:
        inside = [w for w in words if start <= (w.start + w.end) / 2 <= end]
        if len({reference_speaker(w, visit.turns) for w in inside}) > 1:
            mixed += 1
            assert len({w.speaker for w in inside}) == 2
            assert word_accuracy(inside, visit.turns) >= 0.9
    assert mixed >= 2, "the recogniser did not merge turns: the test audio proves nothing"


def test_three_voices_are_counted(three_voices, recognize):
    items = recognize(three_voices.audio)
    capped = copy.deepcopy(items)

    assert assign_speakers(three_voices.audio, items, 10) == 3
    assert word_accuracy(items, three_voices.turns) >= 0.9
    # The upper bound is respected.
    assert assign_speakers(three_voices.audio, capped, 2) == 2


def test_one_reader_is_one_speaker(shared_dir, recognize):
    audio = decode(shared_dir / "data" / "speech" / "two_cities.wav")
    items = recognize(audio)

    assert assign_speakers(audio, items, 10) == 1
    assert {i.speaker for i in items} == {"spk_0"}


def test_real_two_speaker_conversation(shared_dir, recognize):
    """pyannote's sample (real speech, overlaps in the reference): two speakers, DER reported."""
    speech = shared_dir / "data" / "speech"
    audio = decode(speech / "pyannote_sample.wav")
    items = recognize(audio)

    assert assign_speakers(audio, items, 10) == 2
    score = der(read_rttm(speech / "pyannote_sample.rttm"), items)
    print(f"DER pyannote_sample: {score:.3f}")
    # Two similar voices with overlapping speech; Resemblyzer's encoder is the limit.
    assert score <= 0.3


def test_real_dialogue_alternates(shared_dir, recognize):
    """endgame_nagg_nell: "Do you hear me?" / "Yes." exchanges alternate between two actors."""
    audio = decode(shared_dir / "data" / "speech" / "endgame_nagg_nell.wav")
    items = recognize(audio)

    assert assign_speakers(audio, items, 10) == 2
    turns = Transcript(items=items).turns()
    assert len(turns) >= 8
    opening = [t.label for t in turns[:4]]
    assert opening[0] == opening[2] != opening[1] == opening[3]
    share = Counter(i.speaker for i in items if not i.is_punctuation)
    assert min(share.values()) >= 0.25 * sum(share.values())


def test_no_words_no_speakers(visit):
    items: list[Item] = []
    assert assign_speakers(visit.audio, items, 10) == 0
    punctuation_only = [Item(".", type="punctuation")]
    assert assign_speakers(visit.audio, punctuation_only, 10) == 0
    assert punctuation_only[0].speaker is None
