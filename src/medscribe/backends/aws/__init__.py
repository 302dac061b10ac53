"""The AWS backend: Amazon Transcribe Medical batch jobs with media and transcripts in S3."""

from __future__ import annotations

from medscribe.backends.aws.backend import AwsBackend, ProgressFactory, parse_s3_url

__all__ = ["AwsBackend", "ProgressFactory", "parse_s3_url"]
