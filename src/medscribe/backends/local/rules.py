"""The offline engine's rules: what the local backend accepts, checked before a job is queued.

The engine is more lenient than the service: any specialty in batch and in
streams, any sample rate and length FFmpeg can decode, up to eight channels for
channel identification. What it does refuse is checked here, with one clear
message, so that a job is never queued for a file the engine cannot read, nor
for an option it cannot honour: content identification (PHI), which the engine
does not have yet (issue 15), is refused rather than silently left out.
Messages name no command-line flag.
"""

from __future__ import annotations

from pathlib import Path

from medscribe.engine.speakers.channels import MAX_CHANNELS as LOCAL_MAX_CHANNELS
from medscribe.errors import MediaError, ValidationError
from medscribe.media import MediaInfo
from medscribe.request import TranscriptionOptions

__all__ = ["LOCAL_MAX_CHANNELS", "NO_CONTENT_IDENTIFICATION", "check_media", "check_options"]

#: Why the engine refuses content identification; ``option`` lets the CLI name its flag.
NO_CONTENT_IDENTIFICATION = (
    "content identification is not in the offline engine yet (PHI is labelled by "
    "Amazon Transcribe Medical only); use the aws backend"
)


def check_options(options: TranscriptionOptions) -> None:
    """Refuse the options the engine cannot honour (batch and streams alike)."""
    if options.content_identification is not None:
        raise ValidationError(NO_CONTENT_IDENTIFICATION, option="content_identification")


def check_media(media: Path, options: TranscriptionOptions) -> MediaInfo:
    """Probe ``media`` as the engine will read it; refuse what the engine cannot transcribe.

    Raises ``MediaError`` for a missing file, one that is not audio or visibly
    cut off, and too many channels for channel identification.
    """
    from medscribe.engine.audio import check  # the engine's own reader: imported on use

    info = check(media)
    if options.channel_identification and info.channels > LOCAL_MAX_CHANNELS:
        raise MediaError(
            f"{media}: {info.channels} channels; the offline engine takes at most "
            f"{LOCAL_MAX_CHANNELS}",
            path=media,
            option="channels",
        )
    return info
