"""What each speaker's words say about their role: the features of the role model.

One definition serves the run time (:mod:`medscribe.roles.model`) and the builder
(``scripts/build_roles.py``), so the committed weights always match what is
computed here. A change to a feature is a change to :data:`FEATURE_NAMES` and
needs a rebuild (the model file records the names it was fit with, and a mismatch
is refused at load).

Every feature is read from the words alone: lower case, punctuation stripped,
so a transcript with or without question marks (the service and Whisper write
them; a corpus written in lower case does not) gives the same numbers. Each is a
rate per word of that speaker (or per turn, or a share of the two speakers'
words), never a raw count, so a long visit and a two-minute excerpt are alike.

The phrase lists are written from general knowledge of how clinical interviews
go (history taking by closed and open questions, instructions and plans, the
patient's first-person account of symptoms); none was picked by reading a corpus
visit, and which of them matter, and how much, is the weight the builder fits on
*tune* visits only.
"""

from __future__ import annotations

import itertools
import math
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

__all__ = ["FEATURE_NAMES", "SpeakerText", "features", "pair_features", "tokens"]

_TOKEN = re.compile(r"[a-z0-9]+(?:'[a-z]+)?")

#: Openings of questions a clinician asks in a history ("do you ...", "how long ...").
QUESTION_BIGRAMS = frozenset(
    {
        ("do", "you"),
        ("did", "you"),
        ("have", "you"),
        ("are", "you"),
        ("were", "you"),
        ("can", "you"),
        ("could", "you"),
        ("would", "you"),
        ("will", "you"),
        ("does", "it"),
        ("did", "it"),
        ("is", "it"),
        ("is", "there"),
        ("are", "there"),
        ("has", "it"),
        ("how", "long"),
        ("how", "often"),
        ("how", "much"),
        ("how", "many"),
        ("how", "are"),
        ("how", "is"),
        ("how", "was"),
        ("how's", "the"),
        ("how's", "your"),
        ("what", "brings"),
        ("what", "kind"),
        ("what", "about"),
        ("what", "happened"),
        ("when", "did"),
        ("when", "was"),
        ("where", "is"),
        ("where", "does"),
        ("any", "other"),
        ("any", "history"),
        ("any", "problems"),
        ("any", "fever"),
        ("any", "pain"),
        ("tell", "me"),
    }
)
#: The listener addressed.
SECOND_PERSON = frozenset({"you", "your", "you're", "you've", "you'll", "you'd", "yourself"})
#: The speaker's own person.
FIRST_PERSON = frozenset({"i", "i'm", "i've", "i'd", "i'll", "me", "my", "myself", "mine"})
#: Plans and instructions: what the speaker will do, or wants the listener to do.
INSTRUCTION_PHRASES: tuple[tuple[str, ...], ...] = (
    ("i", "want", "you"),
    ("i'd", "like", "you"),
    ("i", "would", "like", "you"),
    ("i'm", "going", "to"),
    ("i'm", "gonna"),
    ("we're", "going", "to"),
    ("we're", "gonna"),
    ("we", "will"),
    ("we'll",),
    ("let's",),
    ("let", "me"),
    ("we", "can"),
    ("we", "should"),
    ("make", "sure"),
    ("go", "ahead"),
    ("recommend",),
    ("prescribe",),
    ("refer",),
    ("order",),
    ("follow", "up"),
    ("take", "a", "deep"),
    ("i'll", "see"),
    ("i'll", "send"),
    ("i'll", "give"),
    ("you", "should"),
    ("you", "need", "to"),
    ("try", "to"),
)
#: The speaker's own account of how they feel ("i've been having", "it hurts").
SYMPTOM_PHRASES: tuple[tuple[str, ...], ...] = (
    ("i", "have"),
    ("i've", "been"),
    ("i've", "had"),
    ("i", "had"),
    ("i", "was"),
    ("i", "feel"),
    ("i", "felt"),
    ("i", "get"),
    ("i", "got"),
    ("i", "can't"),
    ("i", "don't"),
    ("it", "hurts"),
    ("it's", "been"),
    ("my", "back"),
    ("my", "chest"),
    ("my", "head"),
    ("my", "stomach"),
    ("my", "knee"),
    ("my", "leg"),
    ("my", "arm"),
    ("my", "throat"),
)
#: Short answers and assent: what an interviewee says back.
ANSWER_WORDS = frozenset({"yes", "yeah", "yep", "no", "nope", "nah", "mhm", "uh-huh", "sure"})
#: Acknowledgements an interviewer opens the next question with.
ACKNOWLEDGE_WORDS = frozenset({"okay", "ok", "alright", "right", "great", "good", "perfect"})

FEATURE_NAMES: tuple[str, ...] = (
    "question_rate",
    "second_person_rate",
    "first_person_rate",
    "instruction_rate",
    "symptom_rate",
    "answer_rate",
    "acknowledge_rate",
    "medical_rate",
    "word_share",
    "log_words_per_turn",
)


@dataclass(frozen=True, slots=True)
class SpeakerText:
    """One speaker's words in time order and the number of turns they took."""

    words: tuple[str, ...]
    turns: int


def tokens(text: str) -> list[str]:
    """Lower-case words of ``text`` without punctuation ("I'm" -> "i'm"; "B12?" -> "b12")."""
    return _TOKEN.findall(text.lower().replace("\u2019", "'"))


def _phrase_count(words: Sequence[str], phrases: Iterable[tuple[str, ...]]) -> int:
    by_first: dict[str, list[tuple[str, ...]]] = {}
    for phrase in phrases:
        by_first.setdefault(phrase[0], []).append(phrase)
    count = 0
    for i, word in enumerate(words):
        for phrase in by_first.get(word, ()):
            if tuple(words[i : i + len(phrase)]) == phrase:
                count += 1
    return count


def features(speaker: SpeakerText, other_words: int, medical: frozenset[str]) -> list[float]:
    """The values of :data:`FEATURE_NAMES` for one speaker (``other_words``: the other's count).

    Rates are per word (the question rate per word too: a turn split by the
    recogniser or the partitioning must not change it); ``medical`` is the set of
    medical words the medical rate counts.
    """
    words = speaker.words
    n = max(len(words), 1)
    bigrams = sum(1 for pair in itertools.pairwise(words) if pair in QUESTION_BIGRAMS)
    total = len(words) + other_words
    return [
        bigrams / n,
        sum(w in SECOND_PERSON for w in words) / n,
        sum(w in FIRST_PERSON for w in words) / n,
        _phrase_count(words, INSTRUCTION_PHRASES) / n,
        _phrase_count(words, SYMPTOM_PHRASES) / n,
        sum(w in ANSWER_WORDS for w in words) / n,
        sum(w in ACKNOWLEDGE_WORDS for w in words) / n,
        sum(w in medical for w in words) / n,
        len(words) / total if total else 0.5,
        math.log(n / max(speaker.turns, 1)),
    ]


def pair_features(first: SpeakerText, second: SpeakerText, medical: frozenset[str]) -> list[float]:
    """``features(first) - features(second)``: the model's input for "is ``first`` the clinician".

    The difference is antisymmetric (swapping the speakers negates it), so a model
    without an intercept gives the two speakers complementary probabilities.
    """
    a = features(first, len(second.words), medical)
    b = features(second, len(first.words), medical)
    return [x - y for x, y in zip(a, b, strict=True)]
