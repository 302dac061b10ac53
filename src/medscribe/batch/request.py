"""What a batch is asked to do (:class:`BatchRequest`), and its checks before any work.

A request is refused as a whole (``ValidationError``, exit 2, nothing started)
for what can be seen up front: no inputs, conflicting destinations, a bad job
name, options the backend refuses (``Backend.validate``), a missing input, a
destination that cannot be written. Problems of one file's content are that
file's failure instead, found when its job is started.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path

from medscribe.backends.base import Backend
from medscribe.batch.inputs import absolute
from medscribe.errors import MediaError, ValidationError
from medscribe.files import check_output_file, prepare_output_dir
from medscribe.render.formats import FileFormat, is_file_format
from medscribe.request import TranscriptionOptions, validate_job_name

__all__ = ["MAX_CONCURRENCY", "BatchRequest"]

#: Upper bound of concurrent jobs; Settings.concurrency enforces the same bound.
#: It stays well below the service's default quota of concurrent batch jobs per
#: account and region, which other scripts of the same account share.
MAX_CONCURRENCY = 100


@dataclass(frozen=True, slots=True)
class BatchRequest:
    """Many audio files, the options of their jobs, and where their transcripts go.

    ``formats`` are the file formats to write (``rich`` is ignored here; with an
    output directory and no file format, the JSON is written). ``output_file``
    takes a single input and the first file format. ``job_name`` names the job of
    a single input, or prefixes the default names of several. With
    ``wait=False`` jobs are started (or found) and not awaited. Transcripts are
    kept in the results when ``keep_transcripts`` (default: when nothing is
    written), for the caller to render.
    """

    inputs: Sequence[Path]
    options: TranscriptionOptions = field(default_factory=TranscriptionOptions)
    output_dir: Path | None = None
    output_file: Path | None = None
    formats: Sequence[str] = ("json",)
    concurrency: int = 1
    wait: bool = True
    job_name: str | None = None
    speaker_names: Mapping[str, str] | None = None
    poll_interval: float = 5.0
    poll_max_interval: float = 60.0
    keep_transcripts: bool | None = None

    def resolved(self) -> BatchRequest:
        """The same request with absolute paths, so that every path of the results is."""
        return replace(
            self,
            inputs=[absolute(p) for p in self.inputs],
            output_dir=absolute(self.output_dir) if self.output_dir is not None else None,
            output_file=absolute(self.output_file) if self.output_file is not None else None,
        )

    @property
    def file_formats(self) -> list[FileFormat]:
        """The file formats asked for, each once, in order (``rich`` is no file)."""
        return [f for f in dict.fromkeys(self.formats) if is_file_format(f)]

    @property
    def keeps_transcripts(self) -> bool:
        if self.keep_transcripts is None:
            return self.output_dir is None and self.output_file is None
        return self.keep_transcripts

    @property
    def workers(self) -> int:
        """Jobs at once: the concurrency asked for, within bounds and the number of inputs."""
        return max(1, min(int(self.concurrency), MAX_CONCURRENCY, len(self.inputs)))

    def check(self, backend: Backend) -> None:
        """Refuse the request as a whole before any work (see the module docstring)."""
        if not self.inputs:
            raise ValidationError("no input files given")
        self._check_destinations()
        if self.job_name is not None:
            validate_job_name(self.job_name)
        backend.validate(self.options)
        for path in self.inputs:
            if not Path(path).is_file():
                raise MediaError(f"{path}: no such file", path=path)
        # Destinations before any work: a missing folder is refused, never made with its parents.
        if self.output_file is not None:
            check_output_file(self.output_file)
        if self.output_dir is not None:
            prepare_output_dir(self.output_dir)

    def _check_destinations(self) -> None:
        # The CLI refuses these first, in its own words (its flags); these are the library's.
        if self.output_dir is not None and self.output_file is not None:
            raise ValidationError("an output file and an output directory cannot be used together")
        if self.output_file is not None and len(self.inputs) != 1:
            raise ValidationError(
                f"an output file takes a single input, not {len(self.inputs)}; "
                "use an output directory for several"
            )
