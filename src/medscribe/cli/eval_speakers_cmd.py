"""``medscribe eval speakers`` and ``eval make-speaker-visits``: the speaker evaluation's CLI.

A thin layer over :mod:`medscribe.evaluation.speakers` (the scoring) and
:mod:`medscribe.evaluation.synth_visits` (the close-voice visits); registered on the
``eval`` group by :mod:`medscribe.cli.eval_cmd`.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import TYPE_CHECKING

import click

from medscribe.cli.common import stderr_console, stdout_console

if TYPE_CHECKING:
    from medscribe.evaluation.corpus import Split

_SPLITS: dict[str, tuple[Split, ...]] = {
    "all": ("tune", "test"),
    "tune": ("tune",),
    "test": ("test",),
}
_GROUPS = ("meetings", "speech", "synthetic-male-male", "synthetic-female-female")
_VISITS = Path("var") / "speaker-visits"


@click.command("speakers")
@click.option(
    "--split",
    type=click.Choice(["tune", "test", "all"]),
    default="all",
    show_default=True,
    help="Only the recordings of this split (speakers-split.json; visits: split.json).",
)
@click.option(
    "--group",
    "groups",
    type=click.Choice(_GROUPS),
    multiple=True,
    help="Only this group of recordings (repeatable; default: all of them).",
)
@click.option(
    "--json",
    "json_out",
    type=click.Path(path_type=Path, dir_okay=False),
    default=None,
    help="Also write the report as JSON here.",
)
@click.option(
    "--data",
    type=click.Path(path_type=Path, file_okay=False),
    default=None,
    help="The folder with meetings/, speech/ and corpora/ "
    "(default: $MEDSCRIBE_SHARED_DATA, else ../shared/data beside the checkout).",
)
@click.option(
    "--visits",
    type=click.Path(path_type=Path, file_okay=False),
    default=_VISITS,
    show_default=True,
    help="The close-voice synthetic visits (made there first when missing or out of date).",
)
@click.option(
    "--reuse-recognition",
    "cache",
    type=click.Path(path_type=Path, file_okay=False),
    default=None,
    help="Keep each recording's transcript in this folder and reuse it on the next run "
    "(only the speaker stage runs again; recognition CPU is then the stored figure).",
)
def speakers_command(
    split: str,
    groups: tuple[str, ...],
    json_out: Path | None,
    data: Path | None,
    visits: Path,
    cache: Path | None,
) -> None:
    """DER and speaker count of the speaker stage on real recordings and close voices.

    Scores the stage's timeline, the words' labels and a naive baseline told the
    true count (pyannote.metrics, 0.25 s collar, overlap scored, UEM where given),
    with at most 10 speakers and the CPU share of the stage beside recognition.
    """
    from medscribe.errors import EXIT_FAILED
    from medscribe.evaluation.speakers import (
        FileResult,
        load_recordings,
        render_speaker_report,
        report_to_json,
        run_speaker_eval,
    )

    if json_out is not None:
        from medscribe.files import check_output_file

        check_output_file(json_out)  # before minutes of evaluation, not after
    root = _data_root(data)
    splits = _SPLITS[split]
    chosen = groups or _GROUPS
    if any(g.startswith("synthetic-") for g in chosen):
        _make_visits(visits, root / "corpora", splits)
    recordings = load_recordings(root, visits, splits, chosen)
    progress = stderr_console()

    def on_file(result: FileResult, index: int, total: int) -> None:
        state = f"failed: {result.error}" if result.error else f"{result.audio_seconds:.0f} s"
        progress.print(f"[{index}/{total}] {result.name}: {state}")

    report = run_speaker_eval(recordings, cache_dir=cache, on_file=on_file)
    render_speaker_report(report, stdout_console())
    if json_out is not None:
        from medscribe.files import write_private

        write_private(json_out, json.dumps(report_to_json(report), indent=2) + "\n")
        progress.print(f"wrote {json_out}")
    if any(f.error for f in report.files):
        raise click.exceptions.Exit(EXIT_FAILED)


@click.command("make-speaker-visits")
@click.argument("out", type=click.Path(path_type=Path, file_okay=False), default=_VISITS)
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
    help="Only the visits of this split.",
)
def make_speaker_visits_command(out: Path, corpora: Path | None, split: str) -> None:
    """Build the close-voice two-party visits into OUT (cases up to date are kept)."""
    _make_visits(out, corpora, _SPLITS[split])


def _make_visits(out: Path, corpora: Path | None, splits: tuple[Split, ...]) -> None:
    from medscribe.evaluation.synth_visits import make_speaker_visits

    progress = stderr_console()
    made = 0

    def on_case(name: str, seconds: float, cached: bool) -> None:
        nonlocal made
        if not cached:
            made += 1
            progress.print(f"{name}: {seconds:.1f} s of audio")

    total = make_speaker_visits(out, corpora=corpora, splits=splits, on_case=on_case)
    progress.print(f"{out}: {total / 60:.1f} minutes of visits ({made} made, others up to date)")


def _data_root(data: Path | None) -> Path:
    from medscribe.errors import DatasetError
    from medscribe.evaluation.speakers import default_data_root

    if data is not None:
        if not data.is_dir():
            raise DatasetError(f"{data}: no such folder", path=data)
        return data
    root = default_data_root()
    if root is None:
        raise DatasetError(
            "the speaker evaluation needs the shared recordings (meetings/, speech/, corpora/): "
            "none found (set MEDSCRIBE_SHARED_DATA or place them in ../shared/data)"
        )
    return root
