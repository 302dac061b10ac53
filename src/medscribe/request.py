"""Request models and their validation: what a user may ask for, checked before any work.

The CLI turns options into these pydantic models; library users build them
directly. The models hold the rules every backend shares (the specialties and
types there are, speakers 2 to 10, speakers or channels, the job and vocabulary
name charset), each checked once with one clear message. What one backend
accepts beyond that is that backend's business: ``Backend.validate`` applies the
service's rules (:mod:`medscribe.backends.aws.rules`) or the engine's
(:mod:`medscribe.backends.local.rules`).
"""

from __future__ import annotations

import re
from enum import StrEnum
from typing import Annotated, Any, TypeVar

from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    SerializationInfo,
    SerializerFunctionWrapHandler,
    field_validator,
    model_serializer,
    model_validator,
)
from pydantic import ValidationError as PydanticValidationError

from medscribe.errors import ValidationError

_Choice = TypeVar("_Choice", bound=StrEnum)


def _member(cls: type[_Choice], key: str, message: str, *, option: str | None = None) -> _Choice:
    """The member of ``cls`` named ``key``, else one ValidationError line (``message``)."""
    try:
        return cls(key)
    except ValueError:
        raise ValidationError(message, option=option) from None


class Specialty(StrEnum):
    PRIMARYCARE = "PRIMARYCARE"
    CARDIOLOGY = "CARDIOLOGY"
    NEUROLOGY = "NEUROLOGY"
    ONCOLOGY = "ONCOLOGY"
    RADIOLOGY = "RADIOLOGY"
    UROLOGY = "UROLOGY"

    @classmethod
    def parse(cls, value: object) -> Specialty:
        """Accept the forms people type: "primarycare", "primary-care", "Primary Care".

        Any value is read as its text (a pydantic validator hands over the raw input).
        """
        if isinstance(value, Specialty):
            return value
        names = ", ".join(s.value.lower() for s in cls)
        key = re.sub(r"[^A-Za-z]", "", str(value)).upper()
        return _member(cls, key, f"unknown specialty {value!r}; choose one of {names}")


class TranscriptionType(StrEnum):
    CONVERSATION = "CONVERSATION"
    DICTATION = "DICTATION"

    @classmethod
    def parse(cls, value: object) -> TranscriptionType:
        """Accept "dictation", "Dictation", " DICTATION "; any value is read as its text."""
        if isinstance(value, TranscriptionType):
            return value
        message = f"unknown type {value!r}; choose conversation or dictation"
        return _member(cls, str(value).strip().upper(), message)


class ContentIdentification(StrEnum):
    """What the service labels in a transcript (``ContentIdentificationType``): PHI only."""

    PHI = "PHI"

    @classmethod
    def parse(cls, value: object) -> ContentIdentification:
        """Accept "phi", "PHI", " Phi "; any value is read as its text."""
        if isinstance(value, ContentIdentification):
            return value
        message = f"unknown content identification {value!r}; choose phi"
        return _member(cls, str(value).strip().upper(), message, option="content_identification")


#: MedicalTranscriptionJobName: ^[0-9a-zA-Z._-]+, 1 to 200 characters.
JOB_NAME_PATTERN = re.compile(r"^[0-9a-zA-Z._-]{1,200}$")
#: Vocabulary names follow the same character set.
VOCABULARY_NAME_PATTERN = re.compile(r"^[0-9a-zA-Z._-]{1,200}$")

SpeakerCount = Annotated[int, Field(ge=2, le=10)]
#: Roles are decided between partitioned speakers (channels are not speakers here).
SPEAKER_ROLES_NEED_SPEAKERS = (
    "speaker roles need speaker partitioning (a maximum number of speakers)"
)
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
    #: Label a two-party visit's speakers CLINICIAN_0 / PATIENT_0 from what they say
    #: (:mod:`medscribe.roles`). Decided on the finished transcript, whichever backend
    #: made it, so it is no part of the job: excluded from dumps, hence from job
    #: names and the job store (the batch manifest records it itself), and never a
    #: service setting.
    speaker_roles: bool = Field(default=False, exclude=True)
    #: Label personal health information in the transcript (``results.entities``), as
    #: the service's ``ContentIdentificationType`` does. Part of the job (it changes the
    #: output); left out of dumps while off, so job names and manifests made before it
    #: existed still match.
    content_identification: ContentIdentification | None = None

    @field_validator("specialty", mode="before")
    @classmethod
    def _specialty(cls, value: object) -> Specialty:
        return Specialty.parse(value)

    @field_validator("type", mode="before")
    @classmethod
    def _type(cls, value: object) -> TranscriptionType:
        return TranscriptionType.parse(value)

    @field_validator("content_identification", mode="before")
    @classmethod
    def _content_identification(cls, value: object) -> ContentIdentification | None:
        return None if value is None else ContentIdentification.parse(value)

    @model_serializer(mode="wrap")
    def _dump(
        self, handler: SerializerFunctionWrapHandler, info: SerializationInfo
    ) -> dict[str, Any]:
        # Off is the absence of the key: the records (job names, job store, manifests)
        # of requests made before the option existed stay the same.
        data: dict[str, Any] = handler(self)
        if data.get("content_identification", ...) is None:
            del data["content_identification"]
        return data

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
                "speaker partitioning and channel identification cannot be used together"
            )
        if self.speaker_roles and self.max_speakers is None:
            raise ValueError(SPEAKER_ROLES_NEED_SPEAKERS)
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


def validate_vocabulary_name(name: str) -> str:
    """A custom vocabulary's name, as the service takes it (the local store the same)."""
    if not VOCABULARY_NAME_PATTERN.match(name):
        raise ValidationError(
            f"invalid vocabulary name {name!r}: use 1 to 200 letters, digits, '.', '_' or '-'"
        )
    return name


def build_options(**kwargs: object) -> TranscriptionOptions:
    """Build :class:`TranscriptionOptions`, turning pydantic's errors into one clear line."""
    try:
        return TranscriptionOptions(**kwargs)
    except PydanticValidationError as exc:
        message, option = _first_error(exc)
        # ``option`` lets a caller name its own argument (the CLI: "--speakers").
        raise ValidationError(message, option=option) from None


#: The words a message uses for a field; a caller maps them to its own names.
_FIELD_NAMES = {
    "max_speakers": "speakers",
    "max_alternatives": "alternatives",
    "vocabulary": "vocabulary",
    "language_code": "language code",
    "content_identification": "content identification",
}


def _first_error(exc: PydanticValidationError) -> tuple[str, str | None]:
    """The first problem as one line, and the field it concerns."""
    err = exc.errors()[0]
    loc = ".".join(str(p) for p in err.get("loc", ()))
    if not loc:  # a rule over several fields: speakers with channels, or roles without speakers
        message = str(err.get("msg", "invalid options")).removeprefix("Value error, ")
        return message, "speaker_roles" if message == SPEAKER_ROLES_NEED_SPEAKERS else "channels"
    return _field_error(err, loc), loc


def _field_error(err: Any, loc: str) -> str:
    field = _FIELD_NAMES.get(loc, loc)
    msg = err.get("msg", "invalid value")
    if isinstance(err.get("ctx", {}).get("error"), ValidationError):
        return str(err["ctx"]["error"])
    msg = msg.removeprefix("Value error, ")
    if err.get("type") in {"greater_than_equal", "less_than_equal"}:
        msg = "must be between 2 and 10"
    return f"{field}: {msg}" if field else msg
