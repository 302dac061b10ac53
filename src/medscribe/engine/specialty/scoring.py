"""Candidate rewrites scored against the audio by the recognition model itself.

This module owns the *audio* half of the batch correction pass
(:func:`medscribe.engine.specialty.correction.correct_by_audio`: the correction
module proposes, this module decides):

1. Proposals (:class:`Proposal`, made by :func:`correction.propose`): each doubtful
   run of one to four words gets its :data:`PER_RUN` best lexicon terms by sound
   and spelling (the lexicon's Metaphone index, :data:`PROPOSE_SOUND`,
   :data:`PROPOSE_SCORE`, ranked with a little of the prior, :data:`RANK_PRIOR`).
   Sound and spelling only *propose*; they no longer decide.
2. Standing (:func:`standing`): what a proposal has before the audio is heard:
   ``UNKNOWN_BONUS`` when the heard run holds a word of no dictionary (a
   non-word such as "liposite" is itself evidence of a mishearing),
   ``PRIOR_WEIGHT * (term.log_prior - heard_prior)`` (the prior ratio: the
   term's tune-split prior and specialty weight, :attr:`Term.log_prior`, against
   the heard words' tune-split prior, :func:`lexicon.heard_prior`, floored at
   ``UNSEEN_PRIOR``: "numbness" heard is not "numbers"), ``LIKENESS_WEIGHT *
   (likeness - 1)`` (a term far in sound and spelling from what was heard needs
   more from the audio) and ``- ORDINARY_PENALTY`` for a term of ordinary English
   words (the first pass's decoder writes those readily; one it passed over was
   seldom said). A proposal that could not win even if the audio favoured it by
   :data:`MAX_GAIN` is not scored at all (:func:`worth_hearing`).
3. Snippets (:func:`snippets`): the words around each proposal
   (:data:`CONTEXT_WORDS` each side, never across a sentence end) and their audio
   (:data:`PAD_S` around); overlapping snippets are joined (up to :data:`SNIPPET_S`).
4. Gain (:func:`score_snippet`): the encoder runs once per snippet on the
   snippet's own frames (plus :data:`TAIL_S` of silence, not padded to 30 s: a
   tenth of the cost, the same decisions on tune), and the decoder is forced
   through the snippet's text as heard and through each variant with one
   proposal substituted, all variants in one batched call
   (``ctranslate2.models.Whisper.align``, whose ``text_token_probs`` are the
   per-token probabilities of a given text: the call faster-whisper makes for
   word timestamps). A variant's gain is the sum of its token log-probabilities
   minus that of the heard text: like is compared with like (same audio, same
   context, only the span differs).
5. Decision (:func:`decide`): ``gain + standing`` must reach :data:`MARGIN`; of
   overlapping winners the best is written.

Features are made as faster-whisper makes them (its ``FeatureExtractor``; the
features, not the audio, padded with zeros); ``model.model`` is the CTranslate2
Whisper, ``model.hf_tokenizer`` wrapped as faster-whisper's ``Tokenizer``. Each
snippet's encode and align hold the engine's fair lock once; ``watch`` is
checked before each snippet.

Numbers, doses, units and negations are never touched: a proposal whose run
holds one, or whose term brings one, is not made (:mod:`.protected`), whatever
the audio says.

Where the values come from (TUNE split only; no test text was read). Material:
180 sentences of the ``tune`` ids of ``src/medscribe/data/devset/split.json``
(126 ACI-Bench note sentences, 40 ACI-Bench doctor turns holding a medical
word, 14 PriMock57 doctor turns), read by Piper's ``joe`` voice, first pass of
the embedded tiny.en, the broad lexicon (PRIMARYCARE weights). Every proposal
(8 per run) was scored once; the weights were chosen by a grid over
``PER_RUN``, ``RANK_PRIOR``, ``UNKNOWN_BONUS``, ``PRIOR_WEIGHT``,
``LIKENESS_WEIGHT``, ``ORDINARY_PENALTY`` and ``MARGIN``, maximising
``fixed - 2 * broken - 0.5 * wrong-to-wrong`` and checked with the priors
recomputed as if the sentence's own visit were left out (the priors count the
tune texts, so they favour the material's own terms). Among the settings within
a point of the best, the one kept also reads our own sentences of
``tests/vocab`` right ("metapral all" -> "metoprolol", not the brand
"Metaprel"). Two tune cases of the devset (``var/devset``, tune split) then
showed a common word taking a heard real word's place ("numbness" ->
"numbers") and a possessive lost ("McMurray's"): the prior became the ratio
above (re-chosen on the same grid: bonus 3, weight 1.5, likeness 20, ordinary
6; better on the 180 sentences too) and a term plus "s" counts as the term.
:data:`PER_RUN` 2 and :data:`MAX_GAIN` 6 left every decision on tune as it was
(largest gain seen: +9.9 nats; 99 % of gains below -1). :data:`CONTEXT_WORDS` 2
rather than 3: a third less of the pass's CPU, and no worse on tune. End to end
over the 180 sentences: WER 0.150 (bare) -> 0.119; of 51 rewrites 44 made the
words right, 1 changed a right word ("radicularopathy", as the note spells
it), 6 turned a wrong word into another wrong one.
"""

from __future__ import annotations

import contextlib
import functools
from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np

from medscribe.engine.recognition import SAMPLE_RATE
from medscribe.transcript import Item

if TYPE_CHECKING:
    from faster_whisper import WhisperModel
    from faster_whisper.tokenizer import Tokenizer

    from medscribe.engine.lock import FairLock
    from medscribe.engine.progress import Watch
    from medscribe.engine.specialty.lexicon import Term

from medscribe.engine.specialty.lexicon import UNSEEN_PRIOR

__all__ = [
    "AudioScorer",
    "Proposal",
    "Snippet",
    "Verdict",
    "decide",
    "score_snippet",
    "snippets",
    "standing",
    "worth_hearing",
]

#: Terms proposed per doubtful run (the best by sound and spelling).
PER_RUN = 2
#: Sound neighbours of a run looked at (the lexicon's index) before ranking.
POOL = 30
#: Weight of the term's log prior in the ranking of proposals (sound and spelling first).
RANK_PRIOR = 0.02
#: Sound similarity a term needs to be proposed (looser than the old spelling-only pass).
PROPOSE_SOUND = 0.6
#: Combined sound+spelling score a term needs to be proposed.
PROPOSE_SCORE = 0.6
#: A candidate is written when its score (gain + bonuses, nats) reaches this.
MARGIN = 0.0
#: The most the audio is assumed to favour a candidate over the heard text (nats): a
#: proposal that could not win even so is not scored (saves the decoder's time).
MAX_GAIN = 6.0
#: Credit (nats) for replacing a run that holds a word of no dictionary.
UNKNOWN_BONUS = 3.0
#: Weight of the prior ratio: the term's ``Term.log_prior`` less the heard words' prior.
PRIOR_WEIGHT = 1.5
#: Debit (nats) for a term of ordinary English words only: the first pass's decoder
#: writes those readily, so one it passed over was seldom said.
ORDINARY_PENALTY = 6.0
#: Weight (nats) of the run's unlikeness to the term in sound and spelling.
LIKENESS_WEIGHT = 20.0
#: Words of context on each side of a proposal's run.
CONTEXT_WORDS = 2
#: Audio kept around a snippet (seconds).
PAD_S = 0.2
#: Overlapping snippets are joined up to this length (Whisper reads at most 30 s).
SNIPPET_S = 25.0
#: Encode the full 30 s Whisper window (True) or only the clip and :data:`TAIL_S` of silence.
FULL_WINDOW = False
#: Silence after a clip's features when the window is not filled (seconds).
TAIL_S = 1.0
#: Mel frames per second of Whisper's features.
_FRAMES_PER_S = 100
_SENTENCE_END = ".?!"


@dataclass(frozen=True, slots=True)
class Proposal:
    """Words ``start`` .. ``stop - 1`` of a word list might be ``term``."""

    start: int
    stop: int
    term: Term
    #: The heard run holds a word of no dictionary (see :data:`UNKNOWN_BONUS`).
    unknown: bool
    #: How alike the run and the term are in sound and spelling (0..1, :func:`correction.score`).
    likeness: float = 1.0
    #: The ln prior of the heard words (:func:`~medscribe.engine.specialty.lexicon.heard_prior`).
    heard_prior: float = UNSEEN_PRIOR


@dataclass(frozen=True, slots=True)
class Verdict:
    """A proposal and what the audio said of it."""

    proposal: Proposal
    #: Log-probability of the text with the term minus that of the text as heard (nats).
    gain: float

    @property
    def score(self) -> float:
        """The decision's score (nats): the audio's gain plus the proposal's standing."""
        return self.gain + standing(self.proposal)


def standing(proposal: Proposal) -> float:
    """What a proposal brings before the audio is heard (nats): prior, likeness, doubt."""
    # A custom vocabulary's term has the same credit: the user said it would be spoken.
    bonus = UNKNOWN_BONUS if proposal.unknown or proposal.term.custom else 0.0
    # The prior ratio: the term's log prior against that of the words it replaces.
    heard = max(proposal.heard_prior, UNSEEN_PRIOR)
    prior = PRIOR_WEIGHT * (proposal.term.log_prior - heard)
    likeness = LIKENESS_WEIGHT * (proposal.likeness - 1.0)
    ordinary = ORDINARY_PENALTY if proposal.term.ordinary else 0.0
    return bonus + prior + likeness - ordinary


def worth_hearing(proposal: Proposal) -> bool:
    """Whether the audio could make ``proposal`` win: its standing plus :data:`MAX_GAIN`."""
    return standing(proposal) + MAX_GAIN >= MARGIN


@dataclass(slots=True)
class Snippet:
    """Items ``first`` .. ``stop - 1`` (word and punctuation) around some proposals."""

    first: int
    stop: int
    start_s: float
    end_s: float
    proposals: list[Proposal]


def snippets(
    items: Sequence[Item], positions: Sequence[int], proposals: Sequence[Proposal]
) -> list[Snippet]:
    """The snippets of ``proposals`` (word indices; ``positions[k]``: item of word ``k``)."""
    out: list[Snippet] = []
    words = [items[k] for k in positions]
    for proposal in sorted(proposals, key=lambda p: (p.start, p.stop)):
        lo, hi = _context(items, positions, proposal.start, proposal.stop)
        first, last = positions[lo], positions[hi - 1]
        start_s = float(words[lo].start or 0.0)
        end_s = float(words[hi - 1].end or start_s)
        previous = out[-1] if out else None
        if (
            previous is not None
            and first <= previous.stop
            and end_s - previous.start_s <= SNIPPET_S
        ):
            previous.stop = max(previous.stop, _with_punctuation(items, last))
            previous.end_s = max(previous.end_s, end_s)
            previous.proposals.append(proposal)
        else:
            out.append(Snippet(first, _with_punctuation(items, last), start_s, end_s, [proposal]))
    return out


def _context(
    items: Sequence[Item], positions: Sequence[int], start: int, stop: int
) -> tuple[int, int]:
    """Word range around ``start .. stop``: context words, not across a sentence end."""
    lo = start
    while lo > 0 and start - lo < CONTEXT_WORDS and not _ends_sentence(items, positions[lo - 1]):
        lo -= 1
    hi = stop
    while (
        hi < len(positions)
        and hi - stop < CONTEXT_WORDS
        and not _ends_sentence(items, positions[hi - 1])
    ):
        hi += 1
    return lo, hi


def _ends_sentence(items: Sequence[Item], index: int) -> bool:
    following = items[index + 1] if index + 1 < len(items) else None
    return following is not None and following.is_punctuation and following.content in _SENTENCE_END


def _with_punctuation(items: Sequence[Item], last: int) -> int:
    stop = last + 1
    while stop < len(items) and items[stop].is_punctuation:
        stop += 1
    return stop


def render(items: Sequence[Item]) -> str:
    """Items as the decoder would write them: words spaced, punctuation attached."""
    text = ""
    for item in items:
        text += item.content if item.is_punctuation or not text else " " + item.content
    return text


class AudioScorer:
    """Log-probabilities of texts given audio, by the engine's model (module docstring)."""

    def __init__(
        self,
        model: WhisperModel,
        *,
        lock: FairLock | None = None,
        watch: Watch | None = None,
    ) -> None:
        self.model = model
        self.lock = lock
        self.watch = watch

    def log_probs(self, audio: np.ndarray, texts: Sequence[str]) -> list[float]:
        """Sum of token log-probabilities of each of ``texts`` as the reading of ``audio``.

        ``audio`` is mono 16 kHz, at most 30 s; the encoder runs once for all texts.
        """
        import ctranslate2

        if self.watch is not None:
            self.watch.check()
        if not texts:
            return []
        features, frames = self._features(audio)
        tokenizer = _tokenizer(self.model)
        tokens = [tokenizer.encode(" " + t.strip()) for t in texts]
        with self.lock or contextlib.nullcontext():
            encoded = self.model.model.encode(features, to_cpu=True)
            batch = np.repeat(np.asarray(encoded), len(tokens), axis=0)
            results = self.model.model.align(
                ctranslate2.StorageView.from_array(batch),
                tokenizer.sot_sequence,
                tokens,
                [frames] * len(tokens),
            )
        # A probability of 0 (float underflow) would be -inf; 1e-10 is far below any real one.
        return [float(np.log(np.maximum(r.text_token_probs, 1e-10)).sum()) for r in results]

    def _features(self, audio: np.ndarray) -> tuple[object, int]:
        import ctranslate2

        mel = self.model.feature_extractor(audio[: 30 * SAMPLE_RATE])
        frames = min(mel.shape[-1], 30 * _FRAMES_PER_S)
        # As faster-whisper's pad_or_trim: the features (not the audio) padded with zeros,
        # here only to the clip's length and a little silence (TAIL_S), not to 30 s.
        width = 30 * _FRAMES_PER_S if FULL_WINDOW else frames + int(TAIL_S * _FRAMES_PER_S)
        width = min(width + width % 2, 30 * _FRAMES_PER_S)  # the encoder halves the frames
        padded = np.zeros((mel.shape[0], width), dtype=np.float32)
        padded[:, :frames] = mel[:, :frames]
        return ctranslate2.StorageView.from_array(padded[None]), frames


@functools.cache
def _tokenizer(model: WhisperModel) -> Tokenizer:
    from faster_whisper.tokenizer import Tokenizer

    multilingual = bool(model.model.is_multilingual)
    return Tokenizer(
        model.hf_tokenizer,
        multilingual,
        task="transcribe",
        language="en" if multilingual else None,
    )


def snippet_audio(audio: np.ndarray, snippet: Snippet, offset: float = 0.0) -> np.ndarray:
    """The snippet's stretch of ``audio`` (which starts at ``offset`` s), :data:`PAD_S` around."""
    first = max(int((snippet.start_s - offset - PAD_S) * SAMPLE_RATE), 0)
    last = min(int((snippet.end_s - offset + PAD_S) * SAMPLE_RATE), audio.shape[0])
    return audio[first : max(last, first)]


def score_snippet(
    scorer: AudioScorer,
    audio: np.ndarray,
    items: Sequence[Item],
    positions: Sequence[int],
    snippet: Snippet,
    offset: float = 0.0,
) -> list[Verdict]:
    """Every proposal of one snippet with its gain over the snippet's text as heard."""
    texts = [render(items[snippet.first : snippet.stop])]
    texts += [render(substituted(items, positions, snippet, p)) for p in snippet.proposals]
    scores = scorer.log_probs(snippet_audio(audio, snippet, offset), texts)
    base = scores[0]
    return [Verdict(p, s - base) for p, s in zip(snippet.proposals, scores[1:], strict=True)]


def substituted(
    items: Sequence[Item], positions: Sequence[int], snippet: Snippet, proposal: Proposal
) -> list[Item]:
    """The snippet's items with the proposal's run replaced by its term (display form)."""
    first, last = positions[proposal.start], positions[proposal.stop - 1]
    term = Item(content=proposal.term.display, start=None, end=None)
    return [*items[snippet.first : first], term, *items[last + 1 : snippet.stop]]


def decide(found: Sequence[Verdict], margin: float | None = None) -> list[Verdict]:
    """The winning verdicts: score >= ``margin``, best first among overlapping runs."""
    need = MARGIN if margin is None else margin
    chosen: list[Verdict] = []
    taken: set[int] = set()
    for verdict in sorted(found, key=lambda v: -v.score):
        if verdict.score < need:
            break
        span = set(range(verdict.proposal.start, verdict.proposal.stop))
        if span & taken:
            continue
        chosen.append(verdict)
        taken |= span
    return sorted(chosen, key=lambda v: v.proposal.start)
