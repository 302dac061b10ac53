#!/usr/bin/env python3
"""Build the word lists the offline engine ships as package data (run once, at build time).

    scripts/build_wordlists.py            # writes src/medscribe/data/words/*.txt.gz

* ``english.txt.gz``: the lower-cased words of Debian's ``wamerican``
  (``/usr/share/dict/words``; SCOWL, public domain and permissive licences).
* ``medical.txt.gz``: the words of Debian's ``hunspell-en-med``
  (``/usr/share/hunspell/en_med_glut.dic``, OpenMedSpel, GPL-3+), its stems
  expanded with the suffix rules of the English affix file it is meant to be used
  with (``/usr/share/hunspell/en_US.aff``, SFX lines only: the prefixes make
  "re-" and "un-" words, not medical terms), so "arrhythmias" is there as well as
  "arrhythmia". Hunspell's own library is not used: its Python bindings need a C
  build and only the word list is needed, not spell checking.

Both are sorted, one word a line, gzip'd with a fixed mtime so a rebuild from the
same Debian packages gives the same bytes. The README beside them records the
package versions and licences. An installed medscribe reads these files only
(:mod:`medscribe.engine.wordlists`), never the Debian ones, so a plain
``pip install`` behaves exactly as a Debian machine does.
"""

from __future__ import annotations

import argparse
import gzip
import re
import subprocess
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
OUT = ROOT / "src" / "medscribe" / "data" / "words"
MED_DICTIONARY = Path("/usr/share/hunspell/en_med_glut.dic")
AFFIX_FILE = Path("/usr/share/hunspell/en_US.aff")
GENERAL_WORDS = Path("/usr/share/dict/words")
_WORD = re.compile(r"^[a-z][a-z']*$")


@dataclass(frozen=True, slots=True)
class Suffix:
    strip: str
    add: str
    condition: re.Pattern[str]


def read_suffix_rules(path: Path) -> dict[str, list[Suffix]]:
    """SFX rules of a Hunspell affix file: flag -> [(strip, add, condition)]."""
    rules: dict[str, list[Suffix]] = {}
    for line in path.read_text(encoding="utf-8", errors="replace").splitlines():
        parts = line.split()
        if len(parts) < 5 or parts[0] != "SFX":
            continue
        flag, strip, add, condition = parts[1], parts[2], parts[3], parts[4]
        strip = "" if strip == "0" else strip
        add = "" if add == "0" else add.split("/")[0]
        cond = "" if condition == "." else condition
        rules.setdefault(flag, []).append(Suffix(strip, add, re.compile(f"(?:{cond})$")))
    return rules


def expand(stem: str, flags: str, rules: dict[str, list[Suffix]]) -> list[str]:
    """A Hunspell stem and the words its suffix flags make."""
    words = [stem]
    for flag in flags:
        for rule in rules.get(flag, ()):
            if rule.condition.search(stem) and stem.endswith(rule.strip):
                base = stem[: len(stem) - len(rule.strip)] if rule.strip else stem
                words.append(base + rule.add)
    return words


def medical_words(dictionary: Path, affix_file: Path) -> set[str]:
    rules = read_suffix_rules(affix_file)
    lines = dictionary.read_text(encoding="utf-8", errors="replace").splitlines()
    medical: set[str] = set()
    for line in lines[1:]:  # the first line is the entry count
        if not line or line[0].isspace():  # the header comment is indented
            continue
        stem, _, flags = line.partition("/")
        for word in expand(stem.strip().lower(), flags.strip(), rules):
            if _WORD.match(word):
                medical.add(word)
    return medical


def english_words(path: Path) -> set[str]:
    lines = path.read_text(encoding="utf-8", errors="replace").splitlines()
    return {w.strip().lower() for w in lines if w.strip()}


def write_list(path: Path, words: set[str]) -> None:
    data = ("\n".join(sorted(words)) + "\n").encode("utf-8")
    with path.open("wb") as raw, gzip.GzipFile(fileobj=raw, mode="wb", mtime=0) as out:
        out.write(data)


def package_version(name: str) -> str:
    done = subprocess.run(
        ["dpkg-query", "-W", "-f=${Version}", name], capture_output=True, text=True, check=False
    )
    return done.stdout.strip() or "unknown"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=OUT)
    args = parser.parse_args(argv)
    for path, package in ((GENERAL_WORDS, "wamerican"), (MED_DICTIONARY, "hunspell-en-med")):
        if not path.is_file():
            parser.error(f"{path} is missing: install the Debian package {package}")
    english = english_words(GENERAL_WORDS)
    medical = medical_words(MED_DICTIONARY, AFFIX_FILE)
    write_list(args.out / "english.txt.gz", english)
    write_list(args.out / "medical.txt.gz", medical)
    print(
        f"english.txt.gz: {len(english)} words (wamerican {package_version('wamerican')}); "
        f"medical.txt.gz: {len(medical)} words "
        f"(hunspell-en-med {package_version('hunspell-en-med')}, "
        f"hunspell-en-us {package_version('hunspell-en-us')})"
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
