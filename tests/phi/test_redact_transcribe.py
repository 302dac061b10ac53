"""``transcribe --content-identification phi --redact/--redact-audio`` on the aws backend (moto).

moto writes no transcript, so the service's PHI output (shaped as phi-id-batch.md
shows) is put at the job's OutputKey right after StartMedicalTranscriptionJob,
where the service would write it; the rest is the real backend, batch runner and
redaction.
"""

from __future__ import annotations

import json
import re
import stat
import wave
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import boto3
import numpy as np
import pytest

from medscribe.cli import main

REGION = "us-east-1"
BUCKET = "clinic-audio"
RATE = 16_000


def word(content: str, start: float, end: float) -> dict[str, Any]:
    return {
        "start_time": str(start),
        "end_time": str(end),
        "alternatives": [{"confidence": "0.99", "content": content}],
        "type": "pronunciation",
        "speaker_label": "spk_0",
    }


def span(start: float, end: float) -> dict[str, Any]:
    return {"start_time": str(start), "end_time": str(end), "speaker_label": "spk_0"}


SERVICE_OUTPUT = {
    "jobName": "visit-phi",
    "accountId": "111122223333",
    "results": {
        "transcripts": [{"transcript": "Mister Smith is 45."}],
        "items": [
            word("Mister", 0.1, 0.4),
            word("Smith", 0.4, 0.8),
            word("is", 0.8, 0.9),
            word("45", 0.9, 1.3),
            {"alternatives": [{"confidence": "0.0", "content": "."}], "type": "punctuation"},
        ],
        "speaker_labels": {
            "speakers": 1,
            "segments": [
                {
                    **span(0.1, 1.3),
                    "items": [span(0.1, 0.4), span(0.4, 0.8), span(0.8, 0.9), span(0.9, 1.3)],
                }
            ],
        },
        "entities": [
            {
                "content": "Mister Smith",
                "category": "PHI-Personal",
                "startTime": 0.1,
                "endTime": 0.8,
                "confidence": 0.9988,
            },
            {
                "content": "45",
                "category": "PHI-Personal",
                "startTime": 0.9,
                "endTime": 1.3,
                "confidence": 0.9512,
            },
        ],
    },
    "status": "COMPLETED",
}


@pytest.fixture
def service(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """moto in-process with fake credentials; the PHI output lands where the job writes."""
    from botocore.client import BaseClient
    from moto import mock_aws

    for var in ("AWS_PROFILE", "AWS_ENDPOINT_URL", "AWS_ENDPOINT_URL_S3", "MEDSCRIBE_BUCKET"):
        monkeypatch.delenv(var, raising=False)
    for var in ("AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_SESSION_TOKEN"):
        monkeypatch.setenv(var, "testing")
    for var in ("AWS_DEFAULT_REGION", "AWS_REGION"):
        monkeypatch.setenv(var, REGION)
    monkeypatch.setenv("AWS_EC2_METADATA_DISABLED", "true")
    monkeypatch.setenv("MEDSCRIBE_POLL_INTERVAL", "0.01")
    monkeypatch.setenv("MEDSCRIBE_POLL_MAX_INTERVAL", "0.02")
    real = BaseClient._make_api_call

    def call(self: BaseClient, operation: str, params: dict[str, Any]) -> Any:
        reply = real(self, operation, params)
        if operation == "StartMedicalTranscriptionJob":
            body = json.dumps(SERVICE_OUTPUT).encode()
            s3 = boto3.client("s3", region_name=REGION)
            s3.put_object(Bucket=params["OutputBucketName"], Key=params["OutputKey"], Body=body)
        return reply

    monkeypatch.setattr(BaseClient, "_make_api_call", call)
    with mock_aws():
        boto3.client("s3", region_name=REGION).create_bucket(Bucket=BUCKET)
        yield


@pytest.fixture
def wav(tmp_path: Path) -> Path:
    path = tmp_path / "visit.wav"
    with wave.open(str(path), "wb") as out:
        out.setnchannels(1)
        out.setsampwidth(2)
        out.setframerate(RATE)
        out.writeframes(np.full(2 * RATE, 777, dtype="<i2").tobytes())
    return path


def run(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str]:
    try:
        main(["transcribe", *args])
        code = 0
    except SystemExit as exc:
        code = int(exc.code or 0)
    return code, capsys.readouterr().err


AWS = ("--backend", "aws", "--bucket", BUCKET, "--content-identification", "phi", "-q")


@pytest.mark.usefixtures("service")
def test_redacted_copies_beside_every_output_and_the_audio(
    wav: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out, audio_out = tmp_path / "out", tmp_path / "visit.redacted.wav"
    code, err = run(
        capsys,
        str(wav),
        *AWS,
        "--output-dir",
        str(out),
        "--format",
        "json,text,vtt,srt",
        "--speakers",
        "2",
        "--speaker-names",
        "spk_0=Mr Smith",
        "--redact",
        "--redact-audio",
        str(audio_out),
    )
    assert code == 0, err
    copies = sorted(p.name for p in out.iterdir() if ".redacted." in p.name)
    assert copies == [f"visit.redacted.{e}" for e in ("json", "srt", "txt", "vtt")]
    for name in copies:
        path = out / name
        text = path.read_text(encoding="utf-8")
        assert stat.S_IMODE(path.stat().st_mode) == 0o600
        assert not re.search(r"\b(Mister|Smith|45)\b", text) and "[PHI:PERSONAL]" in text, name
    # The originals the user asked for are there, unredacted, with the speaker's name;
    # the copies keep spk_0 (a name given for a speaker is PHI too).
    assert "Mr Smith: Mister Smith" in (out / "visit.txt").read_text(encoding="utf-8")
    assert "spk_0: [PHI:PERSONAL]" in (out / "visit.redacted.txt").read_text(encoding="utf-8")
    with wave.open(str(audio_out), "rb") as back:
        data = np.frombuffer(back.readframes(back.getnframes()), dtype="<i2")
    assert (data[: int(1.3 * RATE)] == 0).all() and (data[int(1.5 * RATE) :] == 777).all()
    assert stat.S_IMODE(audio_out.stat().st_mode) == 0o600
    assert "Smith" not in err


def test_redaction_needs_phi_identification_and_a_destination(
    wav: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code, err = run(capsys, str(wav), "--redact", "-o", str(tmp_path / "v.txt"))
    assert code == 2 and err.count("\n") == 1
    assert "--redact needs --content-identification phi" in err
    code, err = run(capsys, str(wav), "--content-identification", "phi", "--redact")
    assert code == 2 and "give -o FILE or --output-dir" in err
    code, err = run(capsys, str(wav), "--redact-audio", str(tmp_path / "o.mp3"))
    assert code == 2 and "--redact-audio needs --content-identification phi" in err
    assert sorted(p.name for p in tmp_path.iterdir()) == ["visit.wav"]
