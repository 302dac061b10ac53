"""The ``medscribe`` command: a thin Click layer over the library.

Each subcommand lives in its own module of this package and is imported only
when it runs, so ``medscribe --help`` and ``medscribe render`` stay fast and do
not load boto3, FFmpeg or the model. :func:`main` is the one place that turns
exceptions into one line on stderr and the documented exit code.
"""

from __future__ import annotations

import importlib
import importlib.util
import logging
import os
import sys
from typing import Any

import click

from medscribe.errors import EXIT_FAILED, EXIT_INTERRUPTED, MedscribeError

#: command name -> "module:attribute" (modules relative to medscribe.cli)
COMMANDS: dict[str, str] = {
    "transcribe": "transcribe:transcribe",
    "render": "render:render",
    "jobs": "jobs:jobs",
    "vocab": "vocab:vocab",
    "config": "config_cmd:config",
    "doctor": "doctor:doctor",
    "format": "format_cmd:format_command",
    "eval": "eval_cmd:eval_group",
    "stream": "stream:stream",
}


class LazyGroup(click.Group):
    """A group whose subcommands are imported on first use (Click's documented pattern)."""

    def list_commands(self, ctx: click.Context) -> list[str]:
        return sorted(n for n in COMMANDS if _available(n))

    def get_command(self, ctx: click.Context, cmd_name: str) -> click.Command | None:
        target = COMMANDS.get(cmd_name)
        if target is None or not _available(cmd_name):
            return None
        module_name, attr = target.split(":")
        module = importlib.import_module(f"medscribe.cli.{module_name}")
        return getattr(module, attr)


def _available(name: str) -> bool:
    module_name = COMMANDS[name].split(":")[0]
    return importlib.util.find_spec(f"medscribe.cli.{module_name}") is not None


@click.group(cls=LazyGroup, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(package_name="medscribe")
@click.option("-v", "--verbose", count=True, help="More log output on stderr (-vv for debug).")
def cli(verbose: int) -> None:
    """Transcribe medical conversations with Amazon Transcribe Medical or fully offline.

    \b
    Exit codes: 0 success, 1 a job or file failed, 2 usage or input error,
    130 interrupted (started jobs keep running; rerun to resume).
    """
    level = logging.WARNING - 10 * verbose
    logging.basicConfig(level=max(level, logging.DEBUG), format="medscribe: %(message)s")


def main(argv: list[str] | None = None) -> Any:
    """Entry point: run the CLI and map every error to one line and an exit code."""
    try:
        return cli.main(args=argv, prog_name="medscribe", standalone_mode=False)
    except click.exceptions.Exit as exc:
        sys.exit(exc.exit_code)
    except click.ClickException as exc:
        exc.show()
        sys.exit(exc.exit_code)
    except click.exceptions.Abort:
        _fail("interrupted", EXIT_INTERRUPTED)
    except KeyboardInterrupt:
        _fail("interrupted", EXIT_INTERRUPTED)
    except MedscribeError as exc:
        _fail(str(exc), exc.exit_code)
    except BrokenPipeError:
        # `medscribe render x.json | head` closes the pipe early: not an error.
        sys.stderr.close()
        sys.exit(0)
    except Exception as exc:
        if os.environ.get("MEDSCRIBE_DEBUG"):
            raise
        _fail(f"unexpected error: {type(exc).__name__}: {exc}", EXIT_FAILED)


def _fail(message: str, code: int) -> None:
    click.echo(f"medscribe: error: {message}", err=True)
    sys.exit(code)
