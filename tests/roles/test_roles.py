"""Speaker roles on hand-made dialogues: the right mapping, and spk_N kept when unsure."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest
from dialogues import SMALL_TALK, THREE, VISIT, spoken_by, transcript

from medscribe.roles import CLINICIAN_LABEL, PATIENT_LABEL, assign_roles, decide_roles, explain
from medscribe.roles.features import FEATURE_NAMES, SpeakerText, features, tokens
from medscribe.roles.model import from_record, load_model, model_path
from medscribe.transcript.model import Item, Transcript


def test_the_interviewer_is_the_clinician_whoever_speaks_first() -> None:
    visit = transcript(VISIT)
    before = {label: spoken_by(visit, label) for label in ("spk_0", "spk_1")}

    roles = assign_roles(visit)

    assert roles.assigned and roles.confidence is not None
    assert roles.confidence >= load_model().threshold
    assert roles.replaced == {CLINICIAN_LABEL: "spk_1", PATIENT_LABEL: "spk_0"}
    assert spoken_by(visit, CLINICIAN_LABEL) == before["spk_1"]
    assert spoken_by(visit, PATIENT_LABEL) == before["spk_0"]
    assert {i.speaker for i in visit.items} == {CLINICIAN_LABEL, PATIENT_LABEL}
    assert visit.roles is roles and explain(visit) is None


def test_the_same_without_question_marks_or_capitals() -> None:
    bare = transcript(VISIT, punctuation=False)
    assert not any(i.is_punctuation for i in bare.items)

    with_marks = decide_roles(transcript(VISIT))
    without = decide_roles(bare)

    assert without.replaced == with_marks.replaced
    assert without.confidence == pytest.approx(with_marks.confidence)


def test_swapping_the_labels_swaps_the_roles() -> None:
    swapped = [("spk_1" if s == "spk_0" else "spk_0", text) for s, text in VISIT]
    roles = decide_roles(transcript(swapped))
    assert roles.replaced == {CLINICIAN_LABEL: "spk_0", PATIENT_LABEL: "spk_1"}


def test_an_exchange_that_says_nothing_keeps_the_labels() -> None:
    chat = transcript(SMALL_TALK)

    roles = assign_roles(chat)

    assert roles.status == "unsure" and not roles.replaced
    assert roles.confidence is not None and roles.confidence < load_model().threshold
    assert {i.speaker for i in chat.items} == {"spk_0", "spk_1"}
    note = explain(chat)
    assert note is not None and "unsure" in note and "spk_N" in note
    assert "weather" not in note  # counts and a confidence, never a word


def test_identical_speakers_are_a_coin_toss() -> None:
    same = SpeakerText(tuple(tokens("do you have any pain in your chest")), 3)
    assert load_model().probability(same, same) == pytest.approx(0.5)


def test_a_speaker_who_says_almost_nothing_keeps_the_labels() -> None:
    lines = [("spk_0", "Hello."), *[(s, t) for s, t in VISIT if s == "spk_1"]]
    short = transcript(lines)

    roles = assign_roles(short)

    assert roles.status == "too_little_speech"
    assert {i.speaker for i in short.items} == {"spk_0", "spk_1"}
    assert "too little" in (explain(short) or "")


@pytest.mark.parametrize(
    ("lines", "found"), [(THREE, 3), ([("spk_0", "Do you have a fever today?")], 1)]
)
def test_not_two_speakers_keeps_the_labels(lines: list[tuple[str, str]], found: int) -> None:
    other = transcript(lines)
    labels = {i.speaker for i in other.items}

    roles = assign_roles(other)

    assert roles.status == "speaker_count" and roles.confidence is None
    assert {i.speaker for i in other.items} == labels
    assert f"{found} speaker(s) found" in (explain(other) or "")


def test_a_transcript_without_speaker_labels() -> None:
    plain = Transcript(items=[Item("hello", start=0.0, end=0.5)])
    assert assign_roles(plain).status == "speaker_count"


def test_features_are_rates_not_counts() -> None:
    words = tuple(tokens("Do you smoke? Do you drink?"))
    once = features(SpeakerText(words, 1), 10, frozenset())
    twice = features(SpeakerText(words * 2, 2), 20, frozenset())
    assert once == pytest.approx(twice)
    assert len(once) == len(FEATURE_NAMES)


def test_the_committed_model_says_where_it_came_from() -> None:
    record = json.loads(model_path().read_text(encoding="utf-8"))
    assert record["features"] == list(FEATURE_NAMES)
    assert record["provenance"]["split"] == "tune"
    assert 0.5 <= record["threshold"] < 1.0 and record["min_words"] >= 1
    assert from_record(record) == load_model()
    with pytest.raises(Exception, match="rebuild"):
        from_record({**record, "features": record["features"][:-1]})


def test_no_scikit_learn_at_run_time() -> None:
    code = (
        "import sys\n"
        f"sys.path.insert(0, {str(Path(__file__).parent)!r})\n"
        "from dialogues import VISIT, transcript\n"
        "from medscribe.roles import assign_roles\n"
        "assert assign_roles(transcript(VISIT)).assigned\n"
        "print('sklearn' in sys.modules)\n"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert done.stdout.strip() == "False"
