"""``medscribe config show|set|unset|path``: medscribe's own settings file.

The functions above the Click commands are the library part: where each
effective value comes from (file / env / flag / default, the precedence of
:func:`medscribe.config.load_settings`; the data directory in use even when no
setting chose it) and typed, atomic edits of one profile of the TOML file
(0600 when new). The file is written with tomli_w (the standard library reads
TOML but cannot write it); comments in the file are not preserved.
"""

from __future__ import annotations

import json
import os
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import click
import tomli_w
from pydantic import TypeAdapter
from pydantic import ValidationError as PydanticValidationError
from rich.markup import escape
from rich.table import Table

from medscribe.cli.common import stdout_console
from medscribe.config import (
    Settings,
    config_path,
    data_dir,
    load_settings,
    read_config_file,
)
from medscribe.errors import ConfigError
from medscribe.files import private_dir, write_private

DEFAULT_PROFILE = "default"


@dataclass(frozen=True, slots=True)
class SettingSource:
    """One setting's effective value and where it came from."""

    key: str
    value: Any
    source: str  # "flag" | "env" | "file" | "default"
    origin: str  # e.g. "MEDSCRIBE_BUCKET", "/path/config.toml [aws]", "--region"


def active_profile(profile: str | None) -> str:
    return profile or os.environ.get("MEDSCRIBE_PROFILE") or DEFAULT_PROFILE


def effective_settings(
    flags: dict[str, Any] | None = None, *, profile: str | None = None, path: Path | None = None
) -> list[SettingSource]:
    """Every setting with its value and source, resolved exactly as load_settings does.

    ``data_dir`` shows the directory in use even when no setting chose it.
    """
    settings = load_settings(flags, profile=profile, path=path)
    out = []
    for key in Settings.model_fields:
        value = getattr(settings, key)
        source, origin = settings.source(key)
        if source == "flag":
            origin = "--" + key.replace("_", "-")
        if key == "data_dir" and source == "default":
            value = str(data_dir(settings))
        out.append(SettingSource(key, value, source, origin))
    return out


def coerce_value(key: str, raw: str) -> Any:
    """``raw`` (as typed on the command line) as the type the setting holds, validated."""
    if key not in Settings.model_fields:
        names = ", ".join(Settings.model_fields)
        raise ConfigError(f"unknown setting {key!r}; settings are: {names}")
    annotation = Settings.model_fields[key].annotation
    assert annotation is not None  # every setting is annotated
    try:
        value = TypeAdapter(annotation).validate_strings(raw)
        Settings(**{key: value})  # the field's constraints (ranges, choices)
    except PydanticValidationError as exc:
        err = exc.errors()[0]
        raise ConfigError(f"setting {key}: {err['msg']}") from None
    return value


def set_value(key: str, raw: str, *, profile: str | None = None, path: Path | None = None) -> Any:
    """Set ``key`` in ``[profile]`` of the config file; returns the typed value written."""
    path = path or config_path()
    value = coerce_value(key, raw)
    data = read_config_file(path)
    data.setdefault(active_profile(profile), {})[key] = value
    write_config(path, data)
    return value


def unset_value(key: str, *, profile: str | None = None, path: Path | None = None) -> bool:
    """Remove ``key`` from ``[profile]``; False when it was not set there."""
    path = path or config_path()
    if key not in Settings.model_fields:
        raise ConfigError(f"unknown setting {key!r}")
    data = read_config_file(path)
    section = data.get(active_profile(profile), {})
    if key not in section:
        return False
    del section[key]
    if not section and active_profile(profile) != DEFAULT_PROFILE:
        del data[active_profile(profile)]
    write_config(path, data)
    return True


def write_config(path: Path, data: dict[str, dict[str, Any]]) -> None:
    """Write the TOML atomically (0600 when new; a replaced file keeps its mode)."""
    if not path.parent.is_dir():
        private_dir(path.parent, parents=True)
    write_private(path, tomli_w.dumps({k: v for k, v in data.items() if v is not None}))


# ---------------------------------------------------------------------- commands

profile_option = click.option(
    "--config-profile", default=None, help="Profile ([section]) of the config file."
)


@click.group()
def config() -> None:
    """Show and edit medscribe's settings (file < environment < flags)."""


@config.command()
@profile_option
@click.option("--backend", type=click.Choice(["local", "aws"]), default=None)
@click.option("--region", default=None)
@click.option("--profile", "aws_profile", default=None, help="AWS named profile.")
@click.option("--endpoint-url", default=None)
@click.option("--json", "as_json", is_flag=True, help="Print JSON.")
def show(config_profile: str | None, as_json: bool, **flags: Any) -> None:
    """Show every effective setting and where it came from."""
    rows = effective_settings(flags, profile=config_profile)
    if as_json:
        doc = {r.key: {"value": r.value, "source": r.source, "origin": r.origin} for r in rows}
        click.echo(json.dumps(doc, indent=2))
        return
    table = Table("setting", "value", "source", box=None)
    for r in rows:
        shown = "" if r.value is None else str(r.value)
        where = r.source + (f" ({r.origin})" if r.origin else "")
        table.add_row(r.key, escape(shown), escape(where))
    path = config_path()
    absent = "" if path.exists() else " (absent)"
    click.echo(f"config file: {path}{absent}  profile: [{active_profile(config_profile)}]")
    data = next(r for r in rows if r.key == "data_dir")
    click.echo(f"data directory: {data.value}  ({data.origin or data.source})")
    stdout_console().print(table)


@config.command("set")
@click.argument("key")
@click.argument("value")
@profile_option
def set_(key: str, value: str, config_profile: str | None) -> None:
    """Set KEY to VALUE in the config file."""
    written = set_value(key, value, profile=config_profile)
    click.echo(f"{key} = {written!r} in [{active_profile(config_profile)}] of {config_path()}")


@config.command()
@click.argument("key")
@profile_option
def unset(key: str, config_profile: str | None) -> None:
    """Remove KEY from the config file (its default or environment value applies again)."""
    removed = unset_value(key, profile=config_profile)
    state = "removed" if removed else "was not set"
    click.echo(f"{key} {state} in [{active_profile(config_profile)}] of {config_path()}")


@config.command()
def path() -> None:
    """Print the config file's path."""
    click.echo(str(config_path()))
