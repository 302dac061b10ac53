"""Error paths that moto cannot produce, against a scripted local endpoint (real HTTP, real
botocore parsing and retries): AccessDenied, throttling with retries, a racing
ConflictException, UpdateMedicalVocabulary; plus missing credentials, region and endpoint."""

from __future__ import annotations

import time
from pathlib import Path

import pytest
from awskit import ROOT, Reply, ScriptedAws, free_port, json_error, json_ok, s3_error

from medscribe.backends.aws import AwsBackend
from medscribe.config import Settings
from medscribe.errors import BackendError, ConfigError, ConflictError
from medscribe.request import build_options

NOT_FOUND = json_error(
    "BadRequestException",
    "The requested job couldn't be found. Check the job name and try your request again.",
)
THROTTLED = json_error("ThrottlingException", "Rate exceeded")
PUT_OK = Reply(200, b"", {"ETag": '"0123456789abcdef"'})
EMPTY_LIST = json_ok({"MedicalTranscriptionJobSummaries": []})


def backend_for(fake: ScriptedAws, **settings: object) -> AwsBackend:
    return AwsBackend(
        Settings(backend="aws", bucket="locked-bucket", endpoint_url=fake.url, **settings)
    )


def test_s3_access_denied_names_action_and_bucket(scripted: ScriptedAws, wav16k: Path):
    scripted.on("Transcribe.GetMedicalTranscriptionJob", NOT_FOUND)
    scripted.on("S3 PUT", s3_error("AccessDenied", "Access Denied", 403))
    with pytest.raises(ConfigError) as info:
        backend_for(scripted).start_job("visit-denied", wav16k, build_options())
    message = str(info.value)
    assert "access denied: s3:PutObject on bucket locked-bucket" in message
    assert info.value.exit_code == 2
    assert scripted.calls("Transcribe.StartMedicalTranscriptionJob") == []


def test_transcribe_access_denied(scripted: ScriptedAws, wav16k: Path):
    scripted.on("Transcribe.GetMedicalTranscriptionJob", NOT_FOUND)
    scripted.on("S3 PUT", PUT_OK)
    scripted.on(
        "Transcribe.StartMedicalTranscriptionJob",
        json_error("AccessDeniedException", "User is not authorized"),
    )
    with pytest.raises(ConfigError, match="transcribe:StartMedicalTranscriptionJob"):
        backend_for(scripted).start_job("visit-denied2", wav16k, build_options())


def test_throttling_is_retried_with_backoff_then_succeeds(scripted: ScriptedAws):
    scripted.on("Transcribe.ListMedicalTranscriptionJobs", THROTTLED, THROTTLED, EMPTY_LIST)
    assert backend_for(scripted).list_jobs() == []
    assert len(scripted.calls("Transcribe.ListMedicalTranscriptionJobs")) == 3


def test_throttling_after_all_retries_is_one_error(
    scripted: ScriptedAws, monkeypatch: pytest.MonkeyPatch
):
    monkeypatch.setenv("AWS_MAX_ATTEMPTS", "3")  # the user's botocore setting is honoured
    scripted.on("Transcribe.ListMedicalTranscriptionJobs", THROTTLED)
    with pytest.raises(BackendError, match=r"throttled .*ThrottlingException.* after 3 attempts"):
        backend_for(scripted).list_jobs()
    assert len(scripted.calls("Transcribe.ListMedicalTranscriptionJobs")) == 3


def test_service_conflict_when_another_run_took_the_name(scripted: ScriptedAws, wav16k: Path):
    scripted.on("Transcribe.GetMedicalTranscriptionJob", NOT_FOUND)
    scripted.on("S3 PUT", PUT_OK)
    scripted.on(
        "Transcribe.StartMedicalTranscriptionJob",
        json_error("ConflictException", "The requested job name already exists."),
    )
    with pytest.raises(ConflictError, match="job named visit-race already exists"):
        backend_for(scripted).start_job("visit-race", wav16k, build_options(max_speakers=2))
    sent = scripted.calls("Transcribe.StartMedicalTranscriptionJob")[0].json()
    assert sent["Settings"] == {"ShowSpeakerLabels": True, "MaxSpeakerLabels": 2}
    assert sent["OutputKey"] == "medscribe/output/visit-race.json"


def test_update_vocabulary_uploads_then_updates(scripted: ScriptedAws):
    table = ROOT / "examples" / "cardiology-vocabulary.txt"
    scripted.on("S3 PUT", PUT_OK)
    scripted.on(
        "Transcribe.UpdateMedicalVocabulary",
        json_ok(
            {"VocabularyName": "cardio", "LanguageCode": "en-US", "VocabularyState": "PENDING"}
        ),
    )
    vocabulary = backend_for(scripted).update_vocabulary("cardio", table)
    assert vocabulary.state == "PENDING"
    put = scripted.calls("S3 PUT")[0]
    assert put.path.startswith("/locked-bucket/medscribe/input/vocabularies/cardio.txt")
    assert put.headers["x-amz-server-side-encryption"] == "AES256"
    assert scripted.calls("Transcribe.UpdateMedicalVocabulary")[0].json() == {
        "VocabularyName": "cardio",
        "LanguageCode": "en-US",
        "VocabularyFileUri": "s3://locked-bucket/medscribe/input/vocabularies/cardio.txt",
    }


def test_unreachable_endpoint(monkeypatch: pytest.MonkeyPatch):
    monkeypatch.setenv("AWS_MAX_ATTEMPTS", "1")
    url = f"http://127.0.0.1:{free_port()}"  # nothing listens there
    backend = AwsBackend(Settings(backend="aws", bucket="b", endpoint_url=url))
    started = time.monotonic()
    with pytest.raises(BackendError, match="cannot reach"):
        backend.list_jobs()
    assert time.monotonic() - started < 10


def test_no_credentials(monkeypatch: pytest.MonkeyPatch, scripted: ScriptedAws):
    for var in ("AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_SESSION_TOKEN"):
        monkeypatch.delenv(var)
    with pytest.raises(ConfigError, match="no AWS credentials found") as info:
        backend_for(scripted).list_jobs()
    assert "AWS_ACCESS_KEY_ID" in str(info.value) and info.value.exit_code == 2
    assert scripted.requests == []


def test_no_region(monkeypatch: pytest.MonkeyPatch):
    monkeypatch.delenv("AWS_DEFAULT_REGION")
    with pytest.raises(ConfigError, match="no AWS region"):
        AwsBackend(Settings(backend="aws", bucket="b")).list_jobs()


def test_unknown_aws_profile():
    with pytest.raises(ConfigError, match="AWS profile not found: ghost"):
        AwsBackend(Settings(backend="aws", bucket="b", aws_profile="ghost")).list_jobs()


def test_doctor_says_exactly_which_permission_is_missing(scripted: ScriptedAws):
    from medscribe.backends.aws.doctor import aws_checks

    identity = (
        b'<GetCallerIdentityResponse xmlns="https://sts.amazonaws.com/doc/2011-06-15/">'
        b"<GetCallerIdentityResult><Arn>arn:aws:iam::111122223333:user/scribe</Arn>"
        b"<UserId>AIDA</UserId><Account>111122223333</Account></GetCallerIdentityResult>"
        b"</GetCallerIdentityResponse>"
    )
    scripted.on("STS.GetCallerIdentity", Reply(200, identity, {"Content-Type": "text/xml"}))
    scripted.on(
        "Transcribe.ListMedicalTranscriptionJobs",
        json_error("AccessDeniedException", "not authorized"),
    )
    scripted.on("S3 HEAD", Reply(403))
    checks = {c.name: c for c in aws_checks(backend_for(scripted).settings)}

    assert checks["region"].ok and checks["credentials"].ok
    assert "111122223333" in checks["credentials"].detail
    assert not checks["transcribe permissions"].ok
    assert "transcribe:ListMedicalTranscriptionJobs" in checks["transcribe permissions"].detail
    assert not checks["bucket"].ok
    assert "s3:HeadBucket on bucket locked-bucket" in checks["bucket"].detail


def test_aws_endpoint_url_from_the_environment_is_honoured(
    scripted: ScriptedAws, monkeypatch: pytest.MonkeyPatch
):
    monkeypatch.setenv("AWS_ENDPOINT_URL", scripted.url)
    scripted.on("Transcribe.ListMedicalTranscriptionJobs", EMPTY_LIST)
    assert AwsBackend(Settings(backend="aws", bucket="b")).list_jobs() == []
    assert len(scripted.calls("Transcribe.ListMedicalTranscriptionJobs")) == 1


def test_everything_missing_is_reported_at_once_without_cli_flags(
    monkeypatch: pytest.MonkeyPatch, scripted: ScriptedAws
):
    """The library says what is missing and how to set it; the CLI adds its flags."""
    from medscribe.backends.aws.doctor import aws_checks
    from medscribe.backends.aws.session import ensure_ready
    from medscribe.config import NotReadyError

    for var in ("AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_SESSION_TOKEN"):
        monkeypatch.delenv(var)
    monkeypatch.delenv("AWS_DEFAULT_REGION")
    with pytest.raises(NotReadyError) as info:
        ensure_ready(Settings(backend="aws"))
    assert [m.setting for m in info.value.missing] == ["bucket", "region", "credentials"]
    message = str(info.value)
    assert message.startswith("aws backend not ready: no S3 bucket is set (")
    assert "no AWS region is set" in message and "no AWS credentials found" in message
    assert "--" not in message and info.value.exit_code == 2

    # The backend's own clients: region and credentials together, before any request.
    with pytest.raises(NotReadyError) as listing:
        backend_for(scripted).list_jobs()
    assert [m.setting for m in listing.value.missing] == ["region", "credentials"]
    assert scripted.requests == []

    checks = {c.name: c for c in aws_checks(Settings(backend="aws"))}
    assert [checks[n].ok for n in ("region", "credentials", "bucket")] == [False] * 3
    assert all("--" not in c.detail for c in checks.values())
    assert scripted.requests == []


def test_aws_region_from_the_environment_is_honoured(monkeypatch: pytest.MonkeyPatch):
    """botocore reads AWS_DEFAULT_REGION only; AWS_REGION (the AWS CLI v2's) counts too."""
    from medscribe.backends.aws.session import make_clients

    monkeypatch.delenv("AWS_DEFAULT_REGION")
    monkeypatch.setenv("AWS_REGION", "eu-west-2")
    assert make_clients(Settings(backend="aws")).region == "eu-west-2"
    assert make_clients(Settings(backend="aws", region="ca-central-1")).region == "ca-central-1"
