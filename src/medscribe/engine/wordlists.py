"""The ordinary-English and medical word lists the engine ships as package data.

This module owns reading ``medscribe/data/words/{english,medical}.txt.gz`` (built
once from Debian's ``wamerican`` and ``hunspell-en-med`` by
``scripts/build_wordlists.py``; sources and licences in the README beside them).
The engine reads these files and never the Debian ones, so a ``pip install`` on
any system knows "chest" and "pain" exactly as a Debian machine with the
dictionaries installed does; without them every ordinary word would count as
doubtful and the correction pass could rewrite plain speech.
"""

from __future__ import annotations

import functools
import gzip
from importlib import resources

__all__ = ["english_words", "medical_words", "rare_medical_words", "word_list_info"]


def _read(name: str) -> frozenset[str]:
    data = (resources.files("medscribe") / "data" / "words" / name).read_bytes()
    return frozenset(gzip.decompress(data).decode("utf-8").split("\n")) - {""}


@functools.cache
def english_words() -> frozenset[str]:
    """Lower-cased words of ordinary American English (from ``wamerican``)."""
    return _read("english.txt.gz")


@functools.cache
def medical_words() -> frozenset[str]:
    """Lower-cased medical words, inflections included (from ``hunspell-en-med``)."""
    return _read("medical.txt.gz")


@functools.cache
def rare_medical_words() -> frozenset[str]:
    """Medical words that ordinary English lacks: "metoprolol", not "hypertension"."""
    return medical_words() - english_words()


def word_list_info() -> dict[str, int]:
    """How many words each shipped list holds (for ``medscribe doctor``)."""
    return {"english": len(english_words()), "medical": len(medical_words())}
