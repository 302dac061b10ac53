"""The specialty stage: the specialty's lexicon and the custom vocabulary applied to the words.

This package owns everything the specialty pass does after recognition, one
module per job:

* :mod:`.lexicon`: the terms and their phonetic keys (the committed lexicon of
  each specialty, the terms of a custom vocabulary);
* :mod:`.second_look`: the prompted second decode of the stretches that sound
  like terms, merged into the first reading (batch only);
* :mod:`.correction`: the phonetic correction pass (misheard runs -> terms);
* :mod:`.protected`: numbers, doses, units and negations that no rewrite may touch.

:class:`SpecialtyStage` is the stage object the engine builds once per request:
a batch window goes through :meth:`SpecialtyStage.apply` (second look, then
correction); a stream's finals go through :meth:`SpecialtyStage.correct` only,
because the second look would double the model time of a final and a stream
must keep up; a stream's decoder is biased with :attr:`SpecialtyStage.hotwords`
(the custom vocabulary's phrases) instead.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

import numpy as np

from medscribe.engine.specialty.correction import correct_items
from medscribe.engine.specialty.lexicon import Lexicon, from_vocabulary, load_lexicon
from medscribe.engine.specialty.second_look import look_again
from medscribe.request import Specialty
from medscribe.transcript import Item

if TYPE_CHECKING:
    from faster_whisper import WhisperModel

    from medscribe.engine.lock import FairLock
    from medscribe.engine.progress import Watch
    from medscribe.vocabulary import VocabularyEntry

__all__ = ["SpecialtyStage", "lexicon_for", "vocabulary_hotwords"]


class SpecialtyStage:
    """Stage 3 of the engine: a lexicon's terms brought to recognised items (module docstring)."""

    def __init__(self, lexicon: Lexicon, *, hotwords: str | None = None) -> None:
        self.lexicon = lexicon
        #: The custom vocabulary's phrases, for a stream's decoder prompt (None: none).
        self.hotwords = hotwords

    @classmethod
    def for_request(
        cls, specialty: Specialty | str, vocabulary: Sequence[VocabularyEntry] | None = None
    ) -> SpecialtyStage:
        """The stage of one request: the specialty's lexicon plus the vocabulary's terms."""
        return cls(lexicon_for(specialty, vocabulary), hotwords=vocabulary_hotwords(vocabulary))

    def apply(
        self,
        audio: np.ndarray,
        items: list[Item],
        *,
        model: WhisperModel,
        offset: float = 0.0,
        lock: FairLock | None = None,
        watch: Watch | None = None,
        workers: int = 1,
    ) -> list[Item]:
        """The first pass ``items`` of ``audio`` after the second look and the correction pass.

        ``workers``: how many of the second look's clips may be decoded at once.
        """
        looked = look_again(
            audio,
            items,
            self.lexicon,
            model=model,
            offset=offset,
            lock=lock,
            watch=watch,
            workers=workers,
        )
        return self.correct(looked)

    def correct(self, items: list[Item]) -> list[Item]:
        """The correction pass alone (a stream's finals)."""
        return correct_items(items, self.lexicon)


def lexicon_for(
    specialty: Specialty | str, vocabulary: Sequence[VocabularyEntry] | None = None
) -> Lexicon:
    """The specialty's lexicon plus the custom vocabulary's terms."""
    lexicon = load_lexicon(specialty)
    if vocabulary:
        lexicon = lexicon + from_vocabulary(vocabulary)
    return lexicon


def vocabulary_hotwords(vocabulary: Sequence[VocabularyEntry] | None) -> str | None:
    """The vocabulary's phrases as one decoder prompt (DisplayAs, else the spoken phrase)."""
    if not vocabulary:
        return None
    phrases = [(e.display_as or e.phrase.replace("-", " ")).strip() for e in vocabulary]
    return " ".join(p for p in phrases if p) or None
