"""S3 keys never hold the input's file name (patient data); download and resume still work.

moto in-process: the audio is uploaded for real, every key of both buckets is listed.
"""

from __future__ import annotations

from pathlib import Path

import boto3
import pytest
from awskit import REGION, ROOT, write_wav

from medscribe.backends import JobStatus
from medscribe.backends.aws import AwsBackend
from medscribe.batch import BatchRequest, run_batch
from medscribe.config import Settings
from medscribe.request import build_options
from medscribe.transcript import codec

BUCKET = "clinic-audio"
OUT_BUCKET = "clinic-transcripts"
SPEAKER_JSON = ROOT / "tests" / "fixtures" / "transcripts" / "speaker-labels.json"
#: What a clinic names its recordings: the part that must not reach S3.
PATIENT = "Zelda-Quixote-DOB-1970-01-01"
pytestmark = pytest.mark.usefixtures("mocked")


def _backend() -> AwsBackend:
    s3 = boto3.client("s3", region_name=REGION)
    for bucket in (BUCKET, OUT_BUCKET):
        s3.create_bucket(Bucket=bucket)
    return AwsBackend(Settings(backend="aws", bucket=BUCKET, output_bucket=OUT_BUCKET))


def _all_keys() -> list[str]:
    s3 = boto3.client("s3", region_name=REGION)
    keys: list[str] = []
    for bucket in (BUCKET, OUT_BUCKET):
        keys += [o["Key"] for o in s3.list_objects_v2(Bucket=bucket).get("Contents", [])]
    return keys


def _finish(backend: AwsBackend, name: str) -> None:
    """moto moves a job one state per GetMedicalTranscriptionJob call."""
    for _ in range(5):
        if backend.get_job(name).status.finished:
            return
    raise AssertionError(f"job {name} did not finish")


def _deliver(name: str) -> None:
    """What the service does at the end of a job and moto does not: write the transcript."""
    boto3.client("s3", region_name=REGION).put_object(
        Bucket=OUT_BUCKET, Key=f"medscribe/output/{name}.json", Body=SPEAKER_JSON.read_bytes()
    )


def test_audio_key_is_job_and_format_and_the_transcript_comes_back(tmp_path: Path) -> None:
    backend = _backend()
    audio = write_wav(tmp_path / f"{PATIENT}.wav")
    job = backend.start_job("visit-7", audio, build_options())

    assert job.media_uri == f"s3://{BUCKET}/medscribe/input/visit-7/audio.wav"
    assert _all_keys() == ["medscribe/input/visit-7/audio.wav"]
    _finish(backend, "visit-7")
    _deliver("visit-7")
    expected = codec.load(SPEAKER_JSON)
    assert backend.get_transcript(backend.get_job("visit-7")).items == expected.items
    # Resume: a later process knows only the settings and the job name.
    fresh = AwsBackend(Settings(backend="aws", bucket=BUCKET, output_bucket=OUT_BUCKET))
    assert fresh.get_transcript(fresh.get_job("visit-7")).items == expected.items
    assert not [k for k in _all_keys() if "Zelda" in k or "1970" in k]


def test_a_batch_with_default_job_names_puts_no_file_name_in_any_key(tmp_path: Path) -> None:
    backend = _backend()
    inputs = [
        write_wav(tmp_path / f"{PATIENT}.wav"),
        write_wav(tmp_path / "Yusuf-Ampersand-MRN-55512.wav", freq=660),
    ]
    started = run_batch(backend, BatchRequest(inputs, build_options(), wait=False))
    names = [f.job_name for f in started.files]
    assert len(set(names)) == 2

    for name in names:
        _finish(backend, name)
        _deliver(name)
    out = tmp_path / "out"
    done = run_batch(
        backend, BatchRequest(inputs, build_options(), output_dir=out, formats=["text"])
    )
    assert [f.status for f in done.files] == [JobStatus.COMPLETED.value] * 2
    assert [f.job_name for f in done.files] == names, "the rerun attached to the same jobs"
    assert all(f.outputs and f.outputs[0].is_file() for f in done.files)

    keys = _all_keys()
    assert sorted(keys) == sorted(
        [f"medscribe/input/{n}/audio.wav" for n in names]
        + [f"medscribe/output/{n}.json" for n in names]
    )
    for word in ("Zelda", "Quixote", "1970", "Yusuf", "Ampersand", "55512"):
        assert not [k for k in keys if word.lower() in k.lower()], word
