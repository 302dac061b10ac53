"""The live display and the session: partials in place, finals appended, saving."""

from __future__ import annotations

import io
from pathlib import Path

import pytest
from rich.console import Console

from medscribe.cli.live_view import LiveDisplay
from medscribe.errors import ValidationError
from medscribe.request import build_options
from medscribe.streaming.events import Result, TranscriptEvent
from medscribe.streaming.session import StreamSession, output_paths
from medscribe.transcript import codec
from medscribe.transcript.model import Item


def words(*spec: tuple[str, float, float], speaker: str | None = None) -> list[Item]:
    out = []
    for text, start, end in spec:
        if text in ".,?":
            out.append(Item(text, type="punctuation"))
        else:
            out.append(Item(text, start=start, end=end, confidence=0.9, speaker=speaker))
    return out


def event(*results: Result) -> TranscriptEvent:
    return TranscriptEvent(results=list(results), received=1.0)


def test_events_round_trip_through_the_wire_shape():
    items = words(("Chest", 0.1, 0.4), ("pain", 0.4, 0.8), (".", 0, 0), speaker="spk_1")
    final = Result.from_items(items, result_id="r1", is_partial=False, channel_id="ch_1")
    wire = event(final).to_json()
    raw = wire["Transcript"]["Results"][0]
    assert raw["IsPartial"] is False and raw["ChannelId"] == "ch_1"
    assert raw["Alternatives"][0]["Transcript"] == "Chest pain."
    assert raw["Alternatives"][0]["Items"][0]["Speaker"] == "1"
    # Punctuation carries the time of the word before it, as the service writes it.
    assert raw["Alternatives"][0]["Items"][2]["StartTime"] == 0.8
    back = TranscriptEvent.from_json(wire).results[0].to_items()
    assert [(i.content, i.speaker, i.channel) for i in back] == [
        ("Chest", "spk_1", "ch_1"),
        ("pain", "spk_1", "ch_1"),
        (".", "spk_1", "ch_1"),
    ]
    assert back[2].start is None


def test_live_display_rewrites_partials_and_appends_finals():
    buffer = io.StringIO()
    console = Console(file=buffer, force_terminal=True, width=80, color_system=None)
    partial = Result.from_items(
        words(("Chest", 0.1, 0.4)), result_id="r1", is_partial=True, stable=1
    )
    final = Result.from_items(
        words(("Chest", 0.1, 0.4), ("pain", 0.4, 0.8), speaker="spk_0"),
        result_id="r1",
        is_partial=False,
    )
    with LiveDisplay(console, speaker_names={"spk_0": "clinician"}) as display:
        display.on_event(event(partial))
        display.on_event(event(final))
    out = buffer.getvalue()
    assert "clinician: Chest pain" in out
    assert out.count("clinician: Chest pain") == 1


def test_display_without_a_terminal_prints_finals_only():
    buffer = io.StringIO()
    console = Console(file=buffer, force_terminal=False, width=80)
    partial = Result.from_items(words(("Hello", 0.0, 0.3)), result_id="a", is_partial=True)
    final = Result.from_items(
        words(("Hello", 0.0, 0.3), ("there", 0.3, 0.6)),
        result_id="a",
        is_partial=False,
        channel_id="ch_0",
    )
    with LiveDisplay(console) as display:
        display.on_event(event(partial))
        display.on_event(event(final))
    assert buffer.getvalue() == "ch_0: Hello there\n"


def test_session_orders_channels_by_time_and_saves(tmp_path: Path):
    session = StreamSession(build_options(channel_identification=True), channels=2)
    late = Result.from_items(
        words(("Yes", 2.0, 2.3), (".", 0, 0)), result_id="b", is_partial=False, channel_id="ch_1"
    )
    early = Result.from_items(
        words(("Any", 0.5, 0.7), ("pain", 0.7, 1.0), ("?", 0, 0)),
        result_id="a",
        is_partial=False,
        channel_id="ch_0",
    )
    session.add(event(late))
    session.add(event(early))
    transcript = session.transcript()
    assert transcript.text == "Any pain? Yes."
    assert transcript.channels == 2
    written = session.save(tmp_path / "visit.txt", ["text", "srt"])
    assert sorted(p.name for p in written) == ["visit.json", "visit.srt", "visit.txt"]
    assert codec.load(tmp_path / "visit.json").text == "Any pain? Yes."


def test_output_paths_refuse_rich_only_where_it_cannot_be_saved(tmp_path: Path):
    paths = output_paths(tmp_path / "visit", ["rich", "vtt"])
    assert paths == {"json": tmp_path / "visit.json", "vtt": tmp_path / "visit.vtt"}
    with pytest.raises(ValidationError):
        output_paths(tmp_path / "visit", ["pdf"])


def test_the_output_files_extension_is_written_without_a_format(tmp_path: Path):
    # `stream -o live.txt` writes live.txt (and the JSON beside it), not only live.json.
    paths = output_paths(tmp_path / "live.txt", [])
    assert paths == {"json": tmp_path / "live.json", "text": tmp_path / "live.txt"}
