"""Speaker partitioning: DER beside a naive baseline, speaker count, CPU share of transcription.

The figures of :mod:`medscribe.evaluation.speakers` (``medscribe eval speakers``; the
same library, the same run): the AMI meeting excerpts (UEM scored), pyannote_sample
and endgame_nagg_nell, and the close-voice synthetic visits (``var/speaker-visits``,
made first when missing), each DER by pyannote.metrics (collar 0.25 s, overlap
scored) for the stage's timeline, the words' labels and the naive baseline told the
true count; ours gets at most 10 speakers. ``speakers_cpu_share`` is the CPU seconds
of ``assign_speakers`` over those of the recognition (summed; the median of the
recordings' ratios is steadier on a loaded machine).

Split: ``BENCH_SPEAKERS_SPLIT`` (``tune``, ``test`` or ``all``, default ``all``);
``targets`` reads issue 14's targets on the test split only (figures count on data
not tuned on). Skipped when ../shared/data is absent.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
VISITS = ROOT / "var" / "speaker-visits"
SPLITS = {"all": ("tune", "test"), "tune": ("tune",), "test": ("test",)}
#: Issue 14's targets: (group, figure, bound, at most or at least).
TARGETS = (
    ("meetings", "der", 0.35, "max"),
    ("synthetic", "der", 0.03, "max"),
    ("all", "two_party_count_right_share", 0.9, "min"),
    ("all", "speakers_cpu_share", 0.15, "max"),
    ("all", "speakers_cpu_share_median", 0.15, "max"),
)


def run(out_dir: Path) -> dict[str, Any]:
    from medscribe.evaluation.speakers import (
        GROUPS,
        default_data_root,
        load_recordings,
        report_to_json,
        run_speaker_eval,
    )
    from medscribe.evaluation.synth_visits import make_speaker_visits

    root = default_data_root()
    if root is None:
        return {"skipped": "../shared/data is not present"}
    splits = SPLITS[os.environ.get("BENCH_SPEAKERS_SPLIT", "all")]
    make_speaker_visits(VISITS, corpora=root / "corpora", splits=splits)
    report = report_to_json(run_speaker_eval(load_recordings(root, VISITS, splits, GROUPS)))
    if "test" in report["splits"]:
        report["targets"] = targets(report["splits"]["test"])
    return report


def targets(test: dict[str, Any]) -> list[dict[str, Any]]:
    """Each target of issue 14 against the test split's figures (DER: every system)."""
    rows = []
    for group, figure, bound, kind in TARGETS:
        summary = test.get(group)
        if summary is None:
            continue
        if figure == "der":
            values = {system: parts["der"] for system, parts in summary["der"].items()}
        else:
            values = {"ours": summary[figure]}
        rows.append(
            {
                "group": group,
                "figure": figure,
                "target": f"{'<=' if kind == 'max' else '>='} {bound}",
                "values": values,
                "met": {
                    name: value is not None
                    and (value <= bound if kind == "max" else value >= bound)
                    for name, value in values.items()
                },
            }
        )
    return rows


if __name__ == "__main__":
    import json

    print(json.dumps(run(Path("bench-results")), indent=2))
