"""What a user reads: one-line usage errors, quiet -vv, eval's help, where a bad setting came
from, the data directory, and the AWS pre-flight that names everything missing at once.

The command runs as a subprocess where its start-up matters (logging, Click's usage
errors, environment variables); the rest goes through ``medscribe.cli.main`` in-process.
"""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

from .conftest import write_wav

MEDSCRIBE = Path(sys.executable).parent / "medscribe"
#: Variables that would give the child AWS credentials, a region or an endpoint.
AWS_VARS = (
    "AWS_ACCESS_KEY_ID",
    "AWS_SECRET_ACCESS_KEY",
    "AWS_SESSION_TOKEN",
    "AWS_REGION",
    "AWS_DEFAULT_REGION",
    "AWS_ENDPOINT_URL",
    "AWS_ENDPOINT_URL_S3",
    "MEDSCRIBE_BUCKET",
    "MEDSCRIBE_REGION",
)


def env(**extra: str) -> dict[str, str]:
    """The test's environment (isolated config and data dirs), without any AWS set-up."""
    out = {k: v for k, v in os.environ.items() if k not in AWS_VARS and k != "MEDSCRIBE_DEBUG"}
    out["AWS_EC2_METADATA_DISABLED"] = "true"  # no instance-metadata lookups
    out.update(extra)
    return out


def medscribe(*args: str, environ: dict[str, str] | None = None) -> subprocess.CompletedProcess:
    return subprocess.run(
        [str(MEDSCRIBE), *args],
        capture_output=True,
        text=True,
        env=environ or env(),
        stdin=subprocess.DEVNULL,
        timeout=120,
    )


def error_line(result: subprocess.CompletedProcess) -> str:
    """The one line a refusal prints; fails when there is more than one."""
    lines = result.stderr.splitlines()
    assert len(lines) == 1, result.stderr
    assert lines[0].startswith("medscribe: error: "), lines[0]
    assert "Traceback" not in result.stderr
    return lines[0]


# --------------------------------------------------------------------------- usage errors


@pytest.mark.parametrize(
    ("args", "expected"),
    [
        (["transcribe", "--bogus", "x.wav"], "no such option '--bogus'"),
        (["transcribe"], "missing argument 'AUDIO...'"),
        (["nosuch"], "no such command 'nosuch'"),
        (["render", "x.json", "--format", "docx"], "'docx' is not one of"),
        (["eval", "some-dir", "--speakers", "99"], "99 is not in the range"),
    ],
)
def test_click_usage_errors_are_one_line_and_exit_2(args: list[str], expected: str) -> None:
    result = medscribe(*args)
    assert result.returncode == 2
    line = error_line(result)
    assert expected in line
    assert "--help" in line  # where to read more, on the same line
    assert result.stdout == ""


def test_usage_error_points_at_the_command_the_user_typed() -> None:
    """`eval DIR` runs a hidden subcommand; the hint names `medscribe eval`, not its name."""
    line = error_line(medscribe("eval", "some-dir", "--beam-size", "0"))
    assert "(see 'medscribe eval --help')" in line


# --------------------------------------------------------------------------- logging


def test_vv_shows_medscribe_debug_and_no_other_librarys(tmp_path: Path) -> None:
    """-vv on the aws backend: botocore alone would print hundreds of DEBUG lines."""
    environ = env(
        AWS_ACCESS_KEY_ID="testing",
        AWS_SECRET_ACCESS_KEY="testing",
        AWS_MAX_ATTEMPTS="1",
    )
    result = medscribe(
        "-vv",
        "jobs",
        "list",
        "--backend",
        "aws",
        "--region",
        "us-east-1",
        "--endpoint-url",
        "http://127.0.0.1:9",  # nothing listens there: one failed request
        environ=environ,
    )
    assert result.returncode == 1, result.stderr
    lines = result.stderr.splitlines()
    assert any(line.startswith("medscribe: settings: [default]") for line in lines), lines
    assert lines[-1].startswith("medscribe: error: cannot reach")
    assert len(lines) == 2, result.stderr  # nothing from botocore, urllib3 or anyone else


def test_without_v_there_is_no_debug_output(tmp_path: Path) -> None:
    transcript = Path(__file__).parents[1] / "fixtures" / "transcripts" / "speaker-labels.json"
    result = medscribe("render", str(transcript), "-f", "text")
    assert result.returncode == 0 and result.stderr == ""


# --------------------------------------------------------------------------- eval's help


def test_eval_help_shows_the_evaluation_options_and_the_subcommands() -> None:
    result = medscribe("eval", "--help")
    assert result.returncode == 0
    out = result.stdout
    assert "Usage: medscribe eval [OPTIONS] DATASET_DIR" in out
    assert "medscribe eval make-devset [OPTIONS] OUT" in out
    for option in ("--specialty", "--speakers", "--channels", "--vocabulary", "--json", "--model"):
        assert option in out, option
    commands = out.split("Commands:")[1]
    assert "make-devset" in commands and "evaluate" not in commands


def test_eval_dataset_and_make_devset_still_route(tmp_path: Path) -> None:
    """The Makefile's forms: `eval make-devset DIR` and `eval DIR --json OUT`."""
    devset = medscribe("eval", "make-devset", "--help")
    assert devset.returncode == 0
    assert "Usage: medscribe eval make-devset [OPTIONS] OUT" in devset.stdout
    dataset = medscribe("eval", str(tmp_path), "--help")
    assert dataset.returncode == 0
    assert "Usage: medscribe eval [OPTIONS] DATASET_DIR" in dataset.stdout
    empty = medscribe("eval", str(tmp_path / "absent"), "--json", str(tmp_path / "r.json"))
    assert empty.returncode == 2
    assert "absent" in error_line(empty)


# --------------------------------------------------------------------------- settings


def test_bad_environment_value_names_the_variable() -> None:
    result = medscribe("jobs", "list", environ=env(MEDSCRIBE_BACKEND="foo"))
    assert result.returncode == 2
    assert "MEDSCRIBE_BACKEND=foo: unknown backend; choose 'local' or 'aws'" in error_line(result)
    several = medscribe(
        "config", "show", environ=env(MEDSCRIBE_BACKEND="gcp", MEDSCRIBE_CONCURRENCY="lots")
    )
    line = error_line(several)
    assert "MEDSCRIBE_BACKEND=gcp" in line and "MEDSCRIBE_CONCURRENCY=lots" in line


def test_bad_config_file_value_names_the_file_profile_and_key(tmp_path: Path) -> None:
    config = tmp_path / "config.toml"
    config.write_text('[night]\nbackend = "gcp"\nbukket = "x"\n', encoding="utf-8")
    result = medscribe(
        "config", "show", "--config-profile", "night", environ=env(MEDSCRIBE_CONFIG=str(config))
    )
    line = error_line(result)
    assert result.returncode == 2
    assert f"{config} [night] backend = 'gcp': unknown backend" in line
    assert f"{config} [night] bukket = 'x': unknown setting" in line
    profile = medscribe("jobs", "list", environ=env(MEDSCRIBE_PROFILE="day"))
    assert "MEDSCRIBE_PROFILE=day: no profile [day]" in error_line(profile)


def test_medscribe_config_naming_a_missing_file_is_refused(tmp_path: Path) -> None:
    missing = tmp_path / "typo.toml"
    for args in (["config", "show"], ["jobs", "list"], ["doctor"]):
        result = medscribe(*args, environ=env(MEDSCRIBE_CONFIG=str(missing)))
        assert result.returncode == 2, args
        assert error_line(result) == f"medscribe: error: MEDSCRIBE_CONFIG={missing}: no such file"
    # `config set` is how that file comes to exist.
    made = medscribe(
        "config", "set", "backend", "local", environ=env(MEDSCRIBE_CONFIG=str(missing))
    )
    assert made.returncode == 0, made.stderr
    assert missing.stat().st_mode & 0o777 == 0o600


def test_the_default_config_file_may_be_absent(tmp_path: Path) -> None:
    environ = env(XDG_CONFIG_HOME=str(tmp_path / "xdg"))
    environ.pop("MEDSCRIBE_CONFIG")
    result = medscribe("config", "show", environ=environ)
    assert result.returncode == 0, result.stderr
    expected = tmp_path / "xdg" / "medscribe" / "config.toml"
    assert f"config file: {expected} (absent)" in result.stdout


# --------------------------------------------------------------------------- data directory


def test_config_show_and_doctor_show_the_data_directory(tmp_path: Path) -> None:
    chosen = tmp_path / "store"
    environ = env(MEDSCRIBE_DATA_DIR=str(chosen))
    shown = medscribe("config", "show", environ=environ)
    assert f"data directory: {chosen}  (MEDSCRIBE_DATA_DIR)" in shown.stdout
    doctor = medscribe("doctor", "--backend", "local", "--json", environ=environ)
    checks = {c["check"]: c for c in json.loads(doctor.stdout)}
    assert checks["data directory"]["status"] == "ok"
    assert checks["data directory"]["detail"].startswith(f"{chosen} (MEDSCRIBE_DATA_DIR)")

    # Nothing chose it: the user's data directory, and `config show --json` resolves it.
    default = env(XDG_DATA_HOME=str(tmp_path / "xdg"))
    default.pop("MEDSCRIBE_DATA_DIR")
    doc = json.loads(medscribe("config", "show", "--json", environ=default).stdout)
    assert doc["data_dir"] == {
        "value": str(tmp_path / "xdg" / "medscribe"),
        "source": "default",
        "origin": "",
    }


def test_doctor_fails_a_data_directory_that_cannot_be_one(tmp_path: Path) -> None:
    taken = tmp_path / "a-file"
    taken.write_text("not a folder", encoding="utf-8")
    for chosen, problem in ((taken, "is not a directory"), (taken / "store", "cannot be created")):
        doctor = medscribe("doctor", "--json", environ=env(MEDSCRIBE_DATA_DIR=str(chosen)))
        assert doctor.returncode == 1
        checks = {c["check"]: c for c in json.loads(doctor.stdout)}
        assert checks["data directory"]["status"] == "fail"
        assert problem in checks["data directory"]["detail"]
        assert "data directory" in doctor.stderr


# --------------------------------------------------------------------------- aws pre-flight


def test_aws_transcribe_names_everything_missing_in_one_line(tmp_path: Path) -> None:
    audio = write_wav(tmp_path / "visit.wav", 1.0)
    result = medscribe("transcribe", str(audio), "--backend", "aws", "-o", str(tmp_path / "o.json"))
    assert result.returncode == 2
    line = error_line(result)
    assert line.startswith("medscribe: error: aws backend not ready: ")
    assert "no S3 bucket is set (pass --bucket or set MEDSCRIBE_BUCKET" in line
    assert "no AWS region is set (pass --region or set AWS_REGION" in line
    assert "no AWS credentials found (pass --profile or set AWS_ACCESS_KEY_ID" in line
    assert not (tmp_path / "o.json").exists()


def test_aws_pre_flight_says_only_what_is_missing(tmp_path: Path) -> None:
    audio = write_wav(tmp_path / "visit.wav", 1.0)
    result = medscribe(
        "transcribe",
        str(audio),
        "--backend",
        "aws",
        "--bucket",
        "b",
        environ=env(AWS_REGION="eu-west-1"),
    )
    line = error_line(result)
    assert "no AWS credentials found" in line
    assert "bucket" not in line and "region" not in line


def test_aws_stream_names_region_and_credentials_at_once(tmp_path: Path) -> None:
    audio = write_wav(tmp_path / "visit.wav", 1.0)
    result = medscribe("stream", str(audio), "--backend", "aws", "--specialty", "cardiology")
    assert result.returncode == 2
    line = error_line(result)
    assert "no AWS region is set" in line and "no AWS credentials found" in line
    assert "bucket" not in line  # streaming does not use S3


def test_aws_doctor_reports_region_credentials_and_bucket_in_one_run() -> None:
    result = medscribe("doctor", "--backend", "aws", "--json")
    assert result.returncode == 1
    checks = {c["check"]: c for c in json.loads(result.stdout)}
    assert [checks[n]["status"] for n in ("region", "credentials", "bucket")] == ["fail"] * 3
    assert "pass --region" in checks["region"]["detail"]
    assert "pass --profile" in checks["credentials"]["detail"]
    assert "pass --bucket" in checks["bucket"]["detail"]
    assert checks["transcribe permissions"]["status"] == "skip"
    assert result.stderr.strip() == "medscribe: doctor: failed: region, credentials, bucket"


# --------------------------------------------------------------------------- rich header


def test_transcribe_rich_header_gives_the_recordings_duration(cli, fake, wav, monkeypatch):
    """On a terminal the header's Duration is the audio's length (the file says 2.5 s)."""
    audio = wav("visit.wav", seconds=2.5)
    fake()
    monkeypatch.setattr(sys.stdout, "isatty", lambda: True)  # the person at a terminal
    result = cli("transcribe", str(audio), "--format", "rich")
    assert result.code == 0, result.err
    shown = re.sub(r"\x1b\[[0-9;]*m", "", result.out)  # the terminal's colours
    assert "Duration: 00:00:02" in shown
    assert "Speech until" not in shown


def test_a_config_file_with_a_byte_order_mark_is_read(tmp_path: Path) -> None:
    config = tmp_path / "config.toml"
    config.write_bytes(b'\xef\xbb\xbf[default]\nbackend = "aws"\n')
    shown = medscribe("config", "show", "--json", environ=env(MEDSCRIBE_CONFIG=str(config)))
    assert shown.returncode == 0, shown.stderr
    assert json.loads(shown.stdout)["backend"]["value"] == "aws"
    config.write_bytes(b'[default]\nbackend = "caf\xe9"\n')
    refused = medscribe("config", "show", environ=env(MEDSCRIBE_CONFIG=str(config)))
    assert refused.returncode == 2
    assert error_line(refused).endswith(
        f"MEDSCRIBE_CONFIG={config}: not UTF-8 text (byte at offset 24)"
    )


@pytest.mark.parametrize("command", ["transcribe", "stream"])
@pytest.mark.parametrize(
    ("flag", "value", "expected"),
    [
        ("--model", "/nonexistent/model", "--model /nonexistent/model: no such model directory"),
        ("--compute-type", "bogus", "--compute-type 'bogus' is not one of"),
    ],
)
def test_an_engine_setting_that_cannot_work_refuses_the_request_before_any_file(
    tmp_path: Path, command: str, flag: str, value: str, expected: str
) -> None:
    audio = write_wav(tmp_path / "visit.wav", seconds=1.0)
    out = tmp_path / "out"
    out.mkdir()
    result = medscribe(command, str(audio), "-o", str(out / "visit.json"), flag, value)
    assert result.returncode == 2
    assert expected in error_line(result)
    assert list(out.iterdir()) == []  # no empty session file, no partial output
