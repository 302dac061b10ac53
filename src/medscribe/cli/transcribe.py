"""``medscribe transcribe``: a thin Click layer over :func:`medscribe.batch.run_batch`.

This module owns the command's options, turning them into settings, a
validated :class:`~medscribe.request.TranscriptionOptions` and a
:class:`~medscribe.batch.BatchRequest` before any work (the backend checks the
options by its own rules, ``Backend.validate``, and says at once all it lacks,
``Backend.check_ready``), the
status display on stderr (a Rich progress table when a person watches, plain
lines otherwise, only errors with ``--quiet``), showing transcripts on stdout,
and the end of an interrupted run. It also holds the small helpers that
``medscribe jobs`` shares (setting flags, ``--format`` parsing, terminal
output). Stdout carries only transcripts or the ``--json`` summary.

Progress: the local engine reports how far into the audio it is; the live
table shows it as a percentage and the time left (Rich's estimate), and plain
lines (logs) get one line as a file passes 25, 50 and 75 %, with an estimate of
the time left. The service reports no progress: its rows show the status only.

Ctrl-C and SIGTERM are one thing here (SIGTERM is what a service manager or
``timeout`` sends): the batch stops polling, the local engine's jobs are stopped
in order (their thread is cancelled between two segments and joined, the jobs
stay QUEUED in the job store, and a rerun resumes them), the service's jobs keep
running, the ``--json`` summary is still printed (each file with its last
status), one line goes to stderr and the exit status is 130. A second signal
during that stop ends the process at once (130 too; nothing is lost, a rerun
resumes); so does an engine that has not stopped within ``STOP_TIMEOUT_S``.
"""

from __future__ import annotations

import functools
import json
import os
import signal
import sys
import threading
import time
from collections.abc import Callable, Sequence
from pathlib import Path
from types import FrameType, TracebackType
from typing import Any

import click
from rich.console import Console
from rich.progress import (
    Progress,
    ProgressColumn,
    SpinnerColumn,
    Task,
    TaskID,
    TextColumn,
    TimeElapsedColumn,
)
from rich.text import Text

from medscribe.backends import Backend
from medscribe.batch import (
    NOT_STARTED,
    BatchEvent,
    BatchInterrupted,
    BatchRequest,
    BatchSummary,
    expand_inputs,
    names_for,
    run_batch,
)
from medscribe.cli import cli_message
from medscribe.cli.common import (
    backend_options,
    interactive,
    make_backend,
    stderr_console,
    stdout_console,
)
from medscribe.cli.redact_cmd import check_transcribe_redaction, redact_batch_outputs
from medscribe.config import Settings
from medscribe.errors import EXIT_FAILED, EXIT_INTERRUPTED, ValidationError
from medscribe.render.formats import FileFormat, OutputFormat, is_file_format, is_format
from medscribe.request import build_options, validate_job_name
from medscribe.transcript import Transcript

F = Callable[..., Any]

#: How long an interrupted run waits for the local engine to stop at its next segment.
STOP_TIMEOUT_S = 30.0
#: Plain status lines report progress as a file passes each of these fractions.
PROGRESS_STEPS = (0.25, 0.5, 0.75)

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
    "device": lambda: click.option(
        "--device",
        type=click.Choice(["auto", "cpu", "cuda"]),
        default=None,
        help="Local backend: where the model runs (auto: CUDA when a GPU is seen).",
    ),
    "compute_type": lambda: click.option(
        "--compute-type",
        default=None,
        help="Local backend: CTranslate2 compute type (default int8 on CPU, float16 on GPU).",
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

        command: F = wrapper
        for name in reversed(names):
            command = _SETTING_FLAGS[name]()(command)
        return command

    return decorator


def format_option(func: F) -> F:
    return click.option(
        "--format",
        "formats",
        multiple=True,
        help="rich, json, text, vtt or srt; repeat or give a comma list.",
    )(func)


def parse_formats(values: Sequence[str]) -> list[OutputFormat]:
    """``("rich,json", "srt")`` -> ``["rich", "json", "srt"]``; unknown names are usage errors."""
    from medscribe.render import FORMATS

    out: list[OutputFormat] = []
    for value in values:
        for part in value.split(","):
            fmt = part.strip().lower()
            if not fmt:
                continue
            if not is_format(fmt):
                raise ValidationError(
                    f"--format: unknown format {fmt!r}; choose from {', '.join(FORMATS)}"
                )
            if fmt not in out:
                out.append(fmt)
    return out


def show_transcript(
    transcript: Transcript,
    formats: Sequence[OutputFormat],
    *,
    speaker_names: dict[str, str] | None = None,
    show_alternatives: bool = False,
    title: str | None = None,
    media_duration: float | None = None,
) -> None:
    """Print ``transcript`` on stdout in each format (Rich only when stdout is a terminal).

    ``media_duration`` (the recording's length) is the Rich header's "Duration".
    """
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
                transcript,
                console,
                speaker_names=names,
                show_alternatives=show_alternatives,
                media_duration=media_duration,
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
    ``quiet`` prints failures only (scripts: errors and nothing else).
    """

    def __init__(
        self,
        inputs: Sequence[Path],
        *,
        live: bool,
        quiet: bool = False,
        console: Console | None = None,
    ):
        self.console = console or stderr_console()
        self.quiet = quiet
        self.live = live and not quiet
        self._lock = threading.Lock()
        self._progress: Progress | None = None
        self._tasks: dict[Path, TaskID] = {}
        self._inputs = list(inputs)
        #: Plain mode: per input, (first time, first fraction) seen and the steps printed.
        self._seen: dict[Path, tuple[float, float]] = {}
        self._steps: dict[Path, int] = {}

    def __enter__(self) -> StatusDisplay:
        if self.live:
            self._progress = Progress(
                SpinnerColumn(finished_text=" "),
                TextColumn("{task.description}", style="bold"),
                TextColumn("{task.fields[percent]}", justify="right"),
                _TimeLeftColumn(),
                TextColumn("{task.fields[status]}"),
                TimeElapsedColumn(),
                console=self.console,
                transient=False,
            )
            for path in self._inputs:
                self._tasks[path] = self._progress.add_task(
                    path.name, total=None, status="waiting", percent="", job=""
                )
            self._progress.start()
        return self

    def __exit__(self, *exc: object) -> None:
        if self._progress is not None:
            self._progress.stop()

    def event(self, ev: BatchEvent) -> None:
        with self._lock:
            if self.quiet:
                if ev.kind == "failed":
                    click.echo(f"medscribe: {self._line(ev)}", err=True)
            elif self._progress is not None and ev.input in self._tasks:
                self._update_row(ev)
                if ev.kind in ("failed", "note", "no_speech"):
                    self._progress.console.print(
                        self._line(ev), markup=False, highlight=False, soft_wrap=True
                    )
            else:
                # Plain lines for logs: one event per line, never wrapped.
                line = self._plain(ev)
                if line is not None:
                    click.echo(f"medscribe: {line}", err=True)

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
        elif ev.kind == "no_speech":
            status = "[yellow]no speech[/]"
        finished = ev.kind in ("done", "failed", "skip", "no_speech")
        self._progress.update(task, status=f"{status}  [dim]{ev.job_name}[/]")
        if ev.progress is not None and not finished:
            self._progress.update(
                task, total=1.0, completed=ev.progress, percent=f"{ev.progress:.0%}"
            )
        if finished:
            self._progress.update(task, total=1, completed=1, percent="")
            self._progress.stop_task(task)

    def _plain(self, ev: BatchEvent) -> str | None:
        """The log line of ``ev``; progress only as the file passes a step (see the module doc)."""
        if ev.kind != "status" or ev.progress is None:
            if ev.kind != "status" or self._steps.get(ev.input) is None:
                return self._line(ev)
            return None  # IN_PROGRESS again, after progress lines: nothing new
        now = time.monotonic()
        first_time, first = self._seen.setdefault(ev.input, (now, ev.progress))
        printed = self._steps.get(ev.input)
        passed = sum(1 for step in PROGRESS_STEPS if ev.progress >= step)
        if printed is None:
            self._steps[ev.input] = passed
            return self._line(ev)  # the status itself, once
        if passed <= printed:
            return None
        self._steps[ev.input] = passed
        left = _time_left(first_time, first, now, ev.progress)
        estimate = f", about {_duration(left)} left" if left is not None else ""
        return f"{ev.input}: {ev.job_name} {ev.status} {ev.progress:.0%}{estimate}"

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
        if ev.kind == "no_speech":
            return f"{name}: no speech detected"
        return f"{name}: {ev.job_name} {ev.status}"


class _TimeLeftColumn(ProgressColumn):
    """Rich's estimate of the time left, for rows whose progress is known (local jobs)."""

    def render(self, task: Task) -> Text:
        left = task.time_remaining
        if task.total is None or task.finished or left is None:
            return Text("")
        return Text(f"{_duration(left)} left", style="progress.remaining")


def _time_left(first_time: float, first: float, now: float, fraction: float) -> float | None:
    """Seconds left at the pace seen since ``first`` (None before there is a pace)."""
    if now <= first_time or fraction <= first:
        return None
    return (1.0 - fraction) * (now - first_time) / (fraction - first)


def _duration(seconds: float) -> str:
    """``42 s``, ``3 min``, ``1 h 05 min``: an estimate, so no false precision."""
    whole = max(round(seconds), 0)
    if whole < 60:
        return f"{whole} s"
    minutes = round(whole / 60)
    if minutes < 60:
        return f"{minutes} min"
    return f"{minutes // 60} h {minutes % 60:02d} min"


# --------------------------------------------------------------------------- interruption


class _Interruptible:
    """Ctrl-C and SIGTERM for the command's lifetime: the first stops in order, a second at once.

    The first signal raises ``KeyboardInterrupt`` in the main thread (what Python
    does for SIGINT; SIGTERM, which service managers and ``timeout`` send, does the
    same here), and the run ends in order: exit 130. A second signal while that
    stop is under way (an upload that will not end soon, an engine step that takes
    long) ends the process at once with ``os._exit``: no native thread is torn
    down by an exiting interpreter, and nothing is lost (jobs stay in the job store
    or on the service; the manifest is saved after every change). Signals the
    parent ignores (a background job's SIGINT) stay ignored.
    """

    _SIGNALS = (signal.SIGINT, signal.SIGTERM)

    def __init__(self) -> None:
        self._saved: dict[int, Any] = {}
        self._count = 0

    def __enter__(self) -> _Interruptible:
        if threading.current_thread() is threading.main_thread():
            for sig in self._SIGNALS:
                previous = signal.getsignal(sig)
                self._saved[sig] = previous
                if previous is not signal.SIG_IGN:
                    signal.signal(sig, self._handle)
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        for sig, previous in self._saved.items():
            signal.signal(sig, previous if previous is not None else signal.SIG_DFL)

    def _handle(self, signum: int, frame: FrameType | None) -> None:
        self._count += 1
        if self._count == 1:
            raise KeyboardInterrupt
        click.echo(
            "medscribe: error: interrupted again: stopped at once; "
            "run the same command again to resume",
            err=True,
        )
        sys.stderr.flush()
        os._exit(EXIT_INTERRUPTED)


def _stop_interrupted(
    exc: BatchInterrupted,
    backend: Backend,
    *,
    as_json: bool,
    show: Callable[[BatchSummary], None],
) -> BatchInterrupted:
    """End an interrupted run in order; returns the error that main() turns into exit 130.

    The jobs this process runs are stopped and joined first (``Backend.interrupt``:
    the local engine's; see the module docstring); then what finished is shown,
    the summary printed, and the one line (worded by the batch) given. Should the
    engine not stop in time, the process ends at once (``os._exit``): an
    interpreter that exits around a running native thread aborts.
    """
    stopped = backend.interrupt(timeout=STOP_TIMEOUT_S)
    summary = exc.summary
    if summary is not None:
        show(summary)
        if as_json:
            click.echo(json.dumps(summary.to_json(), indent=2))
    if not stopped.joined:
        click.echo(f"medscribe: error: {exc.message}", err=True)
        sys.stdout.flush()
        sys.stderr.flush()
        os._exit(exc.exit_code)
    return exc


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
@click.option(
    "--speaker-roles",
    is_flag=True,
    help="With --speakers: label a visit's two speakers CLINICIAN_0 and PATIENT_0 from what "
    "they say (spk_N kept when unsure).",
)
@click.option(
    "--content-identification",
    default=None,
    metavar="phi",
    help="Label personal health information (results.entities); AWS backend for now.",
)
@click.option(
    "--redact",
    is_flag=True,
    help="With --content-identification phi: also write redacted copies of every output "
    "([PHI:...] tags), e.g. visit.redacted.txt beside visit.txt.",
)
@click.option(
    "--redact-audio",
    type=click.Path(dir_okay=False, path_type=Path),
    default=None,
    metavar="OUT.wav",
    help="With --content-identification phi: write the recording with every PHI span silenced.",
)
@click.option("--no-wait", is_flag=True, help="Start the jobs and return.")
@click.option("--json", "as_json", is_flag=True, help="A JSON summary on stdout.")
@click.option(
    "-q", "--quiet", is_flag=True, help="No status lines on stderr: errors only (for scripts)."
)
@settings_flags(
    "bucket",
    "output_bucket",
    "kms_key_id",
    "model",
    "threads",
    "device",
    "compute_type",
    "concurrency",
)
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
    speaker_roles: bool,
    content_identification: str | None,
    redact: bool,
    redact_audio: Path | None,
    no_wait: bool,
    as_json: bool,
    quiet: bool,
) -> None:
    """Transcribe AUDIO files (files, quoted globs or directories).

    \b
    Examples:
      medscribe transcribe visit.wav --specialty primarycare --speakers 2
      medscribe transcribe visit.wav --speakers 2 --speaker-roles --speaker-names Dr Lee,Ms Park
      medscribe transcribe 'recordings/*.wav' --output-dir out --format json,srt --json
      medscribe transcribe visit.wav --backend aws --content-identification phi -o visit.json

    Exit codes: 0 all succeeded, were done before, or were submitted (--no-wait);
    1 some file failed; 2 the request was refused as a whole (nothing started);
    130 interrupted by Ctrl-C or SIGTERM (local jobs stop, service jobs keep
    running; rerun the same command to resume).
    """
    from medscribe.render import format_for_path, parse_speaker_names

    # Everything is checked before any work: options, names, formats, inputs.
    if speaker_roles and speakers is None:
        raise ValidationError(
            "--speaker-roles needs --speakers (roles are decided between speakers)"
        )
    options = build_options(
        specialty=specialty or settings.specialty,
        type=type_ or settings.type,
        max_speakers=speakers,
        speaker_roles=speaker_roles,
        channel_identification=channels,
        max_alternatives=alternatives,
        vocabulary=vocabulary,
        content_identification=content_identification,
    )
    if job_name is not None:
        validate_job_name(job_name)
    asked = parse_formats(formats)
    fmts = asked or parse_formats([settings.format])
    names = parse_speaker_names(speaker_names, roles=speaker_roles)
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
    check_transcribe_redaction(
        redact=redact,
        redact_audio=redact_audio,
        phi=options.content_identification is not None,
        inputs=inputs,
        output_file=Path(output) if output and output != "-" else None,
        output_dir=output_dir,
        no_wait=no_wait,
    )
    backend = make_backend(settings)
    backend.validate(options)  # the backend's own rules (the service: PRIMARYCARE only)
    backend.check_ready()  # the service: bucket, region, credentials, all that lacks at once
    caps = backend.capabilities
    if no_wait and caps.detach:
        backend.detach()  # local jobs then run in a worker that outlives this process
    concurrency = settings.concurrency
    if not caps.parallel_jobs and "concurrency" not in settings.model_fields_set:
        concurrency = 1  # the engine itself is the bottleneck: jobs at once only compete for CPU
    to_stdout = output == "-"
    output_file = Path(output) if output and not to_stdout else None
    terminal = _terminal_formats(fmts, asked, output_dir, output_file, to_stdout, output_fmt)
    file_formats: list[FileFormat] = [f for f in fmts if is_file_format(f)]
    if output_file is not None and output_fmt is not None and is_file_format(output_fmt):
        file_formats = [output_fmt]  # never "rich": -o FILE --format rich is refused
    display = StatusDisplay(inputs, live=interactive() and not as_json, quiet=quiet)
    if caps.upload_progress and display.live:
        backend.report_uploads(display.upload_progress)
    request = BatchRequest(
        inputs,
        options,
        output_dir=output_dir,
        output_file=output_file,
        formats=file_formats,
        concurrency=concurrency,
        wait=not no_wait,
        job_name=job_name,
        speaker_names=names,
        poll_interval=settings.poll_interval,
        poll_max_interval=settings.poll_max_interval,
        keep_transcripts=(bool(terminal) or redact or redact_audio is not None) and not no_wait,
    )

    def show(summary: BatchSummary) -> None:
        if not as_json and terminal:
            _show_all(summary, terminal, names, options.max_alternatives is not None)

    with _Interruptible():
        try:
            with display:
                summary = run_batch(backend, request, on_event=display.event, wording=cli_message)
        except BatchInterrupted as exc:
            raise _stop_interrupted(exc, backend, as_json=as_json, show=show) from None
        show(summary)
    unredacted = 0
    if redact or redact_audio is not None:
        # The copies keep spk_N / CLINICIAN_0: --speaker-names are names, hence PHI.
        unredacted = redact_batch_outputs(summary.files, copies=redact, audio_out=redact_audio)
    if no_wait and not quiet:
        _resume_hint(summary)
    if as_json:
        if output_dir is None and output_file is None and not no_wait and not quiet:
            click.echo("medscribe: no -o/--output-dir given: no transcript was saved", err=True)
        click.echo(json.dumps(summary.to_json(), indent=2))
    if summary.exit_code or unredacted:
        # sys.exit, not ctx.exit: without standalone mode Click would *return* the
        # code, and `python -m medscribe` ignores main()'s return value.
        sys.exit(summary.exit_code or EXIT_FAILED)


def _output_format(
    output: str, asked: list[OutputFormat], format_for_path: Callable[[Path], FileFormat | None]
) -> OutputFormat:
    """The one format ``-o`` writes: --format, else the file's extension, else JSON.

    An extension that names another format than an explicit --format is refused
    (``-o out.txt --format srt`` would hide SRT in a .txt); other extensions take
    --format as it is.
    """
    if len(asked) > 1:
        raise ValidationError("-o/--output writes one format; use --output-dir for several")
    if asked:
        if asked[0] == "rich" and output != "-":
            raise ValidationError("--format rich is for the terminal; use text for a file")
        implied = format_for_path(Path(output)) if output != "-" else None
        if implied is not None and implied != asked[0]:
            raise ValidationError(
                f"-o {output}: the extension says {implied}, --format says {asked[0]}; "
                "make them agree, or leave out --format"
            )
        return asked[0]
    if output == "-":
        return "json"
    return format_for_path(Path(output)) or "json"


def _terminal_formats(
    fmts: list[OutputFormat],
    asked: list[OutputFormat],
    output_dir: Path | None,
    output_file: Path | None,
    to_stdout: bool,
    output_fmt: OutputFormat | None,
) -> list[OutputFormat]:
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
    summary: BatchSummary, formats: list[OutputFormat], names: dict[str, str], alternatives: bool
) -> None:
    from medscribe.transcript import codec

    several = len(summary.files) > 1
    for result in summary.files:
        transcript = result.transcript
        if transcript is None and (result.succeeded or result.skipped):
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
            media_duration=_media_duration(result.input) if "rich" in formats else None,
        )


def _media_duration(path: Path) -> float | None:
    """The recording's length for the Rich header; None when FFmpeg cannot tell."""
    from medscribe.errors import MediaError
    from medscribe.media import probe

    try:
        return probe(path).duration or None
    except MediaError:
        return None


def _resume_hint(summary: BatchSummary) -> None:
    pending = [
        f.job_name
        for f in summary.files
        if not (f.succeeded or f.skipped or f.failed) and f.status != NOT_STARTED
    ]
    if not pending:
        return
    click.echo(
        f"medscribe: {len(pending)} job(s) submitted; rerun the same command to collect them, "
        f"or 'medscribe jobs wait {pending[0]}'",
        err=True,
    )
