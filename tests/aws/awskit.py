"""Helpers of the AWS tests (imported by conftest.py and the tests): test-only audio made
with the stdlib, the CLI as a subprocess, and a scripted local endpoint for the errors that
moto cannot produce (AccessDenied, throttling, a racing ConflictException)."""

from __future__ import annotations

import json
import math
import os
import socket
import struct
import subprocess
import sys
import threading
import wave
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
MEDSCRIBE = Path(sys.executable).parent / "medscribe"
REGION = "us-east-1"


def write_wav(
    path: Path, *, rate: int = 16000, seconds: float = 1.0, channels: int = 1, freq: float = 440.0
) -> Path:
    """A sine tone as 16-bit PCM WAV (the stdlib wave module; no fixtures on disk)."""
    frames = int(rate * seconds)
    one = [int(6000 * math.sin(2 * math.pi * freq * i / rate)) for i in range(min(frames, rate))]
    period = struct.pack(f"<{len(one)}h", *one)
    if channels > 1:
        period = b"".join(struct.pack("<h", s) * channels for s in one)
    data = (period * (frames // len(one) + 1))[: frames * 2 * channels]
    with wave.open(str(path), "wb") as w:
        w.setnchannels(channels)
        w.setsampwidth(2)
        w.setframerate(rate)
        w.writeframes(data)
    return path


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def cli_env(**extra: str) -> dict[str, str]:
    env = dict(os.environ)
    env.pop("MEDSCRIBE_DEBUG", None)
    env.update(extra)
    return env


def run_cli(*args: str, env: dict[str, str] | None = None, timeout: float = 60):
    """Run the installed ``medscribe`` entry point as a user's shell would."""
    return subprocess.run(
        [str(MEDSCRIBE), *args],
        capture_output=True,
        text=True,
        env=env or cli_env(),
        timeout=timeout,
        stdin=subprocess.DEVNULL,
        cwd=ROOT,
    )


# ---------------------------------------------------------------------- scripted endpoint


@dataclass
class Reply:
    status: int
    body: bytes = b""
    headers: dict[str, str] = field(default_factory=dict)


def json_error(code: str, message: str, status: int = 400) -> Reply:
    body = json.dumps({"__type": code, "message": message}).encode()
    return Reply(status, body, {"Content-Type": "application/x-amz-json-1.1"})


def json_ok(doc: dict) -> Reply:
    return Reply(200, json.dumps(doc).encode(), {"Content-Type": "application/x-amz-json-1.1"})


def s3_error(code: str, message: str, status: int) -> Reply:
    body = (
        f'<?xml version="1.0" encoding="UTF-8"?><Error><Code>{code}</Code>'
        f"<Message>{message}</Message><RequestId>r1</RequestId></Error>"
    ).encode()
    return Reply(status, body, {"Content-Type": "application/xml"})


@dataclass
class Seen:
    method: str
    path: str
    operation: str
    headers: dict[str, str]
    body: bytes

    def json(self) -> dict:
        return json.loads(self.body or b"{}")


class ScriptedAws:
    """A local HTTP endpoint that answers AWS calls from a script and records each request.

    Operations are keyed ``Transcribe.<Action>`` (JSON protocol, from X-Amz-Target),
    ``STS.<Action>`` (query protocol) or ``S3 <METHOD>`` (REST). Each key has a list
    of replies used in order; the last one repeats. Unscripted calls get a 500 so
    that a test notices them.
    """

    def __init__(self) -> None:
        self.script: dict[str, list[Reply]] = {}
        self.requests: list[Seen] = []
        handler = self._handler()
        self.server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}"
        self.thread = threading.Thread(
            target=self.server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True
        )

    def on(self, operation: str, *replies: Reply) -> None:
        self.script[operation] = list(replies)

    def calls(self, operation: str) -> list[Seen]:
        return [r for r in self.requests if r.operation == operation]

    def _reply(self, operation: str) -> Reply:
        replies = self.script.get(operation)
        if not replies:
            return json_error("InternalFailure", f"unscripted {operation}", 500)
        return replies.pop(0) if len(replies) > 1 else replies[0]

    def _handler(self) -> type[BaseHTTPRequestHandler]:
        fake = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, *args: object) -> None:  # keep pytest output clean
                pass

            def _serve(self) -> None:
                length = int(self.headers.get("Content-Length") or 0)
                body = self.rfile.read(length) if length else b""
                target = self.headers.get("X-Amz-Target", "")
                operation = target if target else f"S3 {self.command}"
                if not target and body.startswith(b"Action="):  # query protocol (STS)
                    operation = "STS." + body.split(b"&")[0][7:].decode()
                fake.requests.append(
                    Seen(self.command, self.path, operation, dict(self.headers), body)
                )
                reply = fake._reply(operation)
                self.send_response(reply.status)
                for k, v in reply.headers.items():
                    self.send_header(k, v)
                self.send_header("Content-Length", str(len(reply.body)))
                self.end_headers()
                if self.command != "HEAD":
                    self.wfile.write(reply.body)

            do_GET = do_PUT = do_POST = do_DELETE = do_HEAD = _serve

        return Handler

    def __enter__(self) -> ScriptedAws:
        self.thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.server.shutdown()
        self.server.server_close()
        self.thread.join(timeout=5)
