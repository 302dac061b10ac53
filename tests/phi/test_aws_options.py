"""``content_identification``: the request option, its CLI flag, and the offline engine's refusal.

The aws backend's use of it is tested in test_aws_batch.py and test_aws_stream.py;
here: the option as typed, the records it leaves unchanged while off, and the
local backend's one-line refusal (exit 2) through ``Backend.validate``.
"""

from __future__ import annotations

import wave
from pathlib import Path

import pytest

from medscribe.backends.local.backend import LocalBackend
from medscribe.batch.naming import job_name_for
from medscribe.cli import main
from medscribe.config import Settings
from medscribe.errors import ValidationError
from medscribe.request import ContentIdentification, build_options


def _wav(path: Path) -> Path:
    with wave.open(str(path), "wb") as out:
        out.setnchannels(1)
        out.setsampwidth(2)
        out.setframerate(16000)
        out.writeframes(b"\0\0" * 16000)
    return path


@pytest.mark.parametrize("typed", ["phi", "PHI", " Phi "])
def test_the_option_is_typed_in_any_case(typed: str) -> None:
    options = build_options(content_identification=typed)
    assert options.content_identification is ContentIdentification.PHI
    assert options.model_dump(mode="json")["content_identification"] == "PHI"


def test_off_leaves_job_names_and_records_as_before() -> None:
    off = build_options()
    assert "content_identification" not in off.model_dump(mode="json")
    on = build_options(content_identification="phi")
    assert job_name_for("0" * 64, off) != job_name_for("0" * 64, on)


def test_an_unknown_kind_is_refused_with_its_field() -> None:
    with pytest.raises(ValidationError) as err:
        build_options(content_identification="pii")
    assert err.value.option == "content_identification"
    assert "--" not in str(err.value)  # library messages name no flag


def test_the_local_backend_refuses_it_through_the_contract() -> None:
    backend = LocalBackend(Settings())
    options = build_options(content_identification="phi")
    for streaming in (False, True):
        with pytest.raises(ValidationError, match="not in the offline engine yet"):
            backend.validate(options, streaming=streaming)
    backend.validate(build_options())  # without it, nothing to refuse


@pytest.mark.parametrize("command", ["transcribe", "stream"])
def test_the_local_cli_refusal_is_one_line_and_exit_2(
    command: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    audio = _wav(tmp_path / "visit.wav")
    out = tmp_path / "visit.json"
    args = [command, str(audio), "--backend", "local", "--content-identification", "phi"]
    with pytest.raises(SystemExit) as exited:
        main([*args, "-o", str(out)])
    assert exited.value.code == 2
    captured = capsys.readouterr()
    lines = captured.err.strip().splitlines()
    assert lines == [
        "medscribe: error: --content-identification is not in the offline engine yet "
        "(PHI is labelled by Amazon Transcribe Medical only); use the aws backend"
    ]
    assert captured.out == "" and not out.exists()
