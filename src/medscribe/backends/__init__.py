"""Backends: where transcription happens: ``aws`` (Transcribe Medical) or ``local`` (offline).

* :mod:`~medscribe.backends.base`: the :class:`Backend` contract, its
  :class:`Capabilities`, and the job and vocabulary records both backends return.
* :mod:`~medscribe.backends.checks`: :class:`Check`, one health check's result.
* :mod:`~medscribe.backends.aws`: the service (batch jobs over S3, streams over
  its WebSocket, its rules, one boto3 session builder).
* :mod:`~medscribe.backends.local`: the offline engine (a job store on disk, the
  engine's rules, streams with incremental decoding).

:func:`get_backend` is the one place that maps a backend's name to its class.
"""

from __future__ import annotations

from medscribe.backends.base import (
    Backend,
    Capabilities,
    Job,
    JobStatus,
    OnEvent,
    ProgressFactory,
    PurgeResult,
    Stopped,
    Vocabulary,
)
from medscribe.backends.checks import Check
from medscribe.config import Settings

__all__ = [
    "Backend",
    "Capabilities",
    "Check",
    "Job",
    "JobStatus",
    "OnEvent",
    "ProgressFactory",
    "PurgeResult",
    "Stopped",
    "Vocabulary",
    "get_backend",
]


def get_backend(settings: Settings, *, stream_endpoint: str | None = None) -> Backend:
    """The backend that ``settings.backend`` names, built from ``settings``.

    ``stream_endpoint`` points a backend that streams to a service at another
    WebSocket endpoint (tests, private deployments); the others have no use for it.
    """
    if settings.backend == "aws":
        from medscribe.backends.aws import AwsBackend

        return AwsBackend(settings, stream_endpoint=stream_endpoint)
    from medscribe.backends.local import LocalBackend

    return LocalBackend(settings)
