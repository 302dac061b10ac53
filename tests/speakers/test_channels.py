"""Channel identification: clinician on ch 0, patient on ch 1, each leaking into the other.

Real parts: synthesised voices placed on their own channels, 20 dB of cross-talk
mixed into the other channel, the embedded Whisper model.
"""

from __future__ import annotations

from itertools import pairwise

import numpy as np
import pytest

from medscribe.engine.speakers import MAX_CHANNELS, transcribe_channels
from medscribe.errors import ValidationError
from medscribe.evaluation.metrics import word_errors
from medscribe.evaluation.normalize import normalize_words
from medscribe.transcript.model import Item, join_items

pytestmark = [pytest.mark.model, pytest.mark.slow]

LEAK = 10 ** (-20 / 20)  # -20 dB
SPEAKERS = ("CLINICIAN", "PATIENT")


@pytest.fixture(scope="session")
def clean_channels(visit) -> np.ndarray:
    from scripts.synth import split_by_speaker

    return split_by_speaker(visit.audio, visit.turns)


@pytest.fixture(scope="session")
def leaky(clean_channels: np.ndarray) -> np.ndarray:
    """Each microphone also hears the other person 20 dB down."""
    return np.stack(
        [clean_channels[0] + LEAK * clean_channels[1], clean_channels[1] + LEAK * clean_channels[0]]
    ).astype(np.float32)


@pytest.fixture(scope="session")
def channel_items(leaky: np.ndarray, recognize) -> list[Item]:
    return transcribe_channels(leaky, recognize)


def wer(reference: str, hypothesis: str) -> float:
    return word_errors(normalize_words(reference), normalize_words(hypothesis)).wer


def test_words_carry_their_channel(visit, channel_items):
    words = [i for i in channel_items if not i.is_punctuation]
    assert {w.channel for w in words} == {"ch_0", "ch_1"}
    for word in words:
        middle = (word.start + word.end) / 2
        speaker = SPEAKERS[int(word.channel[-1])]
        own = [t for t in visit.turns if t.speaker == speaker]
        # No word of a channel lies in the other person's turn: no leaked duplicates.
        assert any(t.start - 0.3 <= middle <= t.end + 0.3 for t in own), word.content


def test_wer_per_channel_no_worse_than_alone(visit, channel_items, clean_channels, recognize):
    for c, speaker in enumerate(SPEAKERS):
        reference = visit.text_of(speaker)
        ours = join_items(i for i in channel_items if i.channel == f"ch_{c}")
        alone = join_items(recognize(clean_channels[c]))
        assert wer(reference, ours) <= wer(reference, alone)


def test_leakage_would_duplicate_words_without_the_rules(visit, leaky, recognize):
    """The leak is real: recognising the leaky channel as it is repeats the other person."""
    raw = join_items(recognize(leaky[1]))
    patient = visit.text_of("PATIENT")
    assert len(normalize_words(raw)) > 1.3 * len(normalize_words(patient))


def test_merged_in_time_with_punctuation_after_its_word(channel_items):
    starts = [i.start for i in channel_items if not i.is_punctuation]
    assert starts == sorted(starts)
    assert not channel_items[0].is_punctuation
    for before, item in pairwise(channel_items):
        if item.is_punctuation:
            assert item.channel == before.channel


def test_silent_and_noise_channels_stay_empty(clean_channels, recognize):
    """A muted channel and one of faint hiss (-50 dBFS) get no invented words."""
    speech = clean_channels[0][: 16000 * 8]
    rng = np.random.default_rng(0)
    hiss = (rng.standard_normal(speech.shape[0]) * 10 ** (-50 / 20)).astype(np.float32)
    audio = np.stack([speech, np.zeros_like(speech), hiss])

    items = transcribe_channels(audio, recognize)

    assert {i.channel for i in items} == {"ch_0"}
    assert len([i for i in items if not i.is_punctuation]) >= 5


def test_channel_limits():
    def never(audio: np.ndarray) -> list[Item]:
        raise AssertionError("nothing is recognised for a refused request")

    with pytest.raises(ValidationError, match=f"at most {MAX_CHANNELS}"):
        transcribe_channels(np.zeros((MAX_CHANNELS + 1, 1600), np.float32), never)
    with pytest.raises(ValidationError, match="channels, samples"):
        transcribe_channels(np.zeros(1600, np.float32), never)


def test_window_offset(leaky, visit):
    """Inside a file's later window, item times are file times; the rules still line up."""
    from medscribe.engine import recognition

    model = recognition.load_model()
    clip = leaky[:, : int(visit.turns[3].end * 16000) + 4000]

    def at(offset: float):
        return lambda audio: recognition.recognize(audio, model=model, offset=offset)

    first = transcribe_channels(clip, at(0.0))
    later = transcribe_channels(clip, at(600.0), offset=600.0)

    assert [(i.content, i.channel) for i in later] == [(i.content, i.channel) for i in first]
    assert all(
        abs(b.start - a.start - 600.0) < 0.01 for a, b in zip(first, later, strict=True) if a.start
    )
