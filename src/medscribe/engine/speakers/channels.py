"""Channel identification in the offline engine: each channel transcribed on its own.

Owns :func:`transcribe_channels`, which the engine calls for channel
identification with a ``(channels, N)`` block of 16 kHz audio and its recogniser
(the channels side by side on the model's workers). Every word is
tagged ``ch_0``, ``ch_1``, ... and the channels are merged into one list in time
order (a punctuation mark stays right after its word), the shape of the
service's ``results.channel_labels``. The service takes two channels; we take up
to :data:`MAX_CHANNELS`.

Two rules keep a channel from getting words that are not its own; both compare
10 ms frame levels (RMS in dB) of the channels at the same moment:

* **Silence gate.** A channel whose loudest stretch stays below
  :data:`SILENT_DBFS` is not recognised at all (Whisper invents "Thank you."
  on near-silence), and a word whose own span is that quiet is dropped.
* **Leakage (cross-talk).** A headset or table microphone also picks up the
  other person, some 15 to 30 dB down. Before recognition, stretches where a
  channel is at least :data:`LEAK_DB` quieter than the loudest other channel
  (levels smoothed over 0.2 s) are muted on that channel, so the leaked voice
  is not transcribed twice. After recognition a word on channel A is dropped as
  a leak when, over the word's span, another channel B is at least
  :data:`LEAK_DB` louder *and* B has a word with the same text overlapping it in
  time: the same word heard on both microphones belongs to the louder one. Real
  cross-talk (both people talking at once) keeps both channels' words, because
  there each channel is loud on its own microphone.

The levels and the muting are a few lines of numpy; a VAD library would answer
"is there speech", not "whose speech is it", which is what leakage needs.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Callable

import numpy as np

from medscribe.engine.parallel import side_by_side
from medscribe.engine.speakers.embeddings import frame_levels_db
from medscribe.errors import ValidationError
from medscribe.transcript.model import Item

SAMPLE_RATE = 16000
MAX_CHANNELS = 8
#: A channel is "much louder" than another from this level difference on (dB).
LEAK_DB = 12.0
#: Below this level (dBFS of 10 ms frames) a channel or a word counts as silent.
SILENT_DBFS = -55.0
_FRAME = SAMPLE_RATE // 100  # 10 ms
_SMOOTH_FRAMES = 20  # 0.2 s: the muting follows syllables, not single frames
_WORD = re.compile(r"[^\w']+")

RecognizeFn = Callable[[np.ndarray], list[Item]]


def transcribe_channels(
    audio: np.ndarray, recognize_fn: RecognizeFn, *, offset: float = 0.0, workers: int = 1
) -> list[Item]:
    """Recognise each channel of ``audio`` (channels, N) alone; items tagged and merged in time.

    ``offset`` is where ``audio`` starts in the file (seconds) when ``recognize_fn``
    returns file times, as the engine's does for its 10-minute windows. Up to
    ``workers`` channels are recognised at once (``recognize_fn`` must be
    thread-safe then): they do not depend on each other.
    """
    if audio.ndim != 2 or audio.shape[0] < 1:
        raise ValidationError("channel identification needs audio shaped (channels, samples)")
    if audio.shape[0] > MAX_CHANNELS:
        raise ValidationError(
            f"channel identification takes at most {MAX_CHANNELS} channels; "
            f"this audio has {audio.shape[0]}"
        )
    levels = frame_levels(audio)
    gates = leak_gates(levels)
    audible = [c for c in range(audio.shape[0]) if levels[c].max(initial=-np.inf) >= SILENT_DBFS]
    heard = side_by_side(lambda c: recognize_fn(_muted(audio[c], gates[c])), audible, workers)
    per_channel: list[list[Item]] = [[] for _ in range(audio.shape[0])]
    for c, items in zip(audible, heard, strict=True):
        for item in items:
            item.channel = f"ch_{c}"
        per_channel[c] = items
    kept = [
        _drop_words(items, functools.partial(_foreign, c, levels, per_channel, offset))
        for c, items in enumerate(per_channel)
    ]
    return merge_in_time(kept)


def _foreign(
    c: int, levels: np.ndarray, per_channel: list[list[Item]], offset: float, word: Item
) -> bool:
    """Whether a word of channel ``c`` is not its own: silent there, or leaked from another."""
    return _is_silent(word, levels[c], offset) or _is_leak(word, c, levels, per_channel, offset)


def frame_levels(audio: np.ndarray) -> np.ndarray:
    """RMS level in dBFS of every 10 ms frame of every channel, (channels, frames)."""
    n_frames = -(-audio.shape[1] // _FRAME)  # the last partial frame counts too
    return np.stack([frame_levels_db(channel, n_frames) for channel in audio])


def leak_gates(levels: np.ndarray) -> np.ndarray:
    """True where a channel should be muted: ``LEAK_DB`` quieter than the loudest other one."""
    if levels.shape[0] < 2:
        return np.zeros_like(levels, dtype=bool)
    kernel = np.ones(_SMOOTH_FRAMES) / _SMOOTH_FRAMES
    power = 10 ** (levels / 10)
    smooth = 10 * np.log10(np.stack([np.convolve(p, kernel, mode="same") for p in power]) + 1e-14)
    gates = np.zeros_like(levels, dtype=bool)
    for c in range(levels.shape[0]):
        others = np.delete(smooth, c, axis=0).max(axis=0)
        gates[c] = smooth[c] < others - LEAK_DB
    return gates


def _muted(channel: np.ndarray, gate: np.ndarray) -> np.ndarray:
    if not gate.any():
        return channel
    keep = np.repeat(~gate, _FRAME)[: channel.shape[0]]
    out = channel.copy()
    out[: keep.shape[0]] *= keep
    return out


def _span_level(word: Item, level: np.ndarray, offset: float) -> float:
    """Mean power of a channel over a word's span, in dB."""
    a = max(0, int(((word.start or 0.0) - offset) * 100))
    b = max(a + 1, int(np.ceil(((word.end or 0.0) - offset) * 100)))
    span = level[a:b]
    if span.size == 0:
        return -140.0
    return float(10 * np.log10(np.mean(10 ** (span / 10))))


def _is_silent(word: Item, level: np.ndarray, offset: float) -> bool:
    return _span_level(word, level, offset) < SILENT_DBFS


def _is_leak(
    word: Item, c: int, levels: np.ndarray, per_channel: list[list[Item]], offset: float
) -> bool:
    own = _span_level(word, levels[c], offset)
    text = _normal(word.content)
    for other, items in enumerate(per_channel):
        if other == c or _span_level(word, levels[other], offset) < own + LEAK_DB:
            continue
        if any(
            _overlap(word, o) and _normal(o.content) == text for o in items if not o.is_punctuation
        ):
            return True
    return False


def _overlap(a: Item, b: Item) -> bool:
    return (a.start or 0.0) < (b.end or 0.0) and (b.start or 0.0) < (a.end or 0.0)


def _normal(text: str) -> str:
    return _WORD.sub("", text.lower())


def _drop_words(items: list[Item], drop: Callable[[Item], bool]) -> list[Item]:
    """Remove the words ``drop`` picks, with the punctuation that follows them."""
    out: list[Item] = []
    dropping = False
    for item in items:
        if item.is_punctuation:
            if not dropping:
                out.append(item)
            continue
        dropping = item.start is not None and item.end is not None and drop(item)
        if not dropping:
            out.append(item)
    return out


def merge_in_time(channels: list[list[Item]]) -> list[Item]:
    """One list in time order; each word keeps the punctuation that follows it."""
    groups: list[tuple[float, int, list[Item]]] = []
    for c, items in enumerate(channels):
        for item in items:
            if item.is_punctuation and groups and groups[-1][1] == c:
                groups[-1][2].append(item)
            elif not item.is_punctuation:
                groups.append((item.start or 0.0, c, [item]))
            # punctuation before a channel's first word has nothing to follow: dropped
    groups.sort(key=lambda g: (g[0], g[1]))
    return [item for _, _, group in groups for item in group]
