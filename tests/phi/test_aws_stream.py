"""PHI in an aws stream: the request asks for it, and each final's Entities land in the transcript.

The stream runs against the local WebSocket stand-in of tests/stream/streamkit.py
(SigV4 checked with botocore, frames parsed by the test's own codec), scripted
here to answer as the service does with ``content-identification-type=PHI``:
each final result's alternative carries ``Entities`` (MedicalEntity: StartTime,
EndTime, Category, Content, Confidence), and only when the request asked.
"""

from __future__ import annotations

import sys
import wave
from collections.abc import Iterator
from pathlib import Path

import pytest

# The stand-in endpoint and its framing live with the streaming tests.
sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "stream"))
from streamkit import (
    ACCESS_KEY,
    REGION,
    SECRET_KEY,
    FakeStreamingService,
    mark,
    result,
    word,
)

from medscribe.backends.aws.streaming import stream_aws, stream_query
from medscribe.cli import main
from medscribe.config import Settings
from medscribe.request import build_options
from medscribe.streaming.events import TranscriptEvent
from medscribe.streaming.session import StreamSession
from medscribe.streaming.source import FileSource
from medscribe.transcript import Entity, codec

NAME = {"StartTime": 0.5, "EndTime": 1.2, "Category": "PHI", "Content": "John Smith"}


class PhiStreamingService(FakeStreamingService):
    """The stand-in, answering with Entities when the request asked for PHI."""

    def _results(self, *, partial: bool) -> list[dict]:
        phi = self.query.get("content-identification-type") == "PHI"
        words = [word("Hi", 0.1, 0.4, Confidence=0.99), word("John", 0.5, 0.8, Confidence=0.97)]
        if partial:
            # A partial's spans may still change: the session must not keep them.
            first = result("res-1", words, partial=True)
            if phi:
                first["Alternatives"][0]["Entities"] = [{**NAME, "Content": "John", "EndTime": 0.8}]
            return [first]
        words += [word("Smith", 0.8, 1.2, Confidence=0.96), mark(".", 1.2)]
        first = result("res-1", words, partial=False)
        second = result("res-2", [word("Thanks", 1.5, 1.9, Confidence=0.9)], partial=False)
        if phi:
            first["Alternatives"][0]["Entities"] = [{**NAME, "Confidence": 0.93}]
            second["Alternatives"][0]["Entities"] = []
        return [first, second]


@pytest.fixture
def service(monkeypatch: pytest.MonkeyPatch) -> Iterator[PhiStreamingService]:
    """Fake static credentials and a region; the stand-in endpoint, stopped at the end."""
    for var in ("AWS_SESSION_TOKEN", "AWS_PROFILE", "AWS_ENDPOINT_URL", "MEDSCRIBE_REGION"):
        monkeypatch.delenv(var, raising=False)
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", ACCESS_KEY)
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", SECRET_KEY)
    monkeypatch.setenv("AWS_REGION", REGION)
    monkeypatch.setenv("AWS_EC2_METADATA_DISABLED", "true")
    fake = PhiStreamingService().start()
    yield fake
    fake.stop()


@pytest.fixture
def tone(tmp_path: Path) -> Path:
    """Half a second of 16 kHz audio: what is said comes from the script, not the sound."""
    path = tmp_path / "visit.wav"
    with wave.open(str(path), "wb") as out:
        out.setnchannels(1)
        out.setsampwidth(2)
        out.setframerate(16000)
        out.writeframes(b"\x10\x00\xf0\xff" * 4000)
    return path


def test_the_query_asks_for_phi_only_when_asked() -> None:
    on = stream_query(build_options(content_identification="phi"), sample_rate=16000)
    assert on["content-identification-type"] == "PHI"
    off = stream_query(build_options(), sample_rate=16000)
    assert "content-identification-type" not in off


def _stream(service: PhiStreamingService, tone: Path, **options: object) -> StreamSession:
    chosen = build_options(specialty="primarycare", **options)
    session = StreamSession(chosen)
    stream_aws(
        FileSource(tone),
        chosen,
        settings=Settings(),
        on_event=session.add,
        endpoint=service.endpoint,
    )
    assert service.rejected == []  # signed, as the service checks it
    return session


def test_each_finals_entities_land_in_the_transcript(service: PhiStreamingService, tone: Path):
    session = _stream(service, tone, content_identification="PHI")
    assert service.query["content-identification-type"] == "PHI"
    transcript = session.transcript()
    assert transcript.text == "Hi John Smith. Thanks"
    assert transcript.entities == [Entity("John Smith", "PHI", 0.5, 1.2, 0.93)]
    # In the service's batch shape in the saved JSON, and back.
    doc = codec.to_json(transcript)
    assert doc["results"]["entities"][0]["content"] == "John Smith"
    assert codec.from_json(doc).entities == transcript.entities


def test_without_identification_there_are_no_entities(service: PhiStreamingService, tone: Path):
    session = _stream(service, tone)
    assert "content-identification-type" not in service.query
    assert session.transcript().entities is None


def test_a_session_that_found_nothing_has_an_empty_list() -> None:
    session = StreamSession(build_options(content_identification="phi"))
    raw = result("r", [word("Thanks", 0.1, 0.4)], partial=False)
    raw["Alternatives"][0]["Entities"] = []
    session.add(TranscriptEvent.from_json({"Transcript": {"Results": [raw]}}))
    assert session.transcript().entities == []
    # The event keeps them in the service's wire shape.
    event = TranscriptEvent.from_json({"Transcript": {"Results": [raw]}})
    assert event.to_json()["Transcript"]["Results"][0]["Alternatives"][0]["Entities"] == []


def test_the_cli_saves_the_streams_phi(service: PhiStreamingService, tone: Path, tmp_path: Path):
    out = tmp_path / "visit.json"
    args = ["stream", str(tone), "--backend", "aws", "--content-identification", "phi"]
    main([*args, "--endpoint", service.endpoint, "-o", str(out)])
    assert service.query["content-identification-type"] == "PHI"
    saved = codec.load(out)
    assert saved.entities == [Entity("John Smith", "PHI", 0.5, 1.2, 0.93)]
    assert out.stat().st_mode & 0o777 == 0o600
