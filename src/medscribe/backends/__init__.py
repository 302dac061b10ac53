"""Backends: where transcription happens: ``aws`` (Transcribe Medical) or ``local`` (offline)."""

from __future__ import annotations

from medscribe.backends.base import Backend, Job, JobStatus, Vocabulary
from medscribe.config import Settings


def get_backend(settings: Settings) -> Backend:
    """The backend that ``settings.backend`` names, built from ``settings``."""
    if settings.backend == "aws":
        from medscribe.backends.aws import AwsBackend

        return AwsBackend(settings)
    from medscribe.backends.local import LocalBackend

    return LocalBackend(settings)


__all__ = ["Backend", "Job", "JobStatus", "Vocabulary", "get_backend"]
