"""The AWS streaming client against a local WebSocket endpoint (no network, no account).

The endpoint checks the presigned URL's signature with botocore, decodes frames
with the test's own struct+zlib parser and answers with its own encoder, so both
directions of the framing are checked against an independent implementation.
"""

from __future__ import annotations

from pathlib import Path
from urllib.parse import parse_qsl, urlsplit

import numpy as np
import pytest
from click.testing import CliRunner
from streamkit import ACCESS_KEY, REGION, build_frame, parse_frame, signature_ok

from medscribe.backends.aws.eventstream import (
    ResponseDecoder,
    StreamServiceError,
    encode_audio_event,
)
from medscribe.backends.aws.streaming import (
    presign_url,
    resolve_credentials,
    stream_aws,
    stream_query,
)
from medscribe.cli import cli
from medscribe.config import Settings
from medscribe.errors import BackendError, ValidationError
from medscribe.request import build_options
from medscribe.streaming.session import StreamSession
from medscribe.streaming.source import FileSource
from medscribe.transcript import codec


def test_presigned_url_has_the_documented_query_and_a_valid_signature(aws_credentials):
    options = build_options(specialty="cardiology", max_speakers=2, vocabulary="cardio-terms")
    query = stream_query(options, sample_rate=16000, session_id="visit-42")
    credentials, region = resolve_credentials(Settings())
    url = presign_url(query, credentials=credentials, region=region)

    parts = urlsplit(url)
    params = dict(parse_qsl(parts.query))
    assert parts.scheme == "wss"
    assert parts.netloc == f"transcribestreaming.{REGION}.amazonaws.com:8443"
    assert parts.path == "/medical-stream-transcription-websocket"
    assert params["language-code"] == "en-US"
    assert params["media-encoding"] == "pcm"
    assert params["sample-rate"] == "16000"
    assert params["specialty"] == "CARDIOLOGY"
    assert params["type"] == "CONVERSATION"
    assert params["show-speaker-label"] == "true"
    assert params["vocabulary-name"] == "cardio-terms"
    assert params["session-id"] == "visit-42"
    assert params["X-Amz-Algorithm"] == "AWS4-HMAC-SHA256"
    assert params["X-Amz-Expires"] == "300"
    assert params["X-Amz-SignedHeaders"] == "host"
    assert params["X-Amz-Credential"].startswith(f"{ACCESS_KEY}/")
    assert params["X-Amz-Credential"].endswith(f"/{REGION}/transcribe/aws4_request")
    assert signature_ok(f"{parts.path}?{parts.query}", parts.netloc)
    # Any change to a signed parameter breaks the signature.
    tampered = parts.query.replace("specialty=CARDIOLOGY", "specialty=UROLOGY")
    assert not signature_ok(f"{parts.path}?{tampered}", parts.netloc)


def test_channel_identification_query_and_stream_rules():
    options = build_options(specialty="neurology", channel_identification=True)
    query = stream_query(options, sample_rate=16000, channels=2)
    assert query["enable-channel-identification"] == "true"
    assert query["number-of-channels"] == "2"
    assert "show-speaker-label" not in query
    with pytest.raises(ValidationError, match="2 channels"):
        stream_query(options, sample_rate=16000, channels=3)
    with pytest.raises(ValidationError, match="RADIOLOGY"):
        # Radiology is a dictation specialty only.
        stream_query(build_options(specialty="radiology"), sample_rate=16000)
    dictation = stream_query(
        build_options(specialty="radiology", type="dictation"), sample_rate=8000
    )
    assert dictation["type"] == "DICTATION"


def test_audio_frames_decode_with_an_independent_parser():
    pcm = np.arange(-800, 800, dtype=np.int16).tobytes()
    headers, payload = parse_frame(encode_audio_event(pcm))
    assert headers == {
        ":message-type": "event",
        ":event-type": "AudioEvent",
        ":content-type": "application/octet-stream",
    }
    assert payload == pcm
    headers, payload = parse_frame(encode_audio_event(b""))
    assert payload == b"" and headers[":event-type"] == "AudioEvent"


def test_responses_split_across_messages_are_reassembled():
    event = {
        "Transcript": {
            "Results": [
                {
                    "ResultId": "r",
                    "IsPartial": True,
                    "StartTime": 0.0,
                    "EndTime": 1.0,
                    "Alternatives": [{"Transcript": "Hello", "Items": []}],
                }
            ]
        }
    }
    import json

    frame = build_frame(
        {":message-type": "event", ":event-type": "TranscriptEvent"}, json.dumps(event).encode()
    )
    decoder = ResponseDecoder()
    assert list(decoder.feed(frame[:10])) == []
    (parsed,) = list(decoder.feed(frame[10:]))
    assert parsed.results[0].transcript == "Hello"
    assert parsed.results[0].is_partial


def test_stream_sends_framed_pcm_and_collects_partials_and_finals(fake_service, tone_wav: Path):
    service = fake_service()
    options = build_options(specialty="primarycare", max_speakers=2)
    session = StreamSession(options)
    events = []

    def on_event(event):
        events.append(event)
        session.add(event)

    source = FileSource(tone_wav, realtime=False)
    stream_aws(
        source,
        options,
        settings=Settings(),
        on_event=on_event,
        endpoint=service.endpoint,
        session_id="s-1",
    )

    assert service.rejected == []
    assert service.query["specialty"] == "PRIMARYCARE"
    assert service.query["show-speaker-label"] == "true"
    assert service.query["session-id"] == "s-1"
    # Every frame was a well-formed AudioEvent; the last one is the empty end frame.
    assert all(h[":event-type"] == "AudioEvent" for h, _ in service.frames)
    assert service.frames[-1][1] == b""
    # 1.5 s resampled to 16 kHz mono s16le.
    assert len(service.audio) == pytest.approx(1.5 * 16000 * 2, abs=64)
    # The partial came first; both results were closed by finals with the same ids.
    partial_ids = [r.result_id for e in events for r in e.results if r.is_partial]
    final_ids = [r.result_id for e in events for r in e.results if not r.is_partial]
    assert partial_ids == ["res-1"]
    assert final_ids == ["res-1", "res-2"]
    assert session.open_partials == []
    transcript = session.transcript()
    assert transcript.text == "Chest pain. Since Monday."
    assert [i.speaker for i in transcript.words] == ["spk_0", "spk_0", "spk_1", "spk_1"]
    assert transcript.speakers == 2
    # It survives the Transcribe Medical JSON round trip.
    assert codec.loads(codec.dumps(transcript)).text == transcript.text


def test_two_channel_stream_keeps_channels_apart(fake_service, stereo_tone_wav: Path):
    service = fake_service(channels=2)
    options = build_options(specialty="urology", channel_identification=True)
    session = StreamSession(options, channels=2)
    source = FileSource(stereo_tone_wav, channels=2)
    stream_aws(
        source, options, settings=Settings(), on_event=session.add, endpoint=service.endpoint
    )

    assert service.query["enable-channel-identification"] == "true"
    assert service.query["number-of-channels"] == "2"
    audio = np.frombuffer(service.audio, dtype="<i2").reshape(-1, 2)
    assert len(audio) == pytest.approx(16000, abs=32)
    # Interleaved: the left channel is the louder 440 Hz tone.
    assert np.abs(audio[:, 0]).max() > 1.5 * np.abs(audio[:, 1]).max()
    transcript = session.transcript()
    assert transcript.channels == 2
    assert {i.channel for i in transcript.items} == {"ch_0", "ch_1"}


def test_service_exception_is_one_clear_error(fake_service, tone_wav: Path):
    service = fake_service(mode="BadRequestException")
    with pytest.raises(StreamServiceError) as info:
        stream_aws(
            FileSource(tone_wav),
            build_options(specialty="oncology"),
            settings=Settings(),
            on_event=lambda e: None,
            endpoint=service.endpoint,
        )
    message = str(info.value)
    assert "BadRequestException" in message and "no new audio" in message
    assert "\n" not in message
    assert info.value.exit_code == 1


def test_wrong_secret_is_refused_with_a_clear_error(fake_service, tone_wav: Path):
    service = fake_service(secret="not-the-same-secret")
    with pytest.raises(BackendError, match="refused the connection \\(HTTP 403\\)"):
        stream_aws(
            FileSource(tone_wav),
            build_options(specialty="oncology"),
            settings=Settings(),
            on_event=lambda e: None,
            endpoint=service.endpoint,
        )
    assert service.rejected == ["signature"]


def test_cli_aws_stream_saves_json_and_text(fake_service, tone_wav: Path, tmp_path: Path):
    service = fake_service()
    out = tmp_path / "visit.json"
    result = CliRunner().invoke(
        cli,
        [
            "stream",
            str(tone_wav),
            "--backend",
            "aws",
            "--specialty",
            "cardiology",
            "--speakers",
            "2",
            "--endpoint",
            service.endpoint,
            "-o",
            str(out),
            "--format",
            "text",
        ],
    )
    assert result.exit_code == 0, result.output
    assert "Chest pain." in result.output
    saved = codec.load(out)
    assert saved.text == "Chest pain. Since Monday."
    assert (tmp_path / "visit.txt").read_text().strip() != ""


def test_cli_service_exception_exits_1_with_one_line(fake_service, tone_wav: Path, capsys):
    from medscribe.cli import main

    service = fake_service(mode="LimitExceededException")
    with pytest.raises(SystemExit) as exit_info:
        main(
            [
                "stream",
                str(tone_wav),
                "--backend",
                "aws",
                "--specialty",
                "cardiology",
                "--endpoint",
                service.endpoint,
            ]
        )
    assert exit_info.value.code == 1
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and "LimitExceededException" in err[0]
    assert "concurrent streams" in err[0]


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--specialty", "radiology"], "streaming conversations accept"),
        (["--specialty", "cardiology", "--speakers", "2", "--channels", "2"], "cannot be used"),
        (["--specialty", "dentistry"], "unknown specialty"),
    ],
)
def test_cli_aws_validation_exits_2(aws_credentials, tone_wav: Path, capsys, args, message):
    from medscribe.cli import main

    with pytest.raises(SystemExit) as exit_info:
        main(["stream", str(tone_wav), "--backend", "aws", *args])
    assert exit_info.value.code == 2
    assert message in capsys.readouterr().err
