"""``medscribe eval``: score the offline engine on a dataset; ``eval make-devset`` builds one.

A thin layer over :mod:`medscribe.evaluation`. ``eval`` is a Click group whose
unknown first argument is the dataset folder, so both ``medscribe eval DIR`` and
``medscribe eval make-devset OUT`` read naturally; ``medscribe eval --help``
shows the evaluation's own options and the subcommands.
"""

from __future__ import annotations

import json
from pathlib import Path

import click

from medscribe.cli.common import stderr_console, stdout_console

_DEFAULT = "evaluate"


class _DatasetGroup(click.Group):
    """A group that runs its default command when the first argument is not a subcommand.

    Its help is the default command's: ``medscribe eval --help`` lists the
    evaluation's options, then the subcommands.
    """

    def resolve_command(
        self, ctx: click.Context, args: list[str]
    ) -> tuple[str | None, click.Command | None, list[str]]:
        if args and args[0] not in self.commands:
            return _DEFAULT, self.commands[_DEFAULT], args
        return super().resolve_command(ctx, args)

    def format_usage(self, ctx: click.Context, formatter: click.HelpFormatter) -> None:
        formatter.write_usage(ctx.command_path, "[OPTIONS] DATASET_DIR")
        formatter.write_usage(ctx.command_path, "make-devset [OPTIONS] OUT", prefix="       ")

    def format_options(self, ctx: click.Context, formatter: click.HelpFormatter) -> None:
        default = self.commands[_DEFAULT]
        sub = click.Context(default, info_name=ctx.info_name, parent=ctx)
        options = [p for p in default.get_params(sub) if isinstance(p, click.Option)]
        records = [r for p in options if (r := p.get_help_record(sub))]
        with formatter.section("Options"):
            formatter.write_dl(records)
        self.format_commands(ctx, formatter)


class _DefaultCommand(click.Command):
    """The group's default command: its usage reads ``medscribe eval [OPTIONS] DATASET_DIR``."""

    def format_usage(self, ctx: click.Context, formatter: click.HelpFormatter) -> None:
        path = ctx.parent.command_path if ctx.parent is not None else ctx.command_path
        formatter.write_usage(path, " ".join(self.collect_usage_pieces(ctx)))


@click.group(
    cls=_DatasetGroup,
    invoke_without_command=False,
    no_args_is_help=True,
    context_settings={"ignore_unknown_options": True, "allow_interspersed_args": False},
)
def eval_group() -> None:
    """Measure accuracy and speed of the offline engine on DATASET_DIR.

    A dataset has one folder per case with mono.wav and/or stereo.wav, ref.txt,
    meta.json and optionally ref.rttm and ref.json. Reports WER after
    normalisation, rare medical-term recall, DER (0.25 s collar) where ref.rttm
    exists, real-time factor and wall time, per case, per specialty and overall.
    'medscribe eval make-devset OUT' synthesises the development set.
    """


@eval_group.command(_DEFAULT, cls=_DefaultCommand, hidden=True)
@click.argument("dataset_dir", type=click.Path(path_type=Path))
@click.option("--specialty", default=None, help="Only the cases of this specialty.")
@click.option("--type", "kind", default=None, help="Only conversations or only dictations.")
@click.option(
    "--speakers",
    type=click.IntRange(2, 10),
    default=None,
    help="Speaker partitioning with at most N speakers on every case "
    "(default: cases with ref.rttm get as many as it names).",
)
@click.option(
    "--channels", is_flag=True, help="Channel identification on stereo.wav (channel 0 clinician)."
)
@click.option(
    "--vocabulary",
    type=click.Path(path_type=Path, dir_okay=False),
    default=None,
    help="A custom vocabulary file (Transcribe Medical table format).",
)
@click.option(
    "--json",
    "json_out",
    type=click.Path(path_type=Path, dir_okay=False),
    default=None,
    help="Also write the report as JSON here.",
)
@click.option(
    "--transcripts",
    type=click.Path(path_type=Path, file_okay=False),
    default=None,
    help="Write each case's transcript (Transcribe Medical JSON) into this folder.",
)
@click.option("--model", default=None, help="Other faster-whisper weights (path or name).")
@click.option("--threads", type=click.IntRange(0, 256), default=0, help="CPU threads (0: auto).")
@click.option(
    "--beam-size",
    type=click.IntRange(1, 20),
    default=5,
    show_default=True,
    help="Hypotheses the decoder keeps.",
)
@click.option(
    "--specialty-pass/--no-specialty-pass",
    default=True,
    help="Lexicon biasing and correction (off: the bare recogniser, a baseline).",
)
@click.option(
    "--formatting/--no-formatting",
    default=True,
    help="Clinical written forms of numbers and measurements (off: a baseline).",
)
def evaluate(
    dataset_dir: Path,
    specialty: str | None,
    kind: str | None,
    speakers: int | None,
    channels: bool,
    vocabulary: Path | None,
    json_out: Path | None,
    transcripts: Path | None,
    model: str | None,
    threads: int,
    beam_size: int,
    specialty_pass: bool,
    formatting: bool,
) -> None:
    """Evaluate the offline engine on DATASET_DIR."""
    from medscribe.engine import EngineConfig
    from medscribe.errors import EXIT_FAILED, ValidationError
    from medscribe.evaluation.harness import CaseResult, render_report, report_to_json, run_eval
    from medscribe.files import check_output_file, write_private
    from medscribe.request import Specialty, TranscriptionType

    if speakers is not None and channels:
        raise ValidationError("--speakers and --channels cannot be used together")
    if json_out is not None:
        check_output_file(json_out)  # before minutes of evaluation, not after
    progress = stderr_console()

    def on_case(result: CaseResult, index: int, total: int) -> None:
        state = f"failed: {result.error}" if result.error else f"{result.wall_seconds:.1f} s"
        progress.print(f"[{index}/{total}] {result.name}: {state}")

    report = run_eval(
        dataset_dir,
        specialty=Specialty.parse(specialty) if specialty else None,
        type=TranscriptionType.parse(kind) if kind else None,
        speakers=speakers,
        channels=channels,
        vocabulary=vocabulary,
        config=EngineConfig(
            model=model,
            threads=threads,
            beam_size=beam_size,
            specialty_pass=specialty_pass,
            formatting=formatting,
        ),
        transcripts_dir=transcripts,
        on_case=on_case,
    )
    render_report(report, stdout_console())
    if json_out is not None:
        write_private(json_out, json.dumps(report_to_json(report), indent=2) + "\n")
        progress.print(f"wrote {json_out}")
    if report.overall.failed:
        raise click.exceptions.Exit(EXIT_FAILED)


@eval_group.command("make-devset")
@click.argument("out", type=click.Path(path_type=Path, file_okay=False))
@click.option("--case", "only", multiple=True, help="Only this case (repeatable).")
@click.option("--force", is_flag=True, help="Synthesise again even when a case is up to date.")
def make_devset_command(out: Path, only: tuple[str, ...], force: bool) -> None:
    """Synthesise the development set into OUT (cases already up to date are skipped)."""
    from medscribe.evaluation.devset import make_devset

    progress = stderr_console()

    def on_case(name: str, seconds: float, cached: bool) -> None:
        note = "up to date" if cached else f"{seconds:.1f} s of audio"
        progress.print(f"{name}: {note}")

    total = make_devset(out, cases=list(only) or None, force=force, on_case=on_case)
    progress.print(f"{out}: {total / 60:.1f} minutes of audio")
