"""Request models and their validation: what a user may ask for, checked before any work.

The CLI turns options into these pydantic models; library users build them
directly. Each rule that the service enforces is checked here, once, with one
clear message, so that nothing is uploaded or started for a request the service
would refuse. Rules that belong to the AWS service only (batch accepts
PRIMARYCARE alone; the 16 kHz minimum) are applied by :func:`check_for_aws`, not
by the models, because the offline engine accepts more.
"""

from __future__ import annotations

import re
from enum import StrEnum
from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator
from pydantic import ValidationError as PydanticValidationError

from medscribe.errors import ValidationError


class Specialty(StrEnum):
    PRIMARYCARE = "PRIMARYCARE"
    CARDIOLOGY = "CARDIOLOGY"
    NEUROLOGY = "NEUROLOGY"
    ONCOLOGY = "ONCOLOGY"
    RADIOLOGY = "RADIOLOGY"
    UROLOGY = "UROLOGY"

    @classmethod
    def parse(cls, value: str | Specialty) -> Specialty:
        """Accept the forms people type: "primarycare", "primary-care", "Primary Care"."""
        if isinstance(value, Specialty):
            return value
        key = re.sub(r"[^A-Za-z]", "", str(value)).upper()
        try:
            return cls(key)
        except ValueError:
            names = ", ".join(s.value.lower() for s in cls)
            raise ValidationError(f"unknown specialty {value!r}; choose one of {names}") from None


class TranscriptionType(StrEnum):
    CONVERSATION = "CONVERSATION"
    DICTATION = "DICTATION"

    @classmethod
    def parse(cls, value: str | TranscriptionType) -> TranscriptionType:
        if isinstance(value, TranscriptionType):
            return value
        key = str(value).strip().upper()
        try:
            return cls(key)
        except ValueError:
            raise ValidationError(
                f"unknown type {value!r}; choose conversation or dictation"
            ) from None


#: Batch jobs of the service accept this specialty only.
AWS_BATCH_SPECIALTIES = frozenset({Specialty.PRIMARYCARE})
#: Streaming conversations; dictation also allows RADIOLOGY.
AWS_STREAM_CONVERSATION_SPECIALTIES = frozenset(
    {
        Specialty.CARDIOLOGY,
        Specialty.NEUROLOGY,
        Specialty.ONCOLOGY,
        Specialty.PRIMARYCARE,
        Specialty.UROLOGY,
    }
)
AWS_STREAM_DICTATION_SPECIALTIES = AWS_STREAM_CONVERSATION_SPECIALTIES | {Specialty.RADIOLOGY}

#: MedicalTranscriptionJobName: ^[0-9a-zA-Z._-]+, 1 to 200 characters.
JOB_NAME_PATTERN = re.compile(r"^[0-9a-zA-Z._-]{1,200}$")
#: Vocabulary names follow the same character set.
VOCABULARY_NAME_PATTERN = re.compile(r"^[0-9a-zA-Z._-]{1,200}$")

#: Service limits for batch media (Transcribe Medical): sample rate 16 to 48 kHz,
#: at most 4 hours and 2 GB per file, two channels without a quota increase.
AWS_MIN_SAMPLE_RATE = 16_000
AWS_MAX_SAMPLE_RATE = 48_000
AWS_MAX_DURATION_S = 4 * 60 * 60
AWS_MAX_FILE_BYTES = 2 * 1024**3
AWS_MAX_CHANNELS = 2
#: The offline engine handles up to 8 channels (issue 6).
LOCAL_MAX_CHANNELS = 8

SpeakerCount = Annotated[int, Field(ge=2, le=10)]
AlternativeCount = Annotated[int, Field(ge=2, le=10)]


class TranscriptionOptions(BaseModel):
    """What to transcribe and how; shared by batch jobs and streams on both backends."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    specialty: Specialty = Specialty.PRIMARYCARE
    type: TranscriptionType = TranscriptionType.CONVERSATION
    language_code: str = "en-US"
    #: Speaker partitioning with at most this many speakers (2 to 10).
    max_speakers: SpeakerCount | None = None
    #: Channel identification.
    channel_identification: bool = False
    #: Alternative transcriptions, at most this many (2 to 10).
    max_alternatives: AlternativeCount | None = None
    #: A custom medical vocabulary by name.
    vocabulary: str | None = None

    @field_validator("specialty", mode="before")
    @classmethod
    def _specialty(cls, value: object) -> Specialty:
        return Specialty.parse(value)  # type: ignore[arg-type]

    @field_validator("type", mode="before")
    @classmethod
    def _type(cls, value: object) -> TranscriptionType:
        return TranscriptionType.parse(value)  # type: ignore[arg-type]

    @field_validator("language_code")
    @classmethod
    def _language(cls, value: str) -> str:
        # Transcribe Medical is US English only.
        if value != "en-US":
            raise ValueError("Transcribe Medical supports en-US only")
        return value

    @field_validator("vocabulary")
    @classmethod
    def _vocabulary(cls, value: str | None) -> str | None:
        if value is not None and not VOCABULARY_NAME_PATTERN.match(value):
            raise ValueError(
                "vocabulary names use letters, digits, '.', '_' and '-' (1 to 200 characters)"
            )
        return value

    @model_validator(mode="after")
    def _exclusive(self) -> TranscriptionOptions:
        if self.max_speakers is not None and self.channel_identification:
            raise ValueError(
                "speaker partitioning (--speakers) and channel identification (--channels) "
                "cannot be used together"
            )
        return self

    def settings(self) -> dict[str, object]:
        """The ``Settings`` object of StartMedicalTranscriptionJob for these options."""
        out: dict[str, object] = {}
        if self.max_speakers is not None:
            out["ShowSpeakerLabels"] = True
            out["MaxSpeakerLabels"] = self.max_speakers
        if self.channel_identification:
            out["ChannelIdentification"] = True
        if self.max_alternatives is not None:
            out["ShowAlternatives"] = True
            out["MaxAlternatives"] = self.max_alternatives
        if self.vocabulary:
            out["VocabularyName"] = self.vocabulary
        return out


def validate_job_name(name: str) -> str:
    if not JOB_NAME_PATTERN.match(name):
        raise ValidationError(
            f"invalid job name {name!r}: use 1 to 200 letters, digits, '.', '_' or '-'"
        )
    return name


def build_options(**kwargs: object) -> TranscriptionOptions:
    """Build :class:`TranscriptionOptions`, turning pydantic's errors into one clear line."""
    try:
        return TranscriptionOptions(**kwargs)  # type: ignore[arg-type]
    except PydanticValidationError as exc:
        raise ValidationError(_first_error(exc)) from None


_FIELD_NAMES = {
    "max_speakers": "--speakers",
    "max_alternatives": "--alternatives",
    "vocabulary": "--vocabulary",
    "language_code": "language code",
}


def _first_error(exc: PydanticValidationError) -> str:
    err = exc.errors()[0]
    loc = ".".join(str(p) for p in err.get("loc", ()))
    field = _FIELD_NAMES.get(loc, loc)
    msg = err.get("msg", "invalid value")
    if isinstance(err.get("ctx", {}).get("error"), ValidationError):
        return str(err["ctx"]["error"])
    msg = msg.removeprefix("Value error, ")
    if err.get("type") in {"greater_than_equal", "less_than_equal"}:
        msg = "must be between 2 and 10"
    return f"{field}: {msg}" if field else msg


def check_for_aws_batch(options: TranscriptionOptions) -> None:
    """Rules of StartMedicalTranscriptionJob beyond the model's own."""
    if options.specialty not in AWS_BATCH_SPECIALTIES:
        raise ValidationError(
            f"the AWS batch service accepts specialty PRIMARYCARE only, not {options.specialty}; "
            "use 'medscribe stream' for other specialties, or --backend local"
        )


def check_for_aws_stream(options: TranscriptionOptions) -> None:
    """Rules of StartMedicalStreamTranscription beyond the model's own."""
    allowed = (
        AWS_STREAM_DICTATION_SPECIALTIES
        if options.type is TranscriptionType.DICTATION
        else AWS_STREAM_CONVERSATION_SPECIALTIES
    )
    if options.specialty not in allowed:
        names = ", ".join(sorted(s.value for s in allowed))
        raise ValidationError(
            f"streaming {options.type.value.lower()}s accept specialties {names}; "
            f"not {options.specialty}"
        )
    if options.max_alternatives is not None:
        raise ValidationError("alternative transcriptions are a batch feature, not a stream one")
