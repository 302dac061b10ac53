"""``medscribe vocab create|update|list|show|delete|check``: custom medical vocabularies.

A thin layer over the Backend protocol (AWS: Transcribe Medical vocabularies;
local: the offline engine's store) and :func:`medscribe.vocabulary.parse_vocabulary`.
A bad vocabulary file gets every bad line on stderr with its number, then exit 2.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import click
from rich.table import Table

from medscribe.backends import Vocabulary
from medscribe.cli.common import backend_options, make_backend, stdout_console
from medscribe.config import Settings
from medscribe.errors import VocabularyFormatError
from medscribe.vocabulary import parse_vocabulary

FILE = click.Path(path_type=Path, dir_okay=False)


@click.group()
def vocab() -> None:
    """Custom medical vocabularies (a four-column table: Phrase, IPA, SoundsLike, DisplayAs)."""


def report_problems(path: Path, exc: VocabularyFormatError) -> None:
    """Each bad line as 'FILE:LINE: message' on stderr (line 0 means the whole file)."""
    for line, message in exc.problems:
        where = f"{path}:{line}" if line else str(path)
        click.echo(f"{where}: {message}", err=True)


def _checked(path: Path) -> None:
    try:
        parse_vocabulary(path)
    except VocabularyFormatError as exc:
        report_problems(path, exc)
        raise


def vocabulary_dict(v: Vocabulary) -> dict[str, Any]:
    """A vocabulary in the service's field names, for ``--json``."""
    out: dict[str, Any] = {
        "VocabularyName": v.name,
        "LanguageCode": v.language_code,
        "VocabularyState": v.state,
    }
    if v.last_modified is not None:
        out["LastModifiedTime"] = v.last_modified.isoformat()
    if v.failure_reason:
        out["FailureReason"] = v.failure_reason
    if v.download_uri:
        out["DownloadUri"] = v.download_uri
    return out


def _print(v: Vocabulary, as_json: bool, verb: str | None = None) -> None:
    if as_json:
        click.echo(json.dumps(vocabulary_dict(v), indent=2))
    elif verb:
        click.echo(f"{verb} vocabulary {v.name} ({v.state})")
    else:
        for key, value in vocabulary_dict(v).items():
            click.echo(f"{key}: {value}")


json_option = click.option("--json", "as_json", is_flag=True, help="Print JSON.")


@vocab.command()
@click.argument("name")
@click.argument("file", type=FILE)
@backend_options
@click.option("--bucket", default=None, help="S3 bucket for the vocabulary file (aws).")
@json_option
def create(name: str, file: Path, settings: Settings, bucket: str | None, as_json: bool) -> None:
    """Create vocabulary NAME from FILE (checked locally first)."""
    _checked(file)
    backend = make_backend(_with_bucket(settings, bucket))
    _print(backend.create_vocabulary(name, file), as_json, "created")


@vocab.command()
@click.argument("name")
@click.argument("file", type=FILE)
@backend_options
@click.option("--bucket", default=None, help="S3 bucket for the vocabulary file (aws).")
@json_option
def update(name: str, file: Path, settings: Settings, bucket: str | None, as_json: bool) -> None:
    """Replace vocabulary NAME with the table in FILE."""
    _checked(file)
    backend = make_backend(_with_bucket(settings, bucket))
    _print(backend.update_vocabulary(name, file), as_json, "updated")


@vocab.command("list")
@backend_options
@json_option
def list_(settings: Settings, as_json: bool) -> None:
    """List vocabularies."""
    vocabularies = make_backend(settings).list_vocabularies()
    if as_json:
        click.echo(json.dumps([vocabulary_dict(v) for v in vocabularies], indent=2))
        return
    table = Table("name", "state", "language", "last modified", box=None)
    for v in vocabularies:
        modified = v.last_modified.strftime("%Y-%m-%d %H:%M") if v.last_modified else ""
        table.add_row(v.name, v.state, v.language_code, modified)
    stdout_console().print(table)


@vocab.command()
@click.argument("name")
@backend_options
@json_option
def show(name: str, settings: Settings, as_json: bool) -> None:
    """Show vocabulary NAME and its state."""
    _print(make_backend(settings).get_vocabulary(name), as_json)


@vocab.command()
@click.argument("name")
@backend_options
def delete(name: str, settings: Settings) -> None:
    """Delete vocabulary NAME."""
    make_backend(settings).delete_vocabulary(name)
    click.echo(f"deleted vocabulary {name}")


@vocab.command()
@click.argument("file", type=FILE)
def check(file: Path) -> None:
    """Check FILE against the vocabulary table format without uploading it."""
    _checked(file)
    click.echo(f"{file}: {len(parse_vocabulary(file))} entries, valid")


def _with_bucket(settings: Settings, bucket: str | None) -> Settings:
    return settings.model_copy(update={"bucket": bucket}) if bucket else settings
