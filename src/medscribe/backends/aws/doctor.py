"""Health checks of an AWS set-up: credentials, region, bucket access, Transcribe permissions.

This module owns what ``medscribe doctor --backend aws`` checks. Each check makes
the smallest real call that proves one permission (sts:GetCallerIdentity,
s3:HeadBucket, s3:PutObject + s3:DeleteObject of a tiny probe object,
transcribe:ListMedicalTranscriptionJobs) and says exactly what is missing when
it fails. Missing configuration (bucket, region, credentials) is found first,
without any call, and all of it is reported in one run; a failed prerequisite
skips the checks that need it. Details name no command-line flag: the CLI adds them.
"""

from __future__ import annotations

import uuid
from typing import Any

from botocore.exceptions import BotoCoreError, ClientError

from medscribe.backends.aws.errors import map_aws_error
from medscribe.backends.aws.session import (
    AwsClients,
    encryption_args,
    make_clients,
    make_session,
    missing_settings,
)
from medscribe.backends.checks import FAIL, OK, SKIP, Check
from medscribe.config import Missing, Settings, missing_phrase
from medscribe.errors import MedscribeError


def aws_checks(settings: Settings) -> list[Check]:
    """Run every AWS check for ``settings`` (``bucket``/``output_bucket`` say which buckets).

    Region, credentials and bucket are looked up first, all of them: one run says
    everything that is missing. The calls to AWS follow only when nothing is.
    """
    try:
        session = make_session(settings)
        missing = {
            m.setting: m for m in missing_settings(settings, need_bucket=True, session=session)
        }
    except MedscribeError as exc:
        return [Check("configuration", FAIL, str(exc))]
    region = settings.region or session.region_name or ""
    checks = [
        _missing_check("region", missing, ok=region),
        _missing_check("credentials", missing, ok="found (checked with AWS below)"),
    ]
    bucket = _missing_check("bucket", missing, ok="")
    if "region" in missing or "credentials" in missing:
        needs = "needs a region and credentials"
        if "credentials" not in missing:
            checks[1] = Check("credentials", SKIP, "found; not verified without a region")
        checks.append(Check("transcribe permissions", SKIP, needs))
        checks.append(bucket if not bucket.ok else Check("bucket", SKIP, needs))
        return checks
    try:
        clients = make_clients(settings)
    except MedscribeError as exc:
        return [*checks, Check("configuration", FAIL, str(exc))]
    checks[1] = identity = _credentials(clients)
    if not identity.ok:
        checks.append(Check("transcribe permissions", SKIP, "needs working credentials"))
        checks.append(
            bucket if not bucket.ok else Check("bucket", SKIP, "needs working credentials")
        )
        return checks
    checks.append(_transcribe(clients))
    if not settings.bucket:
        checks.append(bucket)
        return checks
    checks.extend(_bucket_checks(clients, settings.bucket, settings, label="bucket"))
    if settings.output_bucket and settings.output_bucket != settings.bucket:
        checks.extend(
            _bucket_checks(clients, settings.output_bucket, settings, label="output bucket")
        )
    return checks


def _missing_check(name: str, missing: dict[str, Missing], *, ok: str) -> Check:
    piece = missing.get(name)
    if piece is None:
        return Check(name, OK, ok)
    return Check(name, FAIL, missing_phrase(piece, {}), missing=piece)


def _explain(exc: BaseException, action: str, **err: Any) -> str:
    return str(map_aws_error(exc, action, **err))


def _credentials(clients: AwsClients) -> Check:
    try:
        who = clients.sts.get_caller_identity()
    except (ClientError, BotoCoreError) as exc:
        return Check("credentials", FAIL, _explain(exc, "sts:GetCallerIdentity"))
    return Check("credentials", OK, f"account {who.get('Account')} as {who.get('Arn')}")


def _transcribe(clients: AwsClients) -> Check:
    try:
        clients.transcribe.list_medical_transcription_jobs(MaxResults=1)
    except (ClientError, BotoCoreError) as exc:
        detail = _explain(exc, "transcribe:ListMedicalTranscriptionJobs")
        return Check("transcribe permissions", FAIL, detail)
    return Check("transcribe permissions", OK, "transcribe:ListMedicalTranscriptionJobs allowed")


def _bucket_checks(
    clients: AwsClients, bucket: str, settings: Settings, *, label: str
) -> list[Check]:
    try:
        clients.s3.head_bucket(Bucket=bucket)
    except (ClientError, BotoCoreError) as exc:
        return [Check(label, FAIL, _explain(exc, "s3:HeadBucket", bucket=bucket))]
    checks = [Check(label, OK, f"s3://{bucket} exists and is reachable")]
    checks.append(_probe_object(clients, bucket, settings, label=f"{label} write"))
    return checks


def _probe_object(clients: AwsClients, bucket: str, settings: Settings, *, label: str) -> Check:
    """Write and delete a tiny object with the encryption that uploads will use."""
    key = f"{settings.input_prefix}.medscribe-doctor-{uuid.uuid4().hex}"
    extra = encryption_args(settings)
    try:
        clients.s3.put_object(Bucket=bucket, Key=key, Body=b"medscribe doctor probe", **extra)
    except (ClientError, BotoCoreError) as exc:
        return Check(label, FAIL, _explain(exc, "s3:PutObject", bucket=bucket))
    try:
        clients.s3.delete_object(Bucket=bucket, Key=key)
    except (ClientError, BotoCoreError) as exc:
        return Check(label, FAIL, _explain(exc, "s3:DeleteObject", bucket=bucket))
    return Check(label, OK, f"put and delete under s3://{bucket}/{settings.input_prefix} allowed")


__all__ = ["aws_checks"]
