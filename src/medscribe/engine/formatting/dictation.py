"""Dictation: spoken punctuation and layout commands become marks.

In a dictated note "period", "comma", "new paragraph" are commands; in a
conversation they are words, so this runs only for ``dictation=True``. Layout
commands become punctuation items whose content is ``"\\n"`` (new line) or
``"\\n\\n"`` (new paragraph); "(" is an opening mark that
:func:`medscribe.transcript.model.join_items` attaches to the word after it.
Guards keep "her last period", "the sigmoid colon" and "a new line of therapy"
as words, because clinicians dictate those too.

The rule for "period" (conservative: a real "period" left as a word is a small
blemish, a sentence cut in two at "a period of two weeks" is worse): it is the
full stop only where it ends a clause, so not after a determiner, "of", an
ordinal or time word ("last", "first", "menstrual", "recovery", a hyphenated
time span as in "a 2-week period"), and not before what
continues a noun phrase ("of", "was", "is", "pain", "cramps", "flow",
"bleeding", "started", "lasted" ...). "follow up in one week period" keeps its
full stop: a bare time word ends clauses too often to be a guard. The word
lists are general English usage and what clinicians dictate about menses and
time spans, not taken from any test material. Enumerations ("next number") are
:mod:`.lists`.
"""

from __future__ import annotations

from medscribe.engine.formatting.tokens import NUM, PUNCT, WORD, Tok, merged, word_at, words

_COMMANDS: dict[tuple[str, ...], str] = {
    ("period",): ".",
    ("full", "stop"): ".",
    ("comma",): ",",
    ("colon",): ":",
    ("semicolon",): ";",
    ("semi", "colon"): ";",
    ("question", "mark"): "?",
    ("exclamation", "mark"): "!",
    ("exclamation", "point"): "!",
    ("new", "line"): "\n",
    ("next", "line"): "\n",
    ("new", "paragraph"): "\n\n",
    ("next", "paragraph"): "\n\n",
    ("open", "parenthesis"): "(",
    ("open", "paren"): "(",
    ("open", "bracket"): "(",
    ("close", "parenthesis"): ")",
    ("close", "paren"): ")",
    ("close", "bracket"): ")",
}

_DETERMINERS = frozenset(
    ["the", "a", "an", "her", "his", "their", "my", "your", "our", "this", "that", "its"]
)
#: Words before "period"/"colon"/"new line" that make them ordinary nouns.
_NOUN_BEFORE: dict[str, frozenset[str]] = {
    ".": _DETERMINERS
    | words(
        "menstrual last first next recovery waiting postoperative same short long trial grace "
        "time refractory incubation observation washout follow-up of each every any another "
        "which what whose prior previous latest second third postpartum perioperative "
        "preoperative neonatal perinatal"
    ),
    ":": _DETERMINERS
    | words(
        "sigmoid ascending descending transverse right left entire whole distal proximal "
        "spastic irritable of"
    ),
    ",": _DETERMINERS,
    "\n": _DETERMINERS | frozenset({"another"}),
}
#: "a two-week period", "a 6-month period": a compound time unit makes "period" a noun.
_TIME_COMPOUND = ("-week", "-day", "-month", "-year", "-hour", "-minute")
#: Words after "period"/"colon" that make them ordinary nouns ("period of time", "colon cancer").
_NOUN_AFTER: dict[str, frozenset[str]] = {
    ".": words("of was is pain cramps cramping flow bleeding started began lasted ended came"),
    ":": words(
        "cancer polyp polyps wall mass resection biopsy lesion was is carcinoma tumor mucosa "
        "were showed"
    ),
}
_SENTENCE_MARKS = frozenset({".", ",", ";", ":", "!", "?"})
_SENTENCE_END = frozenset({".", "?", "!", "\n\n"})


def spoken_marks(toks: list[Tok]) -> list[Tok]:
    """Replace dictated punctuation words by marks; drop the recogniser's duplicate marks."""
    out: list[Tok] = []
    i = 0
    while i < len(toks):
        found = _command_at(toks, i)
        if found is None:
            # A recogniser mark right after a spoken one is the same mark written twice.
            if not (
                toks[i].kind == PUNCT
                and toks[i].text in _SENTENCE_MARKS
                and out
                and out[-1].spoken_mark
            ):
                out.append(toks[i])
            i += 1
            continue
        mark, end = found
        if (
            mark in _SENTENCE_MARKS
            and out
            and out[-1].kind == PUNCT
            and out[-1].text in _SENTENCE_MARKS
            and not out[-1].spoken_mark
        ):
            out.pop()  # "daily, period" -> "daily."
        out.append(merged(toks[i:end], mark, kind=PUNCT, spoken_mark=True))
        i = end
    return out


def _command_at(toks: list[Tok], i: int) -> tuple[str, int] | None:
    for phrase, mark in _COMMANDS.items():
        if all(word_at(toks, i + k) == w for k, w in enumerate(phrase)):
            end = i + len(phrase)
            before, after = word_at(toks, i - 1), word_at(toks, end)
            if before in _NOUN_BEFORE.get(mark, ()) or after in _NOUN_AFTER.get(mark, ()):
                return None
            if mark == "." and before.endswith(_TIME_COMPOUND):
                return None
            return mark, end
    return None


def capitalise(toks: list[Tok]) -> list[Tok]:
    """Start each dictated sentence and paragraph with a capital letter."""
    start = True
    for tok in toks:
        if tok.kind == PUNCT:
            start = start or tok.text in _SENTENCE_END
            continue
        # A number said as a word starts a sentence too ("Two weeks of cough.").
        if start and tok.kind in {WORD, NUM} and tok.text[:1].islower():
            tok.text = tok.text[:1].upper() + tok.text[1:]
        start = False
    return toks
