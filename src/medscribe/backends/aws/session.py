"""boto3 sessions and clients for medscribe's settings: profile, region, endpoint, retries.

AWS credentials, region and endpoint are boto3's business: this module only
layers medscribe's overrides (``aws_profile``, ``region``, ``endpoint_url``) on
what botocore already reads (AWS_PROFILE, AWS_REGION, AWS_ENDPOINT_URL,
~/.aws/config). Retries use botocore's own retry modes; the mode and attempt
count honour AWS_RETRY_MODE / AWS_MAX_ATTEMPTS and ``retry_mode`` /
``max_attempts`` in ~/.aws/config, with medscribe's defaults otherwise.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from typing import Any

import boto3
import botocore.session
from botocore.config import Config
from botocore.exceptions import ProfileNotFound

from medscribe.backends.aws.errors import REGION_HINT
from medscribe.config import Settings
from medscribe.errors import ConfigError

#: Enough attempts to ride out throttling of a nightly batch (botocore's default is 3).
DEFAULT_MAX_ATTEMPTS = 8
DEFAULT_RETRY_MODE = "standard"
USER_AGENT = "medscribe"


@dataclass(frozen=True, slots=True)
class AwsClients:
    """The clients one backend uses, built once from one session."""

    session: boto3.Session
    region: str
    s3: Any
    transcribe: Any
    sts: Any
    max_attempts: int


def make_session(settings: Settings) -> boto3.Session:
    """A boto3 session for ``settings.aws_profile`` (or boto3's own choice)."""
    try:
        core = botocore.session.Session(profile=settings.aws_profile)
        # Reading the profile's config here turns a missing profile into our error now.
        core.get_scoped_config()
    except ProfileNotFound:
        raise ConfigError(f"AWS profile not found: {settings.aws_profile}") from None
    return boto3.Session(botocore_session=core, region_name=settings.region)


def retry_config(session: boto3.Session) -> tuple[str, int]:
    """(mode, max_attempts): the user's AWS configuration first, medscribe's defaults else."""
    core = session._session  # boto3 has no public accessor for botocore's config chain
    mode = core.get_config_variable("retry_mode") or DEFAULT_RETRY_MODE
    attempts = core.get_config_variable("max_attempts")
    return str(mode), int(attempts) if attempts else DEFAULT_MAX_ATTEMPTS


def make_clients(settings: Settings) -> AwsClients:
    """S3, Transcribe and STS clients with retries, the endpoint override and path-style S3."""
    session = make_session(settings)
    region = settings.region or session.region_name
    if not region:
        raise ConfigError("no AWS region is set", hint=REGION_HINT)
    mode, attempts = retry_config(session)
    base = Config(
        region_name=region,
        retries={"mode": mode, "total_max_attempts": attempts},
        user_agent_extra=USER_AGENT,
        connect_timeout=10,
        read_timeout=60,
    )
    # S3-compatible and local endpoints want path-style addresses (no bucket DNS names).
    s3_config = base
    if settings.endpoint_url or _env_endpoint():
        s3_config = base.merge(Config(s3={"addressing_style": "path"}))
    endpoint = settings.endpoint_url
    return AwsClients(
        session=session,
        region=region,
        s3=session.client("s3", endpoint_url=endpoint, config=s3_config),
        transcribe=session.client("transcribe", endpoint_url=endpoint, config=base),
        sts=session.client("sts", endpoint_url=endpoint, config=base),
        max_attempts=attempts,
    )


def _env_endpoint() -> bool:
    """True when botocore will use a custom endpoint from the environment (AWS_ENDPOINT_URL)."""
    return bool(os.environ.get("AWS_ENDPOINT_URL") or os.environ.get("AWS_ENDPOINT_URL_S3"))
