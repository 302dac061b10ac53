"""Default job names: from the content and the options, never from the file name.

File names are patient data, and job names reach the service, the job store and
logs, so a default name is ``medscribe-<hash>`` of the file's bytes and the
options record (:func:`job_name_for`): a rerun of the same file with the same
options finds the job it started, and the name says nothing about the patient.
Identical files of one batch are told apart by their rank among their twins, in
input order.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from medscribe.request import TranscriptionOptions, validate_job_name

__all__ = ["JOB_NAME_PREFIX", "content_digest", "default_job_name", "job_name_for", "job_names"]

#: Prefix of default job names (the service's job-name charset: letters, digits, . _ -).
JOB_NAME_PREFIX = "medscribe"
_JOB_NAME_MAX = 200
#: Hex digits of the content hash in a job name: 80 bits, no collision in any archive.
_HASH_LEN = 20
_CHUNK = 1 << 20


def content_digest(path: Path) -> str:
    """SHA-256 of the file's bytes (hex): what a job name stands for."""
    digest = hashlib.sha256()
    with Path(path).open("rb") as fh:
        while chunk := fh.read(_CHUNK):
            digest.update(chunk)
    return digest.hexdigest()


def job_name_for(
    digest: str,
    options: TranscriptionOptions | dict[str, Any],
    *,
    prefix: str | None = None,
    rank: int = 1,
) -> str:
    """``<prefix>-<hash>[-<rank>]``: the default job name of a content ``digest`` and options.

    The hash covers the content and the options record, never the file's name or
    place, so the name says nothing about the patient, and a rerun of the same
    file with the same options finds the same job. ``rank`` tells identical files
    of one batch apart (2 for the second twin in input order, ...); their
    transcripts are the same, so a rerun that ranks them otherwise still gets
    each file right. ``prefix`` defaults to :data:`JOB_NAME_PREFIX`; the result
    fits the service's job-name charset and its 200-character limit.
    """
    record = (
        options.model_dump(mode="json") if isinstance(options, TranscriptionOptions) else options
    )
    identity = json.dumps({"content": digest, "options": record}, sort_keys=True)
    hashed = hashlib.sha256(identity.encode()).hexdigest()[:_HASH_LEN]
    suffix = f"-{hashed}" + (f"-{rank}" if rank > 1 else "")
    head = (prefix or JOB_NAME_PREFIX)[: _JOB_NAME_MAX - len(suffix)]
    return validate_job_name(head + suffix)


def default_job_name(
    path: Path, options: TranscriptionOptions | dict[str, Any], *, prefix: str | None = None
) -> str:
    """The default job name of one file (:func:`job_name_for` of its content)."""
    return job_name_for(content_digest(path), options, prefix=prefix)


def job_names(
    digests: Sequence[str], options: TranscriptionOptions, prefix: str | None
) -> list[str]:
    """One name per input; twins (same content) get ranks in input order."""
    seen: dict[str, int] = {}
    names = []
    for digest in digests:
        seen[digest] = seen.get(digest, 0) + 1
        names.append(job_name_for(digest, options, prefix=prefix, rank=seen[digest]))
    return names
