"""The offline engine end to end: one audio file + options -> a :class:`Transcript`.

This module owns the order of the steps and the memory plan, nothing else:

1. audio (:mod:`medscribe.engine.audio`): decoded in windows of about ten minutes,
   each cut at a quiet moment, so a 2-hour file never sits in memory whole;
2. recognition (:mod:`medscribe.engine.recognition`): each window on its own, its
   items shifted by the window's offset;
3. formatting (``medscribe.engine.formatting.format_items``): numbers and
   measurements, dictation commands; skipped while that module does not exist;
   With the specialty pass on (the default), recognition is
   :func:`medscribe.engine.biasing.recognize_biased`: the specialty lexicon
   plus the custom vocabulary bias a second decode of the segments that sound
   like their terms, then a phonetic correction pass runs; with
   ``max_alternatives`` each segment also gets its n-best readings
   (:mod:`medscribe.engine.alternatives`);
4. speakers or channels (``medscribe.engine.speakers.assign_speakers``,
   ``medscribe.engine.channels.transcribe_channels``): speaker partitioning needs
   the whole mono signal (embeddings are clustered over the visit), so that one
   path decodes the file once and recognises views of it; channel
   identification runs window by window like plain recognition.

The transcript's ``job_name`` is the caller's; ``account_id`` is
:data:`LOCAL_ACCOUNT_ID` ("000000000000"): the service's field is a 12-digit AWS
account, and twelve zeros keep consumers that parse it working while saying
plainly that no account was involved.
"""

from __future__ import annotations

import importlib
import logging
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from types import ModuleType

import numpy as np

from medscribe.engine import audio as audio_mod
from medscribe.engine import recognition
from medscribe.errors import BackendError
from medscribe.media import probe
from medscribe.request import LOCAL_MAX_CHANNELS, TranscriptionOptions, TranscriptionType
from medscribe.transcript import Item, Segment, Transcript

log = logging.getLogger(__name__)

#: ``accountId`` of local transcripts (see the module docstring).
LOCAL_ACCOUNT_ID = "000000000000"
#: Length of the recognition windows (seconds) and how far around it a cut may move.
WINDOW_S = 600.0
WINDOW_SEARCH_S = 10.0


@dataclass(frozen=True, slots=True)
class EngineConfig:
    """How the engine runs: which weights, how many CPU threads, which beam width.

    ``specialty_pass`` off gives the bare recogniser (no lexicon, no custom
    vocabulary): the baseline of the specialty benchmark and evaluation.
    ``formatting`` off keeps Whisper's own words (no clinical written forms): the
    "before" of the formatting stage's evaluation.
    """

    model: str | None = None
    threads: int = 0
    beam_size: int = 5
    specialty_pass: bool = True
    formatting: bool = True


def transcribe_file(
    path: str | Path,
    options: TranscriptionOptions,
    *,
    config: EngineConfig | None = None,
    job_name: str = "",
    vocabulary: Sequence[object] | None = None,
) -> Transcript:
    """Transcribe ``path`` with the offline engine: decode -> recognise -> format -> speakers.

    Raises :class:`~medscribe.errors.MediaError` for a bad file,
    :class:`~medscribe.errors.ConfigError` for a bad model path and
    :class:`~medscribe.errors.BackendError` when a requested step is unavailable.
    ``vocabulary`` is a parsed custom vocabulary
    (:class:`medscribe.vocabulary.VocabularyEntry` list).
    """
    config = config or EngineConfig()
    info = probe(path)
    model = recognition.load_model(config.model, threads=config.threads)

    def finish(items: list[Item]) -> list[Item]:
        return _format(items, options) if config.formatting else items

    lexicon = None
    if config.specialty_pass:
        from medscribe.engine import biasing

        lexicon = biasing.lexicon_for(options, vocabulary)
    segments: list[Segment] = []

    def recognize_at(samples: np.ndarray, offset: float) -> list[Item]:
        if lexicon is not None:
            found = biasing.recognize_biased(
                samples, model=model, lexicon=lexicon, offset=offset, beam_size=config.beam_size
            )
        else:
            found = recognition.recognize(
                samples, model=model, offset=offset, beam_size=config.beam_size
            )
        if options.max_alternatives and not options.channel_identification:
            from medscribe.engine import alternatives

            segments.extend(
                alternatives.segment_alternatives(
                    samples,
                    found,
                    model=model,
                    offset=offset,
                    count=options.max_alternatives,
                    finish=finish,
                )
            )
        return found

    speakers: int | None = None
    channels: int | None = None
    if options.channel_identification:
        if info.channels > LOCAL_MAX_CHANNELS:
            raise BackendError(
                f"{path}: {info.channels} channels; the offline engine takes at most "
                f"{LOCAL_MAX_CHANNELS}"
            )
        items = _by_channel(path, recognize_at)
        channels = max(info.channels, 1)
        items = finish(items)
    elif options.max_speakers is not None:
        whole = audio_mod.decode(path)
        items = [item for offset, view in _views(whole) for item in recognize_at(view, offset)]
        items = finish(items)
        assign = _required("medscribe.engine.speakers", "speaker partitioning").assign_speakers
        speakers = assign(whole, items, options.max_speakers) if items else 0
    else:
        items = []
        for window in audio_mod.iter_windows(path, WINDOW_S, search=WINDOW_SEARCH_S):
            items.extend(recognize_at(window.audio, window.offset))
        items = finish(items)

    return Transcript(
        items=items,
        job_name=job_name,
        account_id=LOCAL_ACCOUNT_ID,
        status="COMPLETED",
        speakers=speakers,
        channels=channels,
        segments=segments,
    )


def _by_channel(
    path: str | Path, recognize_at: Callable[[np.ndarray, float], list[Item]]
) -> list[Item]:
    """Channel identification window by window; the speakers engineer's merge inside each."""
    channels_mod = _required("medscribe.engine.channels", "channel identification")
    items: list[Item] = []
    for window in audio_mod.iter_windows(
        path, WINDOW_S, split_channels=True, search=WINDOW_SEARCH_S
    ):

        def recognize_fn(samples: np.ndarray, offset: float = window.offset) -> list[Item]:
            return recognize_at(samples, offset)

        items.extend(channels_mod.transcribe_channels(window.audio, recognize_fn))
    return items


def _views(whole: np.ndarray) -> Iterator[tuple[float, np.ndarray]]:
    """Windows of an already decoded signal, as views (no copies), cut at quiet points."""
    rate = audio_mod.SAMPLE_RATE
    target = int(WINDOW_S * rate)
    search = int(WINDOW_SEARCH_S * rate)
    start = 0
    while start < whole.shape[0]:
        rest = whole[start:]
        if rest.shape[0] <= target + search:
            yield start / rate, rest
            return
        cut = audio_mod.quiet_point(rest, target, search)
        yield start / rate, rest[:cut]
        start += cut


def _format(items: list[Item], options: TranscriptionOptions) -> list[Item]:
    """Written forms of numbers and measurements, when the formatting module exists."""
    formatting = _optional("medscribe.engine.formatting")
    format_items = getattr(formatting, "format_items", None)
    if format_items is None or not items:
        return items
    return format_items(items, dictation=options.type is TranscriptionType.DICTATION)


def _optional(name: str) -> ModuleType | None:
    """Import ``name`` if it exists; a module that exists but fails to import is a real error."""
    try:
        return importlib.import_module(name)
    except ModuleNotFoundError as exc:
        if exc.name != name:
            raise
        log.debug("%s is not available; step skipped", name)
        return None


def _required(name: str, feature: str) -> ModuleType:
    module = _optional(name)
    if module is None:
        raise BackendError(f"{feature} is not available in this build of the offline engine")
    return module
