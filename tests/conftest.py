"""Fixtures shared by the whole suite. Area-specific fixtures live in tests/<area>/conftest.py."""

from __future__ import annotations

from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
SHARED = ROOT.parent / "shared"


@pytest.fixture(autouse=True)
def _isolated_user_dirs(tmp_path_factory: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch):
    """No test reads or writes the real user's config, data or AWS files."""
    home = tmp_path_factory.mktemp("home")
    # An empty config file: a MEDSCRIBE_CONFIG naming a missing file is refused.
    (home / "config.toml").touch()
    monkeypatch.setenv("MEDSCRIBE_CONFIG", str(home / "config.toml"))
    monkeypatch.setenv("MEDSCRIBE_DATA_DIR", str(home / "data"))
    monkeypatch.setenv("AWS_CONFIG_FILE", str(home / "aws-config"))
    monkeypatch.setenv("AWS_SHARED_CREDENTIALS_FILE", str(home / "aws-credentials"))
    for var in ("MEDSCRIBE_BACKEND", "MEDSCRIBE_PROFILE", "AWS_PROFILE", "AWS_DEFAULT_PROFILE"):
        monkeypatch.delenv(var, raising=False)
    yield


@pytest.fixture(scope="session")
def shared_dir() -> Path:
    """../shared beside the checkout; tests that need it skip cleanly in a user's clone."""
    if not SHARED.is_dir():
        pytest.skip("../shared is not present")
    return SHARED


@pytest.fixture(scope="session")
def reference_dir(shared_dir: Path) -> Path:
    return shared_dir / "reference" / "transcribe-medical"


@pytest.fixture(scope="session")
def whisper_model():
    """The embedded Whisper model, loaded once for the whole test session."""
    from medscribe.engine.recognition import load_model

    return load_model()
