"""--speaker-names: parsing and the check against the transcript's labels."""

from __future__ import annotations

import pytest

from medscribe.errors import EXIT_USAGE, ValidationError
from medscribe.render import parse_speaker_names, render_string
from medscribe.render.names import MAX_NAMES, check_speaker_names, display_name
from transcript.fixtures import CHANNELS, PLAIN, SPEAKERS, transcript


def test_positional_names_cover_speakers_channels_and_roles() -> None:
    names = parse_speaker_names(" clinician , patient ")
    assert names == {
        "spk_0": "clinician",
        "spk_1": "patient",
        "ch_0": "clinician",
        "ch_1": "patient",
        "CLINICIAN_0": "clinician",
        "PATIENT_0": "patient",
    }


def test_explicit_labels_and_nothing() -> None:
    assert parse_speaker_names("spk_1=patient") == {"spk_1": "patient"}
    assert parse_speaker_names("Dr Okafor, ch_1=caller")["ch_1"] == "caller"
    assert parse_speaker_names(None) == {} == parse_speaker_names("  ")


@pytest.mark.parametrize(
    ("spec", "message"),
    [
        ("clinician,,patient", "entry 2 is empty"),
        ("spk_x=nurse", "not a label"),
        ("spk_0=", "entry 1 is empty"),
        (",".join(f"n{i}" for i in range(MAX_NAMES + 1)), f"at most {MAX_NAMES}"),
    ],
)
def test_bad_specs_are_one_line_validation_errors(spec: str, message: str) -> None:
    with pytest.raises(ValidationError, match=message) as caught:
        parse_speaker_names(spec)
    assert caught.value.exit_code == EXIT_USAGE
    assert "\n" not in str(caught.value)


def test_more_names_than_speakers_is_refused() -> None:
    parsed = transcript(SPEAKERS)
    check_speaker_names(parsed, parse_speaker_names("clinician,patient"))
    with pytest.raises(ValidationError, match="3 names given but the transcript has only 2"):
        render_string(parsed, "text", speaker_names="clinician,patient,interpreter")
    with pytest.raises(ValidationError, match="only 2 channels"):
        render_string(transcript(CHANNELS), "vtt", speaker_names="spk_0=a,ch_2=b")


def test_names_for_an_unlabelled_transcript_are_refused() -> None:
    with pytest.raises(ValidationError, match="no speaker or channel labels"):
        render_string(transcript(PLAIN), "srt", speaker_names="clinician")


def test_control_characters_cannot_break_lines() -> None:
    names = parse_speaker_names("Dr\nLee,pa\ttient")
    assert display_name("spk_0", names) == "Dr Lee"
    assert display_name("ch_1", names) == "pa tient"
    assert display_name("spk_7", names) == "spk_7"
    assert display_name(None, names) == "unknown"
