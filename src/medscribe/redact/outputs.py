"""Where redacted copies go and how they and the mapping are written.

A redacted copy sits beside the output it copies, ``visit.txt`` ->
``visit.redacted.txt`` (:func:`redacted_name`), in any file format the renderers
write (json, text, vtt, srt). The mapping from tags to originals holds the PHI
itself, so it is written only to the file a caller names, as JSON
``{"mapping": {"[PHI:PERSONAL-1]": "..."}}``. Every write is
:func:`medscribe.files.write_private` (atomic, 0600).
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from pathlib import Path

from medscribe.files import write_private
from medscribe.render import FileFormat, SpeakerNames, render_string
from medscribe.transcript.model import Transcript

#: The infix that marks a redacted copy's name.
INFIX = ".redacted"


def redacted_name(path: Path) -> Path:
    """``out/visit.txt`` -> ``out/visit.redacted.txt`` (``visit`` -> ``visit.redacted``)."""
    path = Path(path)
    return path.with_name(f"{path.stem}{INFIX}{path.suffix}")


def write_copies(
    redacted: Transcript,
    targets: Sequence[tuple[Path, FileFormat]],
    *,
    speaker_names: SpeakerNames | None = None,
) -> list[Path]:
    """Render ``redacted`` to each (path, format) target; the paths written."""
    return [
        write_private(path, render_string(redacted, fmt, speaker_names=speaker_names))
        for path, fmt in targets
    ]


def write_mapping(path: Path, mapping: dict[str, str]) -> Path:
    """The tag -> original mapping as JSON at ``path`` (0600): it is PHI."""
    text = json.dumps({"mapping": mapping}, indent=2, ensure_ascii=False) + "\n"
    return write_private(Path(path), text)
