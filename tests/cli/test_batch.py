"""The batch runner as a library: names, inputs, manifest resume, skips, failures, Ctrl-C."""

from __future__ import annotations

import json
import os
import re
from pathlib import Path

import pytest

from medscribe.batch import (
    MANIFEST_NAME,
    BatchInterrupted,
    BatchRequest,
    backoff_delays,
    default_job_name,
    expand_inputs,
    run_batch,
)
from medscribe.errors import EXIT_FAILED, EXIT_INTERRUPTED, MediaError
from medscribe.request import JOB_NAME_PATTERN, build_options
from medscribe.transcript import codec

from .fakes import FakeBackend, FakeJobService

OPTIONS = build_options(specialty="primarycare")
FAST = {"poll_interval": 0.001, "poll_max_interval": 0.004}


def run(backend, inputs, out: Path | None, **kwargs):
    events = []
    kwargs = {"formats": ["json", "text"], **FAST, **kwargs}
    request = BatchRequest(inputs, OPTIONS, output_dir=out, **kwargs)
    summary = run_batch(backend, request, on_event=events.append)
    return summary, events


def manifest(out: Path) -> dict:
    return json.loads((out / MANIFEST_NAME).read_text())["files"]


# --------------------------------------------------------------------------- inputs and names


def test_expand_inputs_directory_glob_and_duplicates(wav, tmp_path):
    b, a = wav("b.wav"), wav("a.flac.wav")
    (tmp_path / "in" / "notes.txt").write_text("not audio")
    (tmp_path / "in" / ".hidden.wav").write_bytes(a.read_bytes())
    found = expand_inputs([str(tmp_path / "in"), str(tmp_path / "in" / "*.wav"), b])
    assert found == [a, b]


def test_expand_inputs_missing(tmp_path):
    with pytest.raises(MediaError, match="no such file"):
        expand_inputs([tmp_path / "gone.wav"])
    (tmp_path / "empty").mkdir()
    with pytest.raises(MediaError, match="no audio files"):
        expand_inputs([tmp_path / "empty"])


def test_default_job_names_come_from_content_and_options_never_the_file_name(wav, tmp_path):
    named = wav("John Smith DOB 1970-01-01 (Dr. Müller).wav", 1.0)
    name = default_job_name(named, OPTIONS)
    assert JOB_NAME_PATTERN.match(name) and name.startswith("medscribe-")
    for part in ("John", "Smith", "DOB", "1970", "Dr", "ller", "wav"):
        assert part.lower() not in name.lower()
    # Stable: a rerun, or the same recording under another name, gets the same name.
    assert default_job_name(named, OPTIONS) == name
    renamed = tmp_path / "elsewhere" / "visit.wav"
    renamed.parent.mkdir()
    renamed.write_bytes(named.read_bytes())
    assert default_job_name(renamed, OPTIONS) == name
    # Other options or other content: another job.
    assert default_job_name(named, build_options(max_speakers=2)) != name
    longer = wav("longer.wav", 1.5)
    assert default_job_name(longer, OPTIONS) != name
    # A prefix keeps the content hash and the service's 200-character limit.
    prefixed = default_job_name(named, OPTIONS, prefix="x" * 200)
    assert len(prefixed) <= 200 and JOB_NAME_PATTERN.match(prefixed)
    assert prefixed.split("-")[-1] == name.split("-")[-1]


def test_identical_files_in_one_batch_get_distinct_stable_jobs(wav, tmp_path):
    first = wav("a.wav")
    second = tmp_path / "in" / "b.wav"
    second.write_bytes(first.read_bytes())
    out = tmp_path / "out"
    service = FakeJobService()
    summary, _ = run(FakeBackend(service), [first, second], out)
    names = [f.job_name for f in summary.files]
    assert names[0] != names[1] and names[1] == f"{names[0]}-2"
    assert summary.succeeded == 2 and (out / "a.json").is_file() and (out / "b.json").is_file()
    (out / MANIFEST_NAME).unlink()  # even without the manifest, a rerun finds both jobs
    again, events = run(FakeBackend(service), [first, second], out)
    assert [f.job_name for f in again.files] == names
    assert len(service.starts) == 2 and [e.kind for e in events].count("attach") == 2


def test_backoff_is_exponential_jittered_and_capped():
    delays = backoff_delays(1.0, 8.0)
    got = [next(delays) for _ in range(8)]
    caps = [1, 2, 4, 8, 8, 8, 8, 8]
    for value, cap in zip(got, caps, strict=True):
        assert cap / 2 <= value <= cap


# --------------------------------------------------------------------------- runs


def test_outputs_manifest_and_summary(wav, tmp_path):
    inputs = [wav("chest-pain-follow-up.wav", 1.5), wav("knee-review.wav", 0.5)]
    out = tmp_path / "out"
    backend = FakeBackend()
    summary, events = run(backend, inputs, out)

    assert summary.exit_code == 0 and summary.succeeded == 2 and summary.failed == 0
    data = summary.to_json()
    assert data["skipped"] == 0 and data["interrupted"] is False
    assert set(data) == {"succeeded", "skipped", "failed", "interrupted", "files"}
    first = data["files"][0]
    assert set(first) == {
        "input", "job_name", "status", "skipped", "no_speech", "outputs", "failure_reason"
    }  # fmt: skip
    assert first["skipped"] is False and first["no_speech"] is False
    assert first["outputs"] == [
        str(out / "chest-pain-follow-up.json"),
        str(out / "chest-pain-follow-up.txt"),
    ]
    transcript = codec.load(out / "chest-pain-follow-up.json")
    assert [w.content for w in transcript.words] == ["chest", "pain", "follow", "up"]
    assert transcript.job_name == first["job_name"]
    assert 1.4 < transcript.duration <= 1.5
    assert "chest pain follow up" in (out / "chest-pain-follow-up.txt").read_text()

    entries = manifest(out)
    entry = entries[str(inputs[0].resolve())]
    assert entry["status"] == "COMPLETED"
    assert entry["job_name"] == first["job_name"]
    assert entry["size"] == inputs[0].stat().st_size
    assert entry["backend"] == "fake"
    assert entry["outputs"] == first["outputs"]
    assert entry["failure_reason"] is None
    kinds = [e.kind for e in events if e.input == inputs[0]]
    assert kinds[0] == "start" and kinds[-1] == "done" and "status" in kinds


def test_crash_after_submit_then_rerun_attaches(wav, tmp_path):
    """--no-wait (or a crash) leaves running jobs; the rerun attaches, starting nothing."""
    inputs = [wav("a.wav"), wav("b.wav"), wav("c.wav")]
    out = tmp_path / "out"
    service = FakeJobService()
    summary, _ = run(FakeBackend(service), inputs, out, wait=False, concurrency=3)
    assert summary.exit_code == 0
    assert {f.status for f in summary.files} == {"QUEUED"}
    assert len(service.starts) == 3
    assert {e["status"] for e in manifest(out).values()} == {"QUEUED"}

    summary, events = run(FakeBackend(service), inputs, out)
    assert len(service.starts) == 3  # no duplicates
    assert summary.succeeded == 3
    assert sorted(e.kind for e in events if e.kind in ("start", "attach")) == ["attach"] * 3
    assert all((out / f"{p.stem}.json").is_file() for p in inputs)


def test_lost_manifest_still_attaches_by_name(wav, tmp_path):
    """Without the manifest the deterministic name conflicts, and conflict means attach."""
    inputs = [wav("a.wav")]
    out = tmp_path / "out"
    service = FakeJobService()
    run(FakeBackend(service), inputs, out, wait=False)
    (out / MANIFEST_NAME).unlink()
    summary, events = run(FakeBackend(service), inputs, out)
    assert summary.succeeded == 1 and len(service.starts) == 1
    assert "attach" in [e.kind for e in events]


def test_done_files_are_skipped(wav, tmp_path):
    inputs = [wav("a.wav"), wav("b.wav")]
    out = tmp_path / "out"
    service = FakeJobService()
    run(FakeBackend(service), inputs, out)
    (out / "b.txt").unlink()  # one output missing: b is fetched again, a is skipped

    backend = FakeBackend(service)
    summary, events = run(backend, inputs, out)
    # a was done by the first run: skipped, not counted as succeeded again.
    assert (summary.succeeded, summary.skipped) == (1, 1) and len(service.starts) == 2
    assert summary.exit_code == 0
    assert [f["skipped"] for f in summary.to_json()["files"]] == [True, False]
    by_input = {e.input: e.kind for e in events if e.kind in ("skip", "attach")}
    assert by_input == {inputs[0]: "skip", inputs[1]: "attach"}
    assert (out / "b.txt").is_file()
    assert summary.files[0].skipped and summary.files[0].outputs == [out / "a.json", out / "a.txt"]


def test_changed_input_replaces_its_old_job(wav, tmp_path):
    audio = wav("a.wav", 1.0)
    out = tmp_path / "out"
    service = FakeJobService()
    first, _ = run(FakeBackend(service), [audio], out)
    wav("a.wav", 2.0)  # re-recorded: new size
    second, _ = run(FakeBackend(service), [audio], out)
    assert service.deletes == [first.files[0].job_name]
    assert second.files[0].job_name != first.files[0].job_name
    assert codec.load(out / "a.json").duration > 1.5


def test_failed_job_reports_reason_and_rerun_retries(wav, tmp_path):
    inputs = [wav("good.wav"), wav("bad.wav")]
    out = tmp_path / "out"
    service = FakeJobService()
    reason = "The media format provided does not match the detected media format."
    summary, events = run(FakeBackend(service, fail={"bad.wav": reason}), inputs, out)
    assert summary.exit_code == EXIT_FAILED
    assert (summary.succeeded, summary.failed) == (1, 1)
    bad = summary.files[1]
    assert bad.status == "FAILED" and bad.failure_reason == reason and bad.outputs == []
    assert any(e.kind == "failed" and e.message == reason for e in events)
    assert manifest(out)[str(inputs[1].resolve())]["failure_reason"] == reason

    # The failure was transient: the rerun deletes the failed job and starts it again.
    summary, _ = run(FakeBackend(service), inputs, out)
    assert summary.exit_code == 0
    assert service.deletes == [bad.job_name]
    assert service.starts.count(bad.job_name) == 2


@pytest.mark.parametrize(("concurrency", "files"), [(1, 3), (2, 5)])
def test_concurrency_is_bounded(wav, tmp_path, concurrency, files):
    inputs = [wav(f"f{i}.wav", 0.2) for i in range(files)]
    backend = FakeBackend(polls_to_finish=4)
    summary, _ = run(backend, inputs, tmp_path / "out", concurrency=concurrency)
    assert summary.succeeded == files
    assert 1 <= backend.max_active <= concurrency


def test_ctrl_c_while_polling_keeps_manifest_and_says_how_to_resume(wav, tmp_path):
    inputs = [wav("a.wav"), wav("b.wav")]
    out = tmp_path / "out"
    service = FakeJobService()
    backend = FakeBackend(service, polls_to_finish=50, interrupt_on_poll=3)
    with pytest.raises(BatchInterrupted) as info:
        run(backend, inputs, out, concurrency=2)
    err = info.value
    assert err.exit_code == EXIT_INTERRUPTED
    assert sorted(err.running) == sorted(service.starts)
    assert "keep running" in str(err) and "medscribe jobs wait" in str(err)
    assert {e["job_name"] for e in manifest(out).values()} == set(service.starts)

    summary, _ = run(FakeBackend(service, polls_to_finish=3), inputs, out)
    assert summary.succeeded == 2 and len(service.starts) == 2


def test_output_file_for_one_input(wav, tmp_path):
    target = tmp_path / "visit.srt"
    request = BatchRequest(
        [wav("visit-note.wav")], OPTIONS, output_file=target, formats=["srt"], **FAST
    )
    summary = run_batch(FakeBackend(), request)
    assert summary.files[0].outputs == [target]
    text = target.read_text()
    assert re.match(r"1\n00:00:00,000 --> 00:00:0\d,\d{3}\nvisit note", text), text
    # Only the file asked for: no manifest, no temporary files.
    assert sorted(os.listdir(tmp_path)) == ["in", "visit.srt"]


def test_existing_job_with_other_options_is_replaced(wav):
    """No manifest (terminal output), but the job of that name was made with other options."""
    audio = wav("a.wav")
    service = FakeJobService()
    run_batch(FakeBackend(service), BatchRequest([audio], OPTIONS, job_name="visit-0142", **FAST))
    speakers = build_options(specialty="primarycare", max_speakers=2)
    events = []
    request = BatchRequest([audio], speakers, job_name="visit-0142", **FAST)
    summary = run_batch(FakeBackend(service), request, on_event=events.append)
    name = summary.files[0].job_name
    assert name == "visit-0142"
    assert service.deletes == [name] and service.starts == [name, name]
    assert summary.files[0].transcript.has_speakers
    assert [e.message for e in events if e.kind == "note"] == ["replacing a job with other options"]


def test_default_names_differ_with_the_options(wav):
    """Without a chosen name, other options are another job: the first one stays."""
    audio = wav("a.wav")
    service = FakeJobService()
    first = run_batch(FakeBackend(service), BatchRequest([audio], OPTIONS, **FAST))
    speakers = build_options(specialty="primarycare", max_speakers=2)
    second = run_batch(FakeBackend(service), BatchRequest([audio], speakers, **FAST))
    names = [first.files[0].job_name, second.files[0].job_name]
    assert names[0] != names[1] and service.starts == names and service.deletes == []


def test_job_name_names_one_input_and_prefixes_several(wav):
    one = run_batch(
        FakeBackend(), BatchRequest([wav("a.wav")], OPTIONS, job_name="visit-0142", **FAST)
    )
    assert one.files[0].job_name == "visit-0142"
    several = run_batch(
        FakeBackend(), BatchRequest([wav("b.wav"), wav("c.wav")], OPTIONS, job_name="night", **FAST)
    )
    names = [f.job_name for f in several.files]
    assert all(n.startswith("night-") and JOB_NAME_PATTERN.match(n) for n in names)
    assert names[0] != names[1]  # b and c are the same tone: twins get a rank
    assert [n.removeprefix("night-") for n in names] == [
        f.job_name.removeprefix("medscribe-")
        for f in run_batch(
            FakeBackend(), BatchRequest([wav("b.wav"), wav("c.wav")], OPTIONS, **FAST)
        ).files
    ]
