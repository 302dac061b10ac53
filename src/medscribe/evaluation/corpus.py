"""The real clinical corpora the development set is built from: reading, split, specialty tag.

Two public corpora (CC BY 4.0; credits in ``medscribe/data/devset/CREDITS.md``) live
outside the repository, in ``../shared/data/corpora`` beside the checkout or where
``MEDSCRIBE_CORPORA`` points:

* ``aci-bench/*.jsonl``: one visit a line, ``{"id", "dialogue": [{"speaker", "text"}],
  "note"}`` (ACI-Bench, Yim et al. 2023);
* ``primock57/*.json``: one consultation a file (the file's stem is its id),
  ``[{"speaker", "start", "end", "text"}]`` (PriMock57, Korfiatis et al. 2022); no note.

Every visit belongs to the ``tune`` or the ``test`` split of the committed
``medscribe/data/devset/split.json`` (fixed before anything was tuned). Terms, weights,
rules and thresholds are chosen on ``tune`` visits only.

:func:`tag_specialty` names the specialty a text is mostly about by a fixed rule (see
its docstring); it was written from general medical knowledge, not from test texts.
"""

from __future__ import annotations

import json
import os
import re
from collections.abc import Iterator
from dataclasses import dataclass
from functools import cache
from importlib import resources
from pathlib import Path
from typing import Literal

from medscribe.errors import DatasetError
from medscribe.request import Specialty

__all__ = [
    "CORPORA",
    "Split",
    "Turn",
    "Visit",
    "default_corpora_root",
    "load_split",
    "load_visits",
    "split_of",
    "tag_specialty",
]

Split = Literal["tune", "test"]
Role = Literal["clinician", "patient", "other"]
CORPORA = ("aci-bench", "primock57")

#: Corpus speaker labels -> our roles (ACI-Bench also has ``patient_guest``: a relative).
_ROLES: dict[str, Role] = {"doctor": "clinician", "patient": "patient"}


@dataclass(frozen=True, slots=True)
class Turn:
    """One turn of a source dialogue; ``speaker`` is the corpus's own label."""

    role: Role
    speaker: str
    text: str


@dataclass(frozen=True, slots=True)
class Visit:
    """One source visit: its dialogue and, for ACI-Bench, the clinical note written from it."""

    corpus: str
    id: str
    split: Split
    turns: tuple[Turn, ...]
    note: str | None

    @property
    def dialogue_text(self) -> str:
        return "\n".join(t.text for t in self.turns)


# --------------------------------------------------------------------------- split


@cache
def load_split() -> dict[str, dict[str, frozenset[str]]]:
    """``{corpus: {"tune": ids, "test": ids}}`` from the committed split.json."""
    path = resources.files("medscribe") / "data" / "devset" / "split.json"
    data = json.loads(path.read_text(encoding="utf-8"))
    out: dict[str, dict[str, frozenset[str]]] = {}
    for split in ("tune", "test"):
        for corpus, ids in data[split].items():
            out.setdefault(corpus, {})[split] = frozenset(ids)
    return out


def split_of(corpus: str, visit_id: str) -> Split:
    """The split a source visit belongs to; raises :class:`DatasetError` for an unknown id."""
    splits = load_split().get(corpus)
    if splits is None:
        raise DatasetError(f"unknown corpus {corpus!r}")
    if visit_id in splits.get("tune", frozenset()):
        return "tune"
    if visit_id in splits.get("test", frozenset()):
        return "test"
    raise DatasetError(f"{corpus} visit {visit_id} is in neither split of split.json")


# --------------------------------------------------------------------------- reading


def default_corpora_root() -> Path | None:
    """``$MEDSCRIBE_CORPORA``, else ``../shared/data/corpora`` beside the checkout, or None."""
    env = os.environ.get("MEDSCRIBE_CORPORA")
    if env:
        path = Path(env)
        return path if path.is_dir() else None
    # src/medscribe/evaluation/corpus.py -> the checkout is parents[3]
    path = Path(__file__).resolve().parents[3].parent / "shared" / "data" / "corpora"
    return path if path.is_dir() else None


def load_visits(root: Path, *, split: Split | None = None) -> list[Visit]:
    """Every visit of both corpora under ``root``, sorted by (corpus, id).

    ``split`` keeps only that split's visits. Raises :class:`DatasetError` for a file that
    does not have the corpus's format or a visit missing from split.json.
    """
    root = Path(root)
    if not root.is_dir():
        raise DatasetError(f"{root}: no corpora folder", path=root)
    visits = [*_aci_bench(root / "aci-bench"), *_primock57(root / "primock57")]
    visits.sort(key=lambda v: (v.corpus, v.id))
    if split is not None:
        visits = [v for v in visits if v.split == split]
    return visits


def _role(speaker: str) -> Role:
    return _ROLES.get(speaker.strip().lower(), "other")


def _turns(entries: object, path: Path) -> tuple[Turn, ...]:
    if not isinstance(entries, list):
        raise DatasetError(f"{path.name}: a dialogue must be a list of turns", path=path)
    turns = []
    for entry in entries:
        if not isinstance(entry, dict) or not isinstance(entry.get("text"), str):
            raise DatasetError(f"{path.name}: a turn needs speaker and text", path=path)
        speaker = str(entry.get("speaker", ""))
        text = entry["text"].strip()
        if text:
            turns.append(Turn(_role(speaker), speaker, text))
    return tuple(turns)


def _aci_bench(folder: Path) -> Iterator[Visit]:
    if not folder.is_dir():
        return
    for path in sorted(folder.glob("*.jsonl")):
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
            if not line.strip():
                continue
            try:
                record = json.loads(line)
                visit_id = str(record["id"])
                dialogue = record["dialogue"]
                note = record.get("note")
            except (json.JSONDecodeError, KeyError, TypeError):
                raise DatasetError(
                    f"{path.name} line {number}: expected an object with id, dialogue, note",
                    path=path,
                ) from None
            yield Visit(
                corpus="aci-bench",
                id=visit_id,
                split=split_of("aci-bench", visit_id),
                turns=_turns(dialogue, path),
                note=note if isinstance(note, str) and note.strip() else None,
            )


def _primock57(folder: Path) -> Iterator[Visit]:
    if not folder.is_dir():
        return
    for path in sorted(folder.glob("*.json")):
        try:
            entries = json.loads(path.read_text(encoding="utf-8"))
        except json.JSONDecodeError:
            raise DatasetError(f"{path.name}: not valid JSON", path=path) from None
        if isinstance(entries, list):
            # Turns are stored per speaker track; order them by their start time.
            entries = sorted(
                entries, key=lambda e: float(e.get("start", 0.0)) if isinstance(e, dict) else 0.0
            )
        yield Visit(
            corpus="primock57",
            id=path.stem,
            split=split_of("primock57", path.stem),
            turns=_turns(entries, path),
            note=None,
        )


# --------------------------------------------------------------------------- specialty

#: Words that mark a text as being about one specialty's organ system or work. Written
#: from general medical knowledge (textbook organ-system vocabulary: the heart and
#: vessels; the brain, nerves and their disorders; cancer and its treatment; imaging
#: studies and their report language; the kidneys, bladder, prostate and male genital
#: organs), never from the corpora's test texts. Matched as whole lower-case words
#: (a trailing ``*`` matches any ending).
_WORDS: dict[Specialty, str] = {
    Specialty.CARDIOLOGY: (
        "cardiac cardiology cardiologist heart murmur* valve* aortic mitral tricuspid stenosis "
        "regurgitation atrial ventricular ventricle* arrhythmia* fibrillation palpitation* "
        "angina coronary stent* echocardiogram* echo ekg ecg electrocardiogram ejection "
        "cardiomyopathy myocardial infarction pacemaker catheterization bypass cabg statin* "
        "anticoagula* warfarin eliquis troponin systolic diastolic chf afib"
    ),
    Specialty.NEUROLOGY: (
        "neurology neurologist neurological neurologic brain seizure* epilep* migraine* "
        "headache* stroke tia numbness tingling neuropathy tremor* parkinson* dementia memory "
        "concussion vertigo dizziness sclerosis nerve* cranial reflexes gait eeg emg weakness "
        "paresthesia* radiculopathy"
    ),
    Specialty.ONCOLOGY: (
        "cancer oncology oncologist tumor* tumour* malignan* carcinoma lymphoma leukemia "
        "melanoma metasta* chemotherapy chemo radiation biopsy mass nodule* lesion* "
        "adenocarcinoma staging mastectomy lumpectomy neoplasm immunotherapy pet remission "
        "oncologic"
    ),
    Specialty.RADIOLOGY: (
        "radiology radiologist imaging x-ray* xray* radiograph* ct mri ultrasound sonogram "
        "scan contrast impression findings views opacity opacities fracture* mammogram "
        "fluoroscopy angiogram attenuation axial coronal sagittal"
    ),
    Specialty.UROLOGY: (
        "urology urologist urinary urine urinate urinating urination bladder prostate psa "
        "kidney* renal stone* ureter* urethra* hematuria incontinence catheter cystoscopy "
        "testicular testicle* scrotal erectile nocturia flomax tamsulosin bph uti"
    ),
}
SPECIALTY_WORDS: dict[Specialty, tuple[str, ...]] = {s: tuple(w.split()) for s, w in _WORDS.items()}

#: A specialty is tagged only when it has at least this many marker words and at least
#: this share of all marker words in the text; otherwise the text is primary care.
MIN_MARKERS = 4
MIN_SHARE = 0.35
#: Radiology words ("scan", "findings", "x-ray") turn up in every specialty's notes, so
#: radiology needs a clear majority (ties and near-ties go to the clinical specialty).
RADIOLOGY_SHARE = 0.5


def _pattern(words: tuple[str, ...]) -> re.Pattern[str]:
    parts = [re.escape(w[:-1]) + r"[a-z]*" if w.endswith("*") else re.escape(w) for w in words]
    return re.compile(r"(?<![a-z])(?:" + "|".join(parts) + r")(?![a-z])")


_PATTERNS = {spec: _pattern(words) for spec, words in SPECIALTY_WORDS.items()}


def specialty_counts(text: str) -> dict[Specialty, int]:
    """How many marker words of each specialty ``text`` holds."""
    lower = text.lower()
    return {spec: len(pattern.findall(lower)) for spec, pattern in _PATTERNS.items()}


def tag_specialty(text: str) -> Specialty:
    """The specialty ``text`` is mostly about, by a fixed counting rule.

    Rule: count, per specialty, the whole-word occurrences of its marker words
    (:data:`SPECIALTY_WORDS`, lists written from general medical knowledge of each
    organ system: heart and vessels, brain and nerves, cancer, imaging, urinary tract
    and male genital organs). The specialty with the most markers wins when it has at
    least :data:`MIN_MARKERS` of them and at least :data:`MIN_SHARE` of all markers
    (radiology needs :data:`RADIOLOGY_SHARE`, since imaging words occur in every
    specialty's notes); ties go to the earlier specialty in the table's order. Anything
    else, including general visits spread over several systems, is PRIMARYCARE.
    """
    counts = specialty_counts(text)
    total = sum(counts.values())
    if total == 0:
        return Specialty.PRIMARYCARE
    best = max(counts, key=lambda s: counts[s])  # first maximum in table order
    share = counts[best] / total
    needed = RADIOLOGY_SHARE if best is Specialty.RADIOLOGY else MIN_SHARE
    if counts[best] >= MIN_MARKERS and share >= needed:
        return best
    return Specialty.PRIMARYCARE
