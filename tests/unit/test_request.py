"""Request validation: the service's rules, one clear message each."""

from __future__ import annotations

import pytest

from medscribe.backends.aws.rules import check_batch_options, check_stream_options
from medscribe.errors import EXIT_USAGE, ValidationError
from medscribe.request import (
    Specialty,
    TranscriptionType,
    build_options,
    validate_job_name,
)


@pytest.mark.parametrize(
    "typed", ["primarycare", "PRIMARYCARE", "primary-care", "Primary Care", "primary_care"]
)
def test_specialty_forms_people_type(typed: str) -> None:
    assert Specialty.parse(typed) is Specialty.PRIMARYCARE


def test_unknown_specialty_lists_choices() -> None:
    with pytest.raises(ValidationError, match="unknown specialty 'dentistry'; choose one of"):
        Specialty.parse("dentistry")


def test_type_parse() -> None:
    assert TranscriptionType.parse("dictation") is TranscriptionType.DICTATION
    with pytest.raises(ValidationError, match="conversation or dictation"):
        TranscriptionType.parse("monologue")


def test_settings_follow_options() -> None:
    opts = build_options(
        specialty="primary care", max_speakers=3, max_alternatives=2, vocabulary="cardio-terms"
    )
    assert opts.settings() == {
        "ShowSpeakerLabels": True,
        "MaxSpeakerLabels": 3,
        "ShowAlternatives": True,
        "MaxAlternatives": 2,
        "VocabularyName": "cardio-terms",
    }
    assert build_options(channel_identification=True).settings() == {"ChannelIdentification": True}


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        # The library names no CLI flag; the CLI adds "--speakers" (test_transcribe_validation).
        ({"max_speakers": 1}, "speakers: must be between 2 and 10"),
        ({"max_speakers": 11}, "speakers: must be between 2 and 10"),
        ({"max_alternatives": 11}, "alternatives: must be between 2 and 10"),
        ({"max_speakers": 2, "channel_identification": True}, "cannot be used together"),
        ({"vocabulary": "bad name!"}, "vocabulary names use"),
        ({"specialty": "dentistry"}, "unknown specialty"),
        ({"language_code": "fr-FR"}, "en-US only"),
    ],
)
def test_invalid_options_give_one_line(kwargs: dict, message: str) -> None:
    with pytest.raises(ValidationError) as info:
        build_options(**kwargs)
    assert message in str(info.value)
    assert "\n" not in str(info.value)
    assert "--" not in str(info.value)  # flag names are the CLI's to add
    assert info.value.exit_code == EXIT_USAGE


def test_aws_batch_accepts_primarycare_only() -> None:
    check_batch_options(build_options(specialty="primarycare"))
    with pytest.raises(ValidationError, match="PRIMARYCARE only"):
        check_batch_options(build_options(specialty="cardiology"))


@pytest.mark.parametrize(
    "specialty", ["cardiology", "neurology", "oncology", "primarycare", "urology"]
)
def test_stream_conversation_specialties(specialty: str) -> None:
    check_stream_options(build_options(specialty=specialty))


def test_radiology_streams_only_as_dictation() -> None:
    check_stream_options(build_options(specialty="radiology", type="dictation"))
    with pytest.raises(ValidationError, match="RADIOLOGY"):
        pass_through = build_options(specialty="radiology", type="conversation")
        check_stream_options(pass_through)


@pytest.mark.parametrize("name", ["visit-2024.01_a", "a", "x" * 200])
def test_valid_job_names(name: str) -> None:
    assert validate_job_name(name) == name


@pytest.mark.parametrize("name", ["", "has space", "slash/name", "x" * 201, "émile"])
def test_invalid_job_names(name: str) -> None:
    with pytest.raises(ValidationError, match="invalid job name"):
        validate_job_name(name)
