"""AWS event-stream framing for the streaming WebSocket: audio out, results in.

Every WebSocket message is one event-stream message (streaming-setting-up.md):
a prelude (total length, headers length, prelude CRC32), typed headers, the
payload and a message CRC32. We write no framing code of our own: audio frames
are encoded by the ``amazon-transcribe`` package's ``EventStreamMessageSerializer``
(the encoder of AWS's streaming SDK) and responses are parsed by botocore's
``EventStreamBuffer`` (the parser boto3 uses for every event stream), which also
checks both CRCs. This module only chooses the headers and turns messages into
:class:`~medscribe.streaming.events.TranscriptEvent` objects or one-line errors
(:class:`~medscribe.errors.StreamError`).
"""

from __future__ import annotations

import json
import time
from collections.abc import Iterator
from typing import TYPE_CHECKING, cast

from botocore.eventstream import EventStreamBuffer, ParserError

from medscribe.errors import BackendError, StreamError
from medscribe.streaming.events import TranscriptEvent

if TYPE_CHECKING:  # amazon-transcribe is the [stream] extra: imported when a stream starts
    from amazon_transcribe.eventstream import EventStreamMessageSerializer

AUDIO_EVENT_HEADERS = {
    ":message-type": "event",
    ":event-type": "AudioEvent",
    ":content-type": "application/octet-stream",
}

#: What the service's exception types mean, to make its one-line errors useful.
EXCEPTION_HINTS = {
    "BadRequestException": "the request or the audio was refused",
    "InternalFailureException": "the service failed; try again",
    "LimitExceededException": "too many concurrent streams; reduce them",
    "UnrecognizedClientException": "the access key or secret key is wrong",
    "ConflictException": "a stream with this session id is already running",
    "ServiceUnavailableException": "the service is unavailable; try again",
}


class StreamServiceError(StreamError):
    """An exception message of the service (``:message-type exception``)."""

    def __init__(self, exception_type: str, message: str) -> None:
        hint = EXCEPTION_HINTS.get(exception_type)
        super().__init__(f"Transcribe streaming {exception_type}: {message}", hint=hint)
        self.exception_type = exception_type


def _serializer() -> EventStreamMessageSerializer:
    try:
        from amazon_transcribe.eventstream import EventStreamMessageSerializer
    except ImportError:
        raise BackendError(
            "AWS streaming needs the 'amazon-transcribe' package: pip install 'medscribe[stream]'"
        ) from None
    return EventStreamMessageSerializer()


def encode_audio_event(pcm: bytes) -> bytes:
    """One AudioEvent message carrying ``pcm``; an empty chunk ends the stream."""
    return bytes(_serializer().serialize(dict(AUDIO_EVENT_HEADERS), pcm))


def encode_end_of_stream() -> bytes:
    return encode_audio_event(b"")


class ResponseDecoder:
    """Turns WebSocket messages from the service into TranscriptEvents.

    A WebSocket message normally holds one whole event-stream message, but the
    buffer also copes with messages split across or packed into frames.
    """

    def __init__(self) -> None:
        self._buffer = EventStreamBuffer()

    def feed(self, data: bytes) -> Iterator[TranscriptEvent]:
        """Events in ``data``; raises :class:`StreamServiceError` for an exception message."""
        self._buffer.add_data(data)
        try:
            for message in self._buffer:
                # botocore's stubs type the parsed headers as int; they are a dict.
                headers = cast(dict[str, object], message.headers)
                event = _to_event(headers, message.payload)
                if event is not None:
                    yield event
        except ParserError as exc:
            raise StreamError(f"malformed event-stream message from the service: {exc}") from None


def _to_event(headers: dict[str, object], payload: bytes) -> TranscriptEvent | None:
    kind = headers.get(":message-type")
    if kind in ("exception", "error"):
        exception_type = str(
            headers.get(":exception-type") or headers.get(":error-code") or "UnknownException"
        )
        raise StreamServiceError(exception_type, _error_message(payload, headers))
    if kind != "event" or headers.get(":event-type") != "TranscriptEvent":
        return None  # other event types carry nothing we show
    try:
        data = json.loads(payload.decode("utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError):
        raise StreamError("the service sent a TranscriptEvent that is not JSON") from None
    return TranscriptEvent.from_json(data, received=time.monotonic())


def _error_message(payload: bytes, headers: dict[str, object]) -> str:
    text = payload.decode("utf-8", errors="replace").strip()
    try:
        data = json.loads(text)
    except json.JSONDecodeError:
        data = None
    if isinstance(data, dict):
        text = str(data.get("Message") or data.get("message") or text)
    text = text or str(headers.get(":error-message") or "no message")
    # One line, whatever the service sent.
    return " ".join(text.split())[:300]
