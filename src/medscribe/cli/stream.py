"""``medscribe stream``: real-time transcription with partial results, on either backend.

A thin layer: options are checked with :mod:`medscribe.request` and by the
backend's own stream rules (``Backend.validate``) before any audio is read, the
audio source comes from :mod:`medscribe.streaming.source`, the stream runs in
the backend (``Backend.stream``: the service's WebSocket or the offline
engine), the live view is :class:`~medscribe.cli.live_view.LiveDisplay`, and the
finals are saved by :class:`~medscribe.streaming.session.StreamSession`, with
``--speaker-names`` in text, WebVTT and SRT as ``transcribe`` writes them (the
JSON keeps the service's spk_N labels). Ctrl-C stops the stream, still saves what
was final, and exits 130.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

import click
from rich.console import Console

from medscribe.backends import Backend
from medscribe.backends.local.rules import LOCAL_MAX_CHANNELS
from medscribe.cli.common import backend_options, make_backend, stdout_console
from medscribe.cli.transcribe import format_option, parse_formats, settings_flags
from medscribe.config import Settings
from medscribe.errors import ValidationError
from medscribe.request import TranscriptionOptions, build_options
from medscribe.streaming.events import TranscriptEvent
from medscribe.streaming.session import StreamSession
from medscribe.streaming.source import AudioSource

#: The widest ``--channels`` any backend takes (the engine's); each backend narrows it.
MAX_CHANNELS_FLAG = LOCAL_MAX_CHANNELS


@click.command()
@click.argument("audio", required=False, type=click.Path(path_type=Path))
@click.option("--mic", is_flag=True, help="Stream the microphone instead of a file.")
@click.option("--specialty", default=None, help="cardiology, neurology, oncology, primarycare...")
@click.option("--type", "type_", default=None, help="conversation (default) or dictation.")
@click.option("--speakers", type=int, default=None, help="Speaker labels, at most N speakers.")
@click.option("--channels", type=int, default=None, help="Channel identification with N channels.")
@click.option("--vocabulary", default=None, help="Custom medical vocabulary name.")
@click.option("--realtime", is_flag=True, help="Feed a file at real-time pace.")
@click.option(
    "-o",
    "--output",
    type=click.Path(path_type=Path),
    default=None,
    help="Save the session here (Transcribe Medical JSON, plus --format files).",
)
@format_option
@click.option("--speaker-names", default=None, help="Names for the labels: clinician,patient.")
@click.option(
    "--speaker-roles",
    is_flag=True,
    help="With --speakers: label the saved session's two speakers CLINICIAN_0 and PATIENT_0.",
)
@click.option(
    "--content-identification",
    default=None,
    metavar="phi",
    help="Label personal health information in each final; AWS backend for now.",
)
@click.option("--session-id", default=None, help="AWS: the stream's session id.")
@click.option(
    "--endpoint",
    "stream_endpoint",
    default=None,
    hidden=True,
    help="AWS: another streaming WebSocket endpoint (tests).",
)
@settings_flags("model", "threads", "device", "compute_type")
@backend_options
def stream(
    audio: Path | None,
    mic: bool,
    specialty: str | None,
    type_: str | None,
    speakers: int | None,
    channels: int | None,
    vocabulary: str | None,
    realtime: bool,
    output: Path | None,
    formats: tuple[str, ...],
    speaker_names: str | None,
    speaker_roles: bool,
    content_identification: str | None,
    session_id: str | None,
    stream_endpoint: str | None,
    settings: Settings,
) -> None:
    """Transcribe AUDIO (or --mic) as it plays: partials live, finals kept and saved.

    \b
    Examples:
      medscribe stream visit.wav --specialty cardiology --realtime -o visit.json
      medscribe stream --mic --specialty primarycare --speakers 2 --backend aws
      medscribe stream visit.wav --backend aws --content-identification phi -o visit.json
    """
    from medscribe.render import parse_speaker_names
    from medscribe.streaming.session import output_paths

    # Everything is checked before any audio is read.
    if mic == (audio is not None):
        raise ValidationError("give an AUDIO file or --mic (one of them)")
    if channels is not None and not 2 <= channels <= MAX_CHANNELS_FLAG:
        raise ValidationError(f"--channels: between 2 and {MAX_CHANNELS_FLAG}")
    if speaker_roles and speakers is None:
        raise ValidationError(
            "--speaker-roles needs --speakers (roles are decided between speakers)"
        )
    if speaker_roles and output is None:
        raise ValidationError("--speaker-roles labels the saved session: it needs --output FILE")
    options = build_options(
        specialty=specialty or settings.specialty,
        type=type_ or settings.type,
        max_speakers=speakers,
        speaker_roles=speaker_roles,
        channel_identification=channels is not None,
        vocabulary=vocabulary,
        content_identification=content_identification,
    )
    backend = make_backend(settings, stream_endpoint=stream_endpoint)
    backend.validate(options, streaming=True)  # the service: its stream specialties
    backend.check_ready(streaming=True)  # the service: region and credentials, both at once
    chosen = parse_formats(formats)
    files = [f for f in chosen if f != "rich"]
    if files and output is None:
        raise ValidationError(f"--format {files[0]} needs --output FILE to save to")
    if output is not None:
        output_paths(output, chosen)  # an unsaveable combination fails now
    names = parse_speaker_names(speaker_names, roles=speaker_roles)

    source = _source(audio, mic=mic, channels=channels or 1, realtime=realtime)
    session = StreamSession(options, job_name=_job_name(audio, session_id), channels=channels)
    console = stdout_console()
    interrupted = False
    failed = True
    try:
        _run(
            backend,
            source,
            options,
            session=session,
            console=console,
            names=names,
            session_id=session_id,
        )
        failed = False
    except KeyboardInterrupt:
        interrupted, failed = True, False
    finally:
        source.close()
        # What arrived before a failure is kept; a stream that failed before any
        # result leaves no empty session file behind.
        if output is not None and (not failed or session.timings):
            _save(session, output, files, names)
    if interrupted:
        raise KeyboardInterrupt


def _save(
    session: StreamSession, output: Path, files: Sequence[str], names: dict[str, str]
) -> None:
    from medscribe.roles import explain
    from medscribe.streaming.session import save_transcript

    transcript = session.transcript()  # speaker roles, when asked for, are decided here
    for path in save_transcript(transcript, output, files, speaker_names=names):
        click.echo(f"saved {path}", err=True)
    note = explain(transcript)  # counts and a confidence, never a word
    if note is not None:
        click.echo(f"medscribe: {note}", err=True)


def _source(audio: Path | None, *, mic: bool, channels: int, realtime: bool) -> AudioSource:
    from medscribe.streaming.source import FileSource, MicSource

    if mic or audio is None:
        return MicSource(channels=channels)
    return FileSource(audio, channels=channels, realtime=realtime)


def _job_name(audio: Path | None, session_id: str | None) -> str:
    if session_id:
        return session_id
    return f"stream-{audio.stem}" if audio is not None else "stream-mic"


def _run(
    backend: Backend,
    source: AudioSource,
    options: TranscriptionOptions,
    *,
    session: StreamSession,
    console: Console,
    names: dict[str, str],
    session_id: str | None,
) -> None:
    from medscribe.cli.live_view import LiveDisplay

    with LiveDisplay(console, speaker_names=names) as display:

        def on_event(event: TranscriptEvent) -> None:
            session.add(event)
            display.on_event(event)

        backend.stream(source, options, on_event=on_event, session_id=session_id)
