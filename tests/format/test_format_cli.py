"""``medscribe format`` as a user runs it: stdin to stdout, exit codes, dictation."""

from __future__ import annotations

import subprocess
import sys

from click.testing import CliRunner

from medscribe.cli import cli


def test_dictation_type() -> None:
    text = "plan colon rest period new paragraph return in two weeks period\n"
    result = CliRunner().invoke(cli, ["format", "--type", "dictation"], input=text)

    assert result.exit_code == 0
    # "plan" then "colon" is a section heading (engine.formatting.headings).
    assert result.output == "PLAN: Rest.\n\nReturn in two weeks.\n"


def test_blank_lines_and_crlf_are_kept_line_for_line() -> None:
    text = "forty milligrams\r\n\r\n\nfifty five\r\n"
    result = CliRunner().invoke(cli, ["format"], input=text)

    assert result.exit_code == 0
    assert result.output == "40 mg\n\n\n55\n"


def test_bad_type_is_a_usage_error() -> None:
    result = CliRunner().invoke(cli, ["format", "--type", "poem"], input="x\n")
    assert result.exit_code == 2


def test_binary_input_gets_one_line_and_exit_2() -> None:
    proc = subprocess.run(
        [sys.executable, "-m", "medscribe", "format"],
        input=b"fifty five\n\xff\xfe\x00 not text\n",
        capture_output=True,
        timeout=60,
    )

    assert proc.returncode == 2
    assert proc.stderr.decode().strip().splitlines() == [
        "medscribe: error: standard input is not UTF-8 text (line 2)"
    ]
    assert proc.stdout.decode() == "55\n"
