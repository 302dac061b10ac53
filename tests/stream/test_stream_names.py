"""``stream --speaker-names``: the saved text, SRT and WebVTT carry the names, as on screen.

The JSON keeps the service's spk_N labels, as ``transcribe --speaker-names -o x.json``
writes it. The stream runs against the local fake Transcribe endpoint (streamkit).
"""

from __future__ import annotations

from pathlib import Path

from click.testing import CliRunner

from medscribe.cli import cli
from medscribe.render import render_string
from medscribe.transcript import codec

NAMES = {"spk_0": "clinician", "spk_1": "patient"}


def test_saved_files_carry_the_speaker_names(fake_service, tone_wav: Path, tmp_path: Path):
    service = fake_service()
    out = tmp_path / "live.json"
    result = CliRunner().invoke(
        cli,
        [
            "stream",
            str(tone_wav),
            "--backend",
            "aws",
            "--specialty",
            "cardiology",
            "--speakers",
            "2",
            "--speaker-names",
            "clinician,patient",
            "--endpoint",
            service.endpoint,
            "-o",
            str(out),
            "--format",
            "text,srt,vtt",
        ],
    )
    assert result.exit_code == 0, result.output
    assert "clinician" in result.output  # the live view, as before

    saved = codec.load(out)
    assert {i.speaker for i in saved.words} == {"spk_0", "spk_1"}
    json_text = out.read_text(encoding="utf-8")
    assert "clinician" not in json_text and "patient" not in json_text
    for fmt, suffix in (("text", ".txt"), ("srt", ".srt"), ("vtt", ".vtt")):
        written = out.with_suffix(suffix).read_text(encoding="utf-8")
        assert written == render_string(saved, fmt, speaker_names=NAMES), fmt
        assert "clinician" in written and "patient" in written, fmt
        assert "spk_0" not in written and "spk_1" not in written, fmt


def test_names_for_labels_the_stream_did_not_hear_do_not_block_saving(
    fake_service, tone_wav: Path, tmp_path: Path
):
    """Three names, two speakers heard: the file is still written with the two that apply."""
    service = fake_service()
    out = tmp_path / "live.json"
    result = CliRunner().invoke(
        cli,
        [
            "stream",
            str(tone_wav),
            "--backend",
            "aws",
            "--specialty",
            "cardiology",
            "--speakers",
            "3",
            "--speaker-names",
            "clinician,patient,nurse",
            "--endpoint",
            service.endpoint,
            "-o",
            str(out),
            "--format",
            "text",
        ],
    )
    assert result.exit_code == 0, result.output
    text = out.with_suffix(".txt").read_text(encoding="utf-8")
    assert "clinician:" in text and "patient:" in text and "nurse" not in text
