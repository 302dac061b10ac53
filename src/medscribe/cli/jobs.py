"""``medscribe jobs list|show|wait|delete|purge``: transcription jobs of either backend.

A thin layer over the Backend contract and :func:`medscribe.batch.wait_for_job`;
``purge`` is the retention of a backend that keeps a job store
(``Capabilities.job_store``: the local one; the service expires its own records).
``--json`` prints jobs in the service's own field names (Job.to_service_dict), so
scripts read the same shape from both backends. Stdout carries only the listing,
the job or a transcript; status lines go to stderr.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

import click
from rich.table import Table

from medscribe.backends.base import Backend, Job, JobStatus
from medscribe.batch import BatchInterrupted, output_paths, wait_for_job, write_outputs
from medscribe.cli.common import backend_options, make_backend, stdout_console
from medscribe.cli.transcribe import format_option, parse_formats, settings_flags, show_transcript
from medscribe.config import Settings
from medscribe.errors import EXIT_FAILED, ValidationError
from medscribe.files import prepare_output_dir
from medscribe.render.formats import FileFormat, OutputFormat, is_file_format


@click.group()
def jobs() -> None:
    """List, show, wait for, delete and purge transcription jobs."""


def _parse_status(value: str | None) -> JobStatus | None:
    if value is None:
        return None
    key = value.strip().upper().replace("-", "_").replace(" ", "_")
    try:
        return JobStatus(key)
    except ValueError:
        names = ", ".join(s.value for s in JobStatus)
        raise ValidationError(
            f"--status: unknown status {value!r}; choose one of {names}"
        ) from None


@jobs.command("list")
@click.option("--status", default=None, help="QUEUED, IN_PROGRESS, COMPLETED or FAILED.")
@click.option("--contains", default=None, help="Only jobs whose name contains this text.")
@click.option("--json", "as_json", is_flag=True, help="Jobs as JSON (the service's field names).")
@backend_options
def list_jobs(settings: Settings, status: str | None, contains: str | None, as_json: bool) -> None:
    """List jobs, newest first."""
    wanted = _parse_status(status)
    found = make_backend(settings).list_jobs(status=wanted, contains=contains)
    if as_json:
        click.echo(json.dumps([j.to_service_dict() for j in found], indent=2))
        return
    if not found:
        click.echo("medscribe: no jobs", err=True)
        return
    if not sys.stdout.isatty():
        # Tab-separated lines for pipes (cut, awk); --json for anything richer.
        for job in found:
            click.echo("\t".join([job.name, job.status.value, _when(job), job.specialty]))
        return
    table = Table("Name", "Status", "Created", "Specialty", "Type")
    for job in found:
        table.add_row(job.name, job.status.value, _when(job), job.specialty, job.type)
    stdout_console().print(table)


@jobs.command("show")
@click.argument("name")
@click.option("--json", "as_json", is_flag=True, help="The job as JSON (the service's names).")
@backend_options
def show(settings: Settings, name: str, as_json: bool) -> None:
    """Show one job (FailureReason included when it FAILED)."""
    data = make_backend(settings).get_job(name).to_service_dict()
    if as_json:
        click.echo(json.dumps(data, indent=2))
        return
    for key, value in data.items():
        if isinstance(value, dict):
            value = ", ".join(f"{k}={v}" for k, v in value.items())
        click.echo(f"{key}: {value}")


@jobs.command("wait")
@click.argument("names", nargs=-1, required=True)
@click.option(
    "--output-dir",
    type=click.Path(file_okay=False, path_type=Path),
    default=None,
    help="Write each transcript here as NAME.<ext>; default: show it on stdout.",
)
@format_option
@click.option("--speaker-names", default=None, help="Names for the labels: clinician,patient.")
@settings_flags("bucket", "output_bucket")
@backend_options
def wait(
    settings: Settings,
    names: tuple[str, ...],
    output_dir: Path | None,
    formats: tuple[str, ...],
    speaker_names: str | None,
) -> None:
    """Wait for jobs to finish, then download and render or write their transcripts.

    Exit 1 when any job FAILED (its FailureReason is printed), 130 on Ctrl-C.
    """
    from medscribe.render import parse_speaker_names

    fmts = parse_formats(formats) or parse_formats([settings.format])
    speaker_map = parse_speaker_names(speaker_names)
    if output_dir is not None:
        prepare_output_dir(output_dir)  # refused before waiting, not after
    backend = make_backend(settings)
    failed = 0
    for index, name in enumerate(names):
        try:
            job = _wait_one(backend, name, settings)
        except KeyboardInterrupt:
            rest = " ".join(names[index:])
            raise BatchInterrupted(
                f"interrupted; the job(s) keep running; resume with 'medscribe jobs wait {rest}'",
                list(names[index:]),
            ) from None
        if job.status is JobStatus.FAILED:
            failed += 1
            click.echo(
                f"medscribe: {name}: FAILED: {job.failure_reason or 'no reason given'}", err=True
            )
            continue
        _deliver(backend, job, output_dir, fmts, speaker_map, several=len(names) > 1)
    if failed:
        sys.exit(EXIT_FAILED)


@jobs.command("delete")
@click.argument("name")
@backend_options
def delete(settings: Settings, name: str) -> None:
    """Delete a job record (on AWS the media and transcript stay in your buckets)."""
    make_backend(settings).delete_job(name)
    click.echo(f"medscribe: deleted job {name}", err=True)


@jobs.command("purge")
@click.option(
    "--older-than",
    "older_than",
    type=click.FloatRange(min=0),
    default=None,
    metavar="DAYS",
    help="Finished jobs that ended more than DAYS ago (default: the job_retention_days setting).",
)
@click.option("--all", "everything", is_flag=True, help="Every finished job, whatever its age.")
@click.option("--json", "as_json", is_flag=True, help="The counts as JSON on stdout.")
@backend_options
def purge(settings: Settings, older_than: float | None, everything: bool, as_json: bool) -> None:
    """Delete finished local jobs and their transcripts (unfinished jobs are kept).

    Finished jobs are also deleted automatically job_retention_days (default 90)
    after they ended; 0 turns that off.
    """
    if everything and older_than is not None:
        raise ValidationError("--all and --older-than cannot be used together")
    backend = make_backend(settings)
    # A backend without a job store refuses the purge itself, before the retention is read.
    days = (
        _purge_days(settings, older_than, everything=everything)
        if backend.capabilities.job_store
        else None
    )
    result = backend.purge_jobs(days)
    if as_json:
        click.echo(json.dumps({"purged": result.deleted, "unfinished_kept": result.unfinished}))
        return
    kept = f"; {result.unfinished} unfinished job(s) kept" if result.unfinished else ""
    click.echo(f"medscribe: purged {result.deleted} finished job(s){kept}", err=True)


def _purge_days(settings: Settings, older_than: float | None, *, everything: bool) -> float | None:
    """Days to keep: --older-than, else the retention setting; None purges every finished job."""
    if everything:
        return None
    if older_than is not None:
        return older_than
    if not settings.job_retention_days:
        raise ValidationError(
            "job_retention_days is 0 (keep jobs): give --older-than DAYS or --all"
        )
    return settings.job_retention_days


def _wait_one(backend: Backend, name: str, settings: Settings) -> Job:
    job = backend.get_job(name)
    if not job.status.finished:
        click.echo(f"medscribe: {name}: {job.status.value}", err=True)
    return wait_for_job(
        backend,
        job,
        poll_interval=settings.poll_interval,
        poll_max_interval=settings.poll_max_interval,
        on_status=lambda j: click.echo(f"medscribe: {j.name}: {j.status.value}", err=True),
    )


def _deliver(
    backend: Backend,
    job: Job,
    output_dir: Path | None,
    fmts: list[OutputFormat],
    names: dict[str, str],
    *,
    several: bool,
) -> None:
    transcript = backend.get_transcript(job)
    alternatives = bool(job.settings.get("ShowAlternatives"))
    if output_dir is None:
        show_transcript(
            transcript,
            fmts,
            speaker_names=names,
            show_alternatives=alternatives,
            title=job.name if several else None,
        )
        return
    file_fmts: list[FileFormat] = [f for f in fmts if is_file_format(f)] or ["json"]
    targets = list(zip(output_paths(output_dir / job.name, file_fmts), file_fmts, strict=True))
    written = write_outputs(
        transcript, targets, speaker_names=names, show_alternatives=alternatives
    )
    click.echo(f"medscribe: {job.name}: COMPLETED -> {', '.join(map(str, written))}", err=True)


def _when(job: Job) -> str:
    return job.created.isoformat(timespec="seconds") if job.created else "-"
