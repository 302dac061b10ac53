"""Bad options and inputs: one clear line on stderr, exit 2, and no job started."""

from __future__ import annotations

import pytest


@pytest.mark.parametrize(
    ("args", "expected"),
    [
        (["--speakers", "2", "--channels"], "cannot be used together"),
        (["--speakers", "11"], "--speakers: must be between 2 and 10"),
        (["--alternatives", "1"], "--alternatives: must be between 2 and 10"),
        (["--job-name", "bad name!"], "invalid job name"),
        (["--job-name", "x" * 201], "invalid job name"),
        (["--specialty", "podiatry"], "unknown specialty"),
        (["--type", "lecture"], "unknown type"),
        (["--vocabulary", "no spaces allowed"], "--vocabulary"),
        (["--format", "pdf"], "unknown format 'pdf'"),
        (["--speaker-names", "clinician,patient"], "--speaker-names needs --speakers"),
        (["--backend", "aws", "--specialty", "cardiology"], "accepts specialty PRIMARYCARE only"),
        (["--concurrency", "0"], "setting concurrency"),
        (["-o", "-", "--json"], "both write to stdout"),
        (["-o", "x.json", "--format", "json,srt"], "-o/--output writes one format"),
        (["-o", "out.txt", "--format", "srt"], "the extension says text, --format says srt"),
        (["-o", "OUT.JSON", "--format", "vtt"], "the extension says json, --format says vtt"),
    ],
)
def test_bad_option_is_one_line_and_exit_2(cli, fake, service, wav, args, expected):
    audio = wav("visit.wav")
    fake()
    result = cli("transcribe", str(audio), *args)
    assert result.code == 2, result.err
    lines = result.err.strip().splitlines()
    assert len(lines) == 1 and expected in lines[0], result.err
    assert "Traceback" not in result.err
    assert result.out == ""
    assert service.starts == []


def test_output_file_with_two_inputs(cli, fake, service, wav):
    fake()
    result = cli("transcribe", str(wav("a.wav")), str(wav("b.wav")), "-o", "out.json")
    assert result.code == 2
    assert "-o/--output takes a single input, not 2" in result.err
    assert len(result.err.strip().splitlines()) == 1
    assert service.starts == []


def test_missing_file(cli, fake, service, wav, tmp_path):
    fake()
    present = wav("a.wav")
    result = cli("transcribe", str(present), str(tmp_path / "nope.wav"))
    assert result.code == 2
    assert result.err.strip() == f"medscribe: error: {tmp_path / 'nope.wav'}: no such file"
    assert service.starts == []


def test_glob_without_match(cli, fake, service, tmp_path):
    fake()
    result = cli("transcribe", str(tmp_path / "*.wav"))
    assert result.code == 2
    assert "no files match" in result.err


def test_output_and_output_dir_together(cli, fake, service, wav, tmp_path):
    fake()
    result = cli("transcribe", str(wav("a.wav")), "-o", "x.json", "--output-dir", str(tmp_path))
    assert result.code == 2
    assert "cannot be used together" in result.err


def test_not_audio_is_rejected_by_the_backend(cli, fake, service, tmp_path):
    """A file that is not audio: the backend refuses it; one line, exit 2, no job."""
    fake()
    bogus = tmp_path / "notes.wav"
    bogus.write_text("this is not audio\n" * 50)
    result = cli("transcribe", str(bogus), "--format", "text")
    assert result.code == 2, result.err
    assert "notes.wav" in result.err and "FAILED" in result.err
    assert service.starts == []
