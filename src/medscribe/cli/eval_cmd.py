"""``medscribe eval``: score the offline engine on a dataset; ``eval make-devset`` builds one.

A thin layer over :mod:`medscribe.evaluation`. ``eval`` is a Click group whose
unknown first argument is the dataset folder, so both ``medscribe eval DIR`` and
``medscribe eval make-devset OUT`` read naturally; ``medscribe eval --help``
shows the evaluation's own options and the subcommands.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import click

from medscribe.cli.common import stderr_console, stdout_console
from medscribe.cli.eval_speakers_cmd import make_speaker_visits_command, speakers_command

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
    and optionally room.wav, meta.json, ref.rttm and ref.json. Reports WER after
    normalisation, rare medical-term recall, DER (0.25 s collar) where ref.rttm
    exists, real-time factor and wall time, per case, per specialty, per split and
    overall. --compare-pass runs every case with the specialty pass off (the bare
    engine, the baseline) and on, and reports both with the correction precision.
    'medscribe eval make-devset OUT' builds the development set from the corpora.
    """


@eval_group.command(_DEFAULT, cls=_DefaultCommand, hidden=True)
@click.argument("dataset_dir", type=click.Path(path_type=Path))
@click.option(
    "--specialty",
    default=None,
    help="Only the cases of this specialty (and the specialty of cases without meta.json).",
)
@click.option(
    "--type",
    "kind",
    default=None,
    help="Only conversations or only dictations (and the type of cases without meta.json).",
)
@click.option(
    "--split",
    type=click.Choice(["tune", "test", "all"]),
    default="all",
    show_default=True,
    help="Only the cases of this split (meta.json's split).",
)
@click.option(
    "--condition",
    type=click.Choice(["clean", "room", "both"]),
    default="clean",
    show_default=True,
    help="clean: mono.wav (or stereo.wav); room: room.wav (reverberation and noise).",
)
@click.option(
    "--compare-pass",
    is_flag=True,
    help="Run each case with the specialty pass off (the baseline) and on, one model, "
    "and report both with the correction precision.",
)
@click.option("--case", "names", multiple=True, help="Only this case (repeatable).")
@click.option(
    "--limit", type=click.IntRange(1), default=None, help="Only the first N cases (name order)."
)
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
    help="Write each case's transcript (Transcribe Medical JSON) into this folder "
    "(with --compare-pass or both conditions: one sub-folder per run).",
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
    split: str,
    condition: str,
    compare_pass: bool,
    names: tuple[str, ...],
    limit: int | None,
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
    from medscribe.errors import ValidationError
    from medscribe.request import Specialty, TranscriptionType

    if speakers is not None and channels:
        raise ValidationError("--speakers and --channels cannot be used together")
    conditions = ("clean", "room") if condition == "both" else (condition,)
    if channels and "room" in conditions:
        raise ValidationError("--condition room has one channel: it cannot be used with --channels")
    if compare_pass and channels:
        raise ValidationError(
            "--compare-pass works on mono audio: it cannot be used with --channels"
        )
    if json_out is not None:
        from medscribe.files import check_output_file

        check_output_file(json_out)  # before minutes of evaluation, not after
    common: dict[str, Any] = {
        "specialty": Specialty.parse(specialty) if specialty else None,
        "type": TranscriptionType.parse(kind) if kind else None,
        "split": None if split == "all" else split,
        "names": list(names) or None,
        "limit": limit,
        "speakers": speakers,
        "vocabulary": vocabulary,
        "config": EngineConfig(
            model=model,
            threads=threads,
            beam_size=beam_size,
            specialty_pass=specialty_pass,
            formatting=formatting,
        ),
    }
    if compare_pass:
        _compare(dataset_dir, conditions, common, json_out, transcripts)
    else:
        _evaluate(dataset_dir, conditions, common, channels, transcripts, json_out)


def _evaluate(
    dataset_dir: Path,
    conditions: tuple[str, ...],
    common: dict[str, Any],
    channels: bool,
    transcripts: Path | None,
    json_out: Path | None,
) -> None:
    from medscribe.errors import EXIT_FAILED
    from medscribe.evaluation.harness import CaseResult, render_report, report_to_json, run_eval

    progress = stderr_console()

    def on_case(result: CaseResult, index: int, total: int) -> None:
        state = f"failed: {result.error}" if result.error else f"{result.wall_seconds:.1f} s"
        progress.print(f"[{index}/{total}] {result.name} ({result.condition}): {state}")

    reports = {}
    for condition in conditions:
        report = run_eval(
            dataset_dir,
            channels=channels,
            transcripts_dir=(transcripts / condition)
            if transcripts and len(conditions) > 1
            else transcripts,
            on_case=on_case,
            condition=condition,
            **common,
        )
        render_report(report, stdout_console())
        reports[condition] = report
    if json_out is not None:
        data = (
            report_to_json(reports[conditions[0]])
            if len(conditions) == 1
            else {"conditions": {c: report_to_json(r) for c, r in reports.items()}}
        )
        _write_json(json_out, data)
    if any(r.overall.failed for r in reports.values()):
        raise click.exceptions.Exit(EXIT_FAILED)


def _compare(
    dataset_dir: Path,
    conditions: tuple[str, ...],
    common: dict[str, Any],
    json_out: Path | None,
    transcripts: Path | None,
) -> None:
    from medscribe.errors import EXIT_FAILED
    from medscribe.evaluation.comparison import (
        comparison_to_json,
        render_comparison,
        run_comparison,
    )
    from medscribe.evaluation.harness import CaseResult

    progress = stderr_console()

    def on_case(result: CaseResult, run: str, index: int, total: int) -> None:
        state = f"failed: {result.error}" if result.error else f"{result.wall_seconds:.1f} s"
        progress.print(f"[{index}/{total}] {result.name} {run}: {state}")

    comparison = run_comparison(
        dataset_dir, conditions=conditions, on_case=on_case, transcripts_dir=transcripts, **common
    )
    render_comparison(comparison, stdout_console())
    if json_out is not None:
        _write_json(json_out, comparison_to_json(comparison))
    if any(r.overall.failed for r in comparison.runs.values()):
        raise click.exceptions.Exit(EXIT_FAILED)


def _write_json(path: Path, data: object) -> None:
    from medscribe.files import write_private

    write_private(path, json.dumps(data, indent=2) + "\n")
    stderr_console().print(f"wrote {path}")


@eval_group.command("make-devset")
@click.argument("out", type=click.Path(path_type=Path, file_okay=False))
@click.option(
    "--corpora",
    type=click.Path(path_type=Path, file_okay=False),
    default=None,
    help="The ACI-Bench and PriMock57 folders' parent "
    "(default: $MEDSCRIBE_CORPORA, else ../shared/data/corpora).",
)
@click.option(
    "--split",
    type=click.Choice(["tune", "test", "all"]),
    default="all",
    show_default=True,
    help="Only the cases of this split.",
)
@click.option("--case", "only", multiple=True, help="Only this case (repeatable).")
@click.option("--force", is_flag=True, help="Synthesise again even when a case is up to date.")
def make_devset_command(
    out: Path, corpora: Path | None, split: str, only: tuple[str, ...], force: bool
) -> None:
    """Build the development set into OUT from the corpora (cases up to date are skipped)."""
    from medscribe.evaluation.corpus import Split
    from medscribe.evaluation.devset import make_devset

    progress = stderr_console()

    def on_case(name: str, seconds: float, cached: bool) -> None:
        note = "up to date" if cached else f"{seconds:.1f} s of audio"
        progress.print(f"{name}: {note}")

    choices: dict[str, tuple[Split, ...]] = {
        "all": ("tune", "test"),
        "tune": ("tune",),
        "test": ("test",),
    }
    splits = choices[split]
    total = make_devset(
        out, corpora=corpora, splits=splits, cases=list(only) or None, force=force, on_case=on_case
    )
    progress.print(f"{out}: {total / 60:.1f} minutes of audio")


# The speaker evaluation (issue 14): its own module, registered here.
eval_group.add_command(speakers_command)
eval_group.add_command(make_speaker_visits_command)
