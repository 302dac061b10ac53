"""The ``medscribe`` command: a thin Click layer over the library.

Each subcommand lives in its own module of this package and is imported only
when it runs, so ``medscribe --help`` and ``medscribe render`` stay fast and do
not load boto3, FFmpeg or the model. :func:`main` is the one place that turns
exceptions, Click's usage errors included, into one line on stderr and the
documented exit code; it also words library errors for the command line: library
messages name no flag, so :func:`cli_message` puts in the flag that sets the
option or setting an error concerns. ``-v``/``-vv`` raise medscribe's own loggers
to INFO/DEBUG; every other library's logger stays at WARNING.
"""

from __future__ import annotations

import importlib
import importlib.util
import logging
import os
import re
import sys
from typing import Any, NoReturn

import click

from medscribe.errors import EXIT_FAILED, EXIT_INTERRUPTED, MedscribeError, NotReadyError

#: The flag that sets each setting a backend may lack (see NotReadyError).
SETTING_FLAGS: dict[str, str] = {
    "bucket": "--bucket",
    "output_bucket": "--output-bucket",
    "region": "--region",
    "credentials": "--profile",
    "aws_profile": "--profile",
    "model": "--model",
}

#: An error's ``option`` -> (the words library messages use for it, the flag that sets it).
OPTION_FLAGS: dict[str, tuple[str, str]] = {
    "channels": ("channel identification", "--channels"),
    # The request models' words (medscribe.request):
    "max_speakers": ("speakers", "--speakers"),
    "max_alternatives": ("alternatives", "--alternatives"),
    "speaker_roles": ("speaker roles", "--speaker-roles"),
    "vocabulary": ("vocabulary", "--vocabulary"),
    "content_identification": ("content identification", "--content-identification"),
    "model": ("model", "--model"),
    # The engine's words (medscribe.engine.config):
    "device": ("device", "--device"),
    "compute_type": ("compute type", "--compute-type"),
    # The evaluation's words (medscribe.evaluation.harness):
    "case_filter": ("the specialty and type asked for", "--specialty/--type"),
    # The backends' words (medscribe.backends.aws, medscribe.streaming.source):
    "backend": ("the local backend", "--backend local"),
    "bucket": ("the bucket setting", "--bucket or the 'bucket' setting"),
    "concurrency": ("the concurrency setting", "--concurrency"),
    "credentials": ("AWS_PROFILE", "--profile or AWS_PROFILE"),
    "endpoint_url": ("the endpoint_url setting", "--endpoint-url"),
    "mic": ("the microphone", "--mic"),
}

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
    "redact": "redact_cmd:redact",
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
        command: click.Command = getattr(module, attr)
        return command


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
    130 interrupted (local jobs stop, service jobs keep running; rerun to resume).
    """
    setup_logging(verbose)


def setup_logging(verbose: int) -> None:
    """WARNING and up from every logger; INFO (-v) or DEBUG (-vv) from medscribe's own.

    Other libraries stay at WARNING whatever ``verbose`` is: their debug output
    (numba's bytecode dumps, botocore's every hook) is no help to a user and may
    quote request data.
    """
    root = logging.getLogger()
    if not root.handlers:  # a test runner's own handlers, if any, stay as they are
        handler = logging.StreamHandler()
        handler.setFormatter(logging.Formatter("medscribe: %(message)s"))
        root.addHandler(handler)
        root.setLevel(logging.WARNING)
    # NOTSET without -v: medscribe's loggers then follow the root's WARNING.
    levels = {0: logging.NOTSET, 1: logging.INFO}
    logging.getLogger("medscribe").setLevel(levels.get(verbose, logging.DEBUG))


def main(argv: list[str] | None = None) -> Any:
    """Entry point: run the CLI and map every error to one line and an exit code."""
    try:
        return cli.main(args=argv, prog_name="medscribe", standalone_mode=False)
    except click.exceptions.Exit as exc:
        sys.exit(exc.exit_code)
    except click.exceptions.NoArgsIsHelpError as exc:
        exc.show()  # `medscribe` or `medscribe eval` alone: the help itself
        sys.exit(exc.exit_code)
    except click.ClickException as exc:
        _fail(_click_message(exc), exc.exit_code)
    except click.exceptions.Abort:
        _fail("interrupted", EXIT_INTERRUPTED)
    except KeyboardInterrupt:
        _fail("interrupted", EXIT_INTERRUPTED)
    except MedscribeError as exc:
        _fail(cli_message(exc), exc.exit_code)
    except BrokenPipeError:
        # `medscribe render x.json | head` closes the pipe early: not an error.
        sys.stderr.close()
        sys.exit(0)
    except Exception as exc:
        if os.environ.get("MEDSCRIBE_DEBUG"):
            raise
        _fail(f"unexpected error: {type(exc).__name__}: {exc}", EXIT_FAILED)


def cli_message(exc: MedscribeError) -> str:
    """A library error as the command line says it: with the flag of its option or setting.

    ``"case c1: channel identification needs stereo.wav"`` (option ``channels``) becomes
    ``"case c1: --channels needs stereo.wav"``; a NotReadyError names the flag of each
    missing setting.
    """
    if isinstance(exc, NotReadyError):
        return exc.describe(SETTING_FLAGS)
    message = str(exc)
    wording = OPTION_FLAGS.get(exc.option or "")
    if wording is None:
        return message
    words, flag = wording
    return re.sub(rf"\b{re.escape(words)}\b", flag, message, count=1)


def _click_message(exc: click.ClickException) -> str:
    """Click's message as one line, with where to find help for a usage error."""
    message = " ".join(exc.format_message().split()).removesuffix(".")
    if message[:1].isupper() and message[1:2].islower():
        message = message[0].lower() + message[1:]
    ctx = getattr(exc, "ctx", None)
    if isinstance(exc, click.UsageError) and ctx is not None:
        while ctx.command.hidden and ctx.parent is not None:
            ctx = ctx.parent  # `eval DIR` runs the hidden `eval evaluate`: point at `eval`
        message += f" (see '{ctx.command_path} --help')"
    return message


def _fail(message: str, code: int) -> NoReturn:
    click.echo(f"medscribe: error: {message}", err=True)
    sys.exit(code)
