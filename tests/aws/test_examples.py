"""examples/: the config file's profiles load, and the nightly script runs a directory
end to end over moto's server and reports the exit status."""

from __future__ import annotations

import json
import subprocess
import uuid
from pathlib import Path

from awskit import MEDSCRIBE, ROOT, cli_env, write_wav

from medscribe.batch import default_job_name
from medscribe.config import load_settings
from medscribe.request import build_options
from medscribe.transcript import codec

EXAMPLES = ROOT / "examples"
SPEAKER_JSON = ROOT / "tests" / "fixtures" / "transcripts" / "speaker-labels.json"


def test_example_config_profiles_load():
    path = EXAMPLES / "config.toml"
    local = load_settings(profile="local", path=path)
    aws = load_settings(profile="aws", path=path)
    default = load_settings(path=path, environ={})
    assert local.backend == "local" and default.backend == "local"
    assert aws.backend == "aws" and aws.bucket and aws.output_bucket and aws.kms_key_id
    assert aws.concurrency == 10 and aws.region == "us-east-1"


def nightly(input_dir: Path, output_dir: Path, env: dict[str, str]) -> subprocess.CompletedProcess:
    return subprocess.run(
        ["bash", str(EXAMPLES / "nightly.sh"), str(input_dir), str(output_dir)],
        capture_output=True,
        text=True,
        env=env,
        timeout=120,
        stdin=subprocess.DEVNULL,
    )


def test_nightly_script_over_moto_server(moto_server: str, server_s3, tmp_path: Path):
    bucket = f"nightly-{uuid.uuid4().hex[:10]}"
    server_s3.create_bucket(Bucket=bucket)
    day = tmp_path / "2026-01-15"
    day.mkdir()
    inputs = [write_wav(day / f"visit-{n}.wav", freq=220.0 * n) for n in (1, 2)]
    for audio in inputs:  # the service would write these; moto does not
        key = f"medscribe/output/{default_job_name(audio, build_options())}.json"
        server_s3.put_object(Bucket=bucket, Key=key, Body=SPEAKER_JSON.read_bytes())
    env = cli_env(
        MEDSCRIBE=str(MEDSCRIBE),
        MEDSCRIBE_BACKEND="aws",
        MEDSCRIBE_BUCKET=bucket,
        MEDSCRIBE_ENDPOINT_URL=moto_server,
        MEDSCRIBE_POLL_INTERVAL="0.05",
        MEDSCRIBE_POLL_MAX_INTERVAL="0.1",
        CONCURRENCY="2",
    )
    out = tmp_path / "out"

    result = nightly(day, out, env)

    assert result.returncode == 0, result.stderr
    assert "2 succeeded, 0 skipped, 0 failed" in result.stdout
    summary = json.loads(next(out.glob("summary-*.json")).read_text())
    assert summary["succeeded"] == 2
    for audio in inputs:
        written = codec.load(out / f"{audio.stem}.json")
        assert written.items == codec.load(SPEAKER_JSON).items

    # An input the service would refuse beside two done files: some failed (exit 1).
    write_wav(day / "phone.wav", rate=8000)
    again = nightly(day, out, env)
    assert again.returncode == 1, again.stderr
    assert "some files FAILED" in again.stderr
    assert "0 succeeded, 2 skipped, 1 failed" in again.stdout
