"""The speaker evaluation: a meeting excerpt scored in its UEM, a tiny close-voice visit, CLI."""

from __future__ import annotations

import itertools
import math
import shutil
import wave
from pathlib import Path

import pytest

from medscribe.cli import main
from medscribe.evaluation.corpus import Turn, Visit
from medscribe.evaluation.dataset import read_rttm
from medscribe.evaluation.metrics import diarization_counts
from medscribe.evaluation.speakers import (
    SYSTEMS,
    Recording,
    evaluate_recording,
    meeting_recordings,
)
from medscribe.evaluation.synth_visits import GAP_RANGE, LEAD_S, VisitScript, write_visit


@pytest.fixture(scope="module")
def engine(whisper_model):
    from medscribe.engine import Engine

    return Engine(model=whisper_model)


def test_meeting_excerpt_is_scored_in_its_uem_only(shared_dir: Path, engine) -> None:
    # trn05 (tune split) has speech throughout its 30 s; score only its first 12 s.
    [meeting] = meeting_recordings(shared_dir / "data" / "meetings", ["trn05"], "tune")
    assert meeting.uem == [(0.0, 30.0)]  # train.uem
    assert meeting.reference is not None
    narrowed = Recording(
        meeting.name, meeting.group, meeting.split, meeting.audio, meeting.reference, [(0.0, 12.0)]
    )
    result = evaluate_recording(engine, narrowed)
    assert result.error is None
    assert set(result.der) == set(SYSTEMS)
    # The scored total is the reference's speech inside the UEM, whatever the hypothesis.
    in_uem = diarization_counts(meeting.reference, [], uem=[(0.0, 12.0)]).total
    whole = diarization_counts(meeting.reference, []).total
    assert 0 < in_uem < whole
    for counts in result.der.values():
        parts = (counts.missed, counts.false_alarm, counts.confusion)
        assert all(math.isfinite(x) and x >= 0 for x in parts)
        assert counts.total == pytest.approx(in_uem)
        assert counts.der is not None and math.isfinite(counts.der)
    assert result.true_count == len({t.speaker for t in meeting.reference if t.start < 12.0})
    assert result.speakers_found is not None and 1 <= result.speakers_found <= 10
    assert result.recognition_cpu_s > 0 and result.speakers_cpu_s > 0


def test_tiny_close_voice_visit_has_an_rttm_that_matches_its_audio(tmp_path: Path) -> None:
    if shutil.which("text2wave") is None or not Path("/usr/share/festival/voices").is_dir():
        pytest.skip("festival and its voices are not installed (Makefile APT_PACKAGES)")
    from medscribe.evaluation.devset import _synth_module

    turns = (
        Turn("clinician", "doctor", "Good morning, what brings you in today?"),
        Turn("patient", "patient", "Mm-hmm."),
        Turn("patient", "patient", "My knee has been aching for a week."),
        Turn("clinician", "doctor", "Okay."),
    )
    visit = Visit("primock57", "tiny", "tune", turns, None)
    lines = [("C" if t.role == "clinician" else "P", t.text) for t in turns]
    script = VisitScript("tiny-male-male", "male-male", visit, lines)
    seconds = write_visit(tmp_path, script, _synth_module().synthesize)

    folder = tmp_path / "tiny-male-male"
    reference = read_rttm(folder / "ref.rttm")
    with wave.open(str(folder / "mono.wav"), "rb") as fh:
        duration = fh.getnframes() / fh.getframerate()
    assert duration == pytest.approx(seconds)
    assert [t.speaker for t in reference] == ["CLINICIAN", "PATIENT", "PATIENT", "CLINICIAN"]
    assert reference[0].start == pytest.approx(LEAD_S)
    assert reference[-1].end + LEAD_S == pytest.approx(duration, abs=0.002)
    for before, after in itertools.pairwise(reference):
        assert GAP_RANGE[0] - 0.002 <= after.start - before.end <= GAP_RANGE[1] + 0.002
    assert (folder / "meta.json").stat().st_mode & 0o777 == 0o600


def test_cli_refuses_a_bad_split_in_one_line(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as exit_info:
        main(["eval", "speakers", "--split", "validation"])
    assert exit_info.value.code == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1
    assert err.startswith("medscribe: error: invalid value for '--split'")
    assert "medscribe eval speakers --help" in err
