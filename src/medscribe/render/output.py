"""Writing a rendered transcript to a file: the name the renderers and the batch use.

The work is :func:`medscribe.files.write_private` (atomic, 0600 whatever the umask,
a replaced file keeps its mode, the folder must exist, one-line
:class:`~medscribe.files.WriteError` on failure); this module keeps the renderers'
import path so that there is one implementation of an atomic write.
"""

from __future__ import annotations

from medscribe.files import WriteError, write_private

write_atomic = write_private

__all__ = ["WriteError", "write_atomic"]
