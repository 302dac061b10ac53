"""``medscribe redact``: redacted copies of any Transcribe Medical JSON with PHI entities.

A thin layer over :mod:`medscribe.redact`: read the JSON (the service's PHI output
or medscribe's), check every destination before any work, replace each entity's
words by its ``[PHI:CATEGORY]`` tag, and write the copy in each format asked for
(to stdout, ``-o FILE`` or ``--output-dir DIR`` as ``<name>.redacted.<ext>``),
the tag -> original mapping only with ``--mapping FILE``, and with
``--audio``/``--audio-out`` the recording with every PHI span silenced (``--tone``:
a 1 kHz tone). Errors are one line and exit 2; nothing here prints PHI or
transcript text on stderr.
"""

from __future__ import annotations

import sys
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

import click

from medscribe.errors import ValidationError
from medscribe.files import check_output_file, prepare_output_dir
from medscribe.render import EXTENSIONS, FileFormat, format_for_path, is_file_format
from medscribe.transcript import codec
from medscribe.transcript.model import Transcript

if TYPE_CHECKING:
    from medscribe.batch.results import FileResult

STDIO = "-"


@dataclass(frozen=True, slots=True)
class Plan:
    """Every destination, checked before any work."""

    targets: list[tuple[Path, FileFormat]]
    to_stdout: FileFormat | None
    mapping: Path | None
    audio: Path | None
    audio_out: Path | None


@click.command("redact")
@click.argument("transcript_path", metavar="TRANSCRIPT.json")
@click.option(
    "-f",
    "--format",
    "formats",
    multiple=True,
    help="json, text, vtt or srt; repeat or give a comma list "
    "[default: from the -o extension, else json].",
)
@click.option("-o", "--output", default=None, metavar="FILE", help="Write here ('-' = stdout).")
@click.option(
    "--output-dir",
    type=click.Path(file_okay=False, path_type=Path),
    default=None,
    help="Write <name>.redacted.<ext> for each format here (created when missing).",
)
@click.option(
    "--mapping",
    type=click.Path(dir_okay=False, path_type=Path),
    default=None,
    metavar="FILE",
    help="Also write the tags' originals here (JSON; it holds the PHI: keep it apart).",
)
@click.option(
    "--audio",
    type=click.Path(dir_okay=False, path_type=Path),
    default=None,
    help="The transcript's recording, to redact as well (needs --audio-out).",
)
@click.option(
    "--audio-out",
    type=click.Path(dir_okay=False, path_type=Path),
    default=None,
    metavar="OUT.wav",
    help="Where to write the redacted recording (WAV).",
)
@click.option("--tone", is_flag=True, default=False, help="A tone over PHI instead of silence.")
def redact(
    transcript_path: str,
    formats: tuple[str, ...],
    output: str | None,
    output_dir: Path | None,
    mapping: Path | None,
    audio: Path | None,
    audio_out: Path | None,
    tone: bool,
) -> None:
    """Write a copy of TRANSCRIPT.json ('-' reads stdin) with each PHI entity replaced by a tag.

    \b
    The transcript needs PHI entities (made with --content-identification phi,
    or by Amazon Transcribe Medical with PHI identification).
    Examples:
      medscribe redact visit.json -o visit.redacted.json
      medscribe redact visit.json --format json,text,vtt,srt --output-dir shared/
      medscribe redact visit.json --audio visit.wav --audio-out visit.redacted.wav --tone
    """
    plan = _plan(transcript_path, formats, output, output_dir, mapping, audio, audio_out)
    transcript = _load(transcript_path)
    redacted, tags = _redacted(transcript, with_mapping=plan.mapping is not None)
    _write(plan, transcript, redacted, tags, tone)


def _plan(
    transcript_path: str,
    formats: tuple[str, ...],
    output: str | None,
    output_dir: Path | None,
    mapping: Path | None,
    audio: Path | None,
    audio_out: Path | None,
) -> Plan:
    from medscribe.redact.audio import check_destination

    if output is not None and output_dir is not None:
        raise ValidationError("-o/--output and --output-dir cannot be used together")
    if (audio is None) != (audio_out is None):
        raise ValidationError("--audio and --audio-out go together: the recording and its copy")
    asked = _parse_formats(formats)
    targets: list[tuple[Path, FileFormat]] = []
    to_stdout: FileFormat | None = None
    if output_dir is not None:
        folder = prepare_output_dir(output_dir)
        stem = "transcript" if transcript_path == STDIO else Path(transcript_path).stem
        targets = [(folder / f"{stem}.redacted{EXTENSIONS[f]}", f) for f in asked or ["json"]]
    elif output is not None and output != STDIO:
        targets = [(Path(output), _one_format(asked, format_for_path(output)))]
    elif output == STDIO or audio_out is None:
        to_stdout = _one_format(asked, None)
    if audio is not None:
        from medscribe.media import probe

        probe(audio)  # a missing or unreadable recording is refused before any work
    if audio_out is not None:
        check_destination(audio_out)
    for path in [p for p, _ in targets] + [p for p in (mapping, audio_out) if p is not None]:
        check_output_file(path)
    _refuse_overwrites(transcript_path, audio, targets, mapping, audio_out)
    return Plan(targets, to_stdout, mapping, audio, audio_out)


def _parse_formats(values: tuple[str, ...]) -> list[FileFormat]:
    out: list[FileFormat] = []
    for part in (p.strip().lower() for v in values for p in v.split(",")):
        if not is_file_format(part):
            raise ValidationError(f"--format {part}: choose json, text, vtt or srt")
        if part not in out:
            out.append(part)
    return out


def _one_format(asked: list[FileFormat], implied: FileFormat | None) -> FileFormat:
    if len(asked) > 1:
        raise ValidationError("-o/--output writes one format; use --output-dir for several")
    if asked and implied is not None and implied != asked[0]:
        raise ValidationError(
            f"the -o extension says {implied}, --format says {asked[0]}; make them agree"
        )
    return asked[0] if asked else implied or "json"


def _refuse_overwrites(
    transcript_path: str,
    audio: Path | None,
    targets: list[tuple[Path, FileFormat]],
    mapping: Path | None,
    audio_out: Path | None,
) -> None:
    """No output may replace an input or another output (the original would be lost)."""
    outputs = [p for p, _ in targets] + [p for p in (mapping, audio_out) if p is not None]
    inputs = [Path(transcript_path)] if transcript_path != STDIO else []
    inputs += [audio] if audio is not None else []
    seen: set[Path] = set()
    for path in outputs:
        resolved = path.resolve()
        if resolved in seen or any(resolved == i.resolve() for i in inputs):
            raise ValidationError(f"{path}: would overwrite an input or another output")
        seen.add(resolved)


def _load(path: str) -> Transcript:
    if path != STDIO:
        return codec.load(path)
    try:
        # Bytes: the codec accepts a UTF-8 BOM and UTF-16/32, whatever the locale says.
        return codec.loads(sys.stdin.buffer.read())
    except ValidationError as exc:
        raise ValidationError(f"stdin: {exc.message}") from None


def _redacted(transcript: Transcript, *, with_mapping: bool) -> tuple[Transcript, dict[str, str]]:
    from medscribe.redact import redact, redact_with_mapping

    if with_mapping:
        result = redact_with_mapping(transcript)
        return result.transcript, result.mapping or {}
    return redact(transcript), {}


def _write(
    plan: Plan, original: Transcript, redacted: Transcript, mapping: dict[str, str], tone: bool
) -> None:
    from medscribe.redact import phi_spans, redact_audio
    from medscribe.redact.outputs import write_copies, write_mapping
    from medscribe.render import render_string

    count = len(original.entities or [])
    if count == 0:
        click.echo("medscribe: no PHI was identified in the transcript: copies unchanged", err=True)
    if plan.audio is not None and plan.audio_out is not None:
        redact_audio(plan.audio, plan.audio_out, phi_spans(original), tone=tone)
        click.echo(f"medscribe: wrote {plan.audio_out} (audio, {count} PHI spans)", err=True)
    for path in write_copies(redacted, plan.targets):
        click.echo(f"medscribe: wrote {path} ({count} PHI spans redacted)", err=True)
    if plan.mapping is not None:
        write_mapping(plan.mapping, mapping)
        click.echo(f"medscribe: wrote {plan.mapping} (the mapping: it holds the PHI)", err=True)
    if plan.to_stdout is not None:
        click.echo(render_string(redacted, plan.to_stdout), nl=False)


# --------------------------------------------------------------------------- transcribe


def check_transcribe_redaction(
    *,
    redact: bool,
    redact_audio: Path | None,
    phi: bool,
    inputs: list[Path],
    output_file: Path | None,
    output_dir: Path | None,
    no_wait: bool,
) -> None:
    """``transcribe --redact/--redact-audio``: refuse, before any work, what cannot be done."""
    from medscribe.redact.audio import check_destination

    if not (redact or redact_audio is not None):
        return
    flag = "--redact" if redact else "--redact-audio"
    if not phi:
        raise ValidationError(f"{flag} needs --content-identification phi (it redacts its PHI)")
    if no_wait:
        raise ValidationError(f"{flag} needs the finished transcript; not with --no-wait")
    if redact and output_file is None and output_dir is None:
        raise ValidationError(
            "--redact writes copies beside the outputs: give -o FILE or --output-dir"
        )
    if redact_audio is not None:
        if len(inputs) != 1:
            raise ValidationError(f"--redact-audio takes a single input, not {len(inputs)}")
        check_destination(redact_audio)
        check_output_file(redact_audio)
        if redact_audio.resolve() == inputs[0].resolve():
            raise ValidationError(f"{redact_audio}: would overwrite the recording")


def redact_batch_outputs(
    files: Sequence[FileResult],
    *,
    copies: bool,
    audio_out: Path | None,
    tone: bool = False,
) -> int:
    """After ``transcribe``: redacted copies beside each file's outputs (``visit.redacted.txt``)
    and the redacted recording; how many files could not be redacted (each said in one line).

    The copies show the transcript's own labels (``spk_0``, ``CLINICIAN_0``), never
    speaker names: a name given for a speaker is PHI the entities do not cover."""
    from medscribe.errors import MedscribeError

    failures = 0
    for result in files:
        if not (result.succeeded or result.skipped):
            continue
        try:
            written = _redact_one(result, copies, audio_out, tone)
        except MedscribeError as exc:
            failures += 1
            click.echo(f"medscribe: error: {result.input}: not redacted: {exc}", err=True)
            continue
        for path in written:
            click.echo(f"medscribe: wrote {path} (redacted)", err=True)
    return failures


def _redact_one(
    result: FileResult,
    copies: bool,
    audio_out: Path | None,
    tone: bool,
) -> list[Path]:
    from medscribe.redact import phi_spans, redact, redact_audio
    from medscribe.redact.outputs import INFIX, redacted_name, write_copies

    transcript = result.transcript
    outputs: list[Path] = [p for p in result.outputs if INFIX not in p.name]
    if transcript is None:  # done by an earlier run: read the JSON written then
        saved = next((p for p in outputs if p.suffix == ".json" and p.is_file()), None)
        if saved is None:
            raise ValidationError("its transcript was not kept; run it again to redact it")
        transcript = codec.load(saved)
    redacted = redact(transcript)  # raises before anything is written
    written: list[Path] = []
    if copies:
        targets: list[tuple[Path, FileFormat]] = [
            (redacted_name(p), fmt) for p in outputs if (fmt := format_for_path(p)) is not None
        ]
        written += write_copies(redacted, targets)
    if audio_out is not None:
        written.append(redact_audio(result.input, audio_out, phi_spans(transcript), tone=tone))
    return written
