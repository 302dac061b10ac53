"""``medscribe transcribe --backend aws`` over moto: upload, start, poll, download, write, resume.

moto runs the job service but writes no transcripts, so each test places a
Transcribe-Medical-format JSON (a fixture shaped as the reference documents show it)
at the job's output location, as the service would.
"""

from __future__ import annotations

import json
import os
import signal
from collections.abc import Iterator
from pathlib import Path

import boto3
import pytest

from medscribe.backends.aws.backend import AwsBackend
from medscribe.batch import MANIFEST_NAME, default_job_name
from medscribe.render import render_string
from medscribe.request import build_options
from medscribe.transcript import codec

REGION = "us-east-1"
BUCKET = "clinic-audio"
FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "transcripts"


@pytest.fixture
def aws(monkeypatch: pytest.MonkeyPatch) -> Iterator[dict]:
    from moto import mock_aws

    for var in ("AWS_REGION", "AWS_ENDPOINT_URL", "MEDSCRIBE_BUCKET", "MEDSCRIBE_REGION"):
        monkeypatch.delenv(var, raising=False)
    for key, value in {
        "AWS_ACCESS_KEY_ID": "testing",
        "AWS_SECRET_ACCESS_KEY": "testing",
        "AWS_DEFAULT_REGION": REGION,
        "AWS_EC2_METADATA_DISABLED": "true",
    }.items():
        monkeypatch.setenv(key, value)
    with mock_aws():
        s3 = boto3.client("s3", region_name=REGION)
        s3.create_bucket(Bucket=BUCKET)
        yield {"s3": s3, "transcribe": boto3.client("transcribe", region_name=REGION)}


def place_transcript(s3, audio: Path, fixture: str, **options: object) -> str:
    """Put the fixture where the job of ``audio`` writes its transcript; returns the job name.

    ``options`` are those of the command (the default job name covers them).
    """
    name = default_job_name(audio, build_options(specialty="primarycare", **options))
    body = (FIXTURES / fixture).read_bytes()
    s3.put_object(Bucket=BUCKET, Key=f"medscribe/output/{name}.json", Body=body)
    return name


def jobs_in(transcribe) -> dict[str, dict]:
    summaries = transcribe.list_medical_transcription_jobs()["MedicalTranscriptionJobSummaries"]
    return {
        s["MedicalTranscriptionJobName"]: transcribe.get_medical_transcription_job(
            MedicalTranscriptionJobName=s["MedicalTranscriptionJobName"]
        )["MedicalTranscriptionJob"]
        for s in summaries
    }


AWS_ARGS = ("--backend", "aws", "--bucket", BUCKET, "--region", REGION)


def test_batch_on_aws_writes_outputs_and_resumes(aws, cli, wav, tmp_path):
    inputs = [wav("visit-a.wav"), wav("visit-b.wav", 1.5)]
    names = [place_transcript(aws["s3"], p, "speaker-labels.json", max_speakers=2) for p in inputs]
    out = tmp_path / "out"
    args = ("transcribe", *map(str, inputs), *AWS_ARGS, "--speakers", "2")
    args += ("--output-dir", str(out), "--format", "json,text", "--json", "--concurrency", "2")

    result = cli(*args)
    assert result.code == 0, result.err
    summary = json.loads(result.out)
    assert [f["job_name"] for f in summary["files"]] == names
    jobs = jobs_in(aws["transcribe"])
    assert sorted(jobs) == sorted(names)
    for audio, name in zip(inputs, names, strict=True):
        job = jobs[name]
        assert job["Settings"]["ShowSpeakerLabels"] is True
        assert job["Settings"]["MaxSpeakerLabels"] == 2
        assert job["Specialty"] == "PRIMARYCARE"
        key = f"medscribe/input/{name}/audio.wav"
        assert job["Media"]["MediaFileUri"] == f"s3://{BUCKET}/{key}"
        head = aws["s3"].head_object(Bucket=BUCKET, Key=key)
        assert head["ContentLength"] == audio.stat().st_size
    expected = codec.load(FIXTURES / "speaker-labels.json")
    written = codec.load(out / "visit-a.json")
    assert written.text == expected.text and written.speakers == expected.speakers
    assert (out / "visit-b.txt").read_text().strip()

    again = cli(*args)
    assert again.code == 0
    assert "already done" in again.err
    assert len(jobs_in(aws["transcribe"])) == 2
    entries = json.loads((out / MANIFEST_NAME).read_text())["files"]
    assert {e["backend"] for e in entries.values()} == {"aws"}


def test_no_wait_on_aws_then_rerun_attaches(aws, cli, wav, tmp_path):
    audio = wav("dictation.wav")
    place_transcript(aws["s3"], audio, "plain-conversation.json")
    out = str(tmp_path / "out")
    base = ("transcribe", str(audio), *AWS_ARGS, "--output-dir", out)
    first = cli(*base, "--no-wait")
    assert first.code == 0, first.err
    assert "1 job(s) submitted" in first.err
    assert not Path(out, "dictation.json").exists()

    second = cli(*base, "--format", "text")
    assert second.code == 0, second.err
    assert "attached to job" in second.err
    assert len(jobs_in(aws["transcribe"])) == 1
    expected = render_string(codec.load(FIXTURES / "plain-conversation.json"), "text")
    assert Path(out, "dictation.txt").read_text() == expected


def test_sigterm_on_aws_leaves_the_job_running_and_a_rerun_collects_it(
    aws, cli, wav, tmp_path, monkeypatch
):
    """SIGTERM while polling the service: exit 130, the summary, the job kept on the service."""
    audio = wav("visit-c.wav")
    name = place_transcript(aws["s3"], audio, "plain-conversation.json")
    polled = AwsBackend.get_job
    calls = []

    def get_job(self, job_name):
        calls.append(job_name)
        if len(calls) == 1:
            # What `timeout` or a service manager does, delivered to this (main) thread.
            os.kill(os.getpid(), signal.SIGTERM)
        return polled(self, job_name)

    monkeypatch.setattr(AwsBackend, "get_job", get_job)
    out = str(tmp_path / "out")
    args = ("transcribe", str(audio), *AWS_ARGS, "--output-dir", out, "--json")
    first = cli(*args)
    assert first.code == 130, first.err
    summary = json.loads(first.out)
    assert summary["interrupted"] is True
    assert [(f["job_name"], f["status"]) for f in summary["files"]] in (
        [(name, "QUEUED")],
        [(name, "IN_PROGRESS")],
    )
    assert (
        first.err.strip()
        .splitlines()[-1]
        .startswith(f"medscribe: error: interrupted; 1 job(s) keep running ({name})")
    )
    assert list(jobs_in(aws["transcribe"])) == [name]

    monkeypatch.setattr(AwsBackend, "get_job", polled)
    second = cli(*args)
    assert second.code == 0, second.err
    assert "attached to job" in second.err and list(jobs_in(aws["transcribe"])) == [name]
    assert Path(out, "visit-c.json").is_file()
