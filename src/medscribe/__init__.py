"""medscribe: transcribe medical conversations with Amazon Transcribe Medical or offline.

The library is usable without the CLI::

    from medscribe import build_options, get_backend, load_settings
    from medscribe.transcript import load

The flow is cli -> request models (:mod:`medscribe.request`) -> backend
(:mod:`medscribe.backends`) -> transcript model (:mod:`medscribe.transcript`)
-> renderers (:mod:`medscribe.render`).
"""

# Before anything imports onnxruntime or huggingface_hub (see medscribe.offline);
# hence the imports below the call.
# ruff: noqa: E402
from medscribe.offline import keep_offline

keep_offline()

from medscribe.backends import Backend, Job, JobStatus, get_backend
from medscribe.config import Settings, load_settings
from medscribe.errors import MedscribeError
from medscribe.request import Specialty, TranscriptionOptions, TranscriptionType, build_options
from medscribe.transcript import Item, Transcript

__version__ = "0.1.0"

__all__ = [
    "Backend",
    "Item",
    "Job",
    "JobStatus",
    "MedscribeError",
    "Settings",
    "Specialty",
    "Transcript",
    "TranscriptionOptions",
    "TranscriptionType",
    "build_options",
    "get_backend",
    "load_settings",
]
