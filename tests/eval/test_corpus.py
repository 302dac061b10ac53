"""The corpus loader, the committed split, the specialty tag and the devset's excerpts.

The fixture corpus is written here in the real file formats (ACI-Bench JSON lines,
PriMock57 one JSON file a consultation) with our own two-line dialogues and ids
taken from split.json; the real-corpus tests skip when ../shared is absent.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from medscribe.errors import DatasetError
from medscribe.evaluation.corpus import (
    default_corpora_root,
    load_split,
    load_visits,
    split_of,
    tag_specialty,
)
from medscribe.evaluation.devset import (
    CONVERSATION_WORDS,
    DICTATION_WORDS,
    OVERSHOOT,
    corpus_scripts,
    dialogue_excerpt,
    note_excerpt,
    select_visits,
)
from medscribe.request import Specialty, TranscriptionType

NOTE = """CHIEF COMPLAINT

Cough.

PHYSICAL EXAM

Respiratory
- Auscultation of Lungs: Clear bilaterally.

ASSESSMENT AND PLAN

1. Cough.
- Medical Treatment: Benzonatate 100 mg three times a day.

Patient Agreements: The patient understands and agrees with the recommended medical treatment plan.
"""


def _ids(split: str, corpus: str) -> list[str]:
    return sorted(load_split()[corpus][split])


@pytest.fixture
def corpora(tmp_path: Path) -> Path:
    aci = tmp_path / "aci-bench"
    aci.mkdir()
    tune_id, test_id = _ids("tune", "aci-bench")[0], _ids("test", "aci-bench")[0]
    lines = [
        {
            "id": visit_id,
            "dialogue": [
                {"speaker": "doctor", "text": "how is the cough ?"},
                {"speaker": "patient", "text": "better , thank you ."},
                {"speaker": "patient_guest", "text": "she slept well ."},
            ],
            "note": NOTE,
        }
        for visit_id in (tune_id, test_id)
    ]
    (aci / "train.jsonl").write_text("\n".join(json.dumps(x) for x in lines) + "\n")
    primock = tmp_path / "primock57"
    primock.mkdir()
    consultation = _ids("test", "primock57")[0]
    turns = [  # stored per speaker track: the patient's turn first, starting later
        {"speaker": "patient", "start": 2.0, "end": 3.0, "text": "Hello."},
        {"speaker": "doctor", "start": 0.5, "end": 1.5, "text": "Good morning."},
    ]
    (primock / f"{consultation}.json").write_text(json.dumps(turns))
    return tmp_path


def test_visits_are_read_with_their_split_and_roles(corpora: Path) -> None:
    visits = load_visits(corpora)
    assert [v.corpus for v in visits] == ["aci-bench", "aci-bench", "primock57"]
    assert sorted(v.split for v in visits) == ["test", "test", "tune"]
    aci = next(v for v in visits if v.corpus == "aci-bench")
    assert [t.role for t in aci.turns] == ["clinician", "patient", "other"]
    assert aci.note is not None and aci.note.startswith("CHIEF COMPLAINT")
    primock = next(v for v in visits if v.corpus == "primock57")
    assert [t.text for t in primock.turns] == ["Good morning.", "Hello."]  # by start time
    assert primock.note is None
    assert [v.id for v in load_visits(corpora, split="tune")] == [_ids("tune", "aci-bench")[0]]


def test_split_of_knows_every_id_and_refuses_others() -> None:
    assert split_of("aci-bench", _ids("tune", "aci-bench")[0]) == "tune"
    assert split_of("primock57", _ids("test", "primock57")[-1]) == "test"
    with pytest.raises(DatasetError, match="in neither split"):
        split_of("aci-bench", "made-up-D2N999")
    with pytest.raises(DatasetError, match="unknown corpus"):
        split_of("mtsamples", "x")


def test_a_visit_outside_the_split_is_refused(tmp_path: Path) -> None:
    (tmp_path / "primock57").mkdir()
    (tmp_path / "primock57" / "day9_consultation99.json").write_text("[]")
    with pytest.raises(DatasetError, match="day9_consultation99 is in neither split"):
        load_visits(tmp_path)


@pytest.mark.parametrize(
    ("text", "specialty"),
    [
        (
            "Echocardiogram shows mitral regurgitation; atrial fibrillation on the EKG, "
            "ejection fraction 40 %, on warfarin.",
            Specialty.CARDIOLOGY,
        ),
        (
            "She has migraines and a seizure last week; numbness and tingling in the left arm, "
            "EEG ordered.",
            Specialty.NEUROLOGY,
        ),
        (
            "Biopsy confirmed carcinoma with metastases; chemotherapy and radiation planned "
            "for the tumor.",
            Specialty.ONCOLOGY,
        ),
        (
            "PSA is up; urinary frequency, nocturia and a weak stream from the prostate; "
            "a kidney stone on the left.",
            Specialty.UROLOGY,
        ),
        (
            "CT and MRI of the abdomen with contrast: findings and impression below, axial "
            "and coronal views.",
            Specialty.RADIOLOGY,
        ),
        ("Sore throat and a runny nose for three days, no fever.", Specialty.PRIMARYCARE),
        ("", Specialty.PRIMARYCARE),
    ],
)
def test_tag_specialty_on_obvious_texts(text: str, specialty: Specialty) -> None:
    assert tag_specialty(text) is specialty


def test_a_few_heart_words_in_a_general_visit_stay_primary_care() -> None:
    text = "Annual exam. Heart sounds normal. Knee pain, diet, sleep, mood, vaccines."
    assert tag_specialty(text) is Specialty.PRIMARYCARE


def test_note_excerpt_takes_whole_dictated_sections_without_boilerplate() -> None:
    lines = [text for _, text in note_excerpt(NOTE)]
    assert lines[0] == "PHYSICAL EXAM" and "ASSESSMENT AND PLAN" in lines
    assert "CHIEF COMPLAINT" not in lines  # not a dictated section
    assert not any(line.startswith("Patient Agreements") for line in lines)
    assert "- Medical Treatment: Benzonatate 100 mg three times a day." in lines


def test_excerpts_of_the_fixture_corpus(corpora: Path) -> None:
    visit = load_visits(corpora, split="tune")[0]
    assert dialogue_excerpt(visit) == [
        ("C", "how is the cough ?"),
        ("P", "better , thank you ."),
        ("P", "she slept well ."),
    ]
    scripts = corpus_scripts(corpora)
    names = {s.name: s for s in scripts}
    dictation = names[f"{visit.id}-dictation"]
    assert dictation.type is TranscriptionType.DICTATION and dictation.split == "tune"
    assert dictation.meta()["source_id"] == visit.id and dictation.corpus == "aci-bench"
    assert dictation.reference.startswith("PHYSICAL EXAM\n")
    primock = [s for s in scripts if s.corpus == "primock57"]
    assert [s.type for s in primock] == [TranscriptionType.CONVERSATION]


# --------------------------------------------------------------------------- the real corpora


@pytest.fixture(scope="module")
def real_root() -> Path:
    root = default_corpora_root()
    if root is None:
        pytest.skip("the corpora (../shared/data/corpora) are not present")
    return root


def test_every_real_visit_has_a_split_and_the_splits_are_disjoint(real_root: Path) -> None:
    visits = load_visits(real_root)
    split = load_split()
    for corpus in ("aci-bench", "primock57"):
        tune, test = split[corpus]["tune"], split[corpus]["test"]
        assert not tune & test
        ids = {v.id for v in visits if v.corpus == corpus}
        assert ids == tune | test  # every id of split.json is a visit and vice versa
    assert all(v.split == split_of(v.corpus, v.id) for v in visits)
    assert all(v.note for v in visits if v.corpus == "aci-bench")


def test_real_devset_selection_is_sized_and_split_clean(real_root: Path) -> None:
    scripts = corpus_scripts(real_root)
    for split in ("tune", "test"):
        mine = [s for s in scripts if s.split == split]
        kinds = [s.type for s in mine]
        assert kinds.count(TranscriptionType.DICTATION) == 20
        assert kinds.count(TranscriptionType.CONVERSATION) == 15
        for s in mine:
            words = len(s.reference.split())
            target = (
                DICTATION_WORDS if s.type is TranscriptionType.DICTATION else CONVERSATION_WORDS
            )
            assert 0 < words <= OVERSHOOT * target + 10
            assert split_of(s.corpus or "", s.source_id or "") == split
    visits = load_visits(real_root, split="tune")
    # A rule on the visits, not on the order they come in.
    assert select_visits(visits) == select_visits(list(reversed(visits)))
