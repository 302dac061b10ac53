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

Every refusal names where the bad value came from (``MEDSCRIBE_BACKEND=gcp: ...``,
``.../config.toml [default] backend = 'gcp': ...``); a ``MEDSCRIBE_CONFIG`` that
names a missing file is refused, while the default file may be absent. A backend
that lacks several settings reports them all in one line
(:class:`~medscribe.errors.NotReadyError`, re-exported here with :class:`Missing`),
with remedies that name no command-line flag (the CLI adds those).
"""

from __future__ import annotations

import logging
import os
import tomllib
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any, Literal

import platformdirs
from pydantic import BaseModel, ConfigDict, Field, PrivateAttr
from pydantic import ValidationError as PydanticValidationError
from pydantic_core import ErrorDetails

from medscribe.errors import ConfigError
from medscribe.errors import Missing as Missing
from medscribe.errors import NotReadyError as NotReadyError
from medscribe.errors import describe_missing as describe_missing
from medscribe.errors import missing_phrase as missing_phrase

log = logging.getLogger(__name__)

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
    #: Where the recogniser runs: auto (CUDA when CTranslate2 sees a GPU), cpu or cuda.
    device: Literal["auto", "cpu", "cuda"] = "auto"
    #: CTranslate2 compute type (None: int8 on the CPU, float16 on a GPU).
    compute_type: str | None = None
    data_dir: str | None = None
    #: Days finished local jobs (and their transcripts) are kept; 0 keeps them until purged.
    job_retention_days: int = Field(default=90, ge=0)
    #: setting -> (source, origin), filled by load_settings: ("env", "MEDSCRIBE_BUCKET"),
    #: ("file", "/path/config.toml [default]"), ("flag", ""); absent means the default.
    _sources: dict[str, tuple[str, str]] = PrivateAttr(default_factory=dict)

    def source(self, key: str) -> tuple[str, str]:
        """Where ``key``'s value came from: ``(source, origin)``, ``("default", "")`` if unset."""
        return self._sources.get(key, ("default", ""))


ENV_PREFIX = "MEDSCRIBE_"
#: The environment variable that names another config file.
CONFIG_ENV = "MEDSCRIBE_CONFIG"
PROFILE_ENV = "MEDSCRIBE_PROFILE"
DATA_DIR_ENV = "MEDSCRIBE_DATA_DIR"


def config_path() -> Path:
    override = os.environ.get(CONFIG_ENV)
    if override:
        return Path(override).expanduser()
    return Path(platformdirs.user_config_dir(APP_NAME)) / "config.toml"


def data_dir(settings: Settings | None = None) -> Path:
    """Where local jobs, vocabularies and caches live (``MEDSCRIBE_DATA_DIR`` overrides)."""
    return data_dir_and_origin(settings)[0]


def data_dir_and_origin(settings: Settings | None = None) -> tuple[Path, str]:
    """The data directory and what chose it (``MEDSCRIBE_DATA_DIR``, the file, ``default``)."""
    if settings is not None and settings.data_dir:
        source, origin = settings.source("data_dir")
        return Path(settings.data_dir).expanduser(), origin or source
    override = os.environ.get(DATA_DIR_ENV)
    if override:
        return Path(override).expanduser(), DATA_DIR_ENV
    return Path(platformdirs.user_data_dir(APP_NAME)), "default"


def read_config_file(path: Path | None = None) -> dict[str, dict[str, Any]]:
    """The profiles of the config file; ``{}`` when it does not exist.

    With no ``path``, the file is :func:`config_path`'s: the default one may be
    absent, but a file that ``MEDSCRIBE_CONFIG`` names must exist (a typo there
    would otherwise silently drop every setting).
    """
    named = path is None and bool(os.environ.get(CONFIG_ENV))
    path = path or config_path()
    where = f"{CONFIG_ENV}={path}" if named else str(path)
    if not path.exists():
        if named:
            raise ConfigError(f"{where}: no such file", path=path)
        return {}
    try:
        # utf-8-sig: an editor's byte order mark is not a TOML error.
        data = tomllib.loads(path.read_bytes().decode("utf-8-sig"))
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(f"{where}: not valid TOML: {exc}", path=path) from None
    except UnicodeDecodeError as exc:
        message = f"{where}: not UTF-8 text (byte at offset {exc.start})"
        raise ConfigError(message, path=path) from None
    except OSError as exc:
        message = f"{where}: cannot read: {exc.strerror or type(exc).__name__}"
        raise ConfigError(message, path=path) from None
    return {k: v for k, v in data.items() if isinstance(v, dict)}


def env_values(environ: Mapping[str, str] | None = None) -> dict[str, str]:
    environ = os.environ if environ is None else environ
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
    environ: Mapping[str, str] | None = None,
) -> Settings:
    """Merge file profile < environment < flags (``None`` flags are ignored).

    A bad value names where it came from: ``MEDSCRIBE_BACKEND=gcp: ...``,
    ``/path/config.toml [default] backend = 'gcp': ...`` or ``setting backend: ...``
    for a value the caller passed (the CLI's flags).
    """
    environ = os.environ if environ is None else environ
    profiles = read_config_file(path)
    shown_path = path or config_path()
    chosen = profile or environ.get(PROFILE_ENV) or "default"
    if chosen != "default" and chosen not in profiles:
        where = f"{PROFILE_ENV}={chosen}: " if not profile and environ.get(PROFILE_ENV) else ""
        raise ConfigError(f"{where}no profile [{chosen}] in {shown_path}", path=shown_path)
    layers: list[tuple[dict[str, Any], str, Callable[[str], str]]] = [
        (profiles.get(chosen, {}), "file", lambda key: f"{shown_path} [{chosen}]"),
        (env_values(environ), "env", lambda key: ENV_PREFIX + key.upper()),
        ({k: v for k, v in (flags or {}).items() if v is not None}, "flag", lambda key: ""),
    ]
    merged: dict[str, Any] = {}
    sources: dict[str, tuple[str, str]] = {}
    for values, source, origin in layers:
        merged.update(values)
        sources.update({key: (source, origin(key)) for key in values})
    try:
        settings = Settings(**merged)
    except PydanticValidationError as exc:
        errors = exc.errors()
        problems = [_bad_value(err, merged, sources) for err in errors]
        keys = {_key(err) for err in errors}
        setting = keys.pop() if len(keys) == 1 else None
        raise ConfigError("; ".join(problems), setting=setting) from None
    settings._sources = sources
    log.debug("settings: [%s] of %s, backend %s", chosen, shown_path, settings.backend)
    return settings


def _key(err: ErrorDetails) -> str:
    return ".".join(str(p) for p in err["loc"])


def _bad_value(
    err: ErrorDetails, merged: dict[str, Any], sources: dict[str, tuple[str, str]]
) -> str:
    """One invalid setting as a phrase that names its source and says what is wrong."""
    key = _key(err)
    source, origin = sources.get(key, ("flag", ""))
    value = merged.get(key)
    if source == "env":
        return f"{origin}={value}: {_problem(key, err)}"
    if source == "file":
        return f"{origin} {key} = {value!r}: {_problem(key, err)}"
    return f"setting {key}: {_problem(key, err)}"


def _problem(key: str, err: ErrorDetails) -> str:
    if err["type"] == "literal_error":
        return f"unknown {key}; choose {err.get('ctx', {})['expected']}"
    if err["type"] == "extra_forbidden":
        return f"unknown setting; settings are: {', '.join(Settings.model_fields)}"
    message = str(err["msg"])
    return message[:1].lower() + message[1:]
