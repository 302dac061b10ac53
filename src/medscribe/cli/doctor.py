"""``medscribe doctor``: check that the chosen backend can work, and say what is missing.

The backend runs its own checks (:meth:`medscribe.backends.Backend.checks`:
credentials, region, bucket and permissions in :mod:`medscribe.backends.aws.doctor`;
model, word lists, decoding and data directory in
:mod:`medscribe.backends.local.doctor`). This command prints them, names the flag
behind each missing setting, and exits 0 when every check passes, 1 otherwise.
"""

from __future__ import annotations

import json
import sys

import click
from rich.markup import escape
from rich.table import Table

from medscribe.backends.checks import FAIL, OK, SKIP, Check
from medscribe.cli import SETTING_FLAGS
from medscribe.cli.common import backend_options, make_backend, stdout_console
from medscribe.config import Settings
from medscribe.errors import EXIT_FAILED, EXIT_OK, missing_phrase

_STYLE = {OK: "[green]ok[/]", FAIL: "[red]FAIL[/]", SKIP: "[yellow]skip[/]"}


def print_checks(checks: list[Check], backend: str) -> None:
    table = Table(title=f"medscribe doctor ({backend})", box=None)
    table.add_column("check", no_wrap=True)
    table.add_column("result", no_wrap=True)
    table.add_column("detail", overflow="fold")
    for c in checks:
        table.add_row(c.name, _STYLE.get(c.status, c.status), escape(c.detail))
    stdout_console().print(table)


@click.command()
@backend_options
@click.option("--bucket", default=None, help="S3 bucket to check (aws).")
@click.option("--output-bucket", default=None, help="Output S3 bucket to check (aws).")
@click.option("--deep", is_flag=True, help="Also load the model (local; slower).")
@click.option("--json", "as_json", is_flag=True, help="Print the checks as JSON.")
def doctor(
    settings: Settings, bucket: str | None, output_bucket: str | None, deep: bool, as_json: bool
) -> None:
    """Check credentials, region, bucket and permissions (aws) or model and decoding (local)."""
    updates = {k: v for k, v in {"bucket": bucket, "output_bucket": output_bucket}.items() if v}
    settings = settings.model_copy(update=updates)
    checks = make_backend(settings).checks(deep=deep)
    for check in checks:
        if check.missing is not None:
            check.detail = missing_phrase(check.missing, SETTING_FLAGS)
    if as_json:
        doc = [{"check": c.name, "status": c.status, "detail": c.detail} for c in checks]
        click.echo(json.dumps(doc, indent=2))
    else:
        print_checks(checks, settings.backend)
    failed = [c.name for c in checks if not c.ok]
    if failed:
        click.echo(f"medscribe: doctor: failed: {', '.join(failed)}", err=True)
    sys.exit(EXIT_FAILED if failed else EXIT_OK)


__all__ = ["doctor"]
