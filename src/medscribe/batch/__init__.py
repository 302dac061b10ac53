"""The batch: many audio files -> jobs -> transcripts -> files, resumable after a crash.

What a nightly script needs beyond one job, one module each:

* :mod:`~medscribe.batch.request`: :class:`BatchRequest`, what is asked, and its
  checks before any work;
* :mod:`~medscribe.batch.inputs`: files, quoted globs and directories -> absolute paths;
* :mod:`~medscribe.batch.naming`: default job names from the content and the
  options, never the file name (patient data);
* :mod:`~medscribe.batch.manifest`: the manifest that lets a rerun attach and skip;
* :mod:`~medscribe.batch.polling`: waiting for a job with backoff and jitter;
* :mod:`~medscribe.batch.outputs`: where each transcript is written, and the writing;
* :mod:`~medscribe.batch.runner`: :func:`run_batch`, each file's life with bounded
  concurrency;
* :mod:`~medscribe.batch.results`: events, per-file results, the summary, the
  interruption.

Everything goes through the :class:`~medscribe.backends.base.Backend` contract,
so a batch behaves the same on both backends.
"""

from __future__ import annotations

from medscribe.batch.inputs import AUDIO_EXTENSIONS, absolute, expand_inputs
from medscribe.batch.manifest import MANIFEST_NAME, MANIFEST_VERSION, Manifest, ManifestEntry
from medscribe.batch.naming import (
    JOB_NAME_PREFIX,
    content_digest,
    default_job_name,
    job_name_for,
    job_names,
)
from medscribe.batch.outputs import (
    FILE_FORMATS,
    names_for,
    output_bases,
    output_paths,
    write_outputs,
)
from medscribe.batch.polling import PROGRESS_POLL_S, backoff_delays, wait_for_job
from medscribe.batch.request import MAX_CONCURRENCY, BatchRequest
from medscribe.batch.results import (
    NOT_STARTED,
    BatchEvent,
    BatchInterrupted,
    BatchSummary,
    EventHandler,
    FileResult,
    interrupted_message,
)
from medscribe.batch.runner import run_batch

__all__ = [
    "AUDIO_EXTENSIONS",
    "FILE_FORMATS",
    "JOB_NAME_PREFIX",
    "MANIFEST_NAME",
    "MANIFEST_VERSION",
    "MAX_CONCURRENCY",
    "NOT_STARTED",
    "PROGRESS_POLL_S",
    "BatchEvent",
    "BatchInterrupted",
    "BatchRequest",
    "BatchSummary",
    "EventHandler",
    "FileResult",
    "Manifest",
    "ManifestEntry",
    "absolute",
    "backoff_delays",
    "content_digest",
    "default_job_name",
    "expand_inputs",
    "interrupted_message",
    "job_name_for",
    "job_names",
    "names_for",
    "output_bases",
    "output_paths",
    "run_batch",
    "wait_for_job",
    "write_outputs",
]
