"""Speaker roles on the aws backend (moto in-process): the batch labels the service's transcript.

moto runs the job but writes no transcript, so the test puts one at the job's output
key, shaped as the service writes it (spk_0, spk_1): what the batch does with it is
the same code path as for the local engine's.
"""

from __future__ import annotations

import json
import wave
from collections.abc import Iterator
from pathlib import Path

import boto3
import pytest
from dialogues import VISIT, transcript

from medscribe.backends.aws import AwsBackend
from medscribe.batch import BatchEvent, BatchRequest, default_job_name, run_batch
from medscribe.config import Settings
from medscribe.request import build_options
from medscribe.transcript import codec

REGION = "us-east-1"
BUCKET = "clinic-audio"


@pytest.fixture
def aws(monkeypatch: pytest.MonkeyPatch) -> Iterator[AwsBackend]:
    from moto import mock_aws

    for key, value in {
        "AWS_ACCESS_KEY_ID": "testing",
        "AWS_SECRET_ACCESS_KEY": "testing",
        "AWS_SESSION_TOKEN": "testing",
        "AWS_DEFAULT_REGION": REGION,
        "AWS_EC2_METADATA_DISABLED": "true",
    }.items():
        monkeypatch.setenv(key, value)
    for var in ("AWS_ENDPOINT_URL", "AWS_REGION", "MEDSCRIBE_BUCKET", "MEDSCRIBE_ENDPOINT_URL"):
        monkeypatch.delenv(var, raising=False)
    with mock_aws():
        boto3.client("s3", region_name=REGION).create_bucket(Bucket=BUCKET)
        yield AwsBackend(Settings(backend="aws", bucket=BUCKET, region=REGION))


def audio(tmp_path: Path) -> Path:
    path = tmp_path / "visit.wav"
    with wave.open(str(path), "wb") as out:
        out.setnchannels(1)
        out.setsampwidth(2)
        out.setframerate(16000)
        out.writeframes(b"\x10\x00" * 16000)
    return path


def put_service_transcript(backend: AwsBackend, job_name: str) -> None:
    service = transcript(VISIT)  # spk_0 the patient, spk_1 the clinician
    boto3.client("s3", region_name=REGION).put_object(
        Bucket=BUCKET, Key=backend.output_key(job_name), Body=codec.dumps(service).encode()
    )


def run(backend: AwsBackend, wav: Path, out: Path, *, roles: bool) -> tuple[list[BatchEvent], dict]:
    events: list[BatchEvent] = []
    options = build_options(max_speakers=2, speaker_roles=roles)
    request = BatchRequest(
        [wav], options, output_dir=out, formats=["json"], poll_interval=0.0, poll_max_interval=0.0
    )
    summary = run_batch(backend, request, on_event=events.append)
    assert summary.exit_code == 0, [f.failure_reason for f in summary.files]
    return events, json.loads((out / "visit.json").read_text(encoding="utf-8"))


def test_the_batch_labels_the_service_transcript_by_role(aws: AwsBackend, tmp_path: Path) -> None:
    wav = audio(tmp_path)
    name = default_job_name(wav, build_options(max_speakers=2, speaker_roles=True))
    put_service_transcript(aws, name)

    events, doc = run(aws, wav, tmp_path / "out", roles=True)

    items = doc["results"]["items"]
    assert {i.get("speaker_label") for i in items if i["type"] == "pronunciation"} == {
        "CLINICIAN_0",
        "PATIENT_0",
    }
    first = next(i for i in items if i["type"] == "pronunciation")
    assert first["speaker_label"] == "PATIENT_0"  # the patient speaks first in VISIT
    assert doc["results"]["speaker_labels"]["speaker_roles"]["status"] == "ASSIGNED"
    assert not [e for e in events if e.kind == "note"]


def test_asking_for_roles_later_rewrites_from_the_same_job(aws: AwsBackend, tmp_path: Path) -> None:
    """A rerun with roles attaches to the finished job (no second job), then writes roles."""
    wav = audio(tmp_path)
    name = default_job_name(wav, build_options(max_speakers=2))
    put_service_transcript(aws, name)
    out = tmp_path / "out"

    _, plain = run(aws, wav, out, roles=False)
    assert "speaker_roles" not in plain["results"]["speaker_labels"]
    events, doc = run(aws, wav, out, roles=True)

    kinds = [e.kind for e in events]
    assert "attach" in kinds and "start" not in kinds and "skip" not in kinds
    assert doc["results"]["speaker_labels"]["speaker_roles"]["status"] == "ASSIGNED"
    assert len(aws.list_jobs()) == 1
    again, _ = run(aws, wav, out, roles=True)
    assert [e.kind for e in again] == ["skip"]
