"""Which files a batch takes: files, quoted globs and directories, made absolute, each once.

Paths are made absolute so that every path of the summary and of the status
lines is; they are never resolved through symbolic links (the user's own names
are what the summary shows). A directory contributes its audio files by
extension; files named explicitly or by a glob are taken whatever their
extension, because the backend probes the content.
"""

from __future__ import annotations

import glob
import os
from collections.abc import Sequence
from pathlib import Path

from medscribe.errors import MediaError, ValidationError

__all__ = ["AUDIO_EXTENSIONS", "absolute", "expand_inputs"]

#: Extensions taken from a directory given as input.
AUDIO_EXTENSIONS = frozenset(
    {".wav", ".flac", ".mp3", ".mp4", ".m4a", ".ogg", ".oga", ".opus", ".amr", ".webm"}
)


def expand_inputs(specs: Sequence[str | Path]) -> list[Path]:
    """Files, globs and directories -> existing files, absolute, in the order given, each once.

    A directory contributes its audio files (by extension, not recursive, sorted);
    a glob its matching files, sorted. Anything missing raises :class:`MediaError`.
    Paths are made absolute (``os.path.abspath``: symbolic links are kept as given).
    """
    out: list[Path] = []
    seen: set[Path] = set()
    for spec in specs:
        for path in _expand_one(str(spec)):
            key = path.resolve()
            if key not in seen:
                seen.add(key)
                out.append(absolute(path))
    if not out:
        raise ValidationError("no input files given")
    return out


def _expand_one(spec: str) -> list[Path]:
    path = Path(spec).expanduser()
    if path.is_dir():
        return _directory(path)
    if path.is_file():
        return [path]
    if glob.has_magic(spec):
        matches = sorted(Path(p) for p in glob.glob(os.path.expanduser(spec), recursive=True))
        found = [p for p in matches if p.is_file()]
        if not found:
            raise MediaError(f"{spec}: no files match")
        return found
    raise MediaError(f"{absolute(path)}: no such file", path=absolute(path))


def _directory(path: Path) -> list[Path]:
    found = sorted(
        p
        for p in path.iterdir()
        if p.is_file() and not p.name.startswith(".") and p.suffix.lower() in AUDIO_EXTENSIONS
    )
    if not found:
        raise MediaError(f"{absolute(path)}: no audio files in this directory", path=absolute(path))
    return found


def absolute(path: str | Path) -> Path:
    """``path`` made absolute against the working directory (links and names kept)."""
    return Path(os.path.abspath(os.path.expanduser(path)))
