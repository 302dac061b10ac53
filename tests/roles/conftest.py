"""Fixtures of the role tests: the CLI run in-process (as tests/cli runs it)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import pytest

from medscribe.cli import main


@dataclass
class CliResult:
    code: int
    out: str
    err: str


@pytest.fixture
def cli(capsys: pytest.CaptureFixture[str]) -> Callable[..., CliResult]:
    """``medscribe ARGS`` through main(), which maps errors to exit codes."""

    def run(*args: str) -> CliResult:
        capsys.readouterr()
        try:
            returned = main(list(args))
            code = returned if isinstance(returned, int) else 0
        except SystemExit as exc:
            code = exc.code if isinstance(exc.code, int) else (0 if exc.code is None else 1)
        captured = capsys.readouterr()
        return CliResult(code, captured.out, captured.err)

    return run
