"""The crash test for scripts: ``medscribe transcribe DIR --output-dir OUT`` killed with
SIGKILL at random moments, several times, then run again to the end, on each backend.

What must hold afterwards, as a nightly script would check it: the last run exits 0;
every input was transcribed exactly once (one COMPLETED job per input in the local job
store, one per input in the service's job list on the AWS side, where moto's server
plays the service); every output is present, whole and readable; no temp file is left
in the output folder; the manifest lists each input once, with the job that did it.
The local backend is also crashed through ``--no-wait``: its detached worker is the
process killed, and a waiting run collects the results.

The kill moments come from a seeded ``random.Random`` (``MEDSCRIBE_CRASH_SEED`` replays
or varies them); every assertion message shows the seed and what each round did.
Job names are never looked at for their form: jobs are tied to inputs through their
media (the recorded path locally, the uploaded bytes on S3).
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import uuid
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import unquote, urlparse

import pytest

from medscribe.backends.base import Job
from medscribe.batch import MANIFEST_NAME
from medscribe.render import render_string
from medscribe.transcript import codec
from transcript.schema import assert_transcribe_medical_schema

from .crashkit import (
    FAKE_CREDENTIALS,
    REGION,
    SENTENCES,
    CrashLog,
    CrashPlan,
    FakeTranscribeService,
    child_env,
    crash_then_finish,
    detached_worker,
    done_counter,
    leftovers,
    medscribe_argv,
    outputs_of,
    service_jobs,
    sha256,
    speech_clips,
    wait_gone,
)

pytestmark = pytest.mark.slow

SEED = int(os.environ.get("MEDSCRIBE_CRASH_SEED", "20240611"))
KILLS = 4
FORMATS = ("json", "text")
EXTENSIONS = (".json", ".txt")
FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "transcripts"
SERVICE_TRANSCRIPT = FIXTURES / "plain-conversation.json"
#: Polls every few milliseconds, as a script's settings may say; no effect on what is checked.
FAST_POLLING = {"MEDSCRIBE_POLL_INTERVAL": "0.02", "MEDSCRIBE_POLL_MAX_INTERVAL": "0.05"}

Batch = tuple[list[Path], Path]


@pytest.fixture(scope="module")
def clips(tmp_path_factory: pytest.TempPathFactory) -> list[Path]:
    pytest.importorskip("piper", reason="piper-tts makes the speech")
    return speech_clips(tmp_path_factory.mktemp("crash-audio") / "recordings")


@pytest.fixture
def batch(tmp_path: Path, clips: list[Path]) -> Batch:
    """A fresh copy of the recordings (each test's own input folder) and an output folder."""
    folder = tmp_path / "recordings"
    folder.mkdir()
    inputs = []
    for clip in clips:
        copy = folder / clip.name
        copy.write_bytes(clip.read_bytes())
        inputs.append(copy)
    out = tmp_path / "out"
    out.mkdir(mode=0o700)
    return inputs, out


def transcribe_args(inputs: list[Path], out: Path, *extra: str) -> list[str]:
    folder = str(inputs[0].parent)
    formats = ",".join(FORMATS)
    return medscribe_argv(
        "transcribe", folder, "--output-dir", str(out), "--format", formats, *extra
    )


# --------------------------------------------------------------------------- checks


def check_rounds(log: CrashLog) -> None:
    print(log)  # shown with the captured output when anything fails
    assert log.kills >= 1, f"no kill landed on a running process\n{log}"
    assert all(r.ok for r in log.rounds), f"a run between kills went wrong\n{log}"


def check_last_run(
    final: subprocess.CompletedProcess[str], inputs: list[Path], log: CrashLog
) -> None:
    assert final.returncode == 0, f"last run: exit {final.returncode}\n{final.stderr}\n{log}"
    summary = json.loads(final.stdout)
    # Files done by an earlier run count as skipped, not succeeded, where the summary says so.
    finished = summary["succeeded"] + summary.get("skipped", 0)
    assert finished == len(inputs) and summary["failed"] == 0, f"{summary}\n{log}"
    assert {f["status"] for f in summary["files"]} == {"COMPLETED"}, f"{summary}\n{log}"
    listed = sorted(Path(f["input"]).resolve() for f in summary["files"])
    assert listed == sorted(p.resolve() for p in inputs), f"{summary}\n{log}"


def check_outputs(inputs: list[Path], out: Path, log: CrashLog) -> dict[Path, dict[str, Any]]:
    """Every output whole and consistent; nothing else in ``out``. Returns each input's JSON."""
    expected = outputs_of(inputs, out, EXTENSIONS)
    extra = leftovers(out, expected, keep=[MANIFEST_NAME])
    assert not extra, f"left in the output folder: {extra}\n{log}"
    docs = {}
    for audio, (json_path, text_path) in zip(inputs, expected, strict=True):
        assert json_path.is_file() and text_path.is_file(), f"{audio.name}: outputs missing\n{log}"
        doc = json.loads(json_path.read_text(encoding="utf-8"))
        assert_transcribe_medical_schema(doc, exact_format=True)
        # The text file is the whole rendering of the JSON beside it, not part of it.
        assert text_path.read_text(encoding="utf-8") == render_string(
            codec.load(json_path), "text"
        ), f"{text_path.name} does not match {json_path.name}\n{log}"
        docs[audio.resolve()] = doc
    return docs


def manifest_jobs(out: Path, inputs: list[Path], log: CrashLog) -> dict[Path, str]:
    """The manifest's job per input; each input listed once and COMPLETED."""
    entries = list(json.loads((out / MANIFEST_NAME).read_text())["files"].values())
    listed = Counter(Path(e["input"]).resolve() for e in entries)
    assert listed == Counter(p.resolve() for p in inputs), f"manifest: {listed}\n{log}"
    assert {e["status"] for e in entries} == {"COMPLETED"}, f"manifest: {entries}\n{log}"
    return {Path(e["input"]).resolve(): e["job_name"] for e in entries}


def media_path(job: Job) -> Path:
    return Path(unquote(urlparse(job.media_uri or "").path))


def check_job_store(data: Path, inputs: list[Path], out: Path, log: CrashLog) -> None:
    """One COMPLETED local job per input, and each input's outputs are its job's transcript."""
    from medscribe.backends.local import LocalBackend
    from medscribe.config import Settings

    docs = check_outputs(inputs, out, log)
    backend = LocalBackend(Settings(data_dir=str(data)))
    jobs = backend.list_jobs()
    by_input = Counter(media_path(j) for j in jobs)
    assert by_input == Counter(p.resolve() for p in inputs), f"job store: {by_input}\n{log}"
    assert {j.status.value for j in jobs} == {"COMPLETED"}, f"{jobs}\n{log}"
    manifest = manifest_jobs(out, inputs, log)
    for job in jobs:
        audio = media_path(job)
        assert manifest[audio] == job.name, f"{audio.name}: manifest and store differ\n{log}"
        assert docs[audio]["jobName"] == job.name, f"{audio.name}: not its job's output\n{log}"
        stored = backend.get_transcript(job)
        assert codec.load(out / f"{audio.stem}.json").text == stored.text, log
    for audio, (_, word) in zip(inputs, SENTENCES, strict=True):
        text = docs[audio.resolve()]["results"]["transcripts"][0]["transcript"]
        assert word in text.lower(), f"{audio.name}: {text!r} is not its recording\n{log}"


# --------------------------------------------------------------------------- local


@pytest.mark.model
def test_local_batch_killed_at_random_moments_then_finished(batch: Batch, tmp_path: Path) -> None:
    inputs, out = batch
    env = child_env(tmp_path / "home", **FAST_POLLING)
    plan = CrashPlan(
        argv=transcribe_args(inputs, out, "--backend", "local", "--json"),
        env=env,
        done=done_counter(outputs_of(inputs, out, EXTENSIONS)),
        total=len(inputs),
        seed=SEED,
        kills=KILLS,
        # Start-up with the model load takes about 2 s on 2 cores, then a clip about 0.4 s.
        start_delay=1.5,
        step_delay=0.4,
        scratch=tmp_path,
    )

    log, final = crash_then_finish(plan)

    check_rounds(log)
    check_last_run(final, inputs, log)
    check_job_store(Path(env["MEDSCRIBE_DATA_DIR"]), inputs, out, log)


@pytest.mark.model
def test_local_detached_worker_killed_at_random_moments_then_collected(
    batch: Batch, tmp_path: Path
) -> None:
    from medscribe.backends.local import LocalBackend
    from medscribe.config import Settings

    inputs, out = batch
    env = child_env(tmp_path / "home", **FAST_POLLING)
    data = Path(env["MEDSCRIBE_DATA_DIR"])
    jobs = LocalBackend(Settings(data_dir=str(data)))
    worker = detached_worker(data)
    # Each --no-wait run submits (or attaches to, and so resumes) the jobs and returns;
    # the worker it leaves is what gets killed. The last run waits and writes the outputs.
    plan = CrashPlan(
        argv=transcribe_args(inputs, out, "--backend", "local", "--no-wait"),
        env=env,
        done=lambda: sum(j.status.value == "COMPLETED" for j in jobs.list_jobs()),
        total=len(inputs),
        seed=SEED,
        kills=KILLS,
        start_delay=1.5,
        step_delay=0.4,
        scratch=tmp_path,
        victim=worker,
    )
    try:
        log, final = crash_then_finish(
            plan, final_argv=transcribe_args(inputs, out, "--backend", "local", "--json")
        )
    finally:
        left = worker()  # a worker still draining: let it end, then make sure it has
        if left is not None and not wait_gone(left, timeout=30.0):
            os.kill(left, signal.SIGKILL)

    check_rounds(log)
    check_last_run(final, inputs, log)
    check_job_store(data, inputs, out, log)


# --------------------------------------------------------------------------- aws


@pytest.fixture(scope="module")
def service() -> Iterator[FakeTranscribeService]:
    fixture = json.loads(SERVICE_TRANSCRIPT.read_text(encoding="utf-8"))
    with FakeTranscribeService(fixture, polls_per_step=2) as fake:
        yield fake


@dataclass
class Account:
    """A fresh bucket on the fake service, clients to look at it, and the CLI's flags for it."""

    s3: Any
    transcribe: Any
    bucket: str
    flags: list[str]


@pytest.fixture
def account(service: FakeTranscribeService) -> Account:
    import boto3

    keys = {
        "aws_access_key_id": FAKE_CREDENTIALS["AWS_ACCESS_KEY_ID"],
        "aws_secret_access_key": FAKE_CREDENTIALS["AWS_SECRET_ACCESS_KEY"],
        "aws_session_token": FAKE_CREDENTIALS["AWS_SESSION_TOKEN"],
        "endpoint_url": service.url,
        "region_name": REGION,
    }
    bucket = f"crash-{uuid.uuid4().hex[:12]}"
    s3 = boto3.client("s3", **keys)
    s3.create_bucket(Bucket=bucket)
    flags = ["--backend", "aws", "--endpoint-url", service.url, "--bucket", bucket]
    return Account(s3, boto3.client("transcribe", **keys), bucket, [*flags, "--region", REGION])


def service_jobs_by_input(
    account: Account, inputs: list[Path]
) -> list[tuple[Path | None, dict[str, Any]]]:
    """This bucket's jobs on the service, each with the input whose bytes it was given."""
    by_content = {sha256(p.read_bytes()): p.resolve() for p in inputs}
    mine = []
    prefix = f"s3://{account.bucket}/"
    for job in service_jobs(account.transcribe):
        uri = job["Media"]["MediaFileUri"]
        if uri.startswith(prefix):  # moto's server is shared with other tests
            body = account.s3.get_object(Bucket=account.bucket, Key=uri.removeprefix(prefix))
            mine.append((by_content.get(sha256(body["Body"].read())), job))
    return mine


def test_aws_batch_killed_at_random_moments_then_finished(
    batch: Batch, tmp_path: Path, account: Account
) -> None:
    inputs, out = batch
    plan = CrashPlan(
        argv=transcribe_args(inputs, out, *account.flags, "--concurrency", "2", "--json"),
        env=child_env(tmp_path / "home", **FAKE_CREDENTIALS, **FAST_POLLING),
        done=done_counter(outputs_of(inputs, out, EXTENSIONS)),
        total=len(inputs),
        seed=SEED,
        kills=KILLS,
        # Start-up (boto3) takes most of a run; each clip is an upload and a few polls.
        start_delay=1.0,
        step_delay=0.2,
        scratch=tmp_path,
    )

    log, final = crash_then_finish(plan)

    check_rounds(log)
    check_last_run(final, inputs, log)
    docs = check_outputs(inputs, out, log)
    mine = service_jobs_by_input(account, inputs)
    per_input = Counter(audio for audio, _ in mine)
    assert per_input == Counter(p.resolve() for p in inputs), f"service jobs: {per_input}\n{log}"
    assert {j["TranscriptionJobStatus"] for _, j in mine} == {"COMPLETED"}, log
    assert not account.s3.list_multipart_uploads(Bucket=account.bucket).get("Uploads"), log
    manifest = manifest_jobs(out, inputs, log)
    service_words = codec.load(SERVICE_TRANSCRIPT).text
    for audio, job in mine:
        assert audio is not None
        name = job["MedicalTranscriptionJobName"]
        assert manifest[audio] == name, f"{audio.name}: manifest and service differ\n{log}"
        assert docs[audio]["jobName"] == name, f"{audio.name}: not its job's output\n{log}"
        assert codec.load(out / f"{audio.stem}.json").text == service_words, log


# --------------------------------------------------------------------------- one state each
# The random kills above reach these states now and then; here each is made on purpose.


def run_cli(argv: list[str], env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        argv, env=env, stdin=subprocess.DEVNULL, capture_output=True, text=True, timeout=120
    )


@pytest.mark.model
def test_local_rerun_after_a_kill_between_reserving_and_recording_a_job(
    clips: list[Path], tmp_path: Path
) -> None:
    from medscribe.backends.local import LocalBackend
    from medscribe.backends.local.store import Store
    from medscribe.config import Settings

    audio = tmp_path / "recordings" / clips[0].name
    audio.parent.mkdir()
    audio.write_bytes(clips[0].read_bytes())
    out = tmp_path / "out"
    out.mkdir(mode=0o700)
    env = child_env(tmp_path / "home", **FAST_POLLING)
    data = Path(env["MEDSCRIBE_DATA_DIR"])
    argv = medscribe_argv(
        "transcribe", str(audio), "--output-dir", str(out), "--backend", "local", "--json"
    )
    first = run_cli(argv, env)
    assert first.returncode == 0, first.stderr
    name = json.loads(first.stdout)["files"][0]["job_name"]
    # What SIGKILL right after the job's name was reserved leaves: its folder, empty, and
    # neither a manifest nor an output yet.
    for path in [*Store(data).job_dir(name).iterdir(), *out.iterdir()]:
        path.unlink()

    again = run_cli(argv, env)

    assert again.returncode == 0, again.stderr
    jobs = LocalBackend(Settings(data_dir=str(data))).list_jobs()
    assert [(media_path(j), j.status.value) for j in jobs] == [(audio.resolve(), "COMPLETED")]
    assert (out / f"{audio.stem}.json").is_file()


def test_rerun_leaves_no_temp_file_of_a_killed_run_in_the_output_folder(
    batch: Batch, tmp_path: Path, account: Account
) -> None:
    inputs, out = batch
    formats = ",".join(FORMATS)
    argv = medscribe_argv(
        "transcribe", str(inputs[0]), "--output-dir", str(out), "--format", formats, "--json"
    )
    argv += account.flags
    env = child_env(tmp_path / "home", **FAKE_CREDENTIALS, **FAST_POLLING)
    first = run_cli(argv, env)
    assert first.returncode == 0, first.stderr
    # What SIGKILL in the middle of an atomic write leaves: the temp file (named after
    # its target and its writer's pid, files.write_private) with part of the new content.
    dead = subprocess.Popen(["true"])  # a process that is gone now
    dead.wait()
    for target in (out / MANIFEST_NAME, out / f"{inputs[0].stem}.json"):
        text = target.read_text(encoding="utf-8")
        (out / f".{target.name}.{dead.pid}.k1ll3d0a.tmp").write_text(text[: len(text) // 2])

    again = run_cli(argv, env)

    assert again.returncode == 0, again.stderr
    expected = outputs_of(inputs[:1], out, EXTENSIONS)
    assert leftovers(out, expected, keep=[MANIFEST_NAME]) == []
