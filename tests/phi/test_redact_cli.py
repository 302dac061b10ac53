"""``medscribe redact``: every format redacted, the mapping only when asked, one-line errors."""

from __future__ import annotations

import json
import re
import stat
import wave
from pathlib import Path

import numpy as np
import pytest

from medscribe.cli import main
from medscribe.transcript import codec

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "transcripts"
PHI = FIXTURES / "phi-conversation.json"
PHI_WORDS = ("maria", "lopez", "elm", "street", "springfield", "555-0123", "march", "third")


def run(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    try:
        main(["redact", *args])
        code = 0
    except SystemExit as exc:
        code = int(exc.code or 0)
    captured = capsys.readouterr()
    return code, captured.out, captured.err


def leaked(text: str) -> list[str]:
    return [w for w in PHI_WORDS if re.search(rf"\b{re.escape(w)}\b", text.casefold())]


def test_every_format_in_an_output_dir_is_redacted_and_private(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    out = tmp_path / "shared"
    code, stdout, stderr = run(
        capsys, str(PHI), "--format", "json,text,vtt,srt", "--output-dir", str(out)
    )
    assert code == 0 and stdout == ""
    names = sorted(p.name for p in out.iterdir())
    assert names == [f"phi-conversation.redacted.{e}" for e in ("json", "srt", "txt", "vtt")]
    assert stat.S_IMODE(out.stat().st_mode) == 0o700
    for path in out.iterdir():
        assert stat.S_IMODE(path.stat().st_mode) == 0o600
        text = path.read_text(encoding="utf-8")
        assert leaked(text) == [] and "[PHI:PERSONAL]" in text, path.name
    assert leaked(stderr) == []
    # No mapping was asked for: none anywhere, and none in the JSON.
    assert sorted(p.name for p in tmp_path.iterdir()) == ["shared"]
    doc = json.loads((out / "phi-conversation.redacted.json").read_text(encoding="utf-8"))
    assert "mapping" not in json.dumps(doc)
    assert [e["content"] for e in doc["results"]["entities"]][:2] == [
        "[PHI:PERSONAL]",
        "[PHI:GEOGRAPHIC]",
    ]


def test_the_mapping_is_written_only_where_asked(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    target, mapping = tmp_path / "visit.redacted.txt", tmp_path / "keys.json"
    code, _, stderr = run(capsys, str(PHI), "-o", str(target), "--mapping", str(mapping))
    assert code == 0 and leaked(stderr) == []
    assert sorted(p.name for p in tmp_path.iterdir()) == ["keys.json", "visit.redacted.txt"]
    assert stat.S_IMODE(mapping.stat().st_mode) == 0o600
    keys = json.loads(mapping.read_text(encoding="utf-8"))["mapping"]
    assert keys["[PHI:PERSONAL-1]"] == "Maria Lopez"
    text = target.read_text(encoding="utf-8")
    assert leaked(text) == [] and "[PHI:PERSONAL-1]" in text


def test_stdout_gets_the_redacted_json_by_default(capsys: pytest.CaptureFixture[str]) -> None:
    code, stdout, _ = run(capsys, str(PHI))
    assert code == 0 and leaked(stdout) == []
    assert codec.loads(stdout).entities is not None


def test_redacted_audio_from_the_command(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    source = tmp_path / "visit.wav"
    samples = np.full(16_000 * 13, 1234, dtype="<i2")
    with wave.open(str(source), "wb") as out:
        out.setnchannels(1)
        out.setsampwidth(2)
        out.setframerate(16_000)
        out.writeframes(samples.tobytes())
    audio_out = tmp_path / "visit.redacted.wav"
    code, _, _ = run(
        capsys,
        str(PHI),
        "--audio",
        str(source),
        "--audio-out",
        str(audio_out),
        "-o",
        str(tmp_path / "v.json"),
    )
    assert code == 0 and stat.S_IMODE(audio_out.stat().st_mode) == 0o600
    with wave.open(str(audio_out), "rb") as back:
        data = np.frombuffer(back.readframes(back.getnframes()), dtype="<i2")
    assert data[int(3.5 * 16_000)] == 0 and data[int(0.5 * 16_000)] == 1234


def test_stdin_is_read_and_the_input_is_never_overwritten(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import io
    import sys

    source = tmp_path / "visit.json"
    source.write_bytes(PHI.read_bytes())
    stdin = io.TextIOWrapper(io.BytesIO(PHI.read_bytes()))
    monkeypatch.setattr(sys, "stdin", stdin)
    code, stdout, _ = run(capsys, "-", "--format", "srt")
    assert code == 0 and leaked(stdout) == [] and "[PHI:PERSONAL]" in stdout
    code, _, stderr = run(capsys, str(source), "-o", str(source))
    assert code == 2 and "would overwrite an input" in stderr
    assert source.read_bytes() == PHI.read_bytes()


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["speaker-labels.json"], "the transcript has no PHI entities"),
        (
            ["phi-conversation.json", "--audio", "missing.wav", "--audio-out", "o.wav"],
            "missing.wav: no such file",
        ),
        (["phi-conversation.json", "--audio", "x.wav"], "--audio and --audio-out go together"),
        (["phi-conversation.json", "-o", "a.txt", "--format", "srt"], "the -o extension says text"),
    ],
)
def test_bad_input_is_one_line_and_exit_2(
    capsys: pytest.CaptureFixture[str],
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    args: list[str],
    message: str,
) -> None:
    monkeypatch.chdir(tmp_path)
    paths = [
        str(FIXTURES / a) if a.endswith(".json") and not a.startswith("o") else a for a in args
    ]
    code, stdout, stderr = run(capsys, *paths)
    assert code == 2 and stdout == ""
    assert stderr.count("\n") == 1 and message in stderr and "Traceback" not in stderr
    assert list(tmp_path.iterdir()) == []
