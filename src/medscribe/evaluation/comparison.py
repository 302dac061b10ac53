"""The specialty pass against its baseline: every case, both conditions, pass off and on.

:func:`run_comparison` transcribes each chosen case in each condition (``clean``:
``mono.wav``; ``room``: ``room.wav``) twice in one process with one model: with the
specialty pass off (the bare engine, the named baseline: same weights, same run) and
on. It keeps each run's :class:`~medscribe.evaluation.harness.EvalReport` and, per
case and condition, the :class:`~medscribe.evaluation.metrics.CorrectionCounts` of
the two hypotheses against the reference: of the words the pass changed, how many it
made right (wrong -> right), how many right words it broke (right -> wrong), and the
rest; ``precision = made_right / changed``. This is measured from outside the engine
and needs nothing from it.

:func:`comparison_rows` condenses it into one row per split, type and specialty (and
per split and type, and per split): WER and rare-term recall off -> on in each
condition, the correction precision, how many cases the pass made worse, and the
CPU cost of the pass (process CPU seconds on / off, both conditions). Nothing here
holds transcript text beyond one case's normalised words while it is compared.
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from medscribe.engine import EngineConfig
from medscribe.evaluation.harness import (
    CaseResult,
    EvalReport,
    Summary,
    Transcribe,
    case_options,
    load_cases,
    make_transcribers,
    report_to_json,
    run_case,
    run_settings,
    summarize,
)
from medscribe.evaluation.metrics import CorrectionCounts, correction_counts
from medscribe.evaluation.normalize import normalize_words
from medscribe.request import Specialty, TranscriptionType

__all__ = [
    "Comparison",
    "comparison_rows",
    "comparison_to_json",
    "render_comparison",
    "run_comparison",
    "run_key",
]

PASSES = (False, True)


def run_key(condition: str, specialty_pass: bool) -> str:
    """The name of one run: ``clean/off``, ``room/on``, ..."""
    return f"{condition}/{'on' if specialty_pass else 'off'}"


@dataclass(slots=True)
class Comparison:
    dataset: str
    settings: dict[str, Any]
    model_load_seconds: float
    conditions: tuple[str, ...]
    #: run_key -> the report of that run.
    runs: dict[str, EvalReport]
    #: condition -> case name -> what the pass changed.
    corrections: dict[str, dict[str, CorrectionCounts]] = field(default_factory=dict)


def run_comparison(
    dataset: str | Path,
    *,
    conditions: Sequence[str] = ("clean", "room"),
    specialty: Specialty | None = None,
    type: TranscriptionType | None = None,
    split: str | None = None,
    names: Sequence[str] | None = None,
    limit: int | None = None,
    speakers: int | None = None,
    vocabulary: Path | None = None,
    config: EngineConfig | None = None,
    on_case: Callable[[CaseResult, str, int, int], None] | None = None,
    transcribers: dict[bool, Transcribe] | None = None,
    transcripts_dir: Path | None = None,
) -> Comparison:
    """Each case in each condition, pass off then on (see the module docstring).

    ``transcribers`` (pass setting -> transcribe function) replace the engine. With
    ``transcripts_dir``, each run's transcripts go to ``<dir>/<condition>-<off|on>/``.
    """
    conditions = tuple(conditions)
    cases = load_cases(
        dataset,
        specialty=specialty,
        type=type,
        split=split,
        names=names,
        limit=limit,
        channels=False,
        conditions=conditions,
    )
    load_s = 0.0
    if transcribers is None:
        config = config or EngineConfig()
        transcribers, load_s = make_transcribers(config, vocabulary, PASSES)
    results: dict[str, list[CaseResult]] = {run_key(c, p): [] for c in conditions for p in PASSES}
    corrections: dict[str, dict[str, CorrectionCounts]] = {c: {} for c in conditions}
    for index, case in enumerate(cases, start=1):
        options = case_options(case, speakers=speakers, channels=False)
        ref_words = normalize_words(case.reference)
        for condition in conditions:
            words: dict[bool, list[str] | None] = {}
            for flag in PASSES:
                key = run_key(condition, flag)
                folder = transcripts_dir / key.replace("/", "-") if transcripts_dir else None
                result, words[flag] = run_case(case, options, transcribers[flag], folder, condition)
                results[key].append(result)
                if on_case is not None:
                    on_case(result, key, index, len(cases))
            off, on = words[False], words[True]
            if off is not None and on is not None and ref_words:
                corrections[condition][case.name] = correction_counts(ref_words, off, on)
    # The request's settings are the same for every run; only condition and pass differ.
    settings_of = functools.partial(
        run_settings,
        config,
        specialty=specialty,
        type=type,
        speakers=speakers,
        channels=False,
        vocabulary=vocabulary,
        split=split,
    )
    runs = {}
    for key, run_results in results.items():
        condition, state = key.split("/")
        passed = state == "on" if config else None
        settings = settings_of(condition=condition, specialty_pass=passed)
        runs[key] = summarize(str(dataset), run_results, settings=settings)
    settings = settings_of(condition=conditions, specialty_pass=PASSES if config else None)
    return Comparison(str(dataset), settings, load_s, conditions, runs, corrections)


# --------------------------------------------------------------------------- rows


def _groups(case: CaseResult) -> list[tuple[str, str, str]]:
    split = case.split or "-"
    kind = case.type.lower()
    return [(split, kind, case.specialty), (split, kind, "all"), (split, "all", "all")]


def _order(key: tuple[str, str, str]) -> tuple[int, str, int, str, int, str]:
    split, kind, specialty = key
    return (
        {"tune": 0, "test": 1}.get(split, 2),
        split,
        kind == "all",
        kind,
        specialty == "all",
        specialty,
    )


def comparison_rows(comparison: Comparison) -> list[dict[str, Any]]:
    """One row per (split, type, specialty), then per (split, type), then per split."""
    summaries: dict[tuple[str, str, str], dict[str, Summary]] = {}
    worse: dict[tuple[str, str, str], dict[str, int]] = {}
    fixes: dict[tuple[str, str, str], dict[str, CorrectionCounts]] = {}
    for key, report in comparison.runs.items():
        for case in report.cases:
            for group in _groups(case):
                summaries.setdefault(group, {}).setdefault(key, Summary(key)).add(case)
    for condition in comparison.conditions:
        off = {c.name: c for c in comparison.runs[run_key(condition, False)].cases}
        on = {c.name: c for c in comparison.runs[run_key(condition, True)].cases}
        for name, before in off.items():
            after = on[name]
            for group in _groups(before):
                tally = worse.setdefault(group, {})
                made_worse = (
                    before.words.wer is not None
                    and after.words.wer is not None
                    and after.words.wer > before.words.wer
                )
                tally[condition] = tally.get(condition, 0) + int(made_worse)
                if name in comparison.corrections[condition]:
                    total = fixes.setdefault(group, {})
                    total[condition] = (
                        total.get(condition, CorrectionCounts())
                        + comparison.corrections[condition][name]
                    )
    rows = []
    for group in sorted(summaries, key=_order):
        split, kind, specialty = group
        row: dict[str, Any] = {"split": split, "type": kind, "specialty": specialty}
        runs = summaries[group]
        row["cases"] = max(s.cases for s in runs.values())
        for key, summary in runs.items():
            row[f"wer {key}"] = _r(summary.words.wer)
            row[f"term_recall {key}"] = _r(summary.terms.recall)
            row[f"terms {key}"] = f"{summary.terms.found}/{summary.terms.reference}"
            row[f"wall_seconds {key}"] = round(summary.wall_seconds, 2)
            row[f"cpu_seconds {key}"] = round(summary.cpu_seconds, 2)
            row[f"failed {key}"] = summary.failed
        for condition in comparison.conditions:
            counts = fixes.get(group, {}).get(condition, CorrectionCounts())
            row[f"correction {condition}"] = _counts(counts)
            row[f"made_worse {condition}"] = worse.get(group, {}).get(condition, 0)
        row["cpu_ratio"] = _cpu_ratio(runs)
        rows.append(row)
    return rows


def _cpu_ratio(runs: dict[str, Summary]) -> float | None:
    """CPU seconds with the pass over CPU seconds without it, all conditions together."""
    bare = sum(s.cpu_seconds for k, s in runs.items() if k.endswith("/off"))
    passed = sum(s.cpu_seconds for k, s in runs.items() if k.endswith("/on"))
    return _r(passed / bare, 3) if bare else None


def _r(value: float | None, digits: int = 4) -> float | None:
    return None if value is None else round(value, digits)


def _counts(counts: CorrectionCounts) -> dict[str, Any]:
    return {
        "changed": counts.changed,
        "made_right": counts.made_right,
        "broke": counts.broke,
        "other": counts.other,
        "inserted": counts.inserted,
        "removed": counts.removed,
        "precision": _r(counts.precision),
    }


def comparison_to_json(comparison: Comparison) -> dict[str, Any]:
    """The comparison as plain JSON data: settings, the rows, each run's report, per-case fixes."""
    return {
        "dataset": comparison.dataset,
        "settings": comparison.settings,
        "baseline": "specialty pass off: the bare engine, same weights, same run",
        "model_load_seconds": round(comparison.model_load_seconds, 2),
        "table": comparison_rows(comparison),
        "corrections": {
            condition: {name: _counts(c) for name, c in cases.items()}
            for condition, cases in comparison.corrections.items()
        },
        "runs": {key: report_to_json(report) for key, report in comparison.runs.items()},
    }


# --------------------------------------------------------------------------- table


def _pct(value: float | None) -> str:
    return "-" if value is None else f"{100 * value:.1f}"


def _arrow(row: dict[str, Any], metric: str, condition: str) -> str:
    before, after = row.get(f"{metric} {condition}/off"), row.get(f"{metric} {condition}/on")
    return f"{_pct(before)} -> {_pct(after)}"


def render_comparison(comparison: Comparison, console: Any) -> None:
    """One Rich table: per split, type and specialty, off -> on in each condition."""
    from rich.table import Table

    formatting = comparison.settings.get("formatting")
    title = (
        f"Specialty pass off (bare engine, same weights, same run) -> on, {comparison.dataset}"
        + ("" if formatting is None else f" (formatting {'on' if formatting else 'off'})")
    )
    table = Table(title=title, title_justify="left")
    for name in ("split", "type", "specialty", "cases"):
        table.add_column(name, justify="right" if name == "cases" else "left")
    for condition in comparison.conditions:
        table.add_column(f"WER % {condition}", justify="right")
        table.add_column(f"term recall % {condition}", justify="right")
        table.add_column(f"correction {condition}", justify="right")
        table.add_column(f"worse {condition}", justify="right")
    table.add_column("CPU on/off", justify="right")
    for row in comparison_rows(comparison):
        cells = [row["split"], row["type"], row["specialty"], str(row["cases"])]
        for condition in comparison.conditions:
            fix = row[f"correction {condition}"]
            precision = "-" if fix["precision"] is None else f"{fix['precision']:.2f}"
            cells += [
                _arrow(row, "wer", condition),
                _arrow(row, "term_recall", condition),
                f"{precision} ({fix['made_right']}+/{fix['broke']}-/{fix['changed']})",
                str(row[f"made_worse {condition}"]),
            ]
        ratio = row.get("cpu_ratio")
        cells.append("-" if ratio is None else f"{ratio:.2f}x")
        bold = row["specialty"] == "all"
        table.add_row(*cells, style="bold" if bold else None)
    console.print(table)
    console.print(
        "correction: precision (made right + / broke right words - / words changed); "
        "worse: cases whose WER the pass raised; "
        f"model load {comparison.model_load_seconds:.1f} s (not in the wall times)"
    )
