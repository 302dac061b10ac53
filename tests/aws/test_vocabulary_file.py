"""medscribe.vocabulary.parse_vocabulary against the table format of the reference pages."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from awskit import ROOT

from medscribe.errors import VocabularyFormatError
from medscribe.vocabulary import MAX_FILE_BYTES, parse_vocabulary

HEADER = "Phrase\tIPA\tSoundsLike\tDisplayAs\n"


def write(tmp_path: Path, text: str | bytes, name: str = "v.txt") -> Path:
    path = tmp_path / name
    path.write_bytes(text if isinstance(text, bytes) else text.encode("utf-8"))
    return path


def problems_of(path: Path) -> dict[int, list[str]]:
    with pytest.raises(VocabularyFormatError) as info:
        parse_vocabulary(path)
    out: dict[int, list[str]] = {}
    for line, message in info.value.problems:
        out.setdefault(line, []).append(message)
    assert str(path) in str(info.value)
    return out


def reference_examples(reference_dir: Path) -> list[str]:
    """The three example tables of create-med-vocab-text.md with [TAB] made real."""
    doc = (reference_dir / "create-med-vocab-text.md").read_text(encoding="utf-8")
    blocks = re.findall(r"```\n(.*?)```", doc, flags=re.S)
    return [b.replace("[TAB]", "\t") for b in blocks if "[TAB]" in b]


def test_reference_examples_parse_in_any_column_order(reference_dir: Path, tmp_path: Path):
    tables = reference_examples(reference_dir)
    assert len(tables) == 3
    parsed = [parse_vocabulary(write(tmp_path, t, f"{n}.txt")) for n, t in enumerate(tables)]
    # The same three entries whatever the column order.
    for entries in parsed:
        by_phrase = {e.phrase: e for e in entries}
        assert by_phrase["A.L.L."].ipa == "eɪ ɛ l ɛ l"
        assert by_phrase["A.L.L."].display_as == "ALL"
        assert by_phrase["acute-respiratory-distress-syndrome"].display == (
            "acute respiratory distress syndrome"
        )
        avnrt = by_phrase["atrioventricular-nodal-reentrant-tachycardia"]
        assert avnrt.sounds_like and avnrt.sounds_like.startswith("ay-tree-o")
        assert avnrt.ipa is None and avnrt.display_as is None


def test_example_cardiology_vocabulary_is_valid():
    path = ROOT / "examples" / "cardiology-vocabulary.txt"
    entries = parse_vocabulary(path)
    lines = path.read_text(encoding="utf-8").splitlines()
    assert len(entries) == len(lines) - 1
    assert [e.line for e in entries] == list(range(2, len(lines) + 1))


def test_every_bad_line_is_reported_with_its_number(tmp_path: Path):
    text = (
        HEADER
        + "good-phrase\t\t\tgood phrase\n"  # 2 ok
        + "two words\t\t\t\n"  # 3 space in Phrase
        + "x-ray\t\tecks-ray\n"  # 4 three columns
        + "hypertension\th aɪ\thi-per\t\n"  # 5 IPA and SoundsLike
        + "C++\t\t\t\n"  # 6 forbidden characters
        + "\t\t\tempty phrase\n"  # 7 no Phrase
        + "tachy\tt æ k Q\t\t\n"  # 8 IPA symbol not allowed
        + "trailing \t\t\t\n"  # 9 trailing space
        + "a\t\t\t"
        + "D" * 256
        + "\n"  # 10 value too long
        + "ok-again\t\t\t\n"  # 11 ok
        + "spaces  instead  of  tabs\n"  # 12 one column
    )
    problems = problems_of(write(tmp_path, text))
    assert set(problems) == {3, 4, 5, 6, 7, 8, 9, 10, 12}
    assert any("hyphens" in m for m in problems[3])
    assert any("found 3" in m for m in problems[4])
    assert any("not both" in m for m in problems[5])
    assert any("'+'" in m for m in problems[6])
    assert any("Phrase is empty" in m for m in problems[7])
    assert any("'Q'" in m for m in problems[8])
    assert any("trailing" in m for m in problems[9])
    assert any("256" in m for m in problems[10])
    assert any("tab" in m for m in problems[12])


def test_crlf_is_rejected_line_by_line(tmp_path: Path):
    text = HEADER.replace("\n", "\r\n") + "aspirin\t\t\t\r\n" + "heparin\t\t\t\n"
    problems = problems_of(write(tmp_path, text))
    assert set(problems) == {1, 2}
    assert all("CRLF" in m[0] for m in problems.values())


@pytest.mark.parametrize(
    "header",
    [
        "Phrase\tIPA\tSoundsLike\n",  # a column missing
        "Phrase\tIPA\tSoundsLike\tDisplay\n",  # a misspelt column
        "Phrase IPA SoundsLike DisplayAs\n",  # spaces
        "Phrase\tIPA\tIPA\tDisplayAs\n",  # a duplicate
    ],
)
def test_header_must_name_the_four_columns(tmp_path: Path, header: str):
    problems = problems_of(write(tmp_path, header + "aspirin\t\t\t\n"))
    assert 1 in problems
    assert any("Phrase, IPA, SoundsLike, DisplayAs" in m for m in problems[1])


def test_size_limit_and_encoding(tmp_path: Path):
    row = "cardiomyopathy\t\t\tcardiomyopathy\n"
    big = HEADER + row * (MAX_FILE_BYTES // len(row) + 1)
    assert any("50 KB" in m for m in problems_of(write(tmp_path, big, "big.txt"))[0])

    latin1 = (HEADER + "caf\u00e9\t\t\t\n").encode("latin-1")
    assert list(problems_of(write(tmp_path, latin1, "latin1.txt"))) == [2]

    assert 1 in problems_of(write(tmp_path, "\ufeff" + HEADER + "aspirin\t\t\t\n", "bom.txt"))
    assert 1 in problems_of(write(tmp_path, HEADER, "header-only.txt"))


def test_display_as_takes_any_utf8(tmp_path: Path):
    entries = parse_vocabulary(write(tmp_path, HEADER + "mu-g\t\t\t5 µg/dL – ok\n"))
    assert entries[0].display_as == "5 µg/dL – ok"


def test_missing_file_is_one_error(tmp_path: Path):
    with pytest.raises(VocabularyFormatError, match="no such file"):
        parse_vocabulary(tmp_path / "absent.txt")
