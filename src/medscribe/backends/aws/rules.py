"""The service's own rules: what Transcribe Medical accepts, checked before any AWS call.

This module owns the limits and choices that belong to the AWS service alone,
not to the request models (:mod:`medscribe.request`) nor to the offline engine,
which accepts more: batch jobs take specialty PRIMARYCARE only; streams take
five specialties (six for dictation) and no alternatives; batch media must be
one of eight formats, 16 to 48 kHz, at most 4 hours and 2 GB, and at most two
channels for channel identification (without a quota increase). Each rule is
checked here once, with one clear message, so that nothing is uploaded or
started for a request the service would refuse. Messages name no command-line
flag (the CLI adds its own wording).
"""

from __future__ import annotations

from medscribe.errors import MediaError, ValidationError
from medscribe.media import MediaInfo
from medscribe.request import Specialty, TranscriptionOptions, TranscriptionType

#: Batch jobs of the service accept this specialty only.
BATCH_SPECIALTIES = frozenset({Specialty.PRIMARYCARE})
#: Streaming conversations; dictation also allows RADIOLOGY.
STREAM_CONVERSATION_SPECIALTIES = frozenset(
    {
        Specialty.CARDIOLOGY,
        Specialty.NEUROLOGY,
        Specialty.ONCOLOGY,
        Specialty.PRIMARYCARE,
        Specialty.UROLOGY,
    }
)
STREAM_DICTATION_SPECIALTIES = STREAM_CONVERSATION_SPECIALTIES | {Specialty.RADIOLOGY}

#: The MediaFormat values of StartMedicalTranscriptionJob.
MEDIA_FORMATS = frozenset({"mp3", "mp4", "m4a", "wav", "flac", "ogg", "amr", "webm"})
#: Service limits for batch media: sample rate 16 to 48 kHz, at most 4 hours and
#: 2 GB per file, two channels without a quota increase.
MIN_SAMPLE_RATE = 16_000
MAX_SAMPLE_RATE = 48_000
MAX_DURATION_S = 4 * 60 * 60
MAX_FILE_BYTES = 2 * 1024**3
MAX_CHANNELS = 2
#: Streams take two channels without a quota increase, as batch jobs do.
MAX_STREAM_CHANNELS = 2


def check_batch_options(options: TranscriptionOptions) -> None:
    """Rules of StartMedicalTranscriptionJob beyond the request model's own."""
    if options.specialty not in BATCH_SPECIALTIES:
        raise ValidationError(
            f"the AWS batch service accepts specialty PRIMARYCARE only, not {options.specialty}; "
            "use 'medscribe stream' for other specialties, or the local backend",
            option="backend",
        )


def check_stream_options(options: TranscriptionOptions) -> None:
    """Rules of StartMedicalStreamTranscription beyond the request model's own."""
    allowed = (
        STREAM_DICTATION_SPECIALTIES
        if options.type is TranscriptionType.DICTATION
        else STREAM_CONVERSATION_SPECIALTIES
    )
    if options.specialty not in allowed:
        names = ", ".join(sorted(s.value for s in allowed))
        raise ValidationError(
            f"streaming {options.type.value.lower()}s accept specialties {names}; "
            f"not {options.specialty}"
        )
    if options.max_alternatives is not None:
        raise ValidationError("alternative transcriptions are a batch feature, not a stream one")


def check_stream_channels(channels: int) -> None:
    """Channel identification of a stream: exactly two channels."""
    if not 2 <= channels <= MAX_STREAM_CHANNELS:
        raise ValidationError(f"streaming channel identification takes 2 channels, not {channels}")


def check_batch_media(info: MediaInfo, *, channel_identification: bool = False) -> None:
    """The service's limits on batch media: format, sample rate, duration, size, channels."""
    p = info.path
    if info.format not in MEDIA_FORMATS:
        raise MediaError(f"{p}: format {info.format} is not accepted by Transcribe Medical", path=p)
    if info.sample_rate < MIN_SAMPLE_RATE:
        raise MediaError(
            f"{p}: sample rate {info.sample_rate} Hz is below the 16 kHz that "
            "Transcribe Medical requires",
            path=p,
        )
    if info.sample_rate > MAX_SAMPLE_RATE:
        raise MediaError(f"{p}: sample rate {info.sample_rate} Hz is above 48 kHz", path=p)
    if info.duration > MAX_DURATION_S:
        raise MediaError(f"{p}: {info.duration / 3600:.1f} h is longer than the 4 h limit", path=p)
    if info.size > MAX_FILE_BYTES:
        raise MediaError(f"{p}: {info.size / 1024**3:.1f} GB is larger than the 2 GB limit", path=p)
    if channel_identification and info.channels > MAX_CHANNELS:
        raise MediaError(
            f"{p}: {info.channels} channels; channel identification takes at most 2 "
            "without a quota increase",
            path=p,
        )
