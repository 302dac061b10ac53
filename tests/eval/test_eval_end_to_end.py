"""A tiny end-to-end evaluation: synthesised speech, the real model, the real command."""

from __future__ import annotations

import json
from pathlib import Path

import jiwer
import pytest

from medscribe.cli import main
from medscribe.errors import ConfigError
from medscribe.evaluation.dataset import load_dataset
from medscribe.evaluation.devset import _synth_module, make_devset, parse_script, write_case
from medscribe.evaluation.normalize import normalize
from medscribe.transcript import codec

SCRIPT = """\
# specialty: cardiology
# type: conversation
C: Your blood pressure is one forty two over eighty eight. Any dyspnea or orthopnea?
P: No, but my ankles swell in the evening.
C: Then we increase furosemide to forty milligrams every morning.
"""


@pytest.fixture(scope="module")
def tiny_dataset(tmp_path_factory: pytest.TempPathFactory) -> Path:
    pytest.importorskip("piper")
    try:
        synth = _synth_module()
    except ConfigError as exc:  # an installed package without the repository's scripts/
        pytest.skip(str(exc))
    root = tmp_path_factory.mktemp("evalset")
    write_case(root, parse_script("tiny-visit", SCRIPT), synth.synthesize)
    return root


def test_synthesised_case_follows_the_format(tiny_dataset: Path) -> None:
    [case] = load_dataset(tiny_dataset)
    assert case.mono is not None and case.stereo is not None
    assert [t.speaker for t in case.rttm or []] == ["clinician", "patient", "clinician"]
    assert case.turns[1].text.startswith("No, but")
    assert all(a.end < b.start for a, b in zip(case.rttm, case.rttm[1:], strict=False))
    assert case.room is not None  # the room condition is made with every case


def test_make_devset_skips_cases_that_are_up_to_date(tmp_path: Path) -> None:
    calls: list[str] = []

    def fake_voice(text: str, voice: str):  # only counts calls; the cache check is real
        import numpy as np

        calls.append(voice)
        return np.full(1600, 0.1, dtype=np.float32)

    script = parse_script("tiny-visit", SCRIPT)
    first = make_devset(tmp_path, scripts=[script], synthesize=fake_voice)
    made = len(calls)
    room = (tmp_path / "tiny-visit" / "room.wav").read_bytes()
    second = make_devset(tmp_path, scripts=[script], synthesize=fake_voice)
    assert made == 3 and len(calls) == made and first == pytest.approx(second)
    assert (tmp_path / "tiny-visit" / "room.wav").read_bytes() == room
    changed = parse_script("tiny-visit", SCRIPT.replace("forty", "twenty"))
    make_devset(tmp_path, scripts=[changed], synthesize=fake_voice)
    assert len(calls) == 2 * made  # a changed text is made again


@pytest.mark.model
@pytest.mark.slow
def test_eval_command_on_real_model(
    tiny_dataset: Path,
    whisper_model,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("COLUMNS", "200")  # room for the whole table
    out = tmp_path / "report.json"
    transcripts = tmp_path / "transcripts"
    main(["eval", str(tiny_dataset), "--json", str(out), "--transcripts", str(transcripts)])
    printed = capsys.readouterr().out
    assert "tiny-visit" in printed and "overall" in printed
    report = json.loads(out.read_text())
    [case] = report["cases"]
    assert case["error"] is None
    # The harness's WER equals plain jiwer on the same normalised texts.
    hypothesis = codec.load(transcripts / "tiny-visit.json").text
    reference = (tiny_dataset / "tiny-visit" / "ref.txt").read_text()
    plain = jiwer.wer(normalize(reference), normalize(hypothesis))
    assert round(case["wer"], 3) == round(plain, 3)
    assert case["wer"] < 0.5  # clear synthetic speech: most words are right
    assert case["terms_reference"] == 3  # dyspnea, orthopnea, furosemide
    assert 0 < case["rtf"] < 5 and case["audio_seconds"] > 5
    assert report["overall"]["wer"] == case["wer"]
    assert set(report["by_specialty"]) == {"CARDIOLOGY"}
    # The report says which stages made its figures, in the JSON and on screen.
    assert (report["settings"]["specialty_pass"], report["settings"]["formatting"]) == (True, True)
    assert "specialty pass on, formatting on" in printed
    if case["speakers_found"]:  # the speakers module is part of this build
        assert case["der"] is not None and 0 <= case["der"] <= 1


@pytest.mark.model
@pytest.mark.slow
def test_compare_pass_reports_both_runs_and_the_correction_precision(
    tiny_dataset: Path,
    whisper_model,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("COLUMNS", "250")
    out = tmp_path / "compare.json"
    transcripts = tmp_path / "transcripts"
    args = ["--compare-pass", "--condition", "both", "--transcripts", str(transcripts)]
    main(["eval", str(tiny_dataset), *args, "--json", str(out)])
    runs = ("clean-off", "clean-on", "room-off", "room-on")
    assert all((transcripts / run / "tiny-visit.json").is_file() for run in runs)
    printed = capsys.readouterr().out
    assert "bare engine, same weights, same run" in printed
    report = json.loads(out.read_text())
    assert set(report["runs"]) == {"clean/off", "clean/on", "room/off", "room/on"}
    assert report["runs"]["clean/off"]["settings"]["specialty_pass"] is False
    assert report["runs"]["room/on"]["settings"]["specialty_pass"] is True
    for key, run in report["runs"].items():
        [case] = run["cases"]
        assert case["error"] is None and case["condition"] == key.split("/")[0]
        assert case["cpu_seconds"] > 0
        assert case["wer"] < 0.6
    overall = next(r for r in report["table"] if r["type"] == "all" and r["specialty"] == "all")
    assert overall["cpu_ratio"] > 0
    for condition in ("clean", "room"):
        fix = overall[f"correction {condition}"]
        assert fix == report["corrections"][condition]["tiny-visit"]
        assert fix["changed"] == fix["made_right"] + fix["broke"] + fix["other"] + fix["inserted"]
        # The WERs of the two runs differ exactly by what the pass changed, at most.
        off = report["runs"][f"{condition}/off"]["cases"][0]
        on = report["runs"][f"{condition}/on"]["cases"][0]
        errors = lambda c: c["substitutions"] + c["deletions"] + c["insertions"]  # noqa: E731
        assert abs(errors(off) - errors(on)) <= fix["changed"] + fix["removed"]
