"""medscribe: transcribe medical conversations with Amazon Transcribe Medical or offline.

The library is usable without the CLI. One call transcribes a recording on this
machine (:func:`transcribe`) or streams audio (:func:`stream`)::

    import medscribe

    transcript = medscribe.transcribe("visit.wav", specialty="cardiology", max_speakers=2)
    print(transcript.text)

The layers under it are public too: the offline :class:`Engine` (one model and
its stages, shared by every caller of a process), the backends
(:func:`get_backend`: ``"local"`` or ``"aws"``, jobs and vocabularies), the
request models (:class:`TranscriptionOptions`) and the transcript model
(:class:`Transcript`, rendered by :mod:`medscribe.render`). The flow is cli ->
request models (:mod:`medscribe.request`) -> backends (:mod:`medscribe.backends`)
-> engine stages (:mod:`medscribe.engine`) -> transcript model
(:mod:`medscribe.transcript`) -> renderers (:mod:`medscribe.render`).

Every name below is re-exported from the module that owns it; errors are the
tree of :mod:`medscribe.errors`.
"""

# Before anything imports onnxruntime or huggingface_hub (see medscribe.offline);
# hence the imports below the call.
# ruff: noqa: E402
from medscribe.offline import keep_offline

keep_offline()

from typing import TYPE_CHECKING, Any

from medscribe.backends import Backend, Job, JobStatus, get_backend
from medscribe.config import Settings, load_settings
from medscribe.engine import EngineConfig, TranscriptionCancelled
from medscribe.errors import (
    BackendError,
    ConfigError,
    MediaError,
    MedscribeError,
    ValidationError,
)
from medscribe.request import Specialty, TranscriptionOptions, TranscriptionType, build_options
from medscribe.streaming.events import TranscriptEvent
from medscribe.transcript import Item, Transcript
from medscribe.vocabulary import VocabularyEntry

if TYPE_CHECKING:
    from medscribe.api import stream, transcribe
    from medscribe.engine import Engine, shared_engine

__version__ = "0.1.0"

#: Names imported when first used: the engine's stages load numpy and their word
#: lists, which a command that never transcribes (``medscribe jobs``) should not pay.
_LAZY = {
    "Engine": "medscribe.engine",
    "shared_engine": "medscribe.engine",
    "stream": "medscribe.api",
    "transcribe": "medscribe.api",
}


def __getattr__(name: str) -> Any:
    module = _LAZY.get(name)
    if module is None:
        raise AttributeError(f"module 'medscribe' has no attribute {name!r}")
    import importlib

    value = getattr(importlib.import_module(module), name)
    globals()[name] = value  # once imported, an ordinary attribute
    return value


__all__ = [
    "Backend",
    "BackendError",
    "ConfigError",
    "Engine",
    "EngineConfig",
    "Item",
    "Job",
    "JobStatus",
    "MediaError",
    "MedscribeError",
    "Settings",
    "Specialty",
    "Transcript",
    "TranscriptEvent",
    "TranscriptionCancelled",
    "TranscriptionOptions",
    "TranscriptionType",
    "ValidationError",
    "VocabularyEntry",
    "build_options",
    "get_backend",
    "load_settings",
    "shared_engine",
    "stream",
    "transcribe",
]
