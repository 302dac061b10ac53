"""Helpers of the crash test (test_crash.py): short speech clips, the CLI as a child process
killed with SIGKILL at seeded random moments and then run to the end, and moto's server
standing in for Transcribe Medical and S3.

moto leaves two things of the service out that a crash test needs: a job that stays
unfinished for a few polls (so that a kill can land while the CLI polls), and the
transcript the service writes when a job completes. :class:`FakeTranscribeService`
adds both inside this process (ThreadedMotoServer runs here, so its models are ours to
patch): jobs advance one status every ``polls_per_step`` describes, and on COMPLETED
the transcript is put where the start request said (``OutputBucketName``/``OutputKey``)
and where moto's ``TranscriptFileUri`` points, with ``jobName`` set to the job's name.
"""

from __future__ import annotations

import hashlib
import json
import os
import random
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[2]
REGION = "us-east-1"
#: Short distinct sentences, one per clip (1.3 to 2 s with Piper's joe voice), and a word
#: of each that the recogniser must hear, so that each output is known to be its own.
SENTENCES = (
    ("The patient slept well last night.", "slept"),
    ("She has a mild cough.", "cough"),
    ("Please take a deep breath.", "breath"),
    ("His knee hurts when he walks.", "knee"),
    ("We will see you next week.", "week"),
)
#: Variables that would point a child at a real account or endpoint.
AWS_VARS = (
    "AWS_PROFILE",
    "AWS_DEFAULT_PROFILE",
    "AWS_REGION",
    "AWS_ENDPOINT_URL",
    "AWS_ENDPOINT_URL_S3",
    "AWS_ENDPOINT_URL_TRANSCRIBE",
    "AWS_MAX_ATTEMPTS",
    "AWS_RETRY_MODE",
    "MEDSCRIBE_BUCKET",
    "MEDSCRIBE_REGION",
    "MEDSCRIBE_ENDPOINT_URL",
    "MEDSCRIBE_BACKEND",
    "MEDSCRIBE_DEBUG",
)
FAKE_CREDENTIALS = {
    "AWS_ACCESS_KEY_ID": "testing",
    "AWS_SECRET_ACCESS_KEY": "testing",
    "AWS_SESSION_TOKEN": "testing",
    "AWS_DEFAULT_REGION": REGION,
    "AWS_EC2_METADATA_DISABLED": "true",
}


# --------------------------------------------------------------------------- audio


def speech_clips(folder: Path) -> list[Path]:
    """One WAV per sentence of :data:`SENTENCES`, spoken by Piper's joe voice, in order."""
    if str(ROOT) not in sys.path:
        sys.path.insert(0, str(ROOT))  # for scripts.synth
    from scripts.synth import synthesize, write_wav

    folder.mkdir(parents=True, exist_ok=True)
    return [
        write_wav(folder / f"visit-{n}.wav", synthesize(text, "joe"))
        for n, (text, _) in enumerate(SENTENCES, 1)
    ]


def sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


# --------------------------------------------------------------------------- the child


def medscribe_argv(*args: str) -> list[str]:
    """The CLI as a script runs it (this interpreter, so the checkout's medscribe)."""
    return [sys.executable, "-m", "medscribe", *args]


def child_env(home: Path, **extra: str) -> dict[str, str]:
    """This process's environment, no AWS pointers, an empty config file and a data dir of
    its own under ``home``, plus ``extra``."""
    home.mkdir(mode=0o700, parents=True, exist_ok=True)
    config = home / "config.toml"
    config.touch(mode=0o600)
    env = {k: v for k, v in os.environ.items() if k not in AWS_VARS}
    env.update(MEDSCRIBE_CONFIG=str(config), MEDSCRIBE_DATA_DIR=str(home / "data"))
    env.update(extra)
    return env


def outputs_of(inputs: Sequence[Path], out: Path, extensions: Sequence[str]) -> list[list[Path]]:
    """The files each input gets in ``out`` (``<stem><ext>``, as ``--output-dir`` names them)."""
    return [[out / f"{p.stem}{ext}" for ext in extensions] for p in inputs]


def done_counter(expected: list[list[Path]]) -> Callable[[], int]:
    """How many inputs have every output present: the progress a script can see from outside."""

    def done() -> int:
        return sum(all(p.is_file() for p in paths) for paths in expected)

    return done


#: How a round ended, when it went as a crash test wants: the kill landed, or the work was
#: over before its moment came (the CLI exited 0, or the detached worker had finished).
KILLED = "killed"
FINISHED = "finished before the kill"


@dataclass
class Round:
    """One run to be killed ``delay`` s after ``wait_for`` inputs are done (or at the next)."""

    number: int
    wait_for: int
    delay: float
    outcome: str = ""
    #: Seconds from the start of the round (for reading a failure; nothing asserts on it).
    ran: float = 0.0
    stderr_tail: str = ""

    @property
    def ok(self) -> bool:
        return self.outcome in (KILLED, FINISHED)

    def __str__(self) -> str:
        return (
            f"round {self.number}: kill {self.delay:.3f} s after {self.wait_for} input(s) "
            f"done or at the next -> {self.outcome} at {self.ran:.2f} s"
        )


@dataclass
class CrashLog:
    """Everything needed to reproduce and read a failure: the seed and each round."""

    seed: int
    rounds: list[Round] = field(default_factory=list)

    @property
    def kills(self) -> int:
        return sum(r.outcome == KILLED for r in self.rounds)

    def __str__(self) -> str:
        lines = [f"seed {self.seed} (set MEDSCRIBE_CRASH_SEED to replay)"]
        for r in self.rounds:
            lines.append(str(r))
            if not r.ok and r.stderr_tail:
                lines.append(f"  stderr: {r.stderr_tail}")
        return "\n".join(lines)


#: Returns the pid to kill now, or None once there is nothing left to kill.
Victim = Callable[[], int | None]


@dataclass
class CrashPlan:
    """What to run, how to see progress from outside, and the shape of the kill moments.

    The moment of each kill is drawn from ``random.Random(seed)``: the kill clock starts
    once a random number of the inputs not yet done are done (none: at the start of the
    round; at most all but the last) and runs a random part of ``start_delay`` (from the
    start) or ``step_delay`` (from an input done) seconds more, or until the next input is
    done, whichever comes first. So a kill lands while work is left (unless the last
    inputs finish together, as with ``--concurrency``), and later rounds, with less
    left, may come at the very end of a run. ``victim`` (default: the CLI child itself)
    names another process to kill, such as the detached worker that ``--no-wait``
    leaves; the CLI then runs to its end first and must exit 0.
    """

    argv: list[str]
    env: dict[str, str]
    done: Callable[[], int]
    total: int
    seed: int
    kills: int
    start_delay: float
    step_delay: float
    scratch: Path
    victim: Victim | None = None
    limit: float = 120.0


def crash_then_finish(
    plan: CrashPlan, final_argv: list[str] | None = None
) -> tuple[CrashLog, subprocess.CompletedProcess[str]]:
    """Up to ``plan.kills`` rounds, each killed at a random moment, then one run of
    ``final_argv`` (default: the same command) to the end; the log and that last run.
    Rounds stop early once every input is done."""
    rng = random.Random(plan.seed)
    log = CrashLog(plan.seed)
    for number in range(1, plan.kills + 1):
        # Drawn before looking at the progress, so a seed always gives the same numbers.
        fraction, part = rng.random(), rng.random()
        already = plan.done()
        if already >= plan.total:
            break
        # Up to the last input but one: the kill then comes while some work is left.
        wait_for = already + int(fraction * max(1, plan.total - already - 1))
        delay = round(part * (plan.start_delay if wait_for == already else plan.step_delay), 3)
        step = Round(number, wait_for, delay)
        log.rounds.append(step)
        _round(plan, step, plan.scratch / f"round-{number}.err")
        if not step.ok:
            break
    final = subprocess.run(
        final_argv or plan.argv,
        env=plan.env,
        cwd=plan.scratch,
        stdin=subprocess.DEVNULL,
        capture_output=True,
        text=True,
        timeout=plan.limit,
    )
    return log, final


def _round(plan: CrashPlan, step: Round, stderr_path: Path) -> None:
    started = time.monotonic()
    with stderr_path.open("w") as stderr:
        proc = subprocess.Popen(
            plan.argv,
            env=plan.env,
            cwd=plan.scratch,
            stdin=subprocess.DEVNULL,
            stdout=subprocess.DEVNULL,
            stderr=stderr,
        )
        try:
            step.outcome = _kill_when_due(plan, step, proc, started + plan.limit)
        finally:
            if proc.poll() is None:
                proc.kill()
            proc.wait()
            step.ran = time.monotonic() - started
    step.stderr_tail = " | ".join(stderr_path.read_text(errors="replace").splitlines()[-3:])


def _kill_when_due(
    plan: CrashPlan, step: Round, proc: subprocess.Popen[bytes], deadline: float
) -> str:
    def child() -> int | None:
        return proc.pid if proc.poll() is None else None

    victim = child
    if plan.victim is not None:
        try:
            code = proc.wait(timeout=plan.limit)
        except subprocess.TimeoutExpired:
            return f"stuck: the CLI did not return within {plan.limit:.0f} s"
        if code != 0:
            return f"exited {code}"
        victim = plan.victim
    while plan.done() < step.wait_for and victim() is not None:
        if time.monotonic() > deadline:
            return f"stuck: {plan.done()} input(s) done after {plan.limit:.0f} s"
        time.sleep(0.005)
    due = time.monotonic() + step.delay
    while time.monotonic() < due and plan.done() <= step.wait_for:
        time.sleep(0.005)
    pid = victim()
    if pid is None:
        ended = proc.poll()
        return FINISHED if ended == 0 else f"exited {ended}"
    os.kill(pid, signal.SIGKILL)
    if pid == proc.pid:
        # It may have ended by itself just before the signal (a zombie takes it silently).
        ended = proc.wait()
        if ended != -signal.SIGKILL:
            return FINISHED if ended == 0 else f"exited {ended}"
    else:
        wait_gone(pid, timeout=10.0)
    return KILLED


def wait_gone(pid: int, *, timeout: float) -> bool:
    """Wait until process ``pid`` (not a child of ours) is gone or a zombie; False on timeout."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            stat = Path(f"/proc/{pid}/stat").read_text()
        except OSError:
            return True
        if stat.rsplit(")", 1)[-1].split()[:1] == ["Z"]:
            return True
        time.sleep(0.02)
    return False


def detached_worker(data_dir: Path) -> Victim:
    """The pid of the job store's live detached worker, if one runs."""
    from medscribe.backends.local.store import Store, is_alive

    store = Store(data_dir)

    def pid() -> int | None:
        worker = store.worker()
        return int(worker["pid"]) if worker and is_alive(worker) else None

    return pid


def leftovers(out: Path, expected: list[list[Path]], keep: Sequence[str]) -> list[str]:
    """Names in ``out`` that are neither an expected output nor in ``keep`` (temp files...)."""
    wanted = {p.name for paths in expected for p in paths} | set(keep)
    return sorted(p.name for p in out.iterdir() if p.name not in wanted)


# --------------------------------------------------------------------------- moto


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port: int = s.getsockname()[1]
        return port


MODEL = "transcribe::medicaltranscriptionjob"


class FakeTranscribeService:
    """moto's server with unfinished jobs and written transcripts; see the module docstring."""

    def __init__(self, transcript: dict[str, Any], *, polls_per_step: int = 2) -> None:
        self.transcript = transcript
        self.polls_per_step = polls_per_step
        self.url = ""
        self._server: Any = None
        self._restore: list[tuple[type, str, Any]] = []

    def __enter__(self) -> FakeTranscribeService:
        from moto.moto_api import state_manager
        from moto.server import ThreadedMotoServer

        self._patch()
        state_manager.set_transition(
            model_name=MODEL,
            transition={"progression": "manual", "times": self.polls_per_step},
        )
        port = free_port()
        self._server = ThreadedMotoServer(ip_address="127.0.0.1", port=port, verbose=False)
        self._server.start()
        self.url = f"http://127.0.0.1:{port}"
        return self

    def __exit__(self, *exc: object) -> None:
        from moto.moto_api import state_manager

        if self._server is not None:
            self._server.stop()
        state_manager.unset_transition(MODEL)
        for owner, name, original in reversed(self._restore):
            setattr(owner, name, original)

    def _patch(self) -> None:
        from moto.transcribe.models import FakeMedicalTranscriptionJob
        from moto.transcribe.responses import TranscribeResponse

        fake = self
        start = TranscribeResponse.start_medical_transcription_job
        advance = FakeMedicalTranscriptionJob.advance

        def start_job(response: Any) -> Any:
            result = start(response)
            name = response._get_param("MedicalTranscriptionJobName")
            job = response.transcribe_backend.medical_transcriptions[name]
            job.crash_test_output = (
                response.current_account,
                response._get_param("OutputBucketName"),
                response._get_param("OutputKey") or f"{name}.json",
            )
            return result

        def advance_job(job: Any) -> None:
            advance(job)
            if job.status == "COMPLETED" and not getattr(job, "crash_test_written", False):
                fake._write_transcript(job)
                job.crash_test_written = True

        self._restore += [
            (TranscribeResponse, "start_medical_transcription_job", start),
            (FakeMedicalTranscriptionJob, "advance", advance),
        ]
        TranscribeResponse.start_medical_transcription_job = start_job  # type: ignore[method-assign,assignment]
        FakeMedicalTranscriptionJob.advance = advance_job  # type: ignore[method-assign,assignment]

    def _write_transcript(self, job: Any) -> None:
        """What the service does on completion: its transcript JSON in the output bucket."""
        from moto.s3.models import s3_backends
        from moto.utilities.utils import get_partition

        account, bucket, key = job.crash_test_output
        name = job.medical_transcription_job_name
        body = json.dumps({**self.transcript, "jobName": name}).encode()
        s3 = s3_backends[account][get_partition(REGION)]
        keys = {key}
        uri = (job.transcript or {}).get("TranscriptFileUri", "")
        prefix = f"https://s3.{REGION}.amazonaws.com/{bucket}/"
        if uri.startswith(prefix):  # moto's own idea of where the transcript is
            keys.add(uri[len(prefix) :])
        for k in sorted(keys):
            s3.put_object(bucket, k, body)


def service_jobs(transcribe: Any) -> Iterator[dict[str, Any]]:
    """Every medical transcription job the service lists, described in full."""
    params: dict[str, Any] = {"MaxResults": 100}
    while True:
        page = transcribe.list_medical_transcription_jobs(**params)
        for summary in page.get("MedicalTranscriptionJobSummaries", []):
            name = summary["MedicalTranscriptionJobName"]
            yield transcribe.get_medical_transcription_job(MedicalTranscriptionJobName=name)[
                "MedicalTranscriptionJob"
            ]
        token = page.get("NextToken")
        if not token:
            return
        params["NextToken"] = token
