"""boto3 sessions and clients for medscribe's settings: profile, region, endpoint, retries.

This is the AWS backend's one session builder (:func:`make_session`): batch
clients (:func:`make_clients`), ``medscribe doctor`` and streams
(:mod:`medscribe.backends.aws.streaming`) all get their credentials and region
from it.

AWS credentials, region and endpoint are boto3's business: this module only
layers medscribe's overrides (``aws_profile``, ``region``, ``endpoint_url``) on
what botocore already reads (AWS_PROFILE, AWS_DEFAULT_REGION, AWS_ENDPOINT_URL,
~/.aws/config), plus AWS_REGION, which the AWS CLI v2 reads before
AWS_DEFAULT_REGION. Retries use botocore's own retry modes; the mode and attempt
count honour AWS_RETRY_MODE / AWS_MAX_ATTEMPTS and ``retry_mode`` /
``max_attempts`` in ~/.aws/config, with medscribe's defaults otherwise.

The clients' callers share :func:`encryption_args`: every object medscribe writes to
S3 (uploads, the doctor's probe) is encrypted the same way, with the KMS key when one
is set.

It also owns the pre-flight (:func:`missing_settings`, :func:`ensure_ready`):
bucket, region and credentials are looked up without any AWS call, and all that
is missing is reported at once as one :class:`~medscribe.config.NotReadyError`.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from typing import TYPE_CHECKING, Literal, NotRequired, TypedDict, cast

import boto3
import botocore.session
from botocore.config import Config
from botocore.exceptions import BotoCoreError, PartialCredentialsError, ProfileNotFound

from medscribe.config import Settings
from medscribe.errors import ConfigError, Missing, NotReadyError

if TYPE_CHECKING:  # the types-boto3 stubs (a dev dependency): for the type checker only
    from types_boto3_s3 import S3Client
    from types_boto3_sts import STSClient
    from types_boto3_transcribe import TranscribeServiceClient

#: Enough attempts to ride out throttling of a nightly batch (botocore's default is 3).
DEFAULT_MAX_ATTEMPTS = 8
#: botocore's retry modes.
RetryMode = Literal["legacy", "standard", "adaptive"]
DEFAULT_RETRY_MODE: RetryMode = "standard"
USER_AGENT = "medscribe"
BACKEND = "aws backend"

#: What to do about each missing piece; no command-line flags here (the CLI adds them).
BUCKET_REMEDY = "set MEDSCRIBE_BUCKET or run 'medscribe config set bucket NAME'"
REGION_REMEDY = "set AWS_REGION or run 'medscribe config set region NAME'"  # AWS_DEFAULT_REGION too
CREDENTIALS_REMEDY = (
    "set AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY, choose a profile with AWS_PROFILE, "
    "or run 'aws configure'"
)
MISSING_BUCKET = Missing("bucket", "no S3 bucket is set", BUCKET_REMEDY)
MISSING_REGION = Missing("region", "no AWS region is set", REGION_REMEDY)
MISSING_CREDENTIALS = Missing("credentials", "no AWS credentials found", CREDENTIALS_REMEDY)


class EncryptionArgs(TypedDict):
    """The server-side encryption arguments of an S3 write (put_object, upload_file)."""

    ServerSideEncryption: Literal["AES256", "aws:kms"]
    SSEKMSKeyId: NotRequired[str]


def encryption_args(settings: Settings) -> EncryptionArgs:
    """SSE-KMS with ``kms_key_id`` when it is set, else SSE-S3 (AES256)."""
    if settings.kms_key_id:
        return {"ServerSideEncryption": "aws:kms", "SSEKMSKeyId": settings.kms_key_id}
    return {"ServerSideEncryption": "AES256"}


@dataclass(frozen=True, slots=True)
class AwsClients:
    """The clients one backend uses, built once from one session."""

    session: boto3.Session
    region: str
    s3: S3Client
    transcribe: TranscribeServiceClient
    sts: STSClient
    max_attempts: int


def make_session(settings: Settings) -> boto3.Session:
    """A boto3 session for ``settings.aws_profile`` (or boto3's own choice)."""
    try:
        core = botocore.session.Session(profile=settings.aws_profile)
        # Reading the profile's config here turns a missing profile into our error now.
        core.get_scoped_config()
    except ProfileNotFound:
        raise ConfigError(
            f"AWS profile not found: {settings.aws_profile}", setting="aws_profile"
        ) from None
    # botocore reads AWS_DEFAULT_REGION only; AWS_REGION is what the AWS CLI v2 and
    # the other SDKs read first, and what the README promises.
    region = settings.region or os.environ.get("AWS_REGION") or None
    return boto3.Session(botocore_session=core, region_name=region)


def retry_config(session: boto3.Session) -> tuple[RetryMode, int]:
    """(mode, max_attempts): the user's AWS configuration first, medscribe's defaults else."""
    core = session._session  # boto3 has no public accessor for botocore's config chain
    mode = core.get_config_variable("retry_mode") or DEFAULT_RETRY_MODE
    attempts = core.get_config_variable("max_attempts")
    # Passed on as read: botocore refuses a mode it does not know when it builds a client.
    return cast(RetryMode, str(mode)), int(attempts) if attempts else DEFAULT_MAX_ATTEMPTS


def missing_settings(
    settings: Settings, *, need_bucket: bool, session: boto3.Session | None = None
) -> list[Missing]:
    """Every piece the AWS backend lacks: bucket (when ``need_bucket``), region, credentials.

    Looks only at the configuration (environment, ~/.aws, the settings), and at
    whatever credential providers botocore consults; no AWS API is called.
    """
    session = session or make_session(settings)
    missing: list[Missing] = []
    if need_bucket and not settings.bucket:
        missing.append(MISSING_BUCKET)
    if not (settings.region or session.region_name):
        missing.append(MISSING_REGION)
    if not has_credentials(session):
        missing.append(MISSING_CREDENTIALS)
    return missing


def has_credentials(session: boto3.Session) -> bool:
    """True when botocore finds credentials (it caches them for the clients made later)."""
    try:
        return session.get_credentials() is not None
    except PartialCredentialsError:
        return False
    except BotoCoreError as exc:  # e.g. a credential_process that fails
        raise ConfigError(f"AWS credentials cannot be loaded: {exc}") from None


def ready_session(settings: Settings, *, need_bucket: bool) -> boto3.Session:
    """The session of :func:`make_session`, once nothing is missing (else one NotReadyError).

    Batch clients, streams and the pre-flight all go through here, so they find
    the same credentials and region and report what lacks in the same words.
    """
    session = make_session(settings)
    missing = missing_settings(settings, need_bucket=need_bucket, session=session)
    if missing:
        raise NotReadyError(BACKEND, missing)
    return session


def ensure_ready(settings: Settings, *, need_bucket: bool = True) -> None:
    """Raise one NotReadyError naming everything missing, before any work starts."""
    ready_session(settings, need_bucket=need_bucket)


def make_clients(settings: Settings) -> AwsClients:
    """S3, Transcribe and STS clients with retries, the endpoint override and path-style S3.

    Raises NotReadyError when the region or the credentials are missing (both at once).
    """
    session = ready_session(settings, need_bucket=False)
    region = str(session.region_name)
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
