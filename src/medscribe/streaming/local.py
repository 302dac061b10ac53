"""Streaming with the offline engine: incremental decoding that keeps up in real time.

This module owns the streaming policy of the local backend. Whisper decodes whole
windows, not frames, so a stream is made by re-decoding a growing window:

* **Local agreement** (LocalAgreement-2 of whisper_streaming, Macháček et al.
  2023): after each decode, the words on which this hypothesis and the previous
  one agree are *committed*; they are shown as stable and never change. The
  uncommitted tail is shown as the partial's unstable words.
* **Utterances end with the VAD**: faster-whisper's Silero VAD
  (``faster_whisper.vad.get_speech_timestamps``) runs over the window; once the
  speech is followed by ``min_silence`` of silence, the utterance is decoded one
  last time and emitted as a final with the ResultId of its partials.
* **Bounded buffers**: the window is trimmed at committed words once it is longer
  than ``window`` seconds and an utterance is cut with a final at ``max_window``.
* **One model for all streams**: the recogniser is the engine's cached model
  (``medscribe.engine.recognition.load_model``); a lock serialises model calls,
  so concurrent streams share two cores without loading anything twice.

Finals pass through the batch post-processing: the phonetic correction pass with
the specialty lexicon and the custom vocabulary (``medscribe.engine.correction``;
DisplayAs is what a final shows), then formatting (``medscribe.engine.formatting.
format_items``). The prompted second decode of batch is left out: it would double
the model time of a final and streams must keep up. Speaker labels use the batch
stage's voice encoder online, one embedding per final (:class:`OnlineSpeakers`).
Channels are streamed apart, one decoder per channel, and labelled ``ch_N``.
"""

from __future__ import annotations

import collections
import importlib
import logging
import queue
import threading
import time
import uuid
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, replace

import numpy as np

from medscribe.engine.biasing import lexicon_for
from medscribe.engine.correction import correct_items
from medscribe.engine.lexicon import Lexicon
from medscribe.errors import BackendError, MedscribeError
from medscribe.request import TranscriptionOptions, TranscriptionType
from medscribe.streaming.events import Result, TranscriptEvent
from medscribe.streaming.source import SAMPLE_RATE, AudioSource
from medscribe.transcript.model import Item, join_items

log = logging.getLogger(__name__)

#: recognize(audio, offset, beam_size, initial_prompt) -> word and punctuation items.
RecognizeFn = Callable[[np.ndarray, float, int, "str | None"], list[Item]]
OnEvent = Callable[[TranscriptEvent], None]
#: speakers(utterance_audio, items) labels the items of one final in place.
SpeakerFn = Callable[[np.ndarray, list[Item]], None]


@dataclass(frozen=True, slots=True)
class StreamConfig:
    """Tuning of the incremental decoder (seconds unless said otherwise)."""

    #: Least new audio between two decodes; more arrives while the model is busy.
    step: float = 0.3
    #: Trim the window at committed words beyond this length.
    window: float = 15.0
    #: Hard cap: an utterance still running at this length is cut with a final.
    max_window: float = 20.0
    #: Silence that ends an utterance.
    min_silence: float = 0.5
    #: Audio kept around speech so that word edges are not clipped.
    pad: float = 0.15
    #: Agreed words ending this close to the end of the audio are not committed yet.
    commit_margin: float = 0.5
    #: A real-time stream that receives more audio than this per decode is behind:
    #: its finals then reuse the last partial decode instead of decoding again.
    behind_block: float = 1.5
    #: Beam of the partial decodes (speed) and of the final decode (accuracy).
    partial_beam: int = 1
    final_beam: int = 5
    #: Earlier text given to Whisper as its prompt, as batch decoding conditions on it.
    prompt_chars: int = 0
    #: Silero VAD speech probability threshold.
    vad_threshold: float = 0.5


# --------------------------------------------------------------------------- recogniser


def load_shared_model(model: str | None = None, *, threads: int = 0) -> object:
    """The engine's cached WhisperModel (one per process, shared by all streams)."""
    try:
        recognition = importlib.import_module("medscribe.engine.recognition")
    except ImportError:
        raise BackendError("the offline engine is not available (medscribe.engine)") from None
    return recognition.load_model(model, threads=threads)


def make_recognizer(
    model: object, lock: FairLock | None = None, *, hotwords: str | None = None
) -> RecognizeFn:
    """A thread-safe recogniser over the engine's ``recognize`` and the shared model.

    ``hotwords`` (a custom vocabulary's phrases) bias the decoder as in batch.
    """
    recognition = importlib.import_module("medscribe.engine.recognition")
    lock = lock or MODEL_LOCK

    def recognize(
        audio: np.ndarray, offset: float, beam_size: int, prompt: str | None
    ) -> list[Item]:
        with lock:
            return recognition.recognize(
                audio,
                model=model,
                offset=offset,
                beam_size=beam_size,
                initial_prompt=prompt or None,
                hotwords=hotwords,
                vad_filter=False,  # the stream has its own VAD; the window is speech already
            )

    return recognize


class FairLock:
    """A first-come first-served lock.

    ``threading.Lock`` is not fair: a stream that releases the model and asks again
    a few milliseconds later often wins again, and the other streams starve and
    fall behind. Here waiting streams take turns in arrival order.
    """

    def __init__(self) -> None:
        self._cond = threading.Condition()
        self._queue: collections.deque[object] = collections.deque()
        self._busy = False

    def __enter__(self) -> FairLock:
        ticket = object()
        with self._cond:
            self._queue.append(ticket)
            while self._busy or self._queue[0] is not ticket:
                self._cond.wait()
            self._queue.popleft()
            self._busy = True
        return self

    def __exit__(self, *exc: object) -> None:
        with self._cond:
            self._busy = False
            self._cond.notify_all()


#: One lock for the process: CTranslate2 already uses every thread we give it.
MODEL_LOCK = FairLock()


def _formatter(dictation: bool) -> Callable[[list[Item]], list[Item]]:
    try:
        formatting = importlib.import_module("medscribe.engine.formatting")
    except ModuleNotFoundError as exc:
        if exc.name != "medscribe.engine.formatting":
            raise  # the module exists but is broken: a real error, as in batch
        log.debug("medscribe.engine.formatting is not available; finals are not formatted")
        return lambda items: items
    return lambda items: formatting.format_items(items, dictation=dictation)


# --------------------------------------------------------------------------- words


Token = list[Item]  # one word and the punctuation after it


def _tokens(items: list[Item]) -> list[Token]:
    tokens: list[Token] = []
    for item in items:
        if item.is_punctuation and tokens:
            tokens[-1].append(item)
        elif not item.is_punctuation:
            tokens.append([item])
    return tokens


def _key(token: Token) -> str:
    return "".join(ch for ch in token[0].content.lower() if ch.isalnum())


def _start(token: Token) -> float:
    return token[0].start or 0.0


def _end(token: Token) -> float:
    return token[0].end or 0.0


def _flatten(tokens: list[Token]) -> list[Item]:
    return [item for token in tokens for item in token]


def _agreement(previous: list[Token], current: list[Token]) -> int:
    """Length of the prefix on which two consecutive hypotheses agree."""
    n = 0
    for a, b in zip(previous, current, strict=False):
        if _key(a) != _key(b):
            break
        n += 1
    return n


# --------------------------------------------------------------------------- decoder


class LocalStreamer:
    """The incremental decoder of one audio channel (not thread-safe; one per stream)."""

    def __init__(
        self,
        recognize: RecognizeFn,
        *,
        channel: str | None = None,
        config: StreamConfig | None = None,
        dictation: bool = False,
        speakers: SpeakerFn | None = None,
        realtime: bool = False,
        lexicon: Lexicon | None = None,
    ) -> None:
        from faster_whisper.vad import VadOptions

        self.lexicon = lexicon

        self.realtime = realtime
        self._behind = False
        self.recognize = recognize
        self.channel = channel
        self.config = config or StreamConfig()
        self.format_items = _formatter(dictation)
        self.speakers = speakers
        self._vad = VadOptions(
            threshold=self.config.vad_threshold,
            # Short pauses split the VAD's spans; _speech() merges those shorter than
            # min_silence, so the length of a trailing pause is known before it ends
            # the utterance.
            min_silence_duration_ms=100,
            speech_pad_ms=int(self.config.pad * 1000),
        )
        self._decoded_to = 0  # samples of the window covered by the last partial decode
        self._buf = np.zeros(0, dtype=np.float32)
        self._buf_t0 = 0.0  # stream time of self._buf[0]
        self._since_decode = 0
        self._committed: list[Token] = []  # of the current utterance
        self._hypothesis: list[Token] = []  # the last uncommitted tail
        self._utterance: str | None = None  # ResultId of the current utterance
        self._partial_text: str | None = None
        self._context = ""  # recent final text, for the prompt

    # -- public

    @property
    def buffered_seconds(self) -> float:
        return len(self._buf) / SAMPLE_RATE

    def feed(self, audio: np.ndarray) -> list[Result]:
        """Add mono float32 16 kHz audio; returns the partials and finals it produced."""
        self._buf = np.concatenate([self._buf, audio.astype(np.float32, copy=False)])
        self._since_decode += len(audio)
        # Audio piles up while the model serves other streams: we are behind.
        self._behind = self.realtime and len(audio) > self.config.behind_block * SAMPLE_RATE
        if self._since_decode < self.config.step * SAMPLE_RATE:
            return []
        self._since_decode = 0
        return self._process(final=False)

    def finish(self) -> list[Result]:
        """The audio has ended: finalise what is left."""
        return self._process(final=True)

    # -- steps

    def _process(self, *, final: bool) -> list[Result]:
        out: list[Result] = []
        while True:
            speech = self._speech()
            if not speech:
                if self._utterance is not None:
                    out.extend(self._finalize(len(self._buf)))
                self._drop_silence()
                return out
            first_end = speech[0][1]
            silence = len(self._buf) - first_end  # trailing pause (after the padding)
            ended = len(speech) > 1 or silence >= self._end_silence
            if ended or final:
                cut = first_end if ended else len(self._buf)
                if len(speech) > 1:
                    cut = min(cut, speech[1][0])
                out.extend(self._finalize(cut))
                continue
            if silence <= 0 or self._decoded_to < first_end:
                # Only new speech changes the hypothesis; during a pause the decoder
                # waits, which leaves the CPU to other streams and the coming final.
                out.extend(self._partial())
            if self.buffered_seconds > self.config.max_window:
                out.extend(self._finalize(len(self._buf)))
            return out

    def _speech(self) -> list[tuple[int, int]]:
        from faster_whisper.vad import get_speech_timestamps

        if len(self._buf) < 512:
            return []
        spans = [(s["start"], s["end"]) for s in get_speech_timestamps(self._buf, self._vad)]
        merged: list[tuple[int, int]] = []
        for start, end in spans:
            if merged and start - merged[-1][1] < self._end_silence:
                merged[-1] = (merged[-1][0], end)
            else:
                merged.append((start, end))
        return merged

    @property
    def _end_silence(self) -> int:
        """Samples of silence after the padded speech end that end an utterance."""
        return int(max(self.config.min_silence - self.config.pad, 0.1) * SAMPLE_RATE)

    def _drop_silence(self) -> None:
        # Keep a little audio before speech starts so that the first word is whole.
        keep = int(self.config.pad * SAMPLE_RATE) + 512
        if len(self._buf) > keep:
            self._advance(len(self._buf) - keep)

    def _advance(self, samples: int) -> None:
        self._buf = self._buf[samples:].copy()
        self._decoded_to = max(0, self._decoded_to - samples)
        self._buf_t0 += samples / SAMPLE_RATE

    def _prompt(self) -> str:
        if self.config.prompt_chars <= 0:
            return ""
        text = self._context + " " + join_items(_flatten(self._committed_outside()))
        return text.strip()[-self.config.prompt_chars :]

    def _committed_outside(self) -> list[Token]:
        return [t for t in self._committed if _end(t) <= self._buf_t0 + 1e-6]

    def _decode(self, samples: int, beam: int, *, after_committed: bool = True) -> list[Token]:
        """Decode the window up to ``samples``; words already committed are left out."""
        items = self.recognize(self._buf[:samples], self._buf_t0, beam, self._prompt() or None)
        tokens = _tokens(items)
        if not self._committed or not after_committed:
            return tokens
        last = _end(self._committed[-1])
        tokens = [t for t in tokens if _start(t) > last - 0.1]
        # The same words may come back with slightly different times: drop an n-gram
        # at the head that repeats the committed tail (as whisper_streaming does).
        if tokens and abs(_start(tokens[0]) - last) < 1.0:
            for n in range(min(5, len(tokens), len(self._committed)), 0, -1):
                tail = [_key(t) for t in self._committed[-n:]]
                if tail == [_key(t) for t in tokens[:n]]:
                    return tokens[n:]
        return tokens

    def _partial(self) -> list[Result]:
        if self._utterance is None:
            self._utterance = str(uuid.uuid4())
        tokens = self._decode(len(self._buf), self.config.partial_beam)
        self._decoded_to = len(self._buf)
        agreed = _agreement(self._hypothesis, tokens)
        # A word that ends near the end of the audio may still be cut short
        # ("electric" before "cardiogram"): it is not committed yet.
        horizon = self._buf_t0 + self.buffered_seconds - self.config.commit_margin
        while agreed and _end(tokens[agreed - 1]) > horizon:
            agreed -= 1
        self._committed.extend(tokens[:agreed])
        self._hypothesis = tokens[agreed:]
        self._trim()
        items = _flatten(self._committed) + _flatten(self._hypothesis)
        text = join_items(items)
        if not items or text == self._partial_text:
            return []
        self._partial_text = text
        stable = len(_flatten(self._committed))
        return [
            Result.from_items(
                [replace(i, channel=self.channel) for i in items],
                result_id=self._utterance,
                is_partial=True,
                channel_id=self.channel,
                stable=stable,
            )
        ]

    def _trim(self) -> None:
        """Keep the window bounded: cut it at the end of the last committed word."""
        if self.buffered_seconds <= self.config.window or not self._committed:
            return
        cut_time = _end(self._committed[-1])
        samples = int((cut_time - self._buf_t0) * SAMPLE_RATE)
        if samples > 0:
            self._advance(min(samples, len(self._buf)))

    def _finalize(self, samples: int) -> list[Result]:
        """Decode the utterance's audio up to ``samples`` once more and emit its final.

        While the whole utterance is still in the window it is decoded afresh with
        the final beam (batch quality: the final may still correct a stable word);
        once the window was trimmed, the committed words stand and only the rest of
        the window is decoded.
        """
        samples = max(0, min(len(self._buf), samples))
        whole = not self._committed_outside()
        tokens = []
        if self._behind and self._decoded_to >= samples and (self._committed or self._hypothesis):
            # Behind real time: the last partial decode already heard the whole
            # utterance; reuse it rather than queue for the model again.
            cut_time = self._buf_t0 + samples / SAMPLE_RATE
            heard = self._committed + self._hypothesis
            tokens, whole = [t for t in heard if _start(t) < cut_time], True
        elif samples > 512:
            tokens = self._decode(samples, self.config.final_beam, after_committed=not whole)
        items = _flatten(tokens) if whole else _flatten(self._committed) + _flatten(tokens)
        result_id = self._utterance
        end_time = self._buf_t0 + samples / SAMPLE_RATE
        audio = self._buf[:samples]
        self._advance(samples)
        self._committed, self._hypothesis = [], []
        self._utterance, self._partial_text = None, None
        if not items:
            if result_id is None:
                return []
            # Partials were shown: close them with an empty final of the same id.
            return [
                Result.from_items(
                    [],
                    result_id=result_id,
                    is_partial=False,
                    channel_id=self.channel,
                    end=end_time,
                )
            ]
        if self.lexicon is not None:
            items = correct_items(items, self.lexicon)
        items = [replace(i, channel=self.channel) for i in self.format_items(items)]
        if self.speakers is not None:
            self.speakers(audio, items)
        self._context = (self._context + " " + join_items(items)).strip()[
            -self.config.prompt_chars :
        ]
        return [
            Result.from_items(
                items,
                result_id=result_id or str(uuid.uuid4()),
                is_partial=False,
                channel_id=self.channel,
            )
        ]


# --------------------------------------------------------------------------- speakers


class OnlineSpeakers:
    """Speaker labels for finals, decided online, one voice embedding per utterance.

    The batch stage (``medscribe.engine.speakers.assign_speakers``) clusters window
    embeddings over the whole visit; re-running it over a growing history for each
    final took seconds per utterance on two cores, far beyond a stream's latency.
    A stream instead uses the same voice encoder (``medscribe.engine.embeddings``,
    Resemblyzer) once per final: the utterance joins the nearest known voice when
    the cosine similarity reaches ``threshold`` (or when ``max_speakers`` voices
    exist), else it starts a new one. Memory is one centroid per speaker. Like the
    service's own streams, labels are per result, not per word inside it.
    """

    def __init__(self, max_speakers: int, *, threshold: float = 0.75) -> None:
        try:
            embeddings = importlib.import_module("medscribe.engine.embeddings")
        except ModuleNotFoundError:
            raise BackendError(
                "speaker labels are not available (medscribe.engine.embeddings)"
            ) from None
        import torch

        # The encoder is a small LSTM: one thread is fastest, and more threads only
        # fight CTranslate2 for the same cores (seconds per utterance when they do).
        torch.set_num_threads(1)
        self.encoder = embeddings.load_encoder()
        # The first call is slow (lazy initialisation): pay it before the stream starts.
        self.encoder.embed_utterance(np.zeros(SAMPLE_RATE, dtype=np.float32))
        self.max_speakers = max_speakers
        self.threshold = threshold
        self._sums: list[np.ndarray] = []

    def __call__(self, audio: np.ndarray, items: list[Item]) -> None:
        if len(audio) < SAMPLE_RATE // 2:
            label = self._nearest_label(None)
        else:
            vector = self.encoder.embed_utterance(audio.astype(np.float32))
            label = self._nearest_label(vector / (np.linalg.norm(vector) or 1.0))
        for item in items:
            item.speaker = label

    def _nearest_label(self, vector: np.ndarray | None) -> str:
        if vector is None:  # too short to embed: the latest speaker goes on
            return f"spk_{max(len(self._sums) - 1, 0)}"
        sims = [float(vector @ (c / np.linalg.norm(c))) for c in self._sums]
        best = int(np.argmax(sims)) if sims else -1
        if best < 0 or (sims[best] < self.threshold and len(self._sums) < self.max_speakers):
            self._sums.append(vector.copy())
            return f"spk_{len(self._sums) - 1}"
        self._sums[best] = self._sums[best] + vector
        return f"spk_{best}"


# --------------------------------------------------------------------------- driver


def stream_local(
    source: AudioSource,
    options: TranscriptionOptions,
    *,
    on_event: OnEvent,
    model: object | None = None,
    recognize: RecognizeFn | None = None,
    config: StreamConfig | None = None,
    stop: threading.Event | None = None,
    hotwords: str | None = None,
    vocabulary: Sequence[object] | None = None,
    correction: bool = True,
) -> None:
    """Stream ``source`` through the offline engine, calling ``on_event`` per event.

    Blocks until the audio ends (or ``stop`` is set); audio is read on a helper
    thread into a bounded queue, and each decode takes all audio that arrived
    meanwhile, so a slow decode never makes the stream fall further behind.
    """
    if recognize is None:
        model = model if model is not None else load_shared_model()
        recognize = make_recognizer(model, hotwords=hotwords)
    channels = source.channels if options.channel_identification else 1
    tracker = OnlineSpeakers(options.max_speakers) if options.max_speakers else None
    dictation = options.type is TranscriptionType.DICTATION
    # Loaded once per stream and shared by its channels (the same terms apply to all).
    lexicon = lexicon_for(options, vocabulary) if correction else None
    streamers = [
        LocalStreamer(
            recognize,
            channel=f"ch_{n}" if options.channel_identification else None,
            config=config,
            dictation=dictation,
            speakers=tracker,
            realtime=bool(getattr(source, "realtime", True)),
            lexicon=lexicon,
        )
        for n in range(channels)
    ]
    stop = stop or threading.Event()
    for block in _blocks(source, stop):
        audio = block.astype(np.float32) / 32768.0
        for n, streamer in enumerate(streamers):
            mono = audio[:, n] if channels > 1 else audio.mean(axis=1)
            _emit(streamer.feed(mono), on_event)
    if stop.is_set():
        return  # interrupted: what was final has been emitted already
    for streamer in streamers:
        _emit(streamer.finish(), on_event)


def _emit(results: list[Result], on_event: OnEvent) -> None:
    if results:
        on_event(TranscriptEvent(results=results, received=time.monotonic()))


_END = object()


def _blocks(
    source: AudioSource, stop: threading.Event, max_chunks: int = 50
) -> Iterator[np.ndarray]:
    """All audio that has arrived since the last call, as one block (bounded queue)."""
    chunks: queue.Queue = queue.Queue(maxsize=max_chunks)
    failure: list[BaseException] = []
    quit_reading = threading.Event()  # the consumer is gone: the reader must not block

    def read() -> None:
        try:
            for chunk in source:
                while not (quit_reading.is_set() or stop.is_set()):
                    try:
                        chunks.put(chunk, timeout=0.2)
                        break
                    except queue.Full:
                        continue
                else:
                    return
        except MedscribeError as exc:
            failure.append(exc)
        except Exception as exc:
            failure.append(BackendError(f"reading the audio failed: {exc}"))
        finally:
            while not quit_reading.is_set():
                try:
                    chunks.put(_END, timeout=0.2)
                    break
                except queue.Full:
                    continue

    reader = threading.Thread(target=read, name="medscribe-stream-reader", daemon=True)
    reader.start()
    try:
        done = False
        while not done:
            try:
                first = chunks.get(timeout=0.2)
            except queue.Empty:
                if stop.is_set():
                    return
                continue
            batch = [first]
            while True:
                try:
                    batch.append(chunks.get_nowait())
                except queue.Empty:
                    break
            if any(b is _END for b in batch):
                done = True
                batch = [b for b in batch if b is not _END]
            if failure:
                raise failure[0]
            if batch:
                yield np.concatenate(batch)
    finally:
        quit_reading.set()
        source.close()
        reader.join(timeout=2)
