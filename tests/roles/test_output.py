"""Role labels in the JSON (round trip, other readers), in --speaker-names, and the request."""

from __future__ import annotations

import csv
import json
from pathlib import Path

import pytest
from dialogues import SMALL_TALK, VISIT, transcript

from medscribe.batch import job_name_for, names_for
from medscribe.errors import EXIT_USAGE, ValidationError
from medscribe.render import parse_speaker_names, render_string
from medscribe.render.names import check_speaker_names, transcript_labels
from medscribe.request import build_options
from medscribe.roles import assign_roles
from medscribe.transcript import codec


def roled():
    visit = transcript(VISIT)
    assign_roles(visit)
    return visit


def test_the_json_carries_role_labels_and_round_trips() -> None:
    visit = roled()
    doc = codec.to_json(visit)

    labels = doc["results"]["speaker_labels"]
    assert {s["speaker_label"] for s in labels["segments"]} == {"CLINICIAN_0", "PATIENT_0"}
    assert {i["speaker_label"] for i in doc["results"]["items"] if "speaker_label" in i} == {
        "CLINICIAN_0",
        "PATIENT_0",
    }
    roles = labels["speaker_roles"]
    assert roles["status"] == "ASSIGNED" and float(roles["confidence"]) >= 0.5
    assert roles["labels"] == [
        {"speaker_label": "CLINICIAN_0", "replaced": "spk_1"},
        {"speaker_label": "PATIENT_0", "replaced": "spk_0"},
    ]

    back = codec.loads(codec.dumps(visit))
    assert back.roles is not None and back.roles.status == "assigned"
    assert back.roles.replaced == visit.roles.replaced  # type: ignore[union-attr]
    assert [(i.content, i.speaker) for i in back.items] == [
        (i.content, i.speaker) for i in visit.items
    ]
    assert codec.dumps(back) == codec.dumps(visit)


def test_kept_labels_say_why_in_the_json() -> None:
    chat = transcript(SMALL_TALK)
    assign_roles(chat)
    roles = codec.to_json(chat)["results"]["speaker_labels"]["speaker_roles"]
    assert roles["status"] == "UNSURE" and roles["labels"] == []
    assert codec.loads(codec.dumps(chat)).roles.status == "unsure"  # type: ignore[union-attr]


def test_an_unknown_status_is_passed_over() -> None:
    doc = codec.to_json(roled())
    doc["results"]["speaker_labels"]["speaker_roles"]["status"] = "SOMETHING_NEW"
    assert codec.from_json(doc).roles is None


def test_tscribe_reads_role_labels(tmp_path: Path) -> None:
    tscribe = pytest.importorskip("tscribe")
    source = tmp_path / "visit.json"
    source.write_text(codec.dumps(roled()), encoding="utf-8")
    target = tmp_path / "visit.csv"
    tscribe.write(str(source), format="csv", save_as=str(target))
    with target.open(newline="", encoding="utf-8") as fh:
        rows = list(csv.DictReader(fh))
    assert {row["speaker"] for row in rows} == {"CLINICIAN_0", "PATIENT_0"}


def test_positional_names_name_the_clinician_first() -> None:
    visit = roled()
    names = names_for(visit, parse_speaker_names("Dr Reed,Mr Cole"))
    assert names == {"CLINICIAN_0": "Dr Reed", "PATIENT_0": "Mr Cole"}
    text = render_string(visit, "text", speaker_names=names)
    assert text.splitlines()[0].split("] ")[1].startswith("Mr Cole:")  # the patient spoke first
    assert "Dr Reed:" in text and "spk_" not in text and "CLINICIAN_0" not in text
    assert transcript_labels(visit) == ["CLINICIAN_0", "PATIENT_0"]


def test_a_role_is_named_by_its_label_and_unnamed_roles_show_the_label() -> None:
    visit = roled()
    names = names_for(visit, parse_speaker_names("PATIENT_0=Mr Cole"))
    text = render_string(visit, "text", speaker_names=names)
    assert "Mr Cole:" in text and "CLINICIAN_0:" in text


def test_role_names_never_name_kept_labels() -> None:
    chat = transcript(SMALL_TALK)
    assign_roles(chat)
    names = parse_speaker_names("Dr Reed,Mr Cole", roles=True)
    assert names == {"CLINICIAN_0": "Dr Reed", "PATIENT_0": "Mr Cole"}
    assert names_for(chat, names) == {}
    assert "Dr Reed" not in render_string(chat, "text", speaker_names=names_for(chat, names))


def test_with_roles_at_most_two_names_and_three_are_too_many_for_a_role_transcript() -> None:
    with pytest.raises(ValidationError, match="at most two names"):
        parse_speaker_names("a,b,c", roles=True)
    with pytest.raises(ValidationError, match="3 names given but the transcript has only 2"):
        check_speaker_names(roled(), parse_speaker_names("a,b,c"))


def test_speaker_roles_need_speaker_partitioning() -> None:
    for kwargs in ({}, {"channel_identification": True}):
        with pytest.raises(ValidationError, match="need speaker partitioning") as caught:
            build_options(speaker_roles=True, **kwargs)
        assert caught.value.option == "speaker_roles"
    assert build_options(max_speakers=2, speaker_roles=True).speaker_roles


def test_roles_are_no_part_of_the_job() -> None:
    plain = build_options(max_speakers=2)
    roles = build_options(max_speakers=2, speaker_roles=True)
    assert roles.settings() == plain.settings()
    assert roles.model_dump(mode="json") == plain.model_dump(mode="json")
    assert job_name_for("0" * 64, roles) == job_name_for("0" * 64, plain)


@pytest.mark.parametrize(
    ("args", "message"),
    [
        ((), "--speaker-roles needs --speakers"),
        (("--channels",), "--speaker-roles needs --speakers"),
        (("--speakers", "2", "--speaker-names", "a,b,c"), "at most two names"),
    ],
)
def test_cli_refuses_in_one_line(cli, tmp_path: Path, args: tuple[str, ...], message: str) -> None:
    audio = tmp_path / "visit.wav"
    audio.write_bytes(b"RIFF")  # never read: the options are refused first
    result = cli("transcribe", str(audio), "--backend", "local", "--speaker-roles", *args)
    assert result.code == EXIT_USAGE
    assert message in result.err and len(result.err.strip().splitlines()) == 1
    assert "Traceback" not in result.err


def test_stream_refuses_roles_without_speakers_or_output(cli, tmp_path: Path) -> None:
    audio = tmp_path / "visit.wav"
    audio.write_bytes(b"RIFF")
    for args, message in (((), "needs --speakers"), (("--speakers", "2"), "needs --output")):
        result = cli("stream", str(audio), "--backend", "local", "--speaker-roles", *args)
        assert result.code == EXIT_USAGE and message in result.err, result.err


def test_render_names_the_roles_of_a_role_json(cli, tmp_path: Path) -> None:
    """``medscribe render`` of a role JSON names the roles in the order of the option."""
    source = tmp_path / "visit.json"
    source.write_text(codec.dumps(roled()), encoding="utf-8")
    result = cli("render", str(source), "--format", "text", "--speaker-names", "Dr Reed,Mr Cole")
    assert result.code == 0, result.err
    assert "Dr Reed:" in result.out and "Mr Cole:" in result.out
    doc = json.loads(cli("render", str(source), "--format", "json").out)
    assert doc["results"]["speaker_labels"]["speaker_roles"]["status"] == "ASSIGNED"


def test_render_gives_roles_to_any_transcribe_json(tmp_path: Path) -> None:
    """`render --speaker-roles` on a JSON with spk_N (as the service writes it)."""
    from click.testing import CliRunner

    from medscribe.cli import cli

    source = tmp_path / "visit.json"
    source.write_text(codec.dumps(transcript(VISIT)), encoding="utf-8")
    runner = CliRunner()

    text = runner.invoke(cli, ["render", str(source), "-f", "text", "--speaker-roles"])
    assert text.exit_code == 0, text.output
    lines = text.stdout.splitlines()
    assert lines[0].split("] ", 1)[1].startswith("PATIENT_0:")  # the patient opens this visit
    assert any("CLINICIAN_0" in line for line in lines)

    named = runner.invoke(
        cli,
        [
            "render",
            str(source),
            "-f",
            "text",
            "--speaker-roles",
            "--speaker-names",
            "Dr Lee,Ms Park",
        ],
    )
    assert named.exit_code == 0, named.output
    assert "Dr Lee:" in named.stdout and "Ms Park:" in named.stdout

    doc = json.loads(
        runner.invoke(cli, ["render", str(source), "-f", "json", "--speaker-roles"]).stdout
    )
    assert doc["results"]["speaker_labels"]["speaker_roles"]["status"] == "ASSIGNED"


def test_render_roles_need_speaker_labels_and_say_when_kept(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    from medscribe.cli import main

    plain = transcript(VISIT)
    for item in plain.items:
        item.speaker = None
    plain.speakers = None
    source = tmp_path / "plain.json"
    source.write_text(codec.dumps(plain), encoding="utf-8")
    small = tmp_path / "small.json"
    small.write_text(codec.dumps(transcript(SMALL_TALK)), encoding="utf-8")

    with pytest.raises(SystemExit) as refused:
        main(["render", str(source), "--speaker-roles", "-f", "text"])
    assert refused.value.code == EXIT_USAGE
    err = capsys.readouterr().err
    assert "no speaker labels" in err and "Traceback" not in err and len(err.splitlines()) == 1

    main(["render", str(small), "--speaker-roles", "-f", "text"])
    out = capsys.readouterr()
    assert "speaker labels kept as spk_N" in out.err
    assert "spk_0" in out.out
