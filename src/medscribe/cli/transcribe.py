"""``medscribe transcribe``: a thin Click layer over :func:`medscribe.batch.run_batch`.

This module owns the command's options, turning them into settings and a
validated :class:`~medscribe.request.TranscriptionOptions` before any work, the
status display on stderr (a Rich progress table when a person watches, plain
lines otherwise) and showing transcripts on stdout. It also holds the small
helpers that ``medscribe jobs`` shares (setting flags, ``--format`` parsing,
terminal output). Stdout carries only transcripts or the ``--json`` summary.
"""

from __future__ import annotations

import functools
import json
import sys
import threading
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

import click
from rich.console import Console
from rich.progress import (
    Progress,
    SpinnerColumn,
    TaskID,
    TextColumn,
    TimeElapsedColumn,
)

from medscribe.batch import (
    FILE_FORMATS,
    BatchEvent,
    BatchSummary,
    expand_inputs,
    names_for,
    run_batch,
)
from medscribe.cli.common import (
    backend_options,
    interactive,
    make_backend,
    stderr_console,
    stdout_console,
)
from medscribe.config import Settings
from medscribe.errors import ValidationError
from medscribe.request import build_options, check_for_aws_batch, validate_job_name
from medscribe.transcript import Transcript

F = Callable[..., Any]

# --------------------------------------------------------------------------- shared helpers

#: Flags that are settings (file < environment < flag); each passes to load_settings.
_SETTING_FLAGS: dict[str, Callable[[], Callable[[F], F]]] = {
    "bucket": lambda: click.option("--bucket", default=None, help="S3 bucket for the audio."),
    "output_bucket": lambda: click.option(
        "--output-bucket", default=None, help="S3 bucket for transcripts (default: --bucket)."
    ),
    "kms_key_id": lambda: click.option(
        "--kms-key-id", default=None, help="KMS key for server-side encryption."
    ),
    "model": lambda: click.option(
        "--model", default=None, help="Local backend: a CTranslate2 Whisper model directory."
    ),
    "threads": lambda: click.option(
        "--threads", type=int, default=None, help="Local backend: CPU threads (0 = automatic)."
    ),
    "concurrency": lambda: click.option(
        "--concurrency",
        type=int,
        default=None,
        help="Jobs at once (default: settings; 1 on the local backend).",
    ),
}


def settings_flags(*names: str) -> Callable[[F], F]:
    """Add setting flags to a command decorated with ``backend_options`` (put this above it).

    The flags reach ``load_settings`` through backend_options' ``_settings_flags``.
    """

    def decorator(func: F) -> F:
        @functools.wraps(func)
        def wrapper(*args: Any, **kwargs: Any) -> Any:
            flags = {name: kwargs.pop(name) for name in names}
            return func(*args, _settings_flags=flags, **kwargs)

        for name in reversed(names):
            wrapper = _SETTING_FLAGS[name]()(wrapper)
        return wrapper

    return decorator


def format_option(func: F) -> F:
    return click.option(
        "--format",
        "formats",
        multiple=True,
        help="rich, json, text, vtt or srt; repeat or give a comma list.",
    )(func)


def parse_formats(values: Sequence[str]) -> list[str]:
    """``("rich,json", "srt")`` -> ``["rich", "json", "srt"]``; unknown names are usage errors."""
    from medscribe.render import FORMATS

    out: list[str] = []
    for value in values:
        for part in value.split(","):
            fmt = part.strip().lower()
            if not fmt:
                continue
            if fmt not in FORMATS:
                raise ValidationError(
                    f"--format: unknown format {fmt!r}; choose from {', '.join(FORMATS)}"
                )
            if fmt not in out:
                out.append(fmt)
    return out


def show_transcript(
    transcript: Transcript,
    formats: Sequence[str],
    *,
    speaker_names: dict[str, str] | None = None,
    show_alternatives: bool = False,
    title: str | None = None,
) -> None:
    """Print ``transcript`` on stdout in each format (Rich only when stdout is a terminal)."""
    from medscribe.render import render_rich, render_string

    names = names_for(transcript, speaker_names)
    rich_ok = sys.stdout.isatty()
    console = stdout_console()
    if title:
        if rich_ok:
            console.rule(title)
        else:
            click.echo(f"==> {title} <==")
    for fmt in formats:
        if fmt == "rich" and rich_ok:
            render_rich(
                transcript, console, speaker_names=names, show_alternatives=show_alternatives
            )
        else:
            text = render_string(
                transcript,
                "text" if fmt == "rich" else fmt,
                speaker_names=names,
                show_alternatives=show_alternatives,
            )
            click.echo(text, nl=not text.endswith("\n"))


# --------------------------------------------------------------------------- status display


class StatusDisplay:
    """Each job's status on stderr: a live Rich table for people, plain lines for logs.

    Called from the batch's worker threads, so every method is thread-safe.
    Failures and notes are printed as lines in both modes so they stay on screen.
    """

    def __init__(self, inputs: Sequence[Path], *, live: bool, console: Console | None = None):
        self.console = console or stderr_console()
        self.live = live
        self._lock = threading.Lock()
        self._progress: Progress | None = None
        self._tasks: dict[Path, TaskID] = {}
        self._inputs = list(inputs)

    def __enter__(self) -> StatusDisplay:
        if self.live:
            self._progress = Progress(
                SpinnerColumn(finished_text=" "),
                TextColumn("{task.description}", style="bold"),
                TextColumn("{task.fields[status]}"),
                TimeElapsedColumn(),
                console=self.console,
                transient=False,
            )
            for path in self._inputs:
                self._tasks[path] = self._progress.add_task(
                    path.name, total=None, status="waiting", job=""
                )
            self._progress.start()
        return self

    def __exit__(self, *exc: object) -> None:
        if self._progress is not None:
            self._progress.stop()

    def event(self, ev: BatchEvent) -> None:
        with self._lock:
            if self._progress is not None and ev.input in self._tasks:
                self._update_row(ev)
                if ev.kind in ("failed", "note"):
                    self._progress.console.print(
                        self._line(ev), markup=False, highlight=False, soft_wrap=True
                    )
            else:
                # Plain lines for logs: one event per line, never wrapped.
                click.echo(f"medscribe: {self._line(ev)}", err=True)

    def upload_progress(self, path: Path, total: int) -> Callable[[int], None]:
        """The AWS backend's upload callback: a byte bar in the file's row (live mode only)."""
        task = self._tasks.get(Path(path))
        if self._progress is None or task is None:
            return lambda _sent: None
        progress = self._progress
        sent_so_far = [0]

        def advance(sent: int) -> None:
            sent_so_far[0] += sent
            percent = 100 * sent_so_far[0] // max(total, 1)
            progress.update(task, status=f"uploading {percent}%")

        progress.update(task, status="uploading 0%")
        return advance

    def _update_row(self, ev: BatchEvent) -> None:
        assert self._progress is not None
        task = self._tasks[ev.input]
        status = ev.status if ev.kind != "skip" else "done earlier"
        if ev.kind == "failed":
            status = "[red]FAILED[/]"
        elif ev.kind == "done":
            status = f"[green]{status}[/]"
        finished = ev.kind in ("done", "failed", "skip")
        self._progress.update(task, status=f"{status}  [dim]{ev.job_name}[/]")
        if finished:
            self._progress.update(task, total=1, completed=1)
            self._progress.stop_task(task)

    @staticmethod
    def _line(ev: BatchEvent) -> str:
        name = str(ev.input)
        if ev.kind == "start":
            return f"{name}: started job {ev.job_name} ({ev.status})"
        if ev.kind == "attach":
            return f"{name}: attached to job {ev.job_name} ({ev.status})"
        if ev.kind == "skip":
            return f"{name}: already done ({', '.join(str(p) for p in ev.outputs)})"
        if ev.kind == "done":
            written = f" -> {', '.join(str(p) for p in ev.outputs)}" if ev.outputs else ""
            return f"{name}: {ev.job_name} COMPLETED{written}"
        if ev.kind == "failed":
            return f"{name}: FAILED: {ev.message}"
        if ev.kind == "note":
            return f"{name}: {ev.message} (job {ev.job_name})"
        return f"{name}: {ev.job_name} {ev.status}"


# --------------------------------------------------------------------------- the command


@click.command()
@click.argument("audio", nargs=-1, required=True)
@click.option("--specialty", default=None, help="primarycare (AWS batch); any on the local one.")
@click.option("--type", "type_", default=None, help="conversation (default) or dictation.")
@click.option("--speakers", type=int, default=None, help="Speaker partitioning, 2 to 10 speakers.")
@click.option("--channels", is_flag=True, help="Channel identification (not with --speakers).")
@click.option("--alternatives", type=int, default=None, help="Alternative transcriptions, 2 to 10.")
@click.option("--vocabulary", default=None, help="Custom medical vocabulary name.")
@click.option("--job-name", default=None, help="Job name (a prefix with several inputs).")
@click.option("-o", "--output", default=None, help="Output file for a single input; '-' = stdout.")
@click.option(
    "--output-dir",
    type=click.Path(file_okay=False, path_type=Path),
    default=None,
    help="Write outputs here (with a manifest, so a rerun resumes).",
)
@format_option
@click.option("--speaker-names", default=None, help="Names for the labels: clinician,patient.")
@click.option("--no-wait", is_flag=True, help="Start the jobs and return.")
@click.option("--json", "as_json", is_flag=True, help="A JSON summary on stdout.")
@settings_flags("bucket", "output_bucket", "kms_key_id", "model", "threads", "concurrency")
@backend_options
def transcribe(
    settings: Settings,
    audio: tuple[str, ...],
    specialty: str | None,
    type_: str | None,
    speakers: int | None,
    channels: bool,
    alternatives: int | None,
    vocabulary: str | None,
    job_name: str | None,
    output: str | None,
    output_dir: Path | None,
    formats: tuple[str, ...],
    speaker_names: str | None,
    no_wait: bool,
    as_json: bool,
) -> None:
    """Transcribe AUDIO files (files, quoted globs or directories).

    \b
    Examples:
      medscribe transcribe visit.wav --specialty primarycare --speakers 2
      medscribe transcribe 'recordings/*.wav' --output-dir out --format json,srt --json

    Exit codes: 0 all succeeded (or were submitted with --no-wait), 1 any failed,
    2 usage or input error, 130 interrupted (jobs keep running; rerun to resume).
    """
    from medscribe.render import format_for_path, parse_speaker_names

    # Everything is checked before any work: options, names, formats, inputs.
    options = build_options(
        specialty=specialty or settings.specialty,
        type=type_ or settings.type,
        max_speakers=speakers,
        channel_identification=channels,
        max_alternatives=alternatives,
        vocabulary=vocabulary,
    )
    if job_name is not None:
        validate_job_name(job_name)
    asked = parse_formats(formats)
    fmts = asked or parse_formats([settings.format])
    names = parse_speaker_names(speaker_names)
    if names and options.max_speakers is None and not options.channel_identification:
        raise ValidationError("--speaker-names needs --speakers or --channels")
    if output is not None and output_dir is not None:
        raise ValidationError("-o/--output and --output-dir cannot be used together")
    if output == "-" and as_json:
        raise ValidationError("-o - and --json both write to stdout; choose one")
    inputs = expand_inputs(audio)
    if output is not None and len(inputs) != 1:
        raise ValidationError(
            f"-o/--output takes a single input, not {len(inputs)}; use --output-dir for several"
        )
    output_fmt = _output_format(output, asked, format_for_path) if output else None
    if settings.backend == "aws":
        check_for_aws_batch(options)

    backend = make_backend(settings)
    if no_wait and hasattr(backend, "detach"):
        backend.detach = True  # local jobs then run in a worker that outlives this process
    concurrency = settings.concurrency
    if backend.name == "local" and "concurrency" not in settings.model_fields_set:
        concurrency = 1  # the engine itself is the bottleneck: jobs at once only compete for CPU
    to_stdout = output == "-"
    output_file = Path(output) if output and not to_stdout else None
    terminal = _terminal_formats(fmts, asked, output_dir, output_file, to_stdout, output_fmt)
    display = StatusDisplay(inputs, live=interactive() and not as_json)
    if hasattr(backend, "progress_factory") and display.live:
        backend.progress_factory = display.upload_progress
    with display:
        summary = run_batch(
            backend,
            inputs,
            options,
            output_dir=output_dir,
            output_file=output_file,
            formats=[output_fmt] if output_file else [f for f in fmts if f in FILE_FORMATS],
            concurrency=concurrency,
            wait=not no_wait,
            job_name=job_name,
            on_event=display.event,
            speaker_names=names,
            poll_interval=settings.poll_interval,
            poll_max_interval=settings.poll_max_interval,
            keep_transcripts=bool(terminal) and not no_wait,
        )
    if not as_json and terminal:
        _show_all(summary, terminal, names, options.max_alternatives is not None)
    if no_wait:
        _resume_hint(summary)
    if as_json:
        if output_dir is None and output_file is None and not no_wait:
            click.echo("medscribe: no -o/--output-dir given: no transcript was saved", err=True)
        click.echo(json.dumps(summary.to_json(), indent=2))
    if summary.exit_code:
        # sys.exit, not ctx.exit: without standalone mode Click would *return* the
        # code, and `python -m medscribe` ignores main()'s return value.
        sys.exit(summary.exit_code)


def _output_format(output: str, asked: list[str], format_for_path: F) -> str:
    """The one format ``-o`` writes: --format, else the file's extension, else JSON."""
    if len(asked) > 1:
        raise ValidationError("-o/--output writes one format; use --output-dir for several")
    if asked:
        if asked[0] == "rich" and output != "-":
            raise ValidationError("--format rich is for the terminal; use text for a file")
        return asked[0]
    if output == "-":
        return "json"
    return format_for_path(Path(output)) or "json"


def _terminal_formats(
    fmts: list[str],
    asked: list[str],
    output_dir: Path | None,
    output_file: Path | None,
    to_stdout: bool,
    output_fmt: str | None,
) -> list[str]:
    """What to print on stdout: ``-o -``'s format; nothing for -o FILE; with --output-dir
    only an explicit ``--format rich``; with no destination, every requested format."""
    if to_stdout:
        return [output_fmt or "json"]
    if output_file is not None:
        return []
    if output_dir is not None:
        return ["rich"] if "rich" in asked else []
    return fmts


def _show_all(
    summary: BatchSummary, formats: list[str], names: dict[str, str], alternatives: bool
) -> None:
    from medscribe.transcript import codec

    several = len(summary.files) > 1
    for result in summary.files:
        transcript = result.transcript
        if transcript is None and result.succeeded:
            # Done in an earlier run: show it from the JSON written then.
            saved = next((p for p in result.outputs if p.suffix == ".json" and p.is_file()), None)
            transcript = codec.load(saved) if saved else None
        if transcript is None:
            continue
        show_transcript(
            transcript,
            formats,
            speaker_names=names,
            show_alternatives=alternatives,
            title=str(result.input) if several else None,
        )


def _resume_hint(summary: BatchSummary) -> None:
    pending = [f.job_name for f in summary.files if not f.succeeded and not f.failed]
    if not pending:
        return
    click.echo(
        f"medscribe: {len(pending)} job(s) submitted; rerun the same command to collect them, "
        f"or 'medscribe jobs wait {pending[0]}'",
        err=True,
    )
