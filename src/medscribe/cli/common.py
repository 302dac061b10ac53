"""Options and helpers shared by several commands (backend selection, console, settings)."""

from __future__ import annotations

import functools
import sys
from collections.abc import Callable
from typing import Any

import click
from rich.console import Console

from medscribe.backends import Backend, get_backend
from medscribe.config import Settings, load_settings

F = Callable[..., Any]


def backend_options(func: F) -> F:
    """``--backend``, ``--config-profile`` and the AWS connection flags, turned into ``settings``.

    The wrapped command receives ``settings: Settings`` instead of the raw flags.
    """

    @click.option(
        "--backend",
        type=click.Choice(["local", "aws"]),
        default=None,
        help="Where to transcribe: the offline engine (default) or Amazon Transcribe Medical.",
    )
    @click.option("--config-profile", default=None, help="Profile of the medscribe config file.")
    @click.option("--region", default=None, help="AWS region (default: as boto3 finds it).")
    @click.option("--profile", "aws_profile", default=None, help="AWS named profile.")
    @click.option("--endpoint-url", default=None, help="Custom AWS endpoint (S3-compatible).")
    @functools.wraps(func)
    def wrapper(
        *args: Any,
        backend: str | None,
        config_profile: str | None,
        region: str | None,
        aws_profile: str | None,
        endpoint_url: str | None,
        **kwargs: Any,
    ) -> Any:
        extra = kwargs.pop("_settings_flags", {})
        settings = load_settings(
            {
                "backend": backend,
                "region": region,
                "aws_profile": aws_profile,
                "endpoint_url": endpoint_url,
                **extra,
            },
            profile=config_profile,
        )
        return func(*args, settings=settings, **kwargs)

    return wrapper


def make_backend(settings: Settings, *, stream_endpoint: str | None = None) -> Backend:
    """The backend the settings name (see :func:`medscribe.backends.get_backend`)."""
    return get_backend(settings, stream_endpoint=stream_endpoint)


def stdout_console() -> Console:
    return Console(highlight=False, soft_wrap=False)


def stderr_console() -> Console:
    """Progress and status go to stderr so that stdout stays clean for pipes."""
    return Console(stderr=True, highlight=False)


def interactive() -> bool:
    """True when a person is at the terminal; scripts get no prompts and no spinners."""
    return sys.stdin.isatty() and sys.stderr.isatty()
