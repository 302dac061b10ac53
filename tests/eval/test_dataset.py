"""The dataset loader: the case format, and one clear line for each malformed case."""

from __future__ import annotations

import json
import wave
from pathlib import Path

import numpy as np
import pytest

from medscribe.cli import main
from medscribe.evaluation.dataset import DatasetError, SpeakerTurn, load_dataset, write_rttm


def _wav(path: Path, channels: int = 1, seconds: float = 0.5) -> None:
    t = np.arange(int(16000 * seconds)) / 16000
    tone = (0.3 * np.sin(2 * np.pi * 440 * t) * 32767).astype("<i2")
    frames = np.repeat(tone[:, None], channels, axis=1)
    with wave.open(str(path), "wb") as fh:
        fh.setnchannels(channels)
        fh.setsampwidth(2)
        fh.setframerate(16000)
        fh.writeframes(frames.tobytes())


def _case(root: Path, name: str = "case1", **overrides: object) -> Path:
    folder = root / name
    folder.mkdir(parents=True)
    files = {
        "mono.wav": True,
        "ref.txt": "Blood pressure is fine.\n",
        "meta.json": json.dumps({"specialty": "cardiology", "type": "conversation"}),
    }
    files.update(overrides)
    for file, content in files.items():
        if content is None:
            continue
        if file.endswith(".wav"):
            _wav(folder / file, channels=2 if file == "stereo.wav" else 1)
        else:
            (folder / file).write_text(str(content), encoding="utf-8")
    return folder


def test_a_valid_case_with_all_parts(tmp_path: Path) -> None:
    folder = _case(tmp_path, **{"stereo.wav": True})
    turns = [SpeakerTurn("clinician", 0.0, 0.2, "Blood"), SpeakerTurn("patient", 0.25, 0.5)]
    write_rttm(folder / "ref.rttm", "case1", turns)
    (folder / "ref.json").write_text(
        json.dumps([{"speaker": "clinician", "start": 0, "end": 0.2, "text": "Blood"}])
    )
    (tmp_path / "notes").mkdir()  # a folder without case files is not a case
    [case] = load_dataset(tmp_path)
    assert case.specialty.value == "CARDIOLOGY" and case.type.value == "CONVERSATION"
    assert case.rttm == [SpeakerTurn("clinician", 0.0, 0.2), SpeakerTurn("patient", 0.25, 0.5)]
    assert case.turns[0].text == "Blood"
    assert case.audio(channels=True).name == "stereo.wav"
    assert case.audio(channels=False).name == "mono.wav"


def test_meta_json_is_optional(tmp_path: Path) -> None:
    _case(tmp_path, "bare", **{"meta.json": None, "room.wav": True})
    _case(
        tmp_path,
        "tagged",
        **{"meta.json": json.dumps({"specialty": "urology", "type": "dictation", "split": "tune"})},
    )
    bare, tagged = load_dataset(tmp_path)
    # Without meta.json: the defaults, or the specialty and type the caller asks for.
    assert (bare.specialty.value, bare.type.value, bare.split) == (
        "PRIMARYCARE",
        "CONVERSATION",
        None,
    )
    assert (tagged.specialty.value, tagged.type.value, tagged.split) == (
        "UROLOGY",
        "DICTATION",
        "tune",
    )
    from medscribe.request import Specialty, TranscriptionType

    bare2, tagged2 = load_dataset(
        tmp_path, default_specialty=Specialty.ONCOLOGY, default_type=TranscriptionType.DICTATION
    )
    assert (bare2.specialty, bare2.type) == (Specialty.ONCOLOGY, TranscriptionType.DICTATION)
    assert tagged2.specialty is Specialty.UROLOGY  # meta.json wins over the default
    assert bare.audio(channels=False, condition="room").name == "room.wav"
    with pytest.raises(DatasetError, match=r"case tagged: the room condition needs room\.wav"):
        tagged.audio(channels=False, condition="room")


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        ({"mono.wav": None}, "case bad: no mono.wav or stereo.wav"),
        ({"ref.txt": None}, "case bad: ref.txt is missing"),
        ({"ref.txt": "  \n"}, "case bad: ref.txt is empty"),
        ({"meta.json": "{not json"}, "case bad: meta.json is not valid JSON (line 1)"),
        ({"meta.json": '{"type": "dictation"}'}, "case bad: meta.json needs a string 'specialty'"),
        (
            {"meta.json": '{"specialty": "dermatology", "type": "dictation"}'},
            "case bad: meta.json: unknown specialty 'dermatology'",
        ),
        ({"ref.rttm": "SPEAKER x 1 zero 1.0"}, "case bad: ref.rttm line 1 is not an RTTM"),
        ({"ref.json": '{"speaker": "a"}'}, "case bad: ref.json must be a list of turns"),
        ({"ref.json": '[{"speaker": "a"}]'}, "case bad: ref.json entry 0 needs speaker"),
    ],
)
def test_malformed_cases_are_rejected_with_one_line(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], overrides: dict, message: str
) -> None:
    _case(tmp_path, "good")
    _case(tmp_path, "bad", **overrides)
    with pytest.raises(DatasetError, match="^" + message.replace("(", r"\(").replace(")", r"\)")):
        load_dataset(tmp_path)
    with pytest.raises(SystemExit) as exit_info:
        main(["eval", str(tmp_path)])
    assert exit_info.value.code == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and message in err and "Traceback" not in err


def test_missing_folder_and_empty_dataset(tmp_path: Path, capsys: pytest.CaptureFixture) -> None:
    with pytest.raises(DatasetError, match="no such dataset folder"):
        load_dataset(tmp_path / "nope")
    with pytest.raises(DatasetError, match="no cases"):
        load_dataset(tmp_path)
    with pytest.raises(SystemExit) as exit_info:
        main(["eval", str(tmp_path / "nope"), "--specialty", "cardiology"])
    assert exit_info.value.code == 2
    assert "no such dataset folder" in capsys.readouterr().err


def test_channels_need_stereo_before_any_work(tmp_path: Path, capsys) -> None:
    _case(tmp_path)
    with pytest.raises(SystemExit) as exit_info:
        main(["eval", str(tmp_path), "--channels"])
    assert exit_info.value.code == 2
    assert "case1: --channels needs stereo.wav" in capsys.readouterr().err


def test_flat_folder_of_recordings(tmp_path: Path) -> None:
    _wav(tmp_path / "reading.wav")
    (tmp_path / "reading.txt").write_text("It was the best of times.")
    _wav(tmp_path / "unlabelled.wav")  # no reference: not a case
    [case] = load_dataset(tmp_path)
    assert case.name == "reading" and case.reference.startswith("It was")


def test_a_case_without_meta_json_is_of_the_specialty_asked_for(tmp_path: Path) -> None:
    from medscribe.evaluation.harness import load_cases
    from medscribe.request import Specialty, TranscriptionType

    _case(tmp_path, "bare", **{"meta.json": None})
    _case(tmp_path, "cardio")  # meta.json: cardiology conversation
    [case] = load_cases(
        tmp_path,
        specialty=Specialty.NEUROLOGY,
        type=TranscriptionType.DICTATION,
        split=None,
        names=None,
        limit=None,
        channels=False,
        conditions=("clean",),
    )
    assert (case.name, case.specialty, case.type) == (
        "bare",
        Specialty.NEUROLOGY,
        TranscriptionType.DICTATION,
    )
