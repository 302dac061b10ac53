"""PHI in an aws batch job: StartMedicalTranscriptionJob gets ContentIdentificationType=PHI.

Against moto in-process. moto accepts the parameter but keeps no record of it, so
the test records what botocore really sends (its ``provide-client-params`` hook,
after the request is built, before it is validated against the service model and
signed); the CLI test records the same at the client's one call path. The
service's PHI output (results.entities, shaped as phi-id-batch.md shows) is put
at the job's output key, as moto writes no transcript, and read back.
"""

from __future__ import annotations

import json
import wave
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import boto3
import pytest

from medscribe.backends.aws import AwsBackend
from medscribe.cli import main
from medscribe.config import Settings
from medscribe.request import build_options
from medscribe.transcript import Entity

REGION = "us-east-1"
BUCKET = "clinic-audio"
#: The service's PHI output in the shape of phi-id-batch.md's example (numbers, camel case).
SERVICE_OUTPUT = {
    "jobName": "visit-phi",
    "accountId": "111122223333",
    "results": {
        "transcripts": [{"transcript": "Mister Smith is 45."}],
        "items": [
            {
                "start_time": "0.0",
                "end_time": "0.4",
                "alternatives": [{"confidence": "0.99", "content": "Mister"}],
                "type": "pronunciation",
            },
            {
                "start_time": "0.4",
                "end_time": "0.8",
                "alternatives": [{"confidence": "0.98", "content": "Smith"}],
                "type": "pronunciation",
            },
            {
                "start_time": "0.8",
                "end_time": "0.9",
                "alternatives": [{"confidence": "0.99", "content": "is"}],
                "type": "pronunciation",
            },
            {
                "start_time": "0.9",
                "end_time": "1.3",
                "alternatives": [{"confidence": "0.97", "content": "45"}],
                "type": "pronunciation",
            },
            {"alternatives": [{"confidence": "0.0", "content": "."}], "type": "punctuation"},
        ],
        "entities": [
            {
                "content": "Mister Smith",
                "category": "PHI-Personal",
                "startTime": 0.0,
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
def mocked(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """Fake credentials and moto in-process: no call can reach an account."""
    from moto import mock_aws

    for var in ("AWS_PROFILE", "AWS_ENDPOINT_URL", "AWS_ENDPOINT_URL_S3", "MEDSCRIBE_BUCKET"):
        monkeypatch.delenv(var, raising=False)
    for var in ("AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_SESSION_TOKEN"):
        monkeypatch.setenv(var, "testing")
    monkeypatch.setenv("AWS_DEFAULT_REGION", REGION)
    monkeypatch.setenv("AWS_REGION", REGION)
    monkeypatch.setenv("AWS_EC2_METADATA_DISABLED", "true")
    with mock_aws():
        boto3.client("s3", region_name=REGION).create_bucket(Bucket=BUCKET)
        yield


@pytest.fixture
def wav(tmp_path: Path) -> Path:
    path = tmp_path / "visit.wav"
    with wave.open(str(path), "wb") as out:
        out.setnchannels(1)
        out.setsampwidth(2)
        out.setframerate(16000)
        out.writeframes(b"\x10\x00\xf0\xff" * 8000)
    return path


def _sent(backend: AwsBackend) -> list[dict[str, Any]]:
    """What botocore sends to StartMedicalTranscriptionJob (the request as built)."""
    seen: list[dict[str, Any]] = []
    client = backend.clients.transcribe
    client.meta.events.register(
        "provide-client-params.transcribe.StartMedicalTranscriptionJob",
        lambda params, **_: seen.append(dict(params)),
    )
    return seen


@pytest.mark.usefixtures("mocked")
def test_the_job_is_started_with_content_identification_phi(wav: Path) -> None:
    backend = AwsBackend(Settings(backend="aws", bucket=BUCKET))
    sent = _sent(backend)
    job = backend.start_job("visit-phi", wav, build_options(content_identification="phi"))
    assert sent[0]["ContentIdentificationType"] == "PHI"
    # A top-level parameter of the call, not one of its Settings.
    assert "ContentIdentificationType" not in sent[0].get("Settings", {})
    assert job.content_identification == "PHI"
    assert job.to_service_dict()["ContentIdentificationType"] == "PHI"

    backend.start_job("visit-plain", wav, build_options())
    assert "ContentIdentificationType" not in sent[1]


@pytest.mark.usefixtures("mocked")
def test_the_services_phi_output_reads_back_as_entities(wav: Path) -> None:
    backend = AwsBackend(Settings(backend="aws", bucket=BUCKET))
    job = backend.start_job("visit-phi", wav, build_options(content_identification="phi"))
    boto3.client("s3", region_name=REGION).put_object(
        Bucket=BUCKET, Key=backend.output_key(job.name), Body=json.dumps(SERVICE_OUTPUT).encode()
    )
    for _ in range(5):  # moto moves a job one state per GetMedicalTranscriptionJob call
        job = backend.get_job(job.name)
    transcript = backend.get_transcript(job)
    assert transcript.entities == [
        Entity("Mister Smith", "PHI-Personal", 0.0, 0.8, 0.9988),
        Entity("45", "PHI-Personal", 0.9, 1.3, 0.9512),
    ]


@pytest.mark.usefixtures("mocked")
def test_the_cli_flag_reaches_the_service_call(
    wav: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    from botocore.client import BaseClient

    calls: list[tuple[str, dict[str, Any]]] = []
    real = BaseClient._make_api_call

    def record(self: BaseClient, operation: str, params: dict[str, Any]) -> Any:
        calls.append((operation, dict(params)))
        return real(self, operation, params)

    monkeypatch.setattr(BaseClient, "_make_api_call", record)
    args = ["transcribe", str(wav), "--backend", "aws", "--bucket", BUCKET]
    main([*args, "--content-identification", "PHI", "--no-wait", "--json", "-q"])
    starts = [p for op, p in calls if op == "StartMedicalTranscriptionJob"]
    assert len(starts) == 1 and starts[0]["ContentIdentificationType"] == "PHI"
    summary = json.loads(capsys.readouterr().out)
    assert summary["files"][0]["job_name"] == starts[0]["MedicalTranscriptionJobName"]
