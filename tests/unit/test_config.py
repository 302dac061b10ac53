"""Settings precedence: config file < environment < flags."""

from __future__ import annotations

from pathlib import Path

import pytest

from medscribe.config import config_path, data_dir, load_settings
from medscribe.errors import ConfigError


def _write(path: Path, text: str) -> Path:
    path.write_text(text, encoding="utf-8")
    return path


def test_default_backend_is_local(tmp_path: Path) -> None:
    assert load_settings(path=tmp_path / "absent.toml", environ={}).backend == "local"


def test_precedence(tmp_path: Path) -> None:
    cfg = _write(
        tmp_path / "c.toml",
        '[default]\nbackend = "aws"\nbucket = "file-bucket"\nregion = "eu-west-1"\n',
    )
    env = {"MEDSCRIBE_BUCKET": "env-bucket"}
    s = load_settings({"region": "us-east-1", "bucket": None}, path=cfg, environ=env)
    assert (s.backend, s.bucket, s.region) == ("aws", "env-bucket", "us-east-1")


def test_named_profile(tmp_path: Path) -> None:
    cfg = _write(tmp_path / "c.toml", '[default]\nbackend = "local"\n[night]\nbackend = "aws"\n')
    assert load_settings(path=cfg, profile="night", environ={}).backend == "aws"
    with pytest.raises(ConfigError, match=r"no profile \[day\]"):
        load_settings(path=cfg, profile="day", environ={})


def test_bad_values_are_one_line(tmp_path: Path) -> None:
    cfg = _write(tmp_path / "c.toml", "[default]\nbackend = 'gcp'\n")
    with pytest.raises(ConfigError, match=r"c\.toml \[default\] backend = 'gcp': unknown backend"):
        load_settings(path=cfg, environ={})
    broken = _write(tmp_path / "broken.toml", "[default\n")
    with pytest.raises(ConfigError, match="not valid TOML"):
        load_settings(path=broken, environ={})


def test_paths_follow_environment(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("MEDSCRIBE_CONFIG", str(tmp_path / "x.toml"))
    monkeypatch.setenv("MEDSCRIBE_DATA_DIR", str(tmp_path / "data"))
    assert config_path() == tmp_path / "x.toml"
    assert data_dir() == tmp_path / "data"
