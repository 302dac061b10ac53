"""The batch's memory across runs: ``<output-dir>/.medscribe-manifest.json``.

One entry per input (its size and mtime, its job, the backend, the status, the
outputs written, the options), rewritten atomically and owner-only after every
state change, so that a rerun after a crash or Ctrl-C attaches to the jobs
already started and skips the files whose outputs are present.
"""

from __future__ import annotations

import json
import logging
import threading
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from medscribe.render.output import write_atomic

__all__ = ["MANIFEST_NAME", "MANIFEST_VERSION", "Manifest", "ManifestEntry"]

log = logging.getLogger(__name__)

MANIFEST_NAME = ".medscribe-manifest.json"
MANIFEST_VERSION = 1


@dataclass(slots=True)
class ManifestEntry:
    """What the batch knows of one input file."""

    input: str
    size: int
    mtime: float
    job_name: str
    backend: str
    status: str
    outputs: list[str] = field(default_factory=list)
    failure_reason: str | None = None
    options: dict[str, Any] = field(default_factory=dict)
    updated: str = ""
    no_speech: bool = False


class Manifest:
    """The batch's memory across runs: one entry per input, saved after every change.

    ``path=None`` keeps it in memory only (no output directory to put it in).
    Thread-safe: the batch's workers record their files' changes concurrently.
    """

    def __init__(self, path: Path | None, entries: dict[str, ManifestEntry] | None = None):
        self.path = path
        self._entries: dict[str, ManifestEntry] = entries or {}
        self._lock = threading.Lock()

    @classmethod
    def load(cls, path: Path | None) -> Manifest:
        if path is None or not path.exists():
            return cls(path)
        try:
            data = json.loads(path.read_text(encoding="utf-8"))
            entries = {k: ManifestEntry(**v) for k, v in data.get("files", {}).items()}
        except (OSError, ValueError, TypeError, AttributeError) as exc:
            # A broken manifest only costs the skip of done files: job names are
            # deterministic, so starting again still attaches to existing jobs.
            log.warning("%s: unreadable manifest (%s); starting a new one", path, exc)
            return cls(path)
        return cls(path, entries)

    def get(self, key: str) -> ManifestEntry | None:
        with self._lock:
            entry = self._entries.get(key)
            return None if entry is None else ManifestEntry(**asdict(entry))

    def put(self, key: str, entry: ManifestEntry) -> None:
        entry.updated = datetime.now(UTC).isoformat(timespec="seconds")
        with self._lock:
            self._entries[key] = entry
            self._save_locked()

    def save(self) -> None:
        with self._lock:
            self._save_locked()

    def _save_locked(self) -> None:
        if self.path is None:
            return
        data = {
            "version": MANIFEST_VERSION,
            "files": {k: asdict(v) for k, v in self._entries.items()},
        }
        # Atomic (temp file + os.replace) and owner-only, like the transcripts beside it.
        write_atomic(self.path, json.dumps(data, indent=2, sort_keys=True) + "\n")
