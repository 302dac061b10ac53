"""medscribe's own settings: config file, then environment, then flags (flags win).

The config file is TOML in the user's config directory
(``~/.config/medscribe/config.toml`` on Linux; ``MEDSCRIBE_CONFIG`` overrides the
path). It holds named profiles; ``[default]`` applies unless ``--config-profile``
or ``MEDSCRIBE_PROFILE`` picks another::

    [default]
    backend = "local"

    [hospital-aws]
    backend = "aws"
    region = "us-east-1"
    bucket = "clinic-audio"

Environment variables are ``MEDSCRIBE_<FIELD>`` (``MEDSCRIBE_BACKEND``,
``MEDSCRIBE_BUCKET``...). AWS credentials, region and endpoint are *not* ours:
boto3 reads them (AWS_PROFILE, AWS_REGION, AWS_ENDPOINT_URL, ~/.aws) and our
``region``/``aws_profile``/``endpoint_url`` only override when set.
"""

from __future__ import annotations

import os
import tomllib
from pathlib import Path
from typing import Any, Literal

import platformdirs
from pydantic import BaseModel, ConfigDict, Field
from pydantic import ValidationError as PydanticValidationError

from medscribe.errors import ConfigError

APP_NAME = "medscribe"
BackendName = Literal["local", "aws"]


class Settings(BaseModel):
    """Every setting medscribe reads; each can come from the file, the environment or a flag."""

    model_config = ConfigDict(extra="forbid", validate_assignment=True)

    backend: BackendName = "local"
    # --- aws backend
    region: str | None = None
    aws_profile: str | None = None
    endpoint_url: str | None = None
    bucket: str | None = None
    output_bucket: str | None = None
    input_prefix: str = "medscribe/input/"
    output_prefix: str = "medscribe/output/"
    kms_key_id: str | None = None
    poll_interval: float = Field(default=5.0, gt=0)
    poll_max_interval: float = Field(default=60.0, gt=0)
    # --- both
    specialty: str = "PRIMARYCARE"
    type: str = "CONVERSATION"
    concurrency: int = Field(default=4, ge=1, le=100)
    format: str = "rich"
    # --- local backend
    model: str | None = None
    threads: int = Field(default=0, ge=0)
    data_dir: str | None = None


ENV_PREFIX = "MEDSCRIBE_"


def config_path() -> Path:
    override = os.environ.get("MEDSCRIBE_CONFIG")
    if override:
        return Path(override).expanduser()
    return Path(platformdirs.user_config_dir(APP_NAME)) / "config.toml"


def data_dir(settings: Settings | None = None) -> Path:
    """Where local jobs, vocabularies and caches live (``MEDSCRIBE_DATA_DIR`` overrides)."""
    if settings is not None and settings.data_dir:
        return Path(settings.data_dir).expanduser()
    override = os.environ.get("MEDSCRIBE_DATA_DIR")
    if override:
        return Path(override).expanduser()
    return Path(platformdirs.user_data_dir(APP_NAME))


def read_config_file(path: Path | None = None) -> dict[str, dict[str, Any]]:
    path = path or config_path()
    if not path.exists():
        return {}
    try:
        with path.open("rb") as fh:
            data = tomllib.load(fh)
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(f"{path}: not valid TOML: {exc}") from None
    except OSError as exc:
        raise ConfigError(f"{path}: cannot read: {exc.strerror}") from None
    return {k: v for k, v in data.items() if isinstance(v, dict)}


def env_values(environ: dict[str, str] | None = None) -> dict[str, str]:
    environ = dict(os.environ if environ is None else environ)
    out = {}
    for name in Settings.model_fields:
        value = environ.get(ENV_PREFIX + name.upper())
        if value not in (None, ""):
            out[name] = value
    return out


def load_settings(
    flags: dict[str, Any] | None = None,
    *,
    profile: str | None = None,
    path: Path | None = None,
    environ: dict[str, str] | None = None,
) -> Settings:
    """Merge file profile < environment < flags (``None`` flags are ignored)."""
    profiles = read_config_file(path)
    profile = profile or (environ or os.environ).get("MEDSCRIBE_PROFILE") or "default"
    if profile != "default" and profile not in profiles:
        raise ConfigError(f"no profile [{profile}] in {path or config_path()}")
    merged: dict[str, Any] = {}
    merged.update(profiles.get(profile, {}))
    merged.update(env_values(environ))
    merged.update({k: v for k, v in (flags or {}).items() if v is not None})
    try:
        return Settings(**merged)
    except PydanticValidationError as exc:
        err = exc.errors()[0]
        field = ".".join(str(p) for p in err["loc"])
        raise ConfigError(f"setting {field}: {err['msg']}") from None
