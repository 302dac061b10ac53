"""Custom medical vocabulary files: the four-column table Transcribe Medical reads.

This module owns the local check of a vocabulary file before it is uploaded (AWS)
or applied (offline engine). It follows the reference pages
create-med-vocab-text.md and charsets-med.md:

* UTF-8 text with LF line endings (CRLF is rejected by the service);
* a header row naming ``Phrase``, ``IPA``, ``SoundsLike`` and ``DisplayAs`` in any
  order, columns separated by a single tab;
* ``Phrase`` required; ``IPA`` and ``SoundsLike`` optional and never both;
* every value shorter than 256 characters, with no leading or trailing spaces;
* ``Phrase`` and ``SoundsLike`` use only a-z, A-Z, apostrophe, hyphen and period;
  ``IPA`` uses the listed phonemes separated by single spaces; ``DisplayAs`` takes
  any UTF-8 character;
* the whole file at most 50 KB.

It also owns the vocabulary's two types every layer shares: :class:`VocabularyEntry`
(one row) and :class:`VocabularyState` (where a vocabulary stands on a backend).

The file is a tab-separated table, but Python's ``csv`` module is not used: it
would quietly accept quoting, CRLF and doubled tabs, all of which the service
rejects, and every problem must be reported with its line number. Problems are
collected for the whole file so that a user fixes everything in one go.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from enum import StrEnum
from pathlib import Path

from medscribe.errors import Problem, VocabularyFormatError

__all__ = [
    "COLUMNS",
    "IPA_PHONEMES",
    "MAX_FILE_BYTES",
    "MAX_VALUE_CHARS",
    "Problem",
    "VocabularyEntry",
    "VocabularyState",
    "parse_vocabulary",
    "parse_vocabulary_bytes",
]

#: A custom vocabulary can't exceed 50 KB (vocabulary-med.md).
MAX_FILE_BYTES = 50 * 1024
#: "Have fewer than 256 characters".
MAX_VALUE_CHARS = 255
COLUMNS = ("Phrase", "IPA", "SoundsLike", "DisplayAs")

#: Characters of the Phrase and SoundsLike columns (charsets-med.md, English).
_ORTHOGRAPHIC = re.compile(r"[A-Za-z'.\-]+")
#: IPA phonemes allowed in the IPA column (charsets-med.md), one per space-separated token.
_IPA_TABLE = """
    aʊ aɪ b d eɪ f g h i j k l l\u0329 m n n\u0329 oʊ p s t u v w z
    æ ð ŋ ɑ ɔ ɔɪ ə ɛ ɝ ɡ ɪ ɹ ʃ ʊ ʌ ʍ ʒ ʤ ʧ θ
"""
IPA_PHONEMES = frozenset(_IPA_TABLE.split())


@dataclass(slots=True)
class VocabularyEntry:
    """One row of the table; optional columns are ``None`` when left blank."""

    phrase: str
    ipa: str | None = None
    sounds_like: str | None = None
    display_as: str | None = None
    #: 1-based line number in the file (the header is line 1).
    line: int = 0

    @property
    def display(self) -> str:
        """What the transcript shows: DisplayAs, else the phrase with hyphens as spaces."""
        return self.display_as or self.phrase


class VocabularyState(StrEnum):
    """Where a custom vocabulary stands (the service's VocabularyState values).

    The service builds a vocabulary in the background (``PENDING``) before jobs can use
    it (``READY``) or gives up (``FAILED``); the offline engine's are ``READY`` at once.
    """

    PENDING = "PENDING"
    READY = "READY"
    FAILED = "FAILED"


def parse_vocabulary(path: str | Path) -> list[VocabularyEntry]:
    """Read and check a vocabulary file; raise :class:`VocabularyFormatError` listing every problem.

    Line number 0 in ``problems`` means the file as a whole (size, encoding).
    """
    p = Path(path)
    try:
        data = p.read_bytes()
    except FileNotFoundError:
        raise VocabularyFormatError(f"{p}: no such file", path=p) from None
    except IsADirectoryError:
        message = f"{p}: is a directory, not a vocabulary file"
        raise VocabularyFormatError(message, path=p) from None
    except OSError as exc:
        raise VocabularyFormatError(f"{p}: cannot read: {exc.strerror}", path=p) from None
    entries, problems = parse_vocabulary_bytes(data)
    if problems:
        count = len(problems)
        noun = "problem" if count == 1 else "problems"
        message = f"{p}: {count} {noun} in the vocabulary file"
        raise VocabularyFormatError(message, problems, path=p)
    return entries


def parse_vocabulary_bytes(data: bytes) -> tuple[list[VocabularyEntry], list[Problem]]:
    """The checks of :func:`parse_vocabulary` on file contents: (entries, problems)."""
    problems: list[Problem] = []
    if len(data) > MAX_FILE_BYTES:
        problems.append((0, f"the file is {len(data)} bytes; a vocabulary can't exceed 50 KB"))
    if data.startswith(b"\xef\xbb\xbf"):
        problems.append((1, "the file starts with a UTF-8 byte-order mark; save it without one"))
        data = data[3:]
    text = _decode(data, problems)
    if text is None:
        return [], problems
    lines = text.split("\n")
    if lines and lines[-1] == "":
        lines.pop()  # the newline that ends the last line
    if not lines:
        problems.append((0, "the file is empty; it needs a header row and at least one entry"))
        return [], problems
    for number, line in enumerate(lines, start=1):
        if line.endswith("\r"):
            problems.append((number, "CRLF line ending; save the file with LF (Unix) line endings"))
    lines = [line.rstrip("\r") for line in lines]
    order = _parse_header(lines[0], problems)
    entries: list[VocabularyEntry] = []
    for number, line in enumerate(lines[1:], start=2):
        entry = _parse_row(number, line, order, problems)
        if entry is not None:
            entries.append(entry)
    if len(lines) == 1:
        problems.append((1, "the table has a header but no entries"))
    problems.sort(key=lambda p: p[0])
    return entries, problems


def _decode(data: bytes, problems: list[Problem]) -> str | None:
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = data[: exc.start].count(b"\n") + 1
        problems.append((line, "not UTF-8 text; save the file as UTF-8"))
        return None


def _parse_header(line: str, problems: list[Problem]) -> list[str] | None:
    """Column names in file order, or ``None`` (with a problem) when the header is wrong."""
    names = line.split("\t")
    expected = ", ".join(COLUMNS)
    if sorted(names) != sorted(COLUMNS):
        seen = ", ".join(repr(n) for n in names)
        hint = ""
        if len(names) == 1 and " " in line:
            hint = " (columns must be separated by a tab, not spaces)"
        problems.append(
            (
                1,
                f"the header must name the columns {expected} once each, tab-separated, "
                f"in any order; found {seen}{hint}",
            )
        )
        return None
    return names


def _parse_row(
    number: int, line: str, order: list[str] | None, problems: list[Problem]
) -> VocabularyEntry | None:
    if line.strip() == "":
        problems.append((number, "empty line; every line after the header must be an entry"))
        return None
    fields = line.split("\t")
    if len(fields) != len(COLUMNS):
        hint = " (use one tab between columns, not spaces)" if len(fields) == 1 else ""
        if len(fields) > len(COLUMNS):
            hint = " (separate columns with a single tab; values can't contain tabs)"
        problems.append(
            (number, f"expected {len(COLUMNS)} tab-separated columns, found {len(fields)}{hint}")
        )
        return None
    if order is None:
        return None  # the header is already reported; columns can't be named
    values = dict(zip(order, fields, strict=True))
    before = len(problems)
    for column in COLUMNS:
        _check_value(number, column, values[column], problems)
    if values["IPA"] and values["SoundsLike"]:
        problems.append((number, "give IPA or SoundsLike, not both"))
    if len(problems) > before:
        return None
    return VocabularyEntry(
        phrase=values["Phrase"],
        ipa=values["IPA"] or None,
        sounds_like=values["SoundsLike"] or None,
        display_as=values["DisplayAs"] or None,
        line=number,
    )


def _check_value(number: int, column: str, value: str, problems: list[Problem]) -> None:
    if value == "":
        if column == "Phrase":
            problems.append((number, "Phrase is empty; every entry needs a phrase"))
        return
    if len(value) > MAX_VALUE_CHARS:
        problems.append(
            (number, f"{column} has {len(value)} characters; values must have fewer than 256")
        )
    if value != value.strip():
        problems.append((number, f"{column} has leading or trailing spaces"))
    if column in ("Phrase", "SoundsLike"):
        _check_orthographic(number, column, value.strip(), problems)
    elif column == "IPA":
        _check_ipa(number, value.strip(), problems)


def _check_orthographic(number: int, column: str, value: str, problems: list[Problem]) -> None:
    if _ORTHOGRAPHIC.fullmatch(value):
        return
    if " " in value:
        problems.append((number, f"{column} contains spaces; join the words with hyphens"))
    bad = sorted({c for c in value if c != " " and not _ORTHOGRAPHIC.fullmatch(c)})
    if bad:
        shown = " ".join(repr(c) for c in bad)
        problems.append(
            (
                number,
                f"{column} contains characters that are not allowed: {shown} "
                "(use a-z, A-Z, apostrophe, hyphen and period)",
            )
        )


def _check_ipa(number: int, value: str, problems: list[Problem]) -> None:
    if "  " in value:
        problems.append((number, "IPA phonemes must be separated by a single space"))
    bad = sorted({t for t in value.split() if t not in IPA_PHONEMES})
    if bad:
        shown = " ".join(repr(t) for t in bad)
        problems.append((number, f"IPA contains symbols that are not allowed: {shown}"))
