"""`medscribe render`: CliRunner on `medscribe.cli.cli`; exit codes via `medscribe.cli.main`."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from medscribe.cli import cli, main
from medscribe.render import render_string
from medscribe.transcript import codec
from transcript.fixtures import ALTERNATIVES, CHANNELS, SPEAKERS, transcript
from transcript.schema import assert_transcribe_medical_schema


def _run(*args: str, stdin: str | None = None):
    result = CliRunner().invoke(cli, ["render", *args], input=stdin, catch_exceptions=False)
    assert result.exit_code == 0, result.output
    return result


@pytest.mark.parametrize("fmt", ["json", "text", "vtt", "srt"])
def test_formats_to_stdout_match_the_library(fmt: str) -> None:
    result = _run(str(SPEAKERS), "--format", fmt, "--speaker-names", "clinician,patient")
    expected = render_string(transcript(SPEAKERS), fmt, speaker_names="clinician,patient")
    assert result.stdout == expected


def test_json_output_is_transcribe_medical_json() -> None:
    result = _run(str(CHANNELS), "-f", "json", "-o", "-")
    assert_transcribe_medical_schema(json.loads(result.stdout), exact_format=True)
    assert codec.loads(result.stdout) == transcript(CHANNELS)


def test_rich_is_the_default_on_stdout() -> None:
    result = _run(str(ALTERNATIVES), "--alternatives", "--low-confidence", "0.6")
    parsed = transcript(ALTERNATIVES)
    assert parsed.job_name in result.stdout
    assert "Alternatives" in result.stdout
    assert "confidence below 0.60" in result.stdout


def test_output_file_takes_its_format_from_the_extension(tmp_path: Path) -> None:
    target = tmp_path / "visit.vtt"
    result = _run(str(SPEAKERS), "-o", str(target), "--speaker-names", "clinician,patient")
    assert result.stdout == ""
    assert f"wrote {target}" in result.stderr
    expected = render_string(transcript(SPEAKERS), "vtt", speaker_names="clinician,patient")
    assert target.read_text(encoding="utf-8") == expected
    unknown = tmp_path / "visit.out"
    _run(str(SPEAKERS), "-o", str(unknown))
    assert unknown.read_text(encoding="utf-8") == render_string(transcript(SPEAKERS), "text")


def test_transcript_from_stdin() -> None:
    source = SPEAKERS.read_text(encoding="utf-8")
    result = _run("-", "--format", "srt", stdin=source)
    assert result.stdout == render_string(codec.loads(source), "srt")


def _main(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    try:
        main(["render", *args])
        code = 0
    except SystemExit as exc:
        code = int(exc.code or 0)
    captured = capsys.readouterr()
    return code, captured.out, captured.err


def test_main_exit_zero_on_success(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, err = _main(capsys, str(SPEAKERS), "-f", "text")
    assert (code, err) == (0, "")
    assert out == render_string(transcript(SPEAKERS), "text")


def test_main_one_line_and_exit_2_on_bad_input(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    bad = tmp_path / "bad.json"
    bad.write_text('{"results": {"items": [', encoding="utf-8")
    other = tmp_path / "other.json"
    other.write_text('{"hello": "world"}', encoding="utf-8")
    # Our errors are one line; Click's own usage errors add its usage hint.
    cases = [
        ([str(tmp_path / "missing.json")], "no such file", True),
        ([str(bad)], "not a JSON document", True),
        ([str(other)], "not a Transcribe Medical transcript", True),
        ([str(SPEAKERS), "--speaker-names", "a,b,c"], "only 2 speakers", True),
        ([str(SPEAKERS), "--speaker-names", "a,,b"], "entry 2 is empty", True),
        ([str(SPEAKERS), "-o", str(tmp_path)], "is a directory", True),
        ([str(SPEAKERS), "--low-confidence", "1.5"], "1.5", False),
        ([str(SPEAKERS), "--format", "docx"], "docx", False),
    ]
    for args, message, one_line in cases:
        code, out, err = _main(capsys, *args)
        assert code == 2, (args, err)
        assert message in err and out == ""
        assert "Traceback" not in err
        if one_line:
            assert err.count("\n") == 1 and err.startswith("medscribe: error: ")
