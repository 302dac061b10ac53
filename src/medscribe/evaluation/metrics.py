"""Scores of one hypothesis against one reference: WER and DER, summable over cases.

* WER: word error rate of the normalised texts
  (:mod:`medscribe.evaluation.normalize`), computed by ``jiwer`` (the standard
  Levenshtein alignment; we do not re-implement it). :class:`WordErrors` keeps the
  counts so that several cases sum to a corpus-level WER (total errors / total
  reference words), which is what "overall" and "per specialty" mean here.
* DER: diarization error rate by ``pyannote.metrics`` with a 0.25 s collar around
  each reference boundary and overlapping speech scored. :class:`DerCounts` keeps
  the components (missed, false alarm, confusion, total) so cases sum too. A UEM
  (the scored regions of a recording, as the AMI excerpts come with) limits the
  scoring to those regions.
  Hypothesis turns come from the transcript's speaker (or channel) labels:
  consecutive words of one label form a turn, split at pauses longer than
  :data:`TURN_GAP` seconds so that silences are not counted as speech.
* Correction precision (:class:`CorrectionCounts`): what the specialty pass changed,
  from the hypotheses of the same case with the pass off and on, both aligned to the
  reference; measured from outside the engine, so it needs no help from it.
* Medical-term recall lives in :mod:`medscribe.evaluation.terms`.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from medscribe.evaluation.dataset import SpeakerTurn
from medscribe.transcript.model import Transcript

if TYPE_CHECKING:  # imported at run time where used: the DER alone needs pyannote
    from pyannote.core import Annotation

DER_COLLAR = 0.25
TURN_GAP = 1.0


@dataclass(frozen=True, slots=True)
class WordErrors:
    """Alignment counts of one or more cases."""

    hits: int = 0
    substitutions: int = 0
    deletions: int = 0
    insertions: int = 0

    @property
    def reference_words(self) -> int:
        return self.hits + self.substitutions + self.deletions

    @property
    def wer(self) -> float | None:
        errors = self.substitutions + self.deletions + self.insertions
        return errors / self.reference_words if self.reference_words else None

    def __add__(self, other: WordErrors) -> WordErrors:
        return WordErrors(
            self.hits + other.hits,
            self.substitutions + other.substitutions,
            self.deletions + other.deletions,
            self.insertions + other.insertions,
        )


def word_errors(ref_words: list[str], hyp_words: list[str]) -> WordErrors:
    """Align two normalised word lists with jiwer."""
    import jiwer  # the eval extra; imported here so the CLI starts fast

    if not ref_words:
        return WordErrors(insertions=len(hyp_words))
    if not hyp_words:
        return WordErrors(deletions=len(ref_words))
    out = jiwer.process_words(" ".join(ref_words), " ".join(hyp_words))
    return WordErrors(out.hits, out.substitutions, out.deletions, out.insertions)


@dataclass(frozen=True, slots=True)
class DerCounts:
    """DER components in seconds, summable over cases."""

    total: float = 0.0
    missed: float = 0.0
    false_alarm: float = 0.0
    confusion: float = 0.0

    @property
    def der(self) -> float | None:
        if self.total <= 0:
            return None
        return (self.missed + self.false_alarm + self.confusion) / self.total

    def __add__(self, other: DerCounts) -> DerCounts:
        return DerCounts(
            self.total + other.total,
            self.missed + other.missed,
            self.false_alarm + other.false_alarm,
            self.confusion + other.confusion,
        )


def to_annotation(turns: list[SpeakerTurn], uri: str = "case") -> Annotation:
    """Speaker turns as a pyannote Annotation (the structure its metrics read)."""
    from pyannote.core import Annotation, Segment

    annotation = Annotation(uri=uri)
    for index, turn in enumerate(turns):
        if turn.end > turn.start:
            annotation[Segment(turn.start, turn.end), index] = turn.speaker
    return annotation


def diarization_counts(
    reference: list[SpeakerTurn],
    hypothesis: list[SpeakerTurn],
    *,
    collar: float = DER_COLLAR,
    uem: list[tuple[float, float]] | None = None,
) -> DerCounts:
    """DER components of one case by pyannote.metrics.

    ``uem`` (start, end) regions, when given, are the only time scored (an RTTM's
    companion UEM file: the annotated part of a recording); both sides are cropped
    to it by pyannote.
    """
    from pyannote.core import Segment, Timeline
    from pyannote.metrics.diarization import DiarizationErrorRate

    ref, hyp = to_annotation(reference), to_annotation(hypothesis)
    if uem is not None:
        scored = Timeline([Segment(a, b) for a, b in uem if b > a])
    else:
        # The scored region is the extent of both, as pyannote approximates it without a
        # UEM; passing it explicitly keeps the result the same and the log free of its
        # warning.
        scored = Timeline([ref.get_timeline().union(hyp.get_timeline()).extent()])
    metric = DiarizationErrorRate(collar=collar, skip_overlap=False)
    parts = metric(ref, hyp, uem=scored, detailed=True)
    return DerCounts(
        total=float(parts["total"]),
        missed=float(parts["missed detection"]),
        false_alarm=float(parts["false alarm"]),
        confusion=float(parts["confusion"]),
    )


def hypothesis_turns(transcript: Transcript, *, max_gap: float = TURN_GAP) -> list[SpeakerTurn]:
    """Labelled turns of a transcript (speaker labels, else channel labels); [] if none."""
    if not (transcript.has_speakers or transcript.has_channels):
        return []
    turns = []
    for turn in transcript.turns(max_gap=max_gap):
        if turn.label is not None and turn.end > turn.start:
            turns.append(SpeakerTurn(turn.label, turn.start, turn.end))
    return turns


# --------------------------------------------------------------------------- correction precision


@dataclass(frozen=True, slots=True)
class CorrectionCounts:
    """What a correction pass changed, judged against the reference (summable over cases).

    Both hypotheses (pass off, pass on) are aligned to the reference word by word
    (jiwer's alignment of the normalised texts). For each reference word whose aligned
    hypothesis word differs between the two runs: ``made_right`` (wrong off, right on),
    ``broke`` (right off, wrong on), ``other`` (wrong in both, differently). Inserted
    words belong to no reference word: ``inserted`` counts the insertions the pass added
    (on minus off, when positive), ``removed`` those it took away. Every change the pass
    made is one of ``made_right``, ``broke``, ``other`` or ``inserted``:
    ``precision = made_right / changed``.
    """

    made_right: int = 0
    broke: int = 0
    other: int = 0
    inserted: int = 0
    removed: int = 0

    @property
    def changed(self) -> int:
        return self.made_right + self.broke + self.other + self.inserted

    @property
    def precision(self) -> float | None:
        return self.made_right / self.changed if self.changed else None

    def __add__(self, other: CorrectionCounts) -> CorrectionCounts:
        return CorrectionCounts(
            self.made_right + other.made_right,
            self.broke + other.broke,
            self.other + other.other,
            self.inserted + other.inserted,
            self.removed + other.removed,
        )


def aligned_words(ref_words: list[str], hyp_words: list[str]) -> tuple[list[str | None], int]:
    """For each reference word, the hypothesis word aligned to it (None: deleted); insertions."""
    import jiwer

    if not ref_words:
        return [], len(hyp_words)
    if not hyp_words:
        return [None] * len(ref_words), 0
    out = jiwer.process_words(" ".join(ref_words), " ".join(hyp_words))
    aligned: list[str | None] = [None] * len(ref_words)
    inserted = 0
    for chunk in out.alignments[0]:
        if chunk.type == "insert":
            inserted += chunk.hyp_end_idx - chunk.hyp_start_idx
            continue
        if chunk.type == "delete":
            continue
        for offset in range(chunk.ref_end_idx - chunk.ref_start_idx):
            aligned[chunk.ref_start_idx + offset] = hyp_words[chunk.hyp_start_idx + offset]
    return aligned, inserted


def correction_counts(
    ref_words: list[str], off_words: list[str], on_words: list[str]
) -> CorrectionCounts:
    """What the pass changed between ``off_words`` and ``on_words`` (see CorrectionCounts)."""
    off, off_inserted = aligned_words(ref_words, off_words)
    on, on_inserted = aligned_words(ref_words, on_words)
    made_right = broke = other = 0
    for ref, before, after in zip(ref_words, off, on, strict=True):
        if before == after:
            continue
        if after == ref:
            made_right += 1
        elif before == ref:
            broke += 1
        else:
            other += 1
    return CorrectionCounts(
        made_right,
        broke,
        other,
        inserted=max(on_inserted - off_inserted, 0),
        removed=max(off_inserted - on_inserted, 0),
    )
