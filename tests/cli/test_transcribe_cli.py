"""``medscribe transcribe`` end to end over the in-memory job service: outputs, exit codes,
the --json summary, resume after --no-wait, Ctrl-C."""

from __future__ import annotations

import json

from medscribe.batch import MANIFEST_NAME
from medscribe.transcript import codec


def test_json_summary_and_files(cli, fake, service, wav, tmp_path):
    fake()
    inputs = [wav("ankle-sprain.wav"), wav("flu-shot.wav")]
    out = tmp_path / "out"
    result = cli(
        "transcribe", *map(str, inputs), "--output-dir", str(out), "--format", "json,vtt", "--json"
    )
    assert result.code == 0, result.err
    summary = json.loads(result.out)  # stdout is the summary and nothing else
    assert (summary["succeeded"], summary["failed"]) == (2, 0)
    assert [f["input"] for f in summary["files"]] == [str(p) for p in inputs]
    assert summary["files"][1]["outputs"] == [str(out / "flu-shot.json"), str(out / "flu-shot.vtt")]
    assert all(f["status"] == "COMPLETED" and f["failure_reason"] is None for f in summary["files"])
    assert (out / "flu-shot.vtt").read_text().startswith("WEBVTT")
    assert codec.load(out / "ankle-sprain.json").text == "ankle sprain."
    # Plain status lines on stderr (not a terminal): started and completed per file.
    assert f"{inputs[0]}: started job medscribe-" in result.err
    assert "COMPLETED -> " in result.err


def test_failed_file_gives_exit_1_and_its_reason(cli, fake, service, wav, tmp_path):
    reason = "The audio file is corrupt or its format is not supported."
    fake(fail={"broken.wav": reason})
    inputs = [wav("fine.wav"), wav("broken.wav")]
    result = cli("transcribe", *map(str, inputs), "--output-dir", str(tmp_path / "o"), "--json")
    assert result.code == 1
    assert f"{inputs[1]}: FAILED: {reason}" in result.err
    files = json.loads(result.out)["files"]
    assert [f["status"] for f in files] == ["COMPLETED", "FAILED"]
    assert files[1]["failure_reason"] == reason and files[1]["outputs"] == []


def test_default_output_is_text_on_stdout_and_nothing_saved(cli, fake, service, wav, tmp_path):
    fake()
    audio = wav("sore-throat.wav")
    before = sorted(p.name for p in tmp_path.rglob("*"))
    result = cli("transcribe", str(audio))
    assert result.code == 0, result.err
    assert "sore throat." in result.out  # Rich falls back to text off a terminal
    assert sorted(p.name for p in tmp_path.rglob("*")) == before


def test_output_dash_writes_json_to_stdout(cli, fake, service, wav):
    fake()
    result = cli("transcribe", str(wav("rash.wav")), "-o", "-", "--speakers", "2")
    assert result.code == 0, result.err
    transcript = codec.loads(result.out)
    assert transcript.text == "rash." and transcript.job_name.startswith("medscribe-")


def test_output_file_format_from_extension(cli, fake, service, wav, tmp_path):
    fake()
    target = tmp_path / "note.srt"
    result = cli("transcribe", str(wav("blood-pressure.wav")), "-o", str(target))
    assert result.code == 0, result.err
    assert "blood pressure" in target.read_text() and "-->" in target.read_text()
    assert result.out == ""


def test_directory_input_and_speaker_names(cli, fake, service, wav, tmp_path):
    fake()
    wav("b-visit.wav")
    wav("a-visit.wav")
    out = tmp_path / "out"
    result = cli(
        "transcribe", str(tmp_path / "in"), "--speakers", "2", "--speaker-names", "doc,pat",
        "--output-dir", str(out), "--format", "text",
    )  # fmt: skip
    assert result.code == 0, result.err
    assert sorted(p.name for p in out.iterdir()) == [MANIFEST_NAME, "a-visit.txt", "b-visit.txt"]
    text = (out / "a-visit.txt").read_text()
    assert "doc" in text and "pat" in text and "spk_0" not in text


def test_no_wait_then_rerun_attaches(cli, fake, service, wav, tmp_path):
    fake()
    inputs = [str(wav("one.wav")), str(wav("two.wav"))]
    out = str(tmp_path / "out")
    first = cli("transcribe", *inputs, "--output-dir", out, "--no-wait", "--json")
    assert first.code == 0, first.err
    assert [f["status"] for f in json.loads(first.out)["files"]] == ["QUEUED", "QUEUED"]
    assert "2 job(s) submitted" in first.err and "medscribe jobs wait" in first.err
    assert len(service.starts) == 2

    second = cli("transcribe", *inputs, "--output-dir", out, "--json")
    assert second.code == 0, second.err
    assert len(service.starts) == 2
    assert "attached to job" in second.err
    assert json.loads(second.out)["succeeded"] == 2

    third = cli("transcribe", *inputs, "--output-dir", out, "--json")
    done = json.loads(third.out)
    assert "already done" in third.err and (done["succeeded"], done["skipped"]) == (0, 2)
    assert [f["skipped"] for f in done["files"]] == [True, True]
    assert third.code == 0
    assert len(service.starts) == 2


def test_ctrl_c_while_polling(cli, fake, service, wav, tmp_path):
    fake(polls_to_finish=100, interrupt_on_poll=2)
    audio = wav("long-visit.wav")
    out = tmp_path / "out"
    result = cli("transcribe", str(audio), "--output-dir", str(out))
    assert result.code == 130
    last = result.err.strip().splitlines()[-1]
    assert last.startswith("medscribe: error: interrupted; 1 job(s) keep running (medscribe-")
    assert "run the same command again" in last and "medscribe jobs wait medscribe-" in last
    entries = json.loads((out / MANIFEST_NAME).read_text())["files"]
    assert [e["job_name"] for e in entries.values()] == service.starts

    fake(polls_to_finish=2)
    again = cli("transcribe", str(audio), "--output-dir", str(out))
    assert again.code == 0 and len(service.starts) == 1
    assert (out / "long-visit.json").is_file()


def test_local_backend_runs_one_job_at_a_time_by_default(cli, fake, service, wav, tmp_path):
    made = fake(polls_to_finish=3)
    inputs = [str(wav(f"v{i}.wav", 0.3)) for i in range(3)]
    result = cli("transcribe", *inputs, "--output-dir", str(tmp_path / "o"), "--json")
    assert result.code == 0, result.err
    assert made[-1].name == "local" and made[-1].max_active == 1
