"""The AWS backend: Amazon Transcribe Medical, batch jobs over S3 and streams over WebSocket.

* :mod:`~medscribe.backends.aws.backend`: :class:`AwsBackend`, the contract's methods.
* :mod:`~medscribe.backends.aws.rules`: what the service accepts (specialties, media limits).
* :mod:`~medscribe.backends.aws.session`: the one boto3 session builder, clients, pre-flight.
* :mod:`~medscribe.backends.aws.errors`: the service's errors as medscribe's.
* :mod:`~medscribe.backends.aws.streaming`: the presigned WebSocket client of streams.
* :mod:`~medscribe.backends.aws.eventstream`: event-stream framing (audio out, results in).
* :mod:`~medscribe.backends.aws.doctor`: the checks of ``medscribe doctor --backend aws``.
"""

from __future__ import annotations

from medscribe.backends.aws.backend import AwsBackend, parse_s3_url
from medscribe.backends.base import ProgressFactory

__all__ = ["AwsBackend", "ProgressFactory", "parse_s3_url"]
