"""The embedded offline engine: one :class:`Engine` of explicit stages, no network.

Batch jobs, streams, the evaluation and every later caller (a server, a cluster
worker) hold an :class:`Engine` (:func:`shared_engine` gives the process's one)
and none of them builds a stage of its own. Where each part lives:

* :mod:`.config`: :class:`EngineConfig`, which stages run and on what device;
* :mod:`.core`: :class:`Engine`, the stages in order, :func:`shared_engine`;
* stage 1, decode: :mod:`.audio` (a file -> 16 kHz windows);
* stage 2, recognition: :mod:`.recognition` (the model and its one decode call),
  :mod:`.alternatives` (n-best readings);
* stage 3, specialty and vocabulary: :mod:`.specialty` (lexicon, prompted
  second look, correction pass, protected words);
* stage 4, formatting: :mod:`.formatting` (written forms of numbers, units,
  dictation commands);
* stage 5, speakers and channels: :mod:`.speakers` (partitioning, voice
  embeddings, online labels of a stream, channel identification);
* streaming: :mod:`.streaming` (incremental decoding with local agreement and
  utterance ends from the VAD, over the same model and stages);
* shared machinery: :mod:`.lock` (the fair lock on the model), :mod:`.parallel`
  (independent decodes side by side on the model's workers), :mod:`.progress`
  (cancellation and progress), :mod:`.wordlists` (the shipped word lists).

Heavy libraries (faster-whisper, CTranslate2, torch, PyAV) are imported when a
stage first needs them, and :class:`Engine` itself on first use, so ``import
medscribe.engine`` (for :class:`EngineConfig`, say) stays cheap.
"""

from typing import TYPE_CHECKING, Any

from medscribe.engine.config import ComputeType, Device, EngineConfig
from medscribe.engine.progress import ProgressFn, TranscriptionCancelled

if TYPE_CHECKING:
    from medscribe.engine.core import LOCAL_ACCOUNT_ID, Engine, shared_engine

#: Names of :mod:`.core`, imported when first used: the stages load numpy, the
#: lexicon matcher and the formatting rules, which reading a setting does not need.
_CORE = frozenset({"LOCAL_ACCOUNT_ID", "Engine", "shared_engine"})


def __getattr__(name: str) -> Any:
    if name not in _CORE:
        raise AttributeError(f"module 'medscribe.engine' has no attribute {name!r}")
    from medscribe.engine import core

    value = getattr(core, name)
    globals()[name] = value  # once imported, an ordinary attribute
    return value


__all__ = [
    "LOCAL_ACCOUNT_ID",
    "ComputeType",
    "Device",
    "Engine",
    "EngineConfig",
    "ProgressFn",
    "TranscriptionCancelled",
    "shared_engine",
]
