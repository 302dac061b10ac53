"""Dictation: spoken punctuation and layout commands become marks.

In a dictated note "period", "comma", "new paragraph" are commands; in a
conversation they are words, so this runs only for ``dictation=True``. Layout
commands become punctuation items whose content is ``"\\n"`` (new line) or
``"\\n\\n"`` (new paragraph); "(" is an opening mark that
:func:`medscribe.transcript.model.join_items` attaches to the word after it.
Guards keep "her last period", "the sigmoid colon" and "a new line of therapy"
as words, because clinicians dictate those too.
"""

from __future__ import annotations

from medscribe.engine.formatting.tokens import PUNCT, WORD, Tok, merged, word_at, words

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
        "time refractory incubation observation washout follow-up"
    ),
    ":": _DETERMINERS
    | words(
        "sigmoid ascending descending transverse right left entire whole distal proximal "
        "spastic irritable"
    ),
    "\n": _DETERMINERS | frozenset({"another"}),
}
#: Words after "period"/"colon" that make them ordinary nouns ("period of time", "colon cancer").
_NOUN_AFTER: dict[str, frozenset[str]] = {
    ".": frozenset({"of", "was", "is", "pain", "cramps"}),
    ":": frozenset(
        ["cancer", "polyp", "polyps", "wall", "mass", "resection", "biopsy", "lesion", "was", "is"]
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
            return mark, end
    return None


def capitalise(toks: list[Tok]) -> list[Tok]:
    """Start each dictated sentence and paragraph with a capital letter."""
    start = True
    for tok in toks:
        if tok.kind == PUNCT:
            start = start or tok.text in _SENTENCE_END
            continue
        if start and tok.kind == WORD and tok.text[:1].islower():
            tok.text = tok.text[:1].upper() + tok.text[1:]
        start = False
    return toks
