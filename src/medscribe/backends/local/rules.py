"""The offline engine's rules: what the local backend accepts, checked before a job is queued.

The engine is more lenient than the service: any specialty in batch and in
streams, any sample rate and length FFmpeg can decode, up to eight channels for
channel identification. What it does refuse is checked here, with one clear
message, so that a job is never queued for a file the engine cannot read.
Messages name no command-line flag.
"""

from __future__ import annotations

from pathlib import Path

from medscribe.engine.speakers.channels import MAX_CHANNELS as LOCAL_MAX_CHANNELS
from medscribe.errors import MediaError
from medscribe.media import MediaInfo
from medscribe.request import TranscriptionOptions

__all__ = ["LOCAL_MAX_CHANNELS", "check_media"]


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
