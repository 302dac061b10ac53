"""The specialty stage: the specialty's lexicon and the custom vocabulary applied to the words.

This package owns everything the specialty pass does after recognition, one
module per job:

* :mod:`.lexicon`: the terms and their phonetic keys (the committed lexicon of
  each specialty, the terms of a custom vocabulary);
* :mod:`.second_look`: the prompted second decode of the stretches that sound
  like terms, merged into the first reading (batch only; off by default, see below);
* :mod:`.correction`: the correction pass (misheard runs -> terms), and
  :mod:`.scoring`: its candidates scored against the audio by the model;
* :mod:`.protected`: numbers, doses, units and negations that no rewrite may touch.

:class:`SpecialtyStage` is the stage object the engine builds once per request:
a batch window goes through :meth:`SpecialtyStage.apply` (the audio-scored
correction, after the second look when :attr:`SpecialtyStage.second_look` is
on); a stream's finals go through :meth:`SpecialtyStage.correct` only (the
spelling-only pass: a stream's finals reach the stage without their audio); a
stream's decoder is biased with :attr:`SpecialtyStage.hotwords` (the custom
vocabulary's phrases) instead.

The second look is, by default, only for a custom vocabulary's terms
(:data:`SECOND_LOOK`). Measured on D's tune material (180 sentences of the tune
split, broad lexicon; figures in :mod:`.scoring`), the audio-scored correction
alone took WER 0.150 -> 0.119 with 44 rewrites right and 1 right word changed;
the second look over the whole lexicon before it (measured with the weights
just before the final ones) gave 0.128, 44 right but 12 right words broken, at
seven times the pass's CPU: it does not pay there. A custom
vocabulary's term is another matter: a word the model has never seen (the
brand "Voquezna" of "vonoprazan") is rarely heard near enough for the
lexicon's sound index, and the user has said it will be spoken; a prompted
decode with those few terms as hotwords brings it, at the cost of decoding
only the stretches that sound like them. (Not measured on tune: the tune
material has no custom vocabulary.)
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, Literal

import numpy as np

from medscribe.engine.specialty.correction import correct_by_audio, correct_items
from medscribe.engine.specialty.lexicon import Lexicon, from_vocabulary, load_lexicon
from medscribe.engine.specialty.scoring import AudioScorer
from medscribe.engine.specialty.second_look import look_again
from medscribe.request import Specialty
from medscribe.transcript import Item

if TYPE_CHECKING:
    from faster_whisper import WhisperModel

    from medscribe.engine.lock import FairLock
    from medscribe.engine.progress import Watch
    from medscribe.vocabulary import VocabularyEntry

__all__ = [
    "SECOND_LOOK",
    "SecondLook",
    "SpecialtyStage",
    "lexicon_for",
    "vocabulary_hotwords",
]

#: Which terms a batch window's prompted second look is for: ``"custom"`` (a custom
#: vocabulary's only, the default), ``"all"`` (the whole lexicon) or ``"off"``.
SecondLook = Literal["off", "custom", "all"]
SECOND_LOOK: SecondLook = "custom"


class SpecialtyStage:
    """Stage 3 of the engine: a lexicon's terms brought to recognised items (module docstring)."""

    def __init__(
        self,
        lexicon: Lexicon,
        *,
        hotwords: str | None = None,
        second_look: SecondLook = SECOND_LOOK,
    ) -> None:
        self.lexicon = lexicon
        #: Which terms :meth:`apply` decodes doubtful stretches again for (module docstring).
        self.second_look: SecondLook = second_look
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
        """The first pass ``items`` of ``audio`` after the (optional) second look and the
        audio-scored correction pass.

        ``workers``: how many of the second look's clips may be decoded at once.
        """
        looked_for = self._second_look_terms()
        if looked_for is not None:
            items = look_again(
                audio,
                items,
                looked_for,
                model=model,
                offset=offset,
                lock=lock,
                watch=watch,
                workers=workers,
            )
        scorer = AudioScorer(model, lock=lock, watch=watch)
        return correct_by_audio(items, self.lexicon, audio, scorer, offset=offset)

    def _second_look_terms(self) -> Lexicon | None:
        """The terms of the second look: all, the custom vocabulary's, or none."""
        if self.second_look == "all":
            return self.lexicon
        if self.second_look == "custom" and self.lexicon.custom_terms:
            return Lexicon.of(self.lexicon.custom_terms)
        return None

    def correct(
        self,
        items: list[Item],
        *,
        audio: np.ndarray | None = None,
        scorer: AudioScorer | None = None,
        offset: float = 0.0,
    ) -> list[Item]:
        """A stream final's correction: scored by its ``audio`` (from ``offset`` s) when a
        ``scorer`` is given, as :meth:`apply` does without the second look; else the
        spelling-only pass.
        """
        if audio is not None and scorer is not None:
            return correct_by_audio(items, self.lexicon, audio, scorer, offset=offset)
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
