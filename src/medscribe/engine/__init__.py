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
stage first needs them, so ``import medscribe.engine`` stays cheap.
"""

from medscribe.engine.config import ComputeType, Device, EngineConfig
from medscribe.engine.core import LOCAL_ACCOUNT_ID, Engine, shared_engine
from medscribe.engine.progress import ProgressFn, TranscriptionCancelled

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
