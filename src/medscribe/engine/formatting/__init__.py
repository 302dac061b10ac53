"""The formatting stage of the engine: numbers and measurements in clinical written form.

Owns the rewrite of recognised words into the written form Amazon Transcribe
Medical uses (how-numbers-med.md, how-measurements-med.md; the vectors of
shared/spec/medical-formatting.tsv are the specification): "forty milligrams"
-> "40 mg", "one twenty over eighty" -> "120/80", "blood pressure" -> "BP",
"L five" -> "L5", and, for dictation, spoken punctuation -> marks. It runs on
the internal transcript model after recognition; a merged item spans its first
word's start to its last word's end and has the lowest confidence of the words
it merged; speaker and channel are kept.

Library choice (weighed against the vectors and a one-hour transcript):

* **text2num** (``find_numbers``, Rust): finds cardinals, ordinals and "point"
  decimals in a *token* stream and reports which tokens each number covers, so
  timings stay exact. ~0.15 µs a number; with the rules below a one-hour
  transcript formats in well under a second. Alone it passes few vectors: it
  leaves "one twenty over eighty" as 1 20, "nineteen ninety" as 19 90, digit
  runs apart, no fractions, "dot", units, times or the <= 10 policy; those are
  the medical layer here (:mod:`.numbers`, :mod:`.medical`).
* **nemo-text-processing** (WFST inverse normalisation): the most complete
  English ITN, but it needs pynini/OpenFst, builds its grammars for minutes on
  first use and works on strings (no token alignment, so no honest timings);
  the medical conventions would still be ours. Too heavy for a default
  dependency on two-core machines; not used.
* word2number / numerizer: pure Python, string in and number out for a whole
  phrase; no positions in running text. Not used.

Pipeline (each pass maps a list of :class:`.tokens.Tok` to a new one):
dictation marks -> medical terms -> numbers (text2num) -> decimals, large
numbers, times, years, colloquial hundreds, digit runs, fractions -> units,
percent, currency -> "X over Y" -> vitals and levels -> dates -> spans ->
render (<= 10 stays a word unless a unit, run, date... forces digits); then, for
dictation only: ranges ("30-35 mmHg", :mod:`.ranges`) -> numbered lists
(:mod:`.lists`) -> section headings (:mod:`.headings`) -> capitals at sentence
starts. Conversations keep the service's span rule ("20 to 30") and have no
lists or headings: there "number one" and "plan" are ordinary words.

Layout for renderers: "new line" / "new paragraph" become punctuation items
whose content is "\\n" / "\\n\\n"; "(" is an opening mark. A dictated list item
starts with a "\\n" item and a heading with a "\\n\\n" item (no times, no source
word); everything stays pronunciation or punctuation items.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from medscribe.engine.formatting import dictation as _dictation
from medscribe.engine.formatting import headings, lists, medical, numbers, ranges
from medscribe.engine.formatting.tokens import Tok, from_items, split_text, to_items
from medscribe.transcript.model import Item, join_items

__all__ = ["FormattingStage", "format_items", "format_text"]


@dataclass(frozen=True, slots=True)
class FormattingStage:
    """Stage 4 of the engine: written forms, for a batch transcript and a stream's finals alike.

    ``dictation`` adds the spoken punctuation and layout commands of dictation.
    """

    dictation: bool = False

    def apply(self, items: list[Item]) -> list[Item]:
        """The items in clinical written form (new items; the input is untouched)."""
        return format_items(items, dictation=self.dictation)


def format_items(items: list[Item], *, dictation: bool = False) -> list[Item]:
    """Rewrite recognised items into clinical written form; new items, inputs untouched."""
    if not items:
        return []
    toks = _format_tokens(from_items(items), items, dictation=dictation)
    return to_items(toks, items)


def format_text(text: str, *, dictation: bool = False) -> str:
    """Format plain text line by line (blank lines kept): the rules without timings."""
    return "\n".join(_format_line(line, dictation) for line in text.split("\n"))


def _format_line(line: str, dictation: bool) -> str:
    items = split_text(line)
    return join_items(format_items(items, dictation=dictation)) if items else ""


def _format_tokens(toks: list[Tok], items: Sequence[Item], *, dictation: bool) -> list[Tok]:
    if dictation:
        toks = _dictation.spoken_marks(toks)
    toks = medical.terms(toks)
    toks = numbers.find(toks, items)
    toks = numbers.decimals(toks)
    toks = numbers.large(toks)
    toks = numbers.times(toks)
    toks = numbers.years(toks)
    toks = numbers.colloquial(toks, medical.UNIT_FIRST_WORDS)
    toks = numbers.digit_runs(toks)
    toks = numbers.fractions(toks, medical.UNIT_FIRST_WORDS)
    for stage in medical.STAGES:
        toks = stage(toks)
    if dictation:
        toks = ranges.ranges(toks)
        toks = lists.lists(toks)
        toks = headings.headings(toks, items)
        toks = _dictation.capitalise(toks)
    return toks
