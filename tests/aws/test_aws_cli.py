"""The CLI as a subprocess against moto's server: vocab, doctor, config, and the whole
transcribe --no-wait -> jobs wait flow with a transcript placed at the job's output key."""

from __future__ import annotations

import json
import tomllib
import uuid
from pathlib import Path

import boto3
import pytest
from awskit import REGION, ROOT, cli_env, run_cli, write_wav

from medscribe.transcript import codec

SPEAKER_JSON = ROOT / "tests" / "fixtures" / "transcripts" / "speaker-labels.json"
VOCAB = ROOT / "examples" / "cardiology-vocabulary.txt"


@pytest.fixture
def bucket(server_s3) -> str:
    """A fresh bucket on the shared moto server (state persists for the session)."""
    name = f"clinic-{uuid.uuid4().hex[:12]}"
    server_s3.create_bucket(Bucket=name)
    return name


def aws_args(moto_server: str, bucket: str | None = None) -> list[str]:
    args = ["--backend", "aws", "--endpoint-url", moto_server]
    return [*args, "--bucket", bucket] if bucket else args


def one_error_line(stderr: str) -> str:
    lines = [line for line in stderr.splitlines() if line.startswith("medscribe: error:")]
    assert len(lines) == 1, stderr
    assert "Traceback" not in stderr
    return lines[0]


def test_vocab_create_list_show_delete(moto_server: str, bucket: str, server_s3):
    name = f"cardio-{uuid.uuid4().hex[:8]}"
    created = run_cli("vocab", "create", name, str(VOCAB), *aws_args(moto_server, bucket))
    assert created.returncode == 0, created.stderr
    assert f"created vocabulary {name}" in created.stdout
    key = f"medscribe/input/vocabularies/{name}.txt"
    assert server_s3.get_object(Bucket=bucket, Key=key)["Body"].read() == VOCAB.read_bytes()

    listed = run_cli("vocab", "list", "--json", *aws_args(moto_server))
    assert name in [v["VocabularyName"] for v in json.loads(listed.stdout)]
    shown = run_cli("vocab", "show", name, "--json", *aws_args(moto_server))
    assert json.loads(shown.stdout)["VocabularyName"] == name

    again = run_cli("vocab", "create", name, str(VOCAB), *aws_args(moto_server, bucket))
    assert again.returncode == 1
    assert "already exists" in one_error_line(again.stderr)

    deleted = run_cli("vocab", "delete", name, *aws_args(moto_server))
    assert deleted.returncode == 0
    gone = run_cli("vocab", "show", name, *aws_args(moto_server))
    assert gone.returncode == 1 and "not found" in one_error_line(gone.stderr)


def test_bad_vocabulary_lists_every_line_then_exits_2(
    moto_server: str, bucket: str, server_s3, tmp_path: Path
):
    bad = tmp_path / "bad.txt"
    bad.write_text(
        "Phrase\tIPA\tSoundsLike\tDisplayAs\n"
        "ok-term\t\t\t\n"
        "two words\t\t\t\n"
        "x\tq q\t\t\n"
        "y\t\ty-y\tY\textra\n"
    )
    result = run_cli("vocab", "create", "bad-vocab", str(bad), *aws_args(moto_server, bucket))
    assert result.returncode == 2
    reported = [line for line in result.stderr.splitlines() if line.startswith(f"{bad}:")]
    assert [line.split(":")[1] for line in reported] == ["3", "4", "5"]
    assert "3 problems" in one_error_line(result.stderr)
    assert "Contents" not in server_s3.list_objects_v2(Bucket=bucket)


def test_doctor_all_good_then_missing_bucket(moto_server: str, bucket: str):
    good = run_cli("doctor", "--json", *aws_args(moto_server, bucket))
    assert good.returncode == 0, good.stdout + good.stderr
    checks = {c["check"]: c for c in json.loads(good.stdout)}
    assert {c["status"] for c in checks.values()} == {"ok"}
    assert {"region", "credentials", "transcribe permissions", "bucket", "bucket write"} <= set(
        checks
    )

    missing = run_cli("doctor", *aws_args(moto_server, "no-bucket-here-123"))
    assert missing.returncode == 1
    assert "no-bucket-here-123 does not exist" in missing.stdout
    assert "failed: bucket" in missing.stderr


def test_doctor_without_credentials_says_how_to_set_them(moto_server: str):
    env = cli_env()
    for var in ("AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_SESSION_TOKEN"):
        env.pop(var, None)
    result = run_cli("doctor", "--json", *aws_args(moto_server, "any-bucket"), env=env)
    assert result.returncode == 1
    checks = {c["check"]: c for c in json.loads(result.stdout)}
    assert checks["credentials"]["status"] == "fail"
    assert "AWS_ACCESS_KEY_ID" in checks["credentials"]["detail"]
    assert checks["bucket"]["status"] == "skip"

    listing = run_cli("jobs", "list", *aws_args(moto_server), env=env)
    assert listing.returncode == 2
    assert "no AWS credentials found" in one_error_line(listing.stderr)


def test_doctor_local_checks_model_files_and_decoding():
    result = run_cli("doctor", "--backend", "local", "--json")
    assert result.returncode == 0, result.stdout + result.stderr
    report = json.loads(result.stdout)
    checks = {c["check"]: c["status"] for c in report}
    assert checks == {
        "model": "ok",
        "word lists": "ok",
        "audio decoding": "ok",
        "data directory": "ok",
    }
    # Which word lists are in use, and that they are medscribe's own.
    words = next(c["detail"] for c in report if c["check"] == "word lists")
    assert "english" in words and "medical" in words and "shipped" in words


def test_config_set_show_unset_path(tmp_path: Path):
    config = tmp_path / "cfg" / "config.toml"
    env = cli_env(MEDSCRIBE_CONFIG=str(config), MEDSCRIBE_BUCKET="env-bucket")
    assert run_cli("config", "path", env=env).stdout.strip() == str(config)
    for key, value in (("backend", "aws"), ("region", "eu-west-1"), ("concurrency", "8")):
        done = run_cli("config", "set", key, value, "--config-profile", "hospital", env=env)
        assert done.returncode == 0, done.stderr
    stored = tomllib.loads(config.read_text())
    assert stored == {"hospital": {"backend": "aws", "region": "eu-west-1", "concurrency": 8}}

    show = run_cli(
        "config", "show", "--json", "--config-profile", "hospital", "--region", "us-west-2", env=env
    )
    doc = json.loads(show.stdout)
    assert doc["backend"] == {
        "value": "aws",
        "source": "file",
        "origin": f"{config} [hospital]",
    }
    assert doc["region"]["value"] == "us-west-2" and doc["region"]["source"] == "flag"
    assert doc["bucket"]["source"] == "env" and doc["bucket"]["origin"] == "MEDSCRIBE_BUCKET"
    assert doc["poll_interval"] == {"value": 5.0, "source": "default", "origin": ""}

    run_cli("config", "unset", "region", "--config-profile", "hospital", env=env)
    assert "region" not in tomllib.loads(config.read_text())["hospital"]

    bad = run_cli("config", "set", "concurrency", "0", env=env)
    assert bad.returncode == 2 and "concurrency" in one_error_line(bad.stderr)
    unknown = run_cli("config", "set", "colour", "blue", env=env)
    assert unknown.returncode == 2 and "unknown setting" in one_error_line(unknown.stderr)


def test_transcribe_no_wait_then_jobs_wait_downloads_and_renders(
    moto_server: str, bucket: str, server_s3, tmp_path: Path
):
    audio = write_wav(tmp_path / "visit.wav", seconds=2.0)
    job = f"visit-{uuid.uuid4().hex[:8]}"
    env = cli_env(MEDSCRIBE_POLL_INTERVAL="0.05", MEDSCRIBE_POLL_MAX_INTERVAL="0.1")
    args = aws_args(moto_server, bucket)
    started = run_cli(
        "transcribe", str(audio), *args, "--speakers", "2", "--no-wait", "--job-name", job, env=env
    )
    assert started.returncode == 0, started.stderr
    assert f"jobs wait {job}" in started.stderr

    transcribe = boto3.client("transcribe", endpoint_url=moto_server, region_name=REGION)
    described = transcribe.get_medical_transcription_job(MedicalTranscriptionJobName=job)
    described = described["MedicalTranscriptionJob"]
    assert described["Settings"] == {"ShowSpeakerLabels": True, "MaxSpeakerLabels": 2}
    assert described["Media"]["MediaFileUri"] == f"s3://{bucket}/medscribe/input/{job}/audio.wav"
    assert described["Specialty"] == "PRIMARYCARE" and described["MediaSampleRateHertz"] == 16000
    head = server_s3.head_object(Bucket=bucket, Key=f"medscribe/input/{job}/audio.wav")
    assert head["ServerSideEncryption"] == "AES256"

    # The service would write this; moto does not.
    server_s3.put_object(
        Bucket=bucket, Key=f"medscribe/output/{job}.json", Body=SPEAKER_JSON.read_bytes()
    )
    out = tmp_path / "out"
    waited = run_cli(
        "jobs", "wait", job, *args, "--output-dir", str(out), "--format", "json", env=env
    )
    assert waited.returncode == 0, waited.stderr
    written = codec.load(out / f"{job}.json")
    assert written.items == codec.load(SPEAKER_JSON).items

    text = run_cli("jobs", "wait", job, *args, "--format", "text", env=env)
    assert text.returncode == 0, text.stderr
    first_word = codec.load(SPEAKER_JSON).words[0].content
    assert first_word in text.stdout


def test_8khz_audio_is_refused_before_upload(moto_server: str, bucket: str, server_s3, tmp_path):
    phone = write_wav(tmp_path / "phone.wav", rate=8000)
    result = run_cli("transcribe", str(phone), *aws_args(moto_server, bucket), "--no-wait")
    assert result.returncode == 2
    # The batch runner reports per file; still one line and no traceback.
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and "below the 16 kHz" in lines[0], result.stderr
    assert "Contents" not in server_s3.list_objects_v2(Bucket=bucket)


def test_vocab_commands_on_the_local_backend(tmp_path: Path):
    env = cli_env(MEDSCRIBE_DATA_DIR=str(tmp_path / "data"))
    local = ("--backend", "local")
    created = run_cli("vocab", "create", "cardio", str(VOCAB), *local, env=env)
    assert created.returncode == 0, created.stderr
    shown = json.loads(run_cli("vocab", "show", "cardio", "--json", *local, env=env).stdout)
    assert shown["VocabularyName"] == "cardio" and shown["VocabularyState"] == "READY"
    updated = run_cli("vocab", "update", "cardio", str(VOCAB), *local, env=env)
    assert updated.returncode == 0 and "updated vocabulary cardio" in updated.stdout
    assert run_cli("vocab", "delete", "cardio", *local, env=env).returncode == 0
    listed = json.loads(run_cli("vocab", "list", "--json", *local, env=env).stdout)
    assert listed == []
    checked = run_cli("vocab", "check", str(VOCAB), env=env)
    assert checked.returncode == 0 and "valid" in checked.stdout
