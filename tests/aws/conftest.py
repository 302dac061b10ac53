"""Fixtures of the AWS tests: fake credentials, moto in-process and as a server, a scripted
endpoint for errors moto cannot produce, and test-only audio (helpers in awskit.py)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from awskit import REGION, ScriptedAws, free_port, write_wav

FAKE_CREDENTIALS = {
    "AWS_ACCESS_KEY_ID": "testing",
    "AWS_SECRET_ACCESS_KEY": "testing",
    "AWS_SESSION_TOKEN": "testing",
    "AWS_DEFAULT_REGION": REGION,
}
#: Variables that would point a test at a real account or endpoint.
AWS_VARS = (
    "AWS_REGION",
    "AWS_ENDPOINT_URL",
    "AWS_ENDPOINT_URL_S3",
    "AWS_ENDPOINT_URL_TRANSCRIBE",
    "AWS_MAX_ATTEMPTS",
    "AWS_RETRY_MODE",
    "MEDSCRIBE_BUCKET",
    "MEDSCRIBE_REGION",
    "MEDSCRIBE_ENDPOINT_URL",
)


@pytest.fixture(autouse=True)
def aws_env(monkeypatch: pytest.MonkeyPatch) -> dict[str, str]:
    """Fake credentials for every AWS test; no instance-metadata lookups."""
    for var in AWS_VARS:
        monkeypatch.delenv(var, raising=False)
    for key, value in FAKE_CREDENTIALS.items():
        monkeypatch.setenv(key, value)
    monkeypatch.setenv("AWS_EC2_METADATA_DISABLED", "true")
    return dict(FAKE_CREDENTIALS)


@pytest.fixture
def mocked() -> Iterator[None]:
    """moto in-process: every boto3 client of this process talks to moto."""
    from moto import mock_aws

    with mock_aws():
        yield


@pytest.fixture
def wav16k(tmp_path: Path) -> Path:
    return write_wav(tmp_path / "visit.wav")


@pytest.fixture
def wav8k(tmp_path: Path) -> Path:
    return write_wav(tmp_path / "phone.wav", rate=8000)


@pytest.fixture(scope="session")
def moto_server() -> Iterator[str]:
    """moto as an HTTP server on a free local port for the CLI run as a subprocess."""
    from moto.server import ThreadedMotoServer

    port = free_port()
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=port, verbose=False)
    server.start()
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        server.stop()


@pytest.fixture
def server_s3(moto_server: str):
    import boto3

    return boto3.client("s3", endpoint_url=moto_server, region_name=REGION)


@pytest.fixture
def scripted() -> Iterator[ScriptedAws]:
    with ScriptedAws() as fake:
        yield fake
