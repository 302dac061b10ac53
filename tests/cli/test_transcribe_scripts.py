"""What a script meets in ``medscribe transcribe``: exit codes of mixed batches, absolute paths,
skipped counts, ``--quiet``, job names without file names, progress lines, the summary after
Ctrl-C. Over the in-memory job service (tests/cli/fakes.py); the real engine's side is in
test_transcribe_local_signals.py."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from medscribe.batch import MANIFEST_NAME, BatchEvent
from medscribe.cli.transcribe import StatusDisplay


def not_audio(path: Path) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text("Assessment: stable. Plan: follow up in two weeks.\n" * 20)
    return path


# --------------------------------------------------------------------------- exit codes, paths


def test_mixed_batch_exits_1_and_names_the_bad_file_absolutely(
    cli, fake, service, wav, tmp_path, monkeypatch
):
    fake()
    for name in ("a.wav", "b.wav", "c.wav"):
        wav(name, 0.5)
    broken = not_audio(tmp_path / "in" / "broken.wav")
    monkeypatch.chdir(tmp_path)  # relative arguments, as a script gives them
    result = cli("transcribe", "in", "--output-dir", "out", "--json")
    assert result.code == 1, result.err
    summary = json.loads(result.out)
    assert (summary["succeeded"], summary["failed"]) == (3, 1)
    bad = next(f for f in summary["files"] if f["status"] == "FAILED")
    assert bad["input"] == str(broken) and Path(bad["input"]).is_absolute()
    assert "not a readable" in bad["failure_reason"] and str(broken) not in bad["failure_reason"]
    for entry in summary["files"]:
        assert Path(entry["input"]).is_absolute()
        assert all(Path(p).is_absolute() for p in entry["outputs"])
    assert [f["outputs"] for f in summary["files"] if f["input"].endswith("a.wav")] == [
        [str(tmp_path / "out" / "a.json")]
    ]
    failure_lines = [line for line in result.err.splitlines() if "FAILED" in line]
    assert failure_lines == [f"medscribe: {broken}: FAILED: {bad['failure_reason']}"]
    assert len(service.starts) == 3


def test_every_input_refused_is_exit_2(cli, fake, service, tmp_path):
    fake()
    files = [not_audio(tmp_path / "x.wav"), not_audio(tmp_path / "y.wav")]
    result = cli("transcribe", *map(str, files), "--output-dir", str(tmp_path / "o"), "--json")
    assert result.code == 2, result.err
    assert json.loads(result.out)["failed"] == 2 and service.starts == []


def test_a_rerun_counts_done_files_as_skipped(cli, fake, service, wav, tmp_path):
    fake()
    inputs = [str(wav("a.wav")), str(wav("b.wav", 0.7))]
    out = str(tmp_path / "out")
    first = json.loads(cli("transcribe", *inputs, "--output-dir", out, "--json").out)
    assert (first["succeeded"], first["skipped"]) == (2, 0)
    Path(out, "b.json").unlink()  # b is written again from its job; a is skipped
    again = cli("transcribe", *inputs, "--output-dir", out, "--json")
    assert again.code == 0, again.err
    summary = json.loads(again.out)
    assert (summary["succeeded"], summary["skipped"], summary["failed"]) == (1, 1, 0)
    assert [(f["status"], f["skipped"]) for f in summary["files"]] == [
        ("COMPLETED", True),
        ("COMPLETED", False),
    ]
    assert summary["files"][0]["outputs"] == [str(Path(out, "a.json"))]
    assert len(service.starts) == 2


# --------------------------------------------------------------------------- --quiet


def test_quiet_prints_errors_only(cli, fake, service, wav, tmp_path):
    fake(fail={"bad.wav": "The audio file is corrupt."})
    good, bad = wav("good.wav"), wav("bad.wav", 0.6)
    ok = cli("transcribe", str(good), "-q", "--output-dir", str(tmp_path / "o1"), "--json")
    assert ok.code == 0 and ok.err == ""
    assert json.loads(ok.out)["succeeded"] == 1
    # Nothing saved with --json and no destination: the notice is a status line too.
    bare = cli("transcribe", str(good), "--quiet", "--json")
    assert bare.code == 0 and bare.err == ""

    mixed = cli("transcribe", str(good), str(bad), "-q", "--output-dir", str(tmp_path / "o2"))
    assert mixed.code == 1
    assert mixed.err.splitlines() == [f"medscribe: {bad}: FAILED: The audio file is corrupt."]

    refused = cli("transcribe", str(good), "-q", "--speakers", "11")
    assert refused.code == 2 and refused.err.startswith("medscribe: error: --speakers")


def test_quiet_no_wait_has_no_hint(cli, fake, service, wav):
    fake()
    result = cli("transcribe", str(wav("a.wav")), "--no-wait", "--quiet")
    assert result.code == 0 and result.err == "" and len(service.starts) == 1


# --------------------------------------------------------------------------- job names


def test_job_names_never_carry_the_file_name(cli, fake, service, wav, tmp_path):
    fake()
    patient = wav("John-Smith_DOB-1970-01-01 cardiology.wav")
    twin = tmp_path / "in" / "Jane Doe 1980.wav"
    twin.write_bytes(patient.read_bytes())
    out = tmp_path / "out"
    result = cli("transcribe", str(patient), str(twin), "--output-dir", str(out), "--json")
    assert result.code == 0, result.err
    names = [f["job_name"] for f in json.loads(result.out)["files"]]
    manifest = json.loads((out / MANIFEST_NAME).read_text())["files"]
    assert sorted(e["job_name"] for e in manifest.values()) == sorted(names)
    assert sorted(service.starts) == sorted(names) and len(set(names)) == 2
    words = {w.lower() for w in re.split(r"[^A-Za-z0-9]+", patient.stem + " " + twin.stem) if w}
    for name in names:
        assert re.fullmatch(r"medscribe-[0-9a-f]{20}(-2)?", name), name
        assert not any(word in name.lower() for word in words - {"01"}), name
    # --job-name with several inputs is a prefix of the content hash.
    prefixed = cli("transcribe", str(patient), "--job-name", "night", str(wav("other.wav", 0.4)))
    assert prefixed.code == 0, prefixed.err
    assert [s for s in service.starts if s.startswith("night-")] == [
        names[0].replace("medscribe-", "night-"),
        service.starts[-1],
    ]


# --------------------------------------------------------------------------- -o and --format


def test_unknown_extension_takes_the_format(cli, fake, service, wav, tmp_path):
    fake()
    target = tmp_path / "visit.subtitles"
    result = cli("transcribe", str(wav("knee.wav")), "-o", str(target), "--format", "srt")
    assert result.code == 0, result.err
    assert target.read_text().startswith("1\n00:00:00,000 --> ")


# --------------------------------------------------------------------------- Ctrl-C


def test_ctrl_c_still_prints_the_json_summary(cli, fake, service, wav, tmp_path):
    fake(polls_to_finish=100, interrupt_on_poll=3)
    inputs = [wav("a.wav"), wav("b.wav", 0.6)]
    result = cli("transcribe", *map(str, inputs), "--output-dir", str(tmp_path / "o"), "--json")
    assert result.code == 130
    summary = json.loads(result.out)
    assert summary["interrupted"] is True and summary["succeeded"] == 0
    assert [f["input"] for f in summary["files"]] == [str(p) for p in inputs]
    assert {f["status"] for f in summary["files"]} <= {"QUEUED", "IN_PROGRESS", "NOT_STARTED"}
    assert {f["job_name"] for f in summary["files"]} == set(service.starts)
    errors = [line for line in result.err.splitlines() if line.startswith("medscribe: error:")]
    assert len(errors) == 1
    assert f"interrupted; {len(service.starts)} job(s) keep running" in errors[0]


# --------------------------------------------------------------------------- progress lines


@pytest.mark.parametrize("quiet", [False, True])
def test_plain_progress_lines_at_quarters(capsys, tmp_path, quiet):
    audio = tmp_path / "long-visit.wav"
    display = StatusDisplay([audio], live=False, quiet=quiet)

    def status(progress: float | None) -> None:
        display.event(BatchEvent("status", audio, "medscribe-0", "IN_PROGRESS", progress=progress))

    with display:
        for value in (0.0, 0.1, 0.2, 0.3, 0.35, 0.8, 0.9):
            status(value)
        display.event(BatchEvent("done", audio, "medscribe-0", "COMPLETED"))
        display.event(BatchEvent("no_speech", audio, "medscribe-0", "COMPLETED"))
    lines = capsys.readouterr().err.splitlines()
    if quiet:
        assert lines == []
        return
    prefix = f"medscribe: {audio}: medscribe-0 IN_PROGRESS"
    assert lines[0] == prefix
    assert re.fullmatch(re.escape(prefix) + r" 30%(, about \d+ s left)?", lines[1])
    assert re.fullmatch(re.escape(prefix) + r" 80%(, about \d+ s left)?", lines[2])
    assert lines[3:] == [
        f"medscribe: {audio}: medscribe-0 COMPLETED",
        f"medscribe: {audio}: no speech detected",
    ]


def test_a_missing_relative_input_is_named_absolutely(cli, fake, service, tmp_path, monkeypatch):
    fake()
    monkeypatch.chdir(tmp_path)
    result = cli("transcribe", "gone.wav")
    assert result.code == 2
    assert result.err.strip() == f"medscribe: error: {tmp_path / 'gone.wav'}: no such file"
