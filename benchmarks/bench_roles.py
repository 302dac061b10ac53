"""Speaker roles: clinician/patient accuracy from the words, and end to end from audio.

* ``text``: the committed role model (``medscribe/data/roles/model.json``) on the
  dialogues of the corpus visits (``../shared/data/corpora``) of the TEST split, as
  given (corpus tags unchanged), in the example kinds of ``scripts/build_roles.py``
  (whole dialogue, 320-word excerpt, 80/160-word windows, 10 % of turns given to the
  other speaker). Beside it, ``tune_cv``: the builder's cross-validated figures on
  TUNE, read from the model file (fit on tune: never re-measured here).
* ``audio``: the close-voice synthetic visits (``var/speaker-visits``, made by
  ``medscribe.evaluation.synth_visits``; two male or two female voices, about two
  minutes) when present, per split, the first :data:`AUDIO_CASES` of each voice pair
  by name: ``medscribe.transcribe(max_speakers=10, speaker_roles=True)`` with the
  embedded model, then per visit whether the roles were assigned and right (the
  CLINICIAN_0 words are mostly the reference clinician's), and the share of words
  whose role label is their reference speaker's. Tune visits whose corpus tags are
  swapped (``build_roles.SWAPPED_TAGS``) are scored with the tags put right.

A visit's role accuracy counts a kept spk_N as not right (``accuracy``); ``wrong``
counts labels given the wrong way round. Target: accuracy >= 0.9 on two-party visits.
"""

from __future__ import annotations

import json
import os
import sys
from collections import Counter
from pathlib import Path
from typing import Any

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
SPEAKER_VISITS = ROOT / "var" / "speaker-visits"
#: Audio visits per split and voice pair (``MEDSCRIBE_BENCH_ROLE_CASES`` overrides; 0 = all).
AUDIO_CASES = int(os.environ.get("MEDSCRIBE_BENCH_ROLE_CASES", "3"))
TARGET = 0.9


def _builder() -> Any:
    if str(ROOT / "scripts") not in sys.path:
        sys.path.insert(0, str(ROOT / "scripts"))
    import build_roles

    return build_roles


def run(out_dir: Path) -> dict[str, Any]:
    from medscribe.evaluation.corpus import default_corpora_root
    from medscribe.roles.model import model_path

    record = json.loads(model_path().read_text(encoding="utf-8"))
    result: dict[str, Any] = {"target": TARGET, "tune_cv": record["provenance"]["cv"]}
    corpora = default_corpora_root()
    if corpora is not None:
        result["text"] = _builder().evaluate_test(corpora, Path(str(model_path())))
    if SPEAKER_VISITS.is_dir():
        result["audio"] = {split: audio_figures(split) for split in ("tune", "test")}
    return result


def _cases(split: str) -> list[Path]:
    chosen: list[Path] = []
    by_pair: Counter[str] = Counter()
    for meta in sorted(SPEAKER_VISITS.glob("*/meta.json")):
        info = json.loads(meta.read_text(encoding="utf-8"))
        if info.get("split") != split:
            continue
        pair = str(info.get("pair"))
        if AUDIO_CASES and by_pair[pair] >= AUDIO_CASES:
            continue
        by_pair[pair] += 1
        chosen.append(meta.parent)
    return chosen


def audio_figures(split: str) -> dict[str, Any]:
    import medscribe
    from medscribe.evaluation.dataset import read_turns_json

    swapped = _builder().SWAPPED_TAGS if split == "tune" else frozenset()
    visits = []
    for case in _cases(split):
        meta = json.loads((case / "meta.json").read_text(encoding="utf-8"))
        turns = read_turns_json(case / "ref.json", case.name)
        flip = meta.get("source_id") in swapped
        transcript = medscribe.transcribe(case / "mono.wav", max_speakers=10, speaker_roles=True)
        visits.append(_score(case.name, transcript, turns, flip))
    n = len(visits)
    right = sum(v["right"] for v in visits)
    wrong = sum(v["assigned"] and not v["right"] for v in visits)
    return {
        "visits": n,
        "accuracy": round(right / n, 4) if n else None,
        "assigned": round(sum(v["assigned"] for v in visits) / n, 4) if n else None,
        "wrong": wrong,
        "word_accuracy": round(float(np.mean([v["word_accuracy"] for v in visits])), 4)
        if n
        else None,
        "per_visit": visits,
    }


def _score(name: str, transcript: Any, turns: list[Any], flip: bool) -> dict[str, Any]:
    other = {"CLINICIAN": "PATIENT", "PATIENT": "CLINICIAN"}

    def reference(start: float, end: float) -> str:
        middle = (start + end) / 2
        turn = min(turns, key=lambda t: max(t.start - middle, middle - t.end, 0.0))
        return str(other[turn.speaker] if flip else turn.speaker)

    words = [w for w in transcript.words if w.start is not None and w.end is not None]
    pairs = Counter((w.speaker, reference(w.start, w.end)) for w in words)
    roles = transcript.roles
    assigned = bool(roles is not None and roles.assigned)
    role_of = {"CLINICIAN_0": "CLINICIAN", "PATIENT_0": "PATIENT"}
    matched = sum(c for (label, ref), c in pairs.items() if role_of.get(label or "") == ref)
    clinician = {ref: c for (label, ref), c in pairs.items() if label == "CLINICIAN_0"}
    right = assigned and clinician.get("CLINICIAN", 0) > clinician.get("PATIENT", 0)
    return {
        "case": name,
        "speakers_found": len({w.speaker for w in words}),
        "status": roles.status if roles is not None else None,
        "confidence": round(roles.confidence, 4) if roles and roles.confidence else None,
        "assigned": assigned,
        "right": right,
        "word_accuracy": round(matched / len(words), 4) if words else 0.0,
    }
