"""``medscribe jobs`` over the in-memory job service."""

from __future__ import annotations

import json

from medscribe.transcript import codec


def test_list_show_wait_delete(cli, fake, service, wav, tmp_path):
    fake(fail={"bad.wav": "Invalid file"})
    submitted = cli("transcribe", str(wav("good.wav")), str(wav("bad.wav")), "--no-wait", "--json")
    good, bad = (f["job_name"] for f in json.loads(submitted.out)["files"])

    listed = cli("jobs", "list", "--json")
    assert listed.code == 0
    assert {j["MedicalTranscriptionJobName"] for j in json.loads(listed.out)} == {good, bad}
    # The two tones are the same recording: the second twin's name is the first's + "-2".
    plain = cli("jobs", "list", "--contains", bad.upper())
    assert plain.out.split("\t")[:2] == [bad, "QUEUED"]

    shown = json.loads(cli("jobs", "show", good, "--json").out)
    assert shown["TranscriptionJobStatus"] == "IN_PROGRESS" and shown["Specialty"] == "PRIMARYCARE"

    out = tmp_path / "out"
    waited = cli("jobs", "wait", good, bad, "--output-dir", str(out), "--format", "json,srt")
    assert waited.code == 1
    assert f"{bad}: FAILED: Invalid file" in waited.err
    assert codec.load(out / f"{good}.json").text == "good."
    assert (out / f"{good}.srt").is_file() and not (out / f"{bad}.json").exists()
    assert json.loads(cli("jobs", "show", bad, "--json").out)["FailureReason"] == "Invalid file"
    assert "COMPLETED" in cli("jobs", "list", "--status", "completed").out

    deleted = cli("jobs", "delete", bad)
    assert deleted.code == 0 and service.deletes == [bad]
    assert cli("jobs", "show", bad).code == 1


def test_wait_shows_transcript_on_stdout(cli, fake, service, wav):
    fake()
    name = json.loads(cli("transcribe", str(wav("cough.wav")), "--no-wait", "--json").out)["files"][
        0
    ]["job_name"]
    result = cli("jobs", "wait", name, "--format", "text")
    assert result.code == 0 and result.out.strip().endswith("cough.")


def test_bad_status_and_ctrl_c(cli, fake, service, wav):
    fake()
    bad = cli("jobs", "list", "--status", "DONE")
    assert bad.code == 2 and "unknown status 'DONE'" in bad.err
    fake(polls_to_finish=50)
    name = json.loads(cli("transcribe", str(wav("x.wav")), "--no-wait", "--json").out)["files"][0][
        "job_name"
    ]
    fake(polls_to_finish=50, interrupt_on_poll=3)
    result = cli("jobs", "wait", name)
    assert result.code == 130
    assert f"resume with 'medscribe jobs wait {name}'" in result.err
