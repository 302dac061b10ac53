"""AwsBackend against moto in-process: every call with the exact parameters the options imply."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import boto3
import pytest
from awskit import REGION, ROOT, write_wav
from boto3.s3.transfer import TransferConfig
from moto.core import DEFAULT_ACCOUNT_ID
from moto.transcribe.models import transcribe_backends

from medscribe.backends import JobStatus, get_backend
from medscribe.backends.aws import AwsBackend, parse_s3_url
from medscribe.backends.base import Backend
from medscribe.config import Settings
from medscribe.errors import (
    ConfigError,
    ConflictError,
    JobFailedError,
    MediaError,
    NotFoundError,
    ValidationError,
    VocabularyFormatError,
)
from medscribe.request import build_options
from medscribe.transcript import codec

BUCKET = "clinic-audio"
OUT_BUCKET = "clinic-transcripts"
SPEAKER_JSON = ROOT / "tests" / "fixtures" / "transcripts" / "speaker-labels.json"
pytestmark = pytest.mark.usefixtures("mocked")


def moto_job(name: str) -> Any:
    return transcribe_backends[DEFAULT_ACCOUNT_ID][REGION].medical_transcriptions[name]


def make_backend(**settings: Any) -> AwsBackend:
    s3 = boto3.client("s3", region_name=REGION)
    for bucket in {settings.get("bucket", BUCKET), settings.get("output_bucket") or BUCKET}:
        s3.create_bucket(Bucket=bucket)
    return AwsBackend(Settings(backend="aws", **{"bucket": BUCKET, **settings}))


def capture(backend: AwsBackend, service: str, operation: str) -> list[dict[str, Any]]:
    """Record the parameters that botocore really sends for ``operation``."""
    seen: list[dict[str, Any]] = []
    client = getattr(backend.clients, service)
    client.meta.events.register(
        f"provide-client-params.{client.meta.service_model.endpoint_prefix}.{operation}",
        lambda params, **_: seen.append(dict(params)),
    )
    return seen


def finish(backend: AwsBackend, name: str) -> Any:
    """moto moves a job one state per GetMedicalTranscriptionJob call."""
    for _ in range(5):
        job = backend.get_job(name)
        if job.status.finished:
            return job
    raise AssertionError(f"job {name} did not finish")


def test_get_backend_builds_aws_backend_that_meets_the_protocol():
    backend = get_backend(Settings(backend="aws", bucket=BUCKET))
    assert isinstance(backend, AwsBackend)
    assert isinstance(backend, Backend)


def test_start_job_uploads_encrypted_and_starts_with_exact_parameters(wav16k: Path):
    backend = make_backend(output_bucket=OUT_BUCKET)
    sent = capture(backend, "transcribe", "StartMedicalTranscriptionJob")
    options = build_options(max_speakers=3, max_alternatives=2)

    job = backend.start_job("visit-1", wav16k, options)

    key = "medscribe/input/visit-1/audio.wav"
    assert sent == [
        {
            "MedicalTranscriptionJobName": "visit-1",
            "LanguageCode": "en-US",
            "MediaFormat": "wav",
            "MediaSampleRateHertz": 16000,
            "Media": {"MediaFileUri": f"s3://{BUCKET}/{key}"},
            "OutputBucketName": OUT_BUCKET,
            "OutputKey": "medscribe/output/visit-1.json",
            "Specialty": "PRIMARYCARE",
            "Type": "CONVERSATION",
            "Settings": {
                "ShowSpeakerLabels": True,
                "MaxSpeakerLabels": 3,
                "ShowAlternatives": True,
                "MaxAlternatives": 2,
            },
        }
    ]
    assert job.name == "visit-1" and job.status is JobStatus.QUEUED
    head = boto3.client("s3", region_name=REGION).head_object(Bucket=BUCKET, Key=key)
    assert head["ServerSideEncryption"] == "AES256"
    assert head["ContentLength"] == wav16k.stat().st_size
    recorded = moto_job("visit-1")
    assert recorded._output_bucket_name == OUT_BUCKET
    assert recorded.specialty == "PRIMARYCARE" and recorded.type == "CONVERSATION"
    described = backend.get_job("visit-1")
    assert described.settings == sent[0]["Settings"]
    assert described.media_uri == f"s3://{BUCKET}/{key}"
    assert described.sample_rate == 16000 and described.media_format == "wav"


def test_channels_dictation_vocabulary_and_kms(tmp_path: Path):
    stereo = write_wav(tmp_path / "two-mics.wav", channels=2, rate=22050)
    backend = make_backend(kms_key_id="alias/clinic")
    vocab_file = ROOT / "examples" / "cardiology-vocabulary.txt"
    backend.create_vocabulary("cardio", vocab_file)
    sent = capture(backend, "transcribe", "StartMedicalTranscriptionJob")
    options = build_options(type="dictation", channel_identification=True, vocabulary="cardio")

    backend.start_job("dictation-1", stereo, options)

    params = sent[0]
    assert params["Type"] == "DICTATION"
    assert params["MediaSampleRateHertz"] == 22050
    assert params["Settings"] == {"ChannelIdentification": True, "VocabularyName": "cardio"}
    assert params["OutputEncryptionKMSKeyId"] == "alias/clinic"
    assert params["OutputBucketName"] == BUCKET
    head = boto3.client("s3", region_name=REGION).head_object(
        Bucket=BUCKET, Key="medscribe/input/dictation-1/audio.wav"
    )
    assert head["ServerSideEncryption"] == "aws:kms"
    assert head["SSEKMSKeyId"].endswith("alias/clinic")
    assert moto_job("dictation-1")._output_encryption_kms_key_id == "alias/clinic"


def test_large_file_goes_multipart_with_progress(tmp_path: Path):
    # 6 MiB of audio with a 5 MiB threshold: two parts (S3's minimum part size is 5 MiB).
    big = write_wav(tmp_path / "long.wav", seconds=200)
    progress: list[int] = []
    totals: list[int] = []

    def factory(path: Path, total: int):
        totals.append(total)
        return progress.append

    backend = make_backend()
    backend.transfer_config = TransferConfig(
        multipart_threshold=5 * 1024 * 1024, multipart_chunksize=5 * 1024 * 1024
    )
    backend.progress_factory = factory
    backend.start_job("long-1", big, build_options())

    head = boto3.client("s3", region_name=REGION).head_object(
        Bucket=BUCKET, Key="medscribe/input/long-1/audio.wav"
    )
    assert head["ETag"].strip('"').endswith("-2")  # a multipart upload's ETag
    assert totals == [big.stat().st_size]
    assert sum(progress) == big.stat().st_size


def test_request_is_checked_before_any_aws_call(wav8k: Path, wav16k: Path, tmp_path: Path):
    backend = AwsBackend(Settings(backend="aws", bucket="no-such-bucket-anywhere"))
    with pytest.raises(MediaError, match="16 kHz"):
        backend.start_job("phone-1", wav8k, build_options())
    with pytest.raises(ValidationError, match="PRIMARYCARE only"):
        backend.start_job("cardio-1", wav16k, build_options(specialty="cardiology"))
    with pytest.raises(ValidationError, match="invalid job name"):
        backend.start_job("bad name!", wav16k, build_options())
    not_audio = tmp_path / "notes.wav"
    not_audio.write_text("not audio at all")
    with pytest.raises(MediaError):
        backend.start_job("text-1", not_audio, build_options())
    with pytest.raises(MediaError, match="no such file"):
        backend.start_job("gone-1", tmp_path / "gone.wav", build_options())
    # No client was even built, so nothing reached AWS.
    assert backend._clients is None


def test_duplicate_job_name_is_a_conflict_and_keeps_the_first_media(wav16k: Path, tmp_path: Path):
    backend = make_backend()
    backend.start_job("visit-dup", wav16k, build_options())
    s3 = boto3.client("s3", region_name=REGION)
    key = "medscribe/input/visit-dup/audio.wav"
    etag = s3.head_object(Bucket=BUCKET, Key=key)["ETag"]
    (tmp_path / "again").mkdir()
    other = write_wav(tmp_path / "again" / wav16k.name, freq=880)  # same key, other audio

    with pytest.raises(ConflictError, match="visit-dup already exists"):
        backend.start_job("visit-dup", other, build_options())
    assert s3.head_object(Bucket=BUCKET, Key=key)["ETag"] == etag


def test_missing_bucket_is_one_config_error(wav16k: Path):
    backend = AwsBackend(Settings(backend="aws", bucket="bucket-that-is-not-there"))
    with pytest.raises(ConfigError, match="bucket-that-is-not-there does not exist") as info:
        backend.start_job("visit-nb", wav16k, build_options())
    assert info.value.exit_code == 2


def test_no_bucket_configured(wav16k: Path):
    backend = AwsBackend(Settings(backend="aws"))
    with pytest.raises(ConfigError, match="no S3 bucket"):
        backend.start_job("visit-nob", wav16k, build_options())


def test_jobs_list_get_delete_and_transcript(wav16k: Path):
    backend = make_backend(output_bucket=OUT_BUCKET)
    backend.start_job("visit-a", wav16k, build_options(max_speakers=2))
    backend.start_job("visit-b", wav16k, build_options())

    assert {j.name for j in backend.list_jobs()} == {"visit-a", "visit-b"}
    assert [j.name for j in backend.list_jobs(contains="-a")] == ["visit-a"]
    assert backend.list_jobs(status=JobStatus.COMPLETED) == []

    job = finish(backend, "visit-a")
    assert job.status is JobStatus.COMPLETED
    assert [j.name for j in backend.list_jobs(status=JobStatus.COMPLETED)] == ["visit-a"]

    # moto writes no transcript: put one, shaped as the service writes it, at the output key.
    s3 = boto3.client("s3", region_name=REGION)
    s3.put_object(
        Bucket=OUT_BUCKET, Key="medscribe/output/visit-a.json", Body=SPEAKER_JSON.read_bytes()
    )
    expected = codec.load(SPEAKER_JSON)
    got = backend.get_transcript(job)
    assert got.items == expected.items
    assert got.speakers == 2

    # A later process knows only the settings: it finds the same transcript.
    fresh = AwsBackend(Settings(backend="aws", bucket=BUCKET, output_bucket=OUT_BUCKET))
    assert fresh.get_transcript(fresh.get_job("visit-a")).items == expected.items

    backend.delete_job("visit-a")
    with pytest.raises(NotFoundError, match="visit-a not found"):
        backend.get_job("visit-a")
    with pytest.raises(NotFoundError):
        backend.delete_job("visit-a")


def test_transcript_missing_or_not_finished(wav16k: Path):
    backend = make_backend()
    job = backend.start_job("visit-m", wav16k, build_options())
    with pytest.raises(ValidationError, match="not COMPLETED"):
        backend.get_transcript(job)
    with pytest.raises(NotFoundError, match="transcript of job visit-m not found"):
        backend.get_transcript(finish(backend, "visit-m"))
    failed = backend.get_job("visit-m")
    failed.status, failed.failure_reason = JobStatus.FAILED, "Invalid sample rate"
    with pytest.raises(JobFailedError, match="Invalid sample rate"):
        backend.get_transcript(failed)


def test_vocabulary_lifecycle(tmp_path: Path):
    backend = make_backend()
    table = ROOT / "examples" / "cardiology-vocabulary.txt"
    sent = capture(backend, "transcribe", "CreateMedicalVocabulary")

    created = backend.create_vocabulary("cardio-terms", table)

    uri = f"s3://{BUCKET}/medscribe/input/vocabularies/cardio-terms.txt"
    assert sent == [
        {"VocabularyName": "cardio-terms", "LanguageCode": "en-US", "VocabularyFileUri": uri}
    ]
    assert created.state == "PENDING"
    obj = boto3.client("s3", region_name=REGION).get_object(
        Bucket=BUCKET, Key="medscribe/input/vocabularies/cardio-terms.txt"
    )
    assert obj["Body"].read() == table.read_bytes()
    assert obj["ServerSideEncryption"] == "AES256"
    states = [backend.get_vocabulary("cardio-terms").state for _ in range(3)]
    assert states[-1] == "READY" and set(states) <= {"PENDING", "READY"}
    assert [v.name for v in backend.list_vocabularies()] == ["cardio-terms"]
    with pytest.raises(ConflictError, match="vocabulary named cardio-terms"):
        backend.create_vocabulary("cardio-terms", table)
    backend.delete_vocabulary("cardio-terms")
    with pytest.raises(NotFoundError, match="vocabulary cardio-terms not found"):
        backend.get_vocabulary("cardio-terms")


def test_bad_vocabulary_file_is_rejected_before_upload(tmp_path: Path):
    bad = tmp_path / "bad.txt"
    bad.write_text("Phrase\tIPA\tSoundsLike\tDisplayAs\nheart attack\t\t\t\n")
    backend = AwsBackend(Settings(backend="aws", bucket=BUCKET))
    with pytest.raises(VocabularyFormatError) as info:
        backend.create_vocabulary("bad-one", bad)
    assert [line for line, _ in info.value.problems] == [2]
    assert backend._clients is None


def test_unknown_vocabulary_in_a_job(wav16k: Path):
    backend = make_backend()
    with pytest.raises(NotFoundError, match="vocabulary"):
        backend.start_job("visit-v", wav16k, build_options(vocabulary="nope"))


@pytest.mark.parametrize(
    ("url", "expected"),
    [
        ("s3://b/k/x.json", ("b", "k/x.json")),
        ("https://s3.us-east-1.amazonaws.com/b/medical/j.json", ("b", "medical/j.json")),
        ("https://b.s3.eu-west-1.amazonaws.com/out/j.json", ("b", "out/j.json")),
        ("https://s3.amazonaws.com/b/a%20b.json", ("b", "a b.json")),
        ("https://x.example.com/j.json?X-Amz-Signature=abc", None),
    ],
)
def test_parse_s3_url(url: str, expected: tuple[str, str] | None):
    assert parse_s3_url(url) == expected
