"""Private files and folders: everything medscribe writes is readable by its owner only.

This module owns how medscribe puts anything on disk (the job store, vocabularies,
transcripts, manifests, logs), so that transcripts and file names, which are patient
data, never land in a file or folder others can read, *whatever the umask*:

* folders it creates are 0700 (``os.mkdir`` then ``chmod``: the umask can only take
  bits away, and a strict umask such as 0277 would even leave the owner without
  write permission);
* files it writes are 0600: a temporary file in the same folder (``mkstemp`` makes
  it 0600, ``fchmod`` makes sure), then ``os.replace``, so a reader or a crash sees
  the old file or the new one, never half of it. A file that is replaced keeps the
  mode it had: someone chose it;
* append-only files (the store's lock, the worker's log) are opened 0600 as well;
* a temporary file left by a killed writer is recognised by the dead writer's pid
  in its name and swept by the next run (:func:`sweep_leftovers`);
* destinations are checked before any work (:func:`check_output_file`,
  :func:`prepare_output_dir`): a missing folder is refused, never created with its
  parents behind the user's back.

Every failure is a :class:`~medscribe.errors.WriteError` (re-exported here) with one
line (the path and the system's reason) and its ``path``, never Python's exception
text. Standard library only: the ``atomicwrites`` package is unmaintained and the
pattern is a few lines.
"""

from __future__ import annotations

import contextlib
import os
import re
import stat
import tempfile
from collections.abc import Iterable
from pathlib import Path
from typing import TextIO

from medscribe.errors import WriteError

__all__ = [
    "DIR_MODE",
    "FILE_MODE",
    "WriteError",
    "cannot_write",
    "check_output_file",
    "open_private_append",
    "prepare_output_dir",
    "private_dir",
    "reason",
    "sweep_leftovers",
    "tighten_dir",
    "write_private",
]

DIR_MODE = 0o700
FILE_MODE = 0o600


def reason(exc: OSError) -> str:
    """The system's words for ``exc`` ("Permission denied"), without Python's decoration."""
    return exc.strerror or type(exc).__name__


def cannot_write(path: Path, exc: OSError) -> WriteError:
    return WriteError(f"{path}: cannot write: {reason(exc)}", path=path)


# --------------------------------------------------------------------------- folders


def private_dir(path: Path, *, parents: bool = False, exist_ok: bool = True) -> Path:
    """Create folder ``path`` with mode 0700 (and its missing ``parents``, 0700 too).

    A folder that exists already is left as it is (it may be the user's). Raises
    :class:`WriteError` when the folder cannot be made, ``FileExistsError`` when
    it exists and ``exist_ok`` is false (reserving a name relies on mkdir's atomicity).
    """
    path = Path(path)
    parent = path.parent
    if not parent.is_dir():
        if parents and not parent.exists():
            private_dir(parent, parents=True)
        else:
            raise WriteError(f"{parent}: {_not_a_folder(parent)}", path=parent)
    try:
        os.mkdir(path, DIR_MODE)
    except FileExistsError:
        if not path.is_dir():
            raise WriteError(f"{path}: exists and is not a directory", path=path) from None
        if not exist_ok:
            raise
        return path
    except OSError as exc:
        raise cannot_write(path, exc) from None
    _chmod(path, DIR_MODE)
    return path


def tighten_dir(path: Path) -> None:
    """Make a folder that medscribe alone owns 0700 again (one an older version left 0755)."""
    with contextlib.suppress(OSError):
        if stat.S_IMODE(path.stat().st_mode) != DIR_MODE:
            path.chmod(DIR_MODE)


def _not_a_folder(path: Path) -> str:
    return "not a directory" if path.exists() else "no such directory"


def _chmod(path: Path, mode: int) -> None:
    try:
        os.chmod(path, mode)
    except OSError as exc:
        raise cannot_write(path, exc) from None


# --------------------------------------------------------------------------- files


def write_private(path: Path, content: str | bytes) -> Path:
    """Write ``content`` (str as UTF-8, ``\\n`` line ends) to ``path`` atomically; 0600.

    The folder must exist. A file that is replaced keeps its mode.
    """
    path = Path(path)
    if path.is_dir():
        raise WriteError(f"{path}: is a directory, not a file to write", path=path)
    if not path.parent.is_dir():
        raise WriteError(f"{path.parent}: {_not_a_folder(path.parent)}", path=path.parent)
    data = content.encode("utf-8") if isinstance(content, str) else content
    try:
        mode = stat.S_IMODE(path.stat().st_mode) if path.exists() else FILE_MODE
        fd, tmp = tempfile.mkstemp(prefix=_temp_prefix(path.name), suffix=".tmp", dir=path.parent)
    except OSError as exc:
        raise cannot_write(path, exc) from None
    try:
        with os.fdopen(fd, "wb") as handle:
            os.fchmod(handle.fileno(), mode)
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(tmp, path)
    except BaseException as exc:
        with contextlib.suppress(OSError):
            os.unlink(tmp)
        if isinstance(exc, OSError):
            raise cannot_write(path, exc) from None
        raise
    _sync_dir(path.parent)
    return path


# --------------------------------------------------------------------------- leftovers

#: Our temporary files: ``.<name>.<pid>.<random>.tmp`` (see :func:`sweep_leftovers`).
_TEMP = re.compile(r"^\.(?P<name>.+)\.(?P<pid>\d+)\.[A-Za-z0-9_]+\.tmp$")


def _temp_prefix(name: str) -> str:
    # The writer's pid in the name tells a leftover of a killed writer from a live write.
    return f".{name}.{os.getpid()}."


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True  # someone else's process
    return True


def sweep_leftovers(folder: Path, names: Iterable[str] | None = None) -> int:
    """Remove temporary files that a killed writer left in ``folder``; how many.

    A write killed between its temporary file and the rename (SIGKILL, power cut)
    leaves ``.<name>.<pid>.<random>.tmp`` behind: half a transcript or manifest,
    patient data nobody asked for. Only files of that shape whose writer is no
    longer running are removed; ``names`` limits the sweep to those target names
    (for a folder that is the user's, such as the folder of ``-o FILE``).
    """
    wanted = None if names is None else set(names)
    removed = 0
    try:
        entries = list(Path(folder).iterdir())
    except OSError:
        return 0
    for entry in entries:
        match = _TEMP.match(entry.name)
        if match is None or (wanted is not None and match["name"] not in wanted):
            continue
        if int(match["pid"]) == os.getpid() or _alive(int(match["pid"])):
            continue
        with contextlib.suppress(OSError):
            entry.unlink()
            removed += 1
    return removed


def open_private_append(path: Path) -> TextIO:
    """``path`` opened for appending text, created 0600 (an existing one is made 0600)."""
    path = Path(path)
    try:
        fd = os.open(path, os.O_WRONLY | os.O_APPEND | os.O_CREAT | os.O_CLOEXEC, FILE_MODE)
    except OSError as exc:
        raise cannot_write(path, exc) from None
    with contextlib.suppress(OSError):  # not ours to change: it stays as it is
        if stat.S_IMODE(os.fstat(fd).st_mode) != FILE_MODE:
            os.fchmod(fd, FILE_MODE)
    return os.fdopen(fd, "a", encoding="utf-8")


def _sync_dir(folder: Path) -> None:
    """Make the rename itself durable (a power cut after os.replace keeps the new file)."""
    with contextlib.suppress(OSError):
        fd = os.open(folder, os.O_RDONLY | os.O_DIRECTORY)
        try:
            os.fsync(fd)
        finally:
            os.close(fd)


# --------------------------------------------------------------------------- destinations


def check_output_file(path: Path) -> None:
    """Refuse, before any work, a file that :func:`write_private` could not write.

    Its folder must exist (it is not created) and take a new file: a temporary file
    is made and removed, which is how a read-only file system or a folder without
    write permission shows, for root too.
    """
    path = Path(path)
    if path.is_dir():
        raise WriteError(f"{path}: is a directory, not a file to write", path=path)
    if not path.parent.is_dir():
        raise WriteError(f"{path.parent}: {_not_a_folder(path.parent)}", path=path.parent)
    _probe(path.parent, path)


def prepare_output_dir(path: Path) -> Path:
    """The output folder ``path``, checked before any work; made (0700) when missing.

    Only the folder itself is made: its parent must exist.
    """
    path = Path(path)
    if not path.is_dir():
        if path.exists():
            raise WriteError(f"{path}: not a directory", path=path)
        private_dir(path)
    _probe(path, path)
    return path


def _probe(folder: Path, shown: Path) -> None:
    try:
        prefix = _temp_prefix("medscribe-probe")
        fd, tmp = tempfile.mkstemp(prefix=prefix, suffix=".tmp", dir=folder)
    except OSError as exc:
        raise cannot_write(shown, exc) from None
    os.close(fd)
    with contextlib.suppress(OSError):
        os.unlink(tmp)
