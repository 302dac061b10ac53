"""Amazon Transcribe Medical streaming over its WebSocket protocol (the AWS backend's streams).

This module owns the client side of streaming-websocket.md: the SigV4-presigned
URL for ``/medical-stream-transcription-websocket`` (signed with botocore's own
``SigV4QueryAuth``, not hand-rolled crypto), sending audio as event-stream
AudioEvents with the ``websockets`` package (``content-identification-type=PHI``
in the URL when content identification is asked for), and turning the service's replies
into :class:`~medscribe.streaming.events.TranscriptEvent` callbacks or one-line
errors. Framing lives in :mod:`medscribe.backends.aws.eventstream`; credentials
and region come from the backend's one session builder
(:func:`medscribe.backends.aws.session.make_session`), so a stream finds them
exactly as a batch job does (profile, AWS_REGION, ~/.aws). The service's stream
rules are :mod:`medscribe.backends.aws.rules`.
"""

from __future__ import annotations

import asyncio
import logging
import os
import uuid
from collections.abc import Iterator
from typing import TYPE_CHECKING
from urllib.parse import urlencode, urlsplit, urlunsplit

from medscribe.backends.aws.eventstream import (
    ResponseDecoder,
    encode_audio_event,
    encode_end_of_stream,
)
from medscribe.backends.aws.rules import check_stream_channels, check_stream_options
from medscribe.backends.aws.session import BACKEND, ready_session
from medscribe.backends.base import OnEvent
from medscribe.config import Settings
from medscribe.errors import NotReadyError, StreamError
from medscribe.request import TranscriptionOptions
from medscribe.streaming.source import AudioSource

if TYPE_CHECKING:
    import numpy as np
    from botocore.credentials import ReadOnlyCredentials
    from websockets.asyncio.client import ClientConnection

log = logging.getLogger(__name__)

SERVICE = "transcribe"
PATH = "/medical-stream-transcription-websocket"
#: The service refuses X-Amz-Expires above 300 seconds.
EXPIRES = 300
#: Tests and private deployments point the stream at another WebSocket endpoint.
ENDPOINT_ENV = "MEDSCRIBE_STREAM_ENDPOINT"


def default_endpoint(region: str) -> str:
    return f"wss://transcribestreaming.{region}.amazonaws.com:8443"


def stream_query(
    options: TranscriptionOptions,
    *,
    sample_rate: int,
    channels: int = 1,
    session_id: str | None = None,
) -> dict[str, str]:
    """The request's own query parameters (before signing), per the service's templates."""
    check_stream_options(options)
    query = {
        "language-code": options.language_code,
        "media-encoding": "pcm",
        "sample-rate": str(sample_rate),
        "specialty": options.specialty.value,
        "type": options.type.value,
    }
    if options.max_speakers is not None:
        query["show-speaker-label"] = "true"
    if options.channel_identification:
        check_stream_channels(channels)
        query["enable-channel-identification"] = "true"
        query["number-of-channels"] = str(channels)
    if options.vocabulary:
        query["vocabulary-name"] = options.vocabulary
    if options.content_identification is not None:
        # phi-id-stream.md: the service then sends each final's PHI as Entities.
        query["content-identification-type"] = options.content_identification.value
    if session_id:
        query["session-id"] = session_id
    return query


def presign_url(
    query: dict[str, str],
    *,
    credentials: ReadOnlyCredentials,
    region: str,
    endpoint: str | None = None,
    expires: int = EXPIRES,
) -> str:
    """A SigV4 query-signed ``wss://`` (or ``ws://`` for a local endpoint) URL.

    ``credentials`` are frozen botocore credentials (:func:`resolve_credentials`).
    The signature covers the ``host`` header only, as the protocol requires.
    """
    from botocore.auth import SigV4QueryAuth
    from botocore.awsrequest import AWSRequest

    base = urlsplit(endpoint or default_endpoint(region))
    # botocore signs http(s) URLs; the host (with its port) is what matters to SigV4.
    scheme = {"wss": "https", "ws": "http"}.get(base.scheme, base.scheme)
    url = urlunsplit((scheme, base.netloc, PATH, urlencode(sorted(query.items())), ""))
    request = AWSRequest(method="GET", url=url)
    SigV4QueryAuth(credentials, SERVICE, region, expires=min(expires, EXPIRES)).add_auth(request)
    signed = urlsplit(str(request.url))
    return urlunsplit((base.scheme, signed.netloc, signed.path, signed.query, ""))


def resolve_credentials(settings: Settings) -> tuple[ReadOnlyCredentials, str]:
    """Frozen credentials and the region, found as for every AWS call (see :mod:`.session`).

    Raises one ``NotReadyError`` naming the region and the credentials when both lack.
    """
    session = ready_session(settings, need_bucket=False)
    credentials = session.get_credentials()
    if credentials is None:  # ready_session found them; botocore caches what it found
        raise NotReadyError(BACKEND, [])
    return credentials.get_frozen_credentials(), str(session.region_name)


def stream_aws(
    source: AudioSource,
    options: TranscriptionOptions,
    *,
    settings: Settings,
    on_event: OnEvent,
    endpoint: str | None = None,
    session_id: str | None = None,
) -> str:
    """Stream ``source`` to Transcribe Medical; call ``on_event`` for each TranscriptEvent.

    ``endpoint`` defaults to ``$MEDSCRIBE_STREAM_ENDPOINT``, then the region's own.
    Blocks until the service has sent its last result; returns the session id.
    """
    endpoint = endpoint or os.environ.get(ENDPOINT_ENV) or None
    credentials, region = resolve_credentials(settings)
    session_id = session_id or str(uuid.uuid4())
    query = stream_query(
        options,
        sample_rate=source.sample_rate,
        channels=source.channels,
        session_id=session_id,
    )
    url = presign_url(query, credentials=credentials, region=region, endpoint=endpoint)
    asyncio.run(_run(url, source, on_event))
    return session_id


async def _run(url: str, source: AudioSource, on_event: OnEvent) -> None:
    import websockets
    from websockets.exceptions import ConnectionClosedError, InvalidHandshake, InvalidStatus

    host = urlsplit(url).netloc
    try:
        connection = await websockets.connect(url, open_timeout=15, max_size=2**22)
    except InvalidStatus as exc:
        status = exc.response.status_code
        raise StreamError(
            f"the streaming endpoint {host} refused the connection (HTTP {status})",
            hint="check credentials, region and clock" if status in (401, 403) else None,
        ) from None
    except (OSError, InvalidHandshake, TimeoutError) as exc:
        raise StreamError(f"cannot connect to the streaming endpoint {host}: {exc}") from None

    decoder = ResponseDecoder()
    async with connection as ws:
        sender = asyncio.create_task(_send(ws, source))
        # If reading the audio fails, close the socket so that the receive loop ends.
        sender.add_done_callback(
            lambda task: _failure(task) and asyncio.get_running_loop().create_task(ws.close())
        )
        try:
            async for message in ws:
                if isinstance(message, str):
                    message = message.encode("utf-8")
                for event in decoder.feed(message):
                    on_event(event)
        except ConnectionClosedError as exc:
            if _failure(sender) is None:
                raise StreamError(f"the stream was closed by the service: {exc}") from None
        finally:
            source.close()
            if not sender.done():
                sender.cancel()
        failure = _failure(sender)
        if failure is not None:
            raise failure


def _failure(task: asyncio.Task[None]) -> BaseException | None:
    if not task.done() or task.cancelled():
        return None
    return task.exception()


async def _send(ws: ClientConnection, source: AudioSource) -> None:
    """Send every chunk as an AudioEvent, then the empty end-of-stream event."""
    chunks: Iterator[np.ndarray] = iter(source)
    while True:
        # The source paces itself (real time) or blocks (microphone): keep it off the loop.
        chunk = await asyncio.to_thread(next, chunks, None)
        if chunk is None:
            break
        await ws.send(encode_audio_event(chunk.tobytes()))
    await ws.send(encode_end_of_stream())
    log.debug("audio sent; waiting for the last results")
