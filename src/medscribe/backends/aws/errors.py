"""botocore/boto3 exceptions -> medscribe.errors, each as one clear sentence.

This module owns the mapping of the service's error codes to medscribe's error
classes and exit codes. Messages name the action and the bucket or job, and
quote the service's message only for request errors (those never contain
transcript text: the service does not echo media contents). They name settings,
never command-line flags: each error carries its ``option`` (``bucket``,
``concurrency``...) and the CLI words it with the flag that sets it.
"""

from __future__ import annotations

from botocore.exceptions import (
    BotoCoreError,
    ClientError,
    ConnectionClosedError,
    ConnectTimeoutError,
    EndpointConnectionError,
    NoCredentialsError,
    NoRegionError,
    PartialCredentialsError,
    ProfileNotFound,
    ReadTimeoutError,
)

from medscribe.backends.aws.session import (
    BACKEND,
    CREDENTIALS_REMEDY,
    MISSING_CREDENTIALS,
    MISSING_REGION,
)
from medscribe.errors import (
    BackendError,
    ConfigError,
    ConflictError,
    MedscribeError,
    NotFoundError,
    NotReadyError,
)

_THROTTLING = frozenset(
    {
        "ThrottlingException",
        "Throttling",
        "ThrottledException",
        "TooManyRequestsException",
        "RequestLimitExceeded",
        "SlowDown",
        "LimitExceededException",
        "ProvisionedThroughputExceededException",
    }
)
_DENIED = frozenset({"AccessDenied", "AccessDeniedException", "403", "Forbidden"})
_BAD_CREDENTIALS = frozenset(
    {
        "InvalidClientTokenId",
        "UnrecognizedClientException",
        "SignatureDoesNotMatch",
        "InvalidAccessKeyId",
        "ExpiredToken",
        "ExpiredTokenException",
        "AuthFailure",
    }
)
_NO_BUCKET = frozenset({"NoSuchBucket"})
_NOT_FOUND = frozenset({"NotFoundException", "NoSuchKey", "404", "NotFound"})


def error_code(exc: ClientError) -> str:
    return str(exc.response.get("Error", {}).get("Code", ""))


def _service_message(exc: ClientError) -> str:
    return str(exc.response.get("Error", {}).get("Message", "")).strip()


def _attempts(exc: ClientError) -> int:
    return int(exc.response.get("ResponseMetadata", {}).get("RetryAttempts", 0)) + 1


def map_aws_error(
    exc: BaseException,
    action: str,
    *,
    bucket: str | None = None,
    name: str | None = None,
    kind: str = "job",
    vocabulary: str | None = None,
) -> MedscribeError:
    """The medscribe error for ``exc`` raised while doing ``action`` (e.g. ``s3:PutObject``).

    ``bucket`` names the S3 bucket involved; ``name`` the job or vocabulary (``kind``);
    ``vocabulary`` the custom vocabulary a job asked for.
    """
    if isinstance(exc, MedscribeError):
        return exc
    if isinstance(exc, NoCredentialsError | PartialCredentialsError):
        return NotReadyError(BACKEND, [MISSING_CREDENTIALS])
    if isinstance(exc, NoRegionError):
        return NotReadyError(BACKEND, [MISSING_REGION])
    if isinstance(exc, ProfileNotFound):
        profile = exc.kwargs.get("profile")
        return ConfigError(f"AWS profile not found: {profile}", setting="aws_profile")
    if isinstance(exc, EndpointConnectionError | ConnectTimeoutError):
        url = getattr(exc, "kwargs", {}).get("endpoint_url", "the AWS endpoint")
        return BackendError(
            f"cannot reach {url} for {action}; check the network or the endpoint_url setting",
            option="endpoint_url",
        )
    if isinstance(exc, ReadTimeoutError | ConnectionClosedError):
        return BackendError(f"{action}: the connection to AWS failed ({type(exc).__name__})")
    if isinstance(exc, ClientError):
        return _map_client_error(
            exc, action, bucket=bucket, name=name, kind=kind, vocabulary=vocabulary
        )
    if isinstance(exc, BotoCoreError):
        return BackendError(f"{action} failed: {exc}")
    return BackendError(f"{action} failed: {type(exc).__name__}")


def _map_client_error(
    exc: ClientError,
    action: str,
    *,
    bucket: str | None,
    name: str | None,
    kind: str,
    vocabulary: str | None,
) -> MedscribeError:
    code = error_code(exc)
    message = _service_message(exc)
    where = f" on bucket {bucket}" if bucket else ""
    if code in _NO_BUCKET or (code in {"404", "NotFound"} and action == "s3:HeadBucket"):
        return ConfigError(
            f"S3 bucket {bucket or '?'} does not exist",
            hint="check the bucket setting, or create the bucket",
            setting="bucket",
        )
    if code in _DENIED:
        return ConfigError(
            f"access denied: {action}{where} is not allowed for these AWS credentials",
            hint="run 'medscribe doctor --backend aws' to see which permissions are missing",
        )
    if code in _BAD_CREDENTIALS:
        return ConfigError(
            f"AWS rejected the credentials ({code})", hint=CREDENTIALS_REMEDY, setting="credentials"
        )
    if code == "ConflictException":
        label = f"a {kind} named {name}" if name else f"that {kind} name"
        return ConflictError(f"{label} already exists; choose another name")
    if code in _THROTTLING:
        return BackendError(
            f"AWS throttled {action} ({code}) after {_attempts(exc)} attempts",
            hint="lower the concurrency setting or retry later",
            option="concurrency",
        )
    if (
        code == "BadRequestException"
        and "vocabulary couldn't be found" in message
        and kind == "job"
    ):
        return NotFoundError(
            f"the custom vocabulary {vocabulary or 'of the request'} was not found",
            hint="list them with 'medscribe vocab list --backend aws'",
            vocabulary_name=vocabulary,
            option="vocabulary",
        )
    if code in _NOT_FOUND or (code == "BadRequestException" and "couldn't be found" in message):
        label = f"{kind} {name}" if name else kind
        return NotFoundError(f"{label} not found")
    if code == "BadRequestException":
        return BackendError(f"{action} was rejected: {message or code}")
    if code in {"InternalFailureException", "InternalError", "ServiceUnavailable"}:
        attempts = _attempts(exc)
        return BackendError(f"{action}: the service failed ({code}) after {attempts} attempts")
    return BackendError(f"{action} failed: {code}{': ' + message if message else ''}")
