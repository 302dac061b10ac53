"""Fixtures of the CLI and batch tests: real WAV files, the in-memory job service, a CLI runner."""

from __future__ import annotations

import wave
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pytest

from medscribe.cli import main

from .fakes import FakeBackend, FakeJobService


def write_wav(path: Path, seconds: float = 1.0, rate: int = 16000, channels: int = 1) -> Path:
    """A real PCM WAV file (a quiet tone) that FFmpeg decodes like any recording."""
    t = np.arange(int(seconds * rate)) / rate
    tone = (0.2 * np.sin(2 * np.pi * 440 * t) * 32767).astype("<i2")
    frames = np.repeat(tone[:, None], channels, axis=1)
    path.parent.mkdir(parents=True, exist_ok=True)
    with wave.open(str(path), "wb") as out:
        out.setnchannels(channels)
        out.setsampwidth(2)
        out.setframerate(rate)
        out.writeframes(frames.tobytes())
    return path


@pytest.fixture
def wav(tmp_path: Path) -> Callable[..., Path]:
    def make(name: str, seconds: float = 1.0, **kwargs: int) -> Path:
        return write_wav(tmp_path / "in" / name, seconds, **kwargs)

    return make


@pytest.fixture(autouse=True)
def _fast_polling(monkeypatch: pytest.MonkeyPatch) -> None:
    """Settings come from the environment like a user's; tests poll every few milliseconds."""
    monkeypatch.setenv("MEDSCRIBE_POLL_INTERVAL", "0.01")
    monkeypatch.setenv("MEDSCRIBE_POLL_MAX_INTERVAL", "0.02")


@pytest.fixture
def service() -> FakeJobService:
    return FakeJobService()


@pytest.fixture
def fake(monkeypatch: pytest.MonkeyPatch, service: FakeJobService) -> Callable[..., list]:
    """Make the CLI build FakeBackends over ``service``; returns the list of backends made."""
    made: list[FakeBackend] = []
    options: dict = {}

    def factory(settings):
        backend = FakeBackend(service, name=settings.backend, **options)
        made.append(backend)
        return backend

    def configure(**kwargs) -> list[FakeBackend]:
        options.clear()
        options.update(kwargs)
        return made

    import medscribe.cli.transcribe as transcribe_mod

    monkeypatch.setattr(transcribe_mod, "make_backend", factory)
    try:
        import medscribe.cli.jobs as jobs_mod

        monkeypatch.setattr(jobs_mod, "make_backend", factory)
    except ImportError:
        pass
    return configure


@dataclass
class CliResult:
    code: int
    out: str
    err: str


@pytest.fixture
def cli(capsys: pytest.CaptureFixture[str]) -> Callable[..., CliResult]:
    """Run ``medscribe ARGS`` in-process through main(), which maps errors to exit codes."""

    def run(*args: str) -> CliResult:
        capsys.readouterr()
        try:
            # With standalone_mode off, Click returns a command's exit code; the
            # console script passes it to sys.exit.
            returned = main(list(args))
            code = returned if isinstance(returned, int) else 0
        except SystemExit as exc:
            code = exc.code if isinstance(exc.code, int) else (0 if exc.code is None else 1)
        captured = capsys.readouterr()
        return CliResult(code, captured.out, captured.err)

    return run
