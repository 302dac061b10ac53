"""Streaming through the engine: incremental decoding that keeps up in real time.

This module owns the engine's streaming policy. Whisper decodes whole windows,
not frames, so a stream is made by re-decoding a growing window:

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
* **One model for all streams**: decodes go through the engine's model under its
  fair lock (:meth:`medscribe.engine.Engine.stream_recognizer`), so concurrent
  streams share the cores without loading anything twice.

Finals pass through the engine's own stage objects: the specialty stage's
correction pass (lexicon and custom vocabulary; DisplayAs is what a final
shows), its candidates scored against the final's own audio as in batch
(:mod:`medscribe.engine.specialty.scoring`), then the formatting stage, then
the speaker stage's online labels
(:class:`~medscribe.engine.speakers.OnlineSpeakers`). The prompted second look
of batch is left out: it would double the model time of a final and streams
must keep up. Channels are streamed apart, one :class:`LocalStreamer` per
channel, and labelled ``ch_N``; :class:`StreamDecoder` holds them for one stream.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, replace
from typing import TYPE_CHECKING

import numpy as np

from medscribe.engine.formatting import FormattingStage
from medscribe.engine.recognition import SAMPLE_RATE
from medscribe.engine.speakers import OnlineSpeakers
from medscribe.engine.specialty.scoring import AudioScorer
from medscribe.streaming.events import Result
from medscribe.transcript.model import Item, join_items

if TYPE_CHECKING:
    from medscribe.engine.core import Engine, RecognizeFn
    from medscribe.engine.specialty import SpecialtyStage
    from medscribe.request import TranscriptionOptions
    from medscribe.vocabulary import VocabularyEntry

__all__ = ["LocalStreamer", "StreamConfig", "StreamDecoder"]

#: speakers(utterance_audio, items, offset) labels the items of one final in place;
#: the audio starts ``offset`` seconds into the stream (the items' times are the stream's).
SpeakerFn = Callable[[np.ndarray, list[Item], float], None]
#: The formatting of a streamer made without stages: a conversation's written forms.
_CONVERSATION = FormattingStage()


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
    """The incremental decoder of one audio channel (not thread-safe; one per channel).

    ``recognize`` is the engine's stream decode (:meth:`Engine.stream_recognizer`);
    each final goes through ``specialty`` (its correction pass), ``formatting`` and
    ``speakers`` when given. A streamer made with defaults formats its finals as a
    conversation and corrects nothing.
    """

    def __init__(
        self,
        recognize: RecognizeFn,
        *,
        channel: str | None = None,
        config: StreamConfig | None = None,
        formatting: FormattingStage | None = _CONVERSATION,
        specialty: SpecialtyStage | None = None,
        scorer: AudioScorer | None = None,
        speakers: SpeakerFn | None = None,
        realtime: bool = False,
    ) -> None:
        from faster_whisper.vad import VadOptions

        self.realtime = realtime
        self._behind = False
        self.recognize = recognize
        self.channel = channel
        self.config = config or StreamConfig()
        self.specialty = specialty
        #: Scores a final's candidate rewrites against its audio (None: spelling only).
        self.scorer = scorer
        self.formatting = formatting
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
        audio, audio_t0 = self._buf[:samples], self._buf_t0
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
        if self.specialty is not None:
            items = self.specialty.correct(items, audio=audio, scorer=self.scorer, offset=audio_t0)
        if self.formatting is not None:
            items = self.formatting.apply(items)
        items = [replace(i, channel=self.channel) for i in items]
        if self.speakers is not None:
            self.speakers(audio, items, audio_t0)
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


# --------------------------------------------------------------------------- one stream


class StreamDecoder:
    """One stream through ``engine``: a :class:`LocalStreamer` per channel, stages shared.

    The request's stages are built once by the engine and shared by the
    channels (the same terms apply to all); speaker labels, when asked for, use
    one :class:`OnlineSpeakers` for the whole stream. ``channels`` is the number
    of channels of the audio fed (they are decoded apart with channel
    identification, mixed down otherwise).
    """

    def __init__(
        self,
        engine: Engine,
        options: TranscriptionOptions,
        *,
        channels: int = 1,
        vocabulary: Sequence[VocabularyEntry] | None = None,
        realtime: bool = True,
        config: StreamConfig | None = None,
    ) -> None:
        specialty = engine.specialty_stage(options, vocabulary)
        recognize = engine.stream_recognizer(
            specialty.hotwords if specialty else None, high_pass_hz=engine.high_pass_for(options)
        )
        speakers = OnlineSpeakers(options.max_speakers) if options.max_speakers else None
        formatting = engine.formatting_stage(options)
        split = options.channel_identification
        self.streamers = [
            LocalStreamer(
                recognize,
                channel=f"ch_{n}" if split else None,
                config=config,
                formatting=formatting,
                specialty=specialty,
                scorer=AudioScorer(engine.model, lock=engine.lock) if specialty else None,
                speakers=speakers,
                realtime=realtime,
            )
            for n in range(channels if split else 1)
        ]

    def feed(self, block: np.ndarray) -> Iterator[list[Result]]:
        """Feed float32 audio shaped (frames, channels); each channel's new results in turn."""
        for n, streamer in enumerate(self.streamers):
            mono = block[:, n] if len(self.streamers) > 1 else block.mean(axis=1)
            yield streamer.feed(mono)

    def finish(self) -> Iterator[list[Result]]:
        """The audio has ended: each channel's last results in turn."""
        for streamer in self.streamers:
            yield streamer.finish()
