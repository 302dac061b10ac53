"""Where a batch writes each transcript, and the writing itself (atomic, private).

Output names are the user's own file names in the folder they chose
(``<output-dir>/<stem>.<ext>``); only stems that clash get a short hash of the
path. One ``--speaker-names`` list serves a whole batch, so the names are cut
to the labels each transcript has. Outputs are written only where the caller
asked.
"""

from __future__ import annotations

import hashlib
from collections.abc import Mapping, Sequence
from pathlib import Path

from medscribe.render.formats import FILE_FORMATS, FileFormat
from medscribe.transcript import Transcript

__all__ = ["FILE_FORMATS", "names_for", "output_bases", "output_paths", "write_outputs"]


def output_bases(inputs: Sequence[Path], output_dir: Path) -> list[Path]:
    """``output_dir/<stem>`` per input; stems that clash get a short hash of the path.

    The hash only tells apart ``a/visit.wav`` and ``b/visit.wav``.
    """
    stems = [p.stem for p in inputs]
    bases = []
    for path, stem in zip(inputs, stems, strict=True):
        if stems.count(stem) > 1:
            tag = hashlib.sha256(str(path.resolve()).encode()).hexdigest()[:10]
            stem = f"{stem}-{tag}"
        bases.append(output_dir / stem)
    return bases


def output_paths(base: Path, formats: Sequence[FileFormat]) -> list[Path]:
    """Where :func:`write_outputs` puts each file format for ``base``."""
    from medscribe.render import EXTENSIONS

    return [base.with_name(base.name + EXTENSIONS[f]) for f in formats]


def write_outputs(
    transcript: Transcript,
    paths: Sequence[tuple[Path, FileFormat]],
    *,
    speaker_names: Mapping[str, str] | None = None,
    show_alternatives: bool = False,
) -> list[Path]:
    """Write ``transcript`` to each ``(path, format)``, atomically; returns the paths."""
    from medscribe.render import write_output

    names = names_for(transcript, speaker_names)
    return [
        Path(
            write_output(
                transcript,
                path,
                fmt,
                speaker_names=names,
                show_alternatives=show_alternatives,
            )
        )
        for path, fmt in paths
    ]


def names_for(transcript: Transcript, names: Mapping[str, str] | None) -> dict[str, str]:
    """The speaker names that apply to this transcript's labels.

    One ``--speaker-names`` list serves a whole batch; a recording where fewer
    people spoke must still render (the renderer refuses names for absent labels),
    and one whose roles were kept as spk_N gets none of the roles' names.
    """
    from medscribe.render.names import applicable_names

    return applicable_names(transcript, names)
