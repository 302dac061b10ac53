"""A streaming session: finals collected into the one transcript model, then saved.

Partial results are only shown; the transcript is made of final results alone,
as the service's own streaming clients do. The session keeps what a test or a
benchmark needs to check the stream's behaviour (which ResultIds had partials,
when each event arrived) without keeping partial text. Saving writes the
Transcribe Medical JSON (:mod:`medscribe.transcript.codec` through
:func:`medscribe.render.write_output`) and any other chosen formats, only to the
paths the user asked for. With ``speaker_roles`` the saved transcript's two
speakers are labelled by role (:func:`medscribe.roles.assign_roles`), decided on
the whole session at its end: the live view shows spk_N. With content
identification the transcript's ``entities`` are the finals' PHI spans (each
final's ``Entities``, as the service sends them per final), in time order; a
session that found none has ``[]``, one without identification ``None``.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from medscribe.errors import ValidationError
from medscribe.render.formats import FileFormat, is_file_format
from medscribe.request import TranscriptionOptions
from medscribe.streaming.events import Result, TranscriptEvent
from medscribe.transcript.model import Entity, Item, Transcript

log = logging.getLogger(__name__)


@dataclass(slots=True)
class ResultTiming:
    """When a result id was first shown as a partial and when its final came."""

    first_partial: float | None = None
    final: float | None = None
    partials: int = 0


@dataclass
class StreamSession:
    """Collects the finals of one stream (thread-safe: events may come from any thread)."""

    options: TranscriptionOptions
    job_name: str = ""
    channels: int | None = None
    finals: list[Result] = field(default_factory=list)
    timings: dict[str, ResultTiming] = field(default_factory=dict)
    _lock: threading.Lock = field(default_factory=threading.Lock, repr=False)

    def add(self, event: TranscriptEvent) -> None:
        with self._lock:
            for result in event.results:
                timing = self.timings.setdefault(result.result_id, ResultTiming())
                if result.is_partial:
                    timing.partials += 1
                    if timing.first_partial is None:
                        timing.first_partial = event.received
                else:
                    timing.final = event.received
                    self.finals.append(result)

    __call__ = add  # a session is an on_event callback

    @property
    def open_partials(self) -> list[str]:
        """Result ids that had partials but no final (the stream was cut short)."""
        return [rid for rid, t in self.timings.items() if t.partials and t.final is None]

    def transcript(self) -> Transcript:
        """The finals as one transcript, in time order across channels."""
        with self._lock:
            finals = list(self.finals)
        entities = self._entities(finals)
        groups: list[tuple[float, int, list[Item]]] = []
        for order, result in enumerate(finals):
            items = result.to_items()
            if items:
                groups.append((result.start, order, items))
        groups.sort(key=lambda g: (g[0], g[1]))
        items = [item for _, _, group in groups for item in group]
        speakers = None
        if self.options.max_speakers is not None:
            speakers = len({i.speaker for i in items if i.speaker})
        channels = None
        if self.options.channel_identification:
            channels = self.channels or len({i.channel for i in items if i.channel}) or None
        transcript = Transcript(
            items=items,
            job_name=self.job_name,
            account_id="",
            status="COMPLETED",
            speakers=speakers,
            channels=channels,
            entities=entities,
        )
        if self.options.speaker_roles:
            from medscribe.roles import assign_roles

            assign_roles(transcript)
        return transcript

    def _entities(self, finals: Sequence[Result]) -> list[Entity] | None:
        """The finals' PHI spans in time order; None when identification is off.

        Partials are never used: the service labels PHI in finals (its partials'
        words may still change), and the transcript is made of finals alone.
        """
        if self.options.content_identification is None:
            return None
        spans = [entity for result in finals for entity in result.to_entities()]
        return sorted(spans, key=lambda e: (e.start, e.end))

    def save(
        self,
        output: Path,
        formats: Sequence[str],
        *,
        speaker_names: Mapping[str, str] | None = None,
    ) -> list[Path]:
        """Write the JSON and each file format next to ``output``; returns the paths written.

        ``speaker_names`` name the labels in text, WebVTT and SRT; the JSON keeps spk_N.
        """
        return save_transcript(self.transcript(), output, formats, speaker_names=speaker_names)


def output_paths(output: Path, formats: Sequence[str]) -> dict[FileFormat, Path]:
    """``visit.json`` + ["text"] -> json: visit.json, text: visit.txt.

    The JSON is always written; a known extension on ``output`` says which format
    that exact path gets, the others take the same stem. Each destination is
    checked (its folder exists and takes a file), so a stream is refused before
    it starts rather than when it is saved.
    """
    from medscribe.files import check_output_file
    from medscribe.render import EXTENSIONS, format_for_path

    output = Path(output)
    own = format_for_path(output)
    stem = output.with_suffix("") if own else output
    paths: dict[FileFormat, Path] = {}
    for fmt in ["json", *([own] if own else []), *formats]:  # -o live.txt writes live.txt
        if fmt == "rich" or fmt in paths:
            continue
        if not is_file_format(fmt):
            raise ValidationError(f"format {fmt} cannot be saved to a file", option="format")
        paths[fmt] = output if fmt == own else stem.with_name(stem.name + EXTENSIONS[fmt])
        check_output_file(paths[fmt])
    return paths


def save_transcript(
    transcript: Transcript,
    output: Path,
    formats: Sequence[str],
    *,
    speaker_names: Mapping[str, str] | None = None,
) -> list[Path]:
    """Write ``transcript`` as :func:`output_paths` says; returns the paths written."""
    from medscribe.batch import names_for
    from medscribe.render import write_output

    names = names_for(transcript, speaker_names)  # only the labels this session heard

    written = []
    for fmt, path in output_paths(output, formats).items():
        written.append(write_output(transcript, path, fmt, speaker_names=names))
    return written
