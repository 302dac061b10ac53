"""Writing a rendered transcript to a file atomically.

Transcripts are patient data: a file appears complete or not at all (a temp file in
the same directory, then ``os.replace``), and a new file is readable by its owner
only (mode 0600, as ``tempfile.mkstemp`` creates it); a file that is replaced keeps
the mode it had. Standard library only: the ``atomicwrites`` package is unmaintained
and the pattern is a few lines.
"""

from __future__ import annotations

import contextlib
import os
import stat
import tempfile
from pathlib import Path

from medscribe.errors import ValidationError


def write_atomic(path: Path, content: str) -> Path:
    """Write ``content`` (UTF-8) to ``path`` via a temp file and ``os.replace``."""
    path = Path(path)
    if path.is_dir():
        raise ValidationError(f"{path}: is a directory, not a file to write")
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        mode = stat.S_IMODE(path.stat().st_mode) if path.exists() else None
        fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    except OSError as exc:
        raise ValidationError(f"{path}: cannot write: {exc.strerror or exc}") from None
    try:
        with os.fdopen(fd, "w", encoding="utf-8", newline="\n") as handle:
            handle.write(content)
            handle.flush()
            os.fsync(handle.fileno())
        if mode is not None:
            os.chmod(tmp, mode)
        os.replace(tmp, path)
    except BaseException as exc:
        with contextlib.suppress(OSError):
            os.unlink(tmp)
        if isinstance(exc, OSError):
            raise ValidationError(f"{path}: cannot write: {exc.strerror or exc}") from None
        raise
    return path
