"""`medscribe render`: CliRunner on `medscribe.cli.cli`; exit codes via `medscribe.cli.main`."""

from __future__ import annotations

import json
import os
import pty
import re
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner

from medscribe.cli import cli, main
from medscribe.render import render_string
from medscribe.render.text import clock
from medscribe.transcript import codec
from transcript.fixtures import ALTERNATIVES, CHANNELS, SPEAKERS, transcript
from transcript.schema import assert_transcribe_medical_schema

MEDSCRIBE = Path(sys.executable).parent / "medscribe"


def _run(*args: str, stdin: str | bytes | None = None):
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


def _on_a_terminal(*args: str) -> str:
    """Run ``medscribe`` with stdout on a pseudo-terminal, as a person at a shell would."""
    main_fd, child_fd = pty.openpty()
    environ = {**os.environ, "COLUMNS": "100", "TERM": "xterm-256color"}
    environ.pop("NO_COLOR", None)
    child = subprocess.Popen(
        [str(MEDSCRIBE), *args],
        stdout=child_fd,
        stderr=subprocess.PIPE,
        stdin=subprocess.DEVNULL,
        env=environ,
    )
    os.close(child_fd)
    chunks = []
    while True:
        try:
            chunk = os.read(main_fd, 65536)
        except OSError:  # EIO: the child closed the terminal
            break
        if not chunk:
            break
        chunks.append(chunk)
    os.close(main_fd)
    assert child.wait(timeout=60) == 0, child.stderr.read() if child.stderr else ""
    return re.sub(r"\x1b\[[0-9;?]*[A-Za-z]", "", b"".join(chunks).decode("utf-8"))


def test_rich_is_the_default_on_a_terminal() -> None:
    shown = _on_a_terminal("render", str(ALTERNATIVES), "--alternatives", "--low-confidence", "0.6")
    parsed = transcript(ALTERNATIVES)
    assert "medscribe transcript" in shown and "╭" in shown  # the header's box
    assert parsed.job_name in shown
    assert f"Speech until: {clock(parsed.duration)}" in shown  # the JSON has no audio length
    assert "Alternatives" in shown
    assert "confidence below 0.60" in shown


def test_rich_into_a_pipe_is_plain_text_as_transcribe_prints() -> None:
    """`medscribe render x.json | cat`: no box, no padding to 80 columns."""
    piped = subprocess.run(
        [str(MEDSCRIBE), "render", str(SPEAKERS), "--speaker-names", "clinician,patient"],
        capture_output=True,
        text=True,
        stdin=subprocess.DEVNULL,
        timeout=60,
    )
    assert piped.returncode == 0, piped.stderr
    expected = render_string(transcript(SPEAKERS), "text", speaker_names="clinician,patient")
    assert piped.stdout == expected
    assert "╭" not in piped.stdout and not any(line.endswith(" ") for line in expected.splitlines())
    with_alternatives = _run(str(ALTERNATIVES), "--alternatives")
    assert with_alternatives.stdout == render_string(
        transcript(ALTERNATIVES), "text", show_alternatives=True
    )


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
    # Click's own usage errors are one line too.
    cases = [
        ([str(tmp_path / "missing.json")], "no such file"),
        ([str(bad)], "not a JSON document"),
        ([str(other)], f"{other}: not a Transcribe Medical transcript: no 'results' object"),
        ([str(SPEAKERS), "--speaker-names", "a,b,c"], "only 2 speakers"),
        ([str(SPEAKERS), "--speaker-names", "a,,b"], "entry 2 is empty"),
        ([str(SPEAKERS), "-o", str(tmp_path)], "is a directory"),
        ([str(SPEAKERS), "--low-confidence", "1.5"], "1.5"),
        ([str(SPEAKERS), "--format", "docx"], "docx"),
    ]
    for args, message in cases:
        code, out, err = _main(capsys, *args)
        assert code == 2, (args, err)
        assert message in err and out == ""
        assert "Traceback" not in err
        assert err.count("\n") == 1 and err.startswith("medscribe: error: ")


@pytest.mark.parametrize(
    ("document", "problem"),
    [
        ('{"results": {"items": ["a"]}}', "results.items[0] should be an object"),
        ('{"results": "done"}', "no 'results' object"),
        ('{"results": {"items": {"a": 1}}}', "results.items should be a list"),
        (
            '{"results": {"items": [{"start_time": "soon", "alternatives": []}]}}',
            "results.items[0].start_time should be a number",
        ),
        (
            '{"results": {"items": [], "speaker_labels": {"segments": [{"end_time": "1"}]}}}',
            "results.speaker_labels.segments[0].start_time is missing",
        ),
        ('[{"speaker": "doctor", "text": "Hello."}]', "a JSON list, not an object"),
        ('{"Transcript": {"Results": []}}', "no 'results' object"),
        ('{"results": {"language_code": "en-US"}}', "'results' has no 'items'"),
    ],
)
def test_json_of_another_shape_is_one_line_naming_the_file(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, document: str, problem: str
) -> None:
    path = tmp_path / "other.json"
    path.write_text(document, encoding="utf-8")
    code, out, err = _main(capsys, str(path), "-f", "text")
    assert (code, out) == (2, "")
    assert err == f"medscribe: error: {path}: not a Transcribe Medical transcript: {problem}\n"


def test_a_byte_order_mark_is_accepted_and_other_encodings_are_one_line(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    expected = render_string(transcript(SPEAKERS), "text")
    with_bom = tmp_path / "bom.json"
    with_bom.write_bytes(b"\xef\xbb\xbf" + SPEAKERS.read_bytes())
    assert _main(capsys, str(with_bom), "-f", "text") == (0, expected, "")
    utf16 = SPEAKERS.read_text(encoding="utf-8").encode("utf-16")
    assert _run("-", "-f", "text", stdin=utf16).stdout == expected
    latin1 = tmp_path / "latin1.json"
    latin1.write_bytes('{"results": {"items": [], "note": "caf\u00e9"}}'.encode("latin-1"))
    code, out, err = _main(capsys, str(latin1), "-f", "text")
    assert (code, out) == (2, "")
    assert err == f"medscribe: error: {latin1}: not UTF-8 text (byte 0xe9 at offset 38)\n"
    piped = subprocess.run(
        [str(MEDSCRIBE), "render", "-"], input=b"[1, 2]", capture_output=True, timeout=60
    )
    assert piped.returncode == 2
    assert piped.stderr == (
        b"medscribe: error: stdin: not a Transcribe Medical transcript: "
        b"a JSON list, not an object\n"
    )
