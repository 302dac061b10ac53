"""Nothing leaves the machine: third-party telemetry and hub look-ups switched off.

This module owns the environment switches that keep the libraries under the
offline engine from phoning home or reaching for the network. It runs when
``medscribe`` is imported, before any of them is imported:

* onnxruntime (Silero VAD under faster-whisper) starts Microsoft's 1DS
  telemetry when it is *imported*, writing a device id and queued events to
  ``~/.cache/Microsoft/DeveloperTools/.onnxruntime/``. ``ORT_DISABLE_TELEMETRY``
  must be set before that import; ``onnxruntime.disable_telemetry_events()`` is
  called too in case a caller imported onnxruntime before medscribe (it stops
  the events, though not the files already written).
* huggingface_hub (under faster-whisper): offline mode, so a model *name*
  instead of a path fails at once instead of trying to download weights, and
  its telemetry off.
* ``DO_NOT_TRACK``: the convention several Python tools honour.

These are forced, not defaults: a hospital deploys medscribe because nothing
may leave the site, so an inherited ``ORT_DISABLE_TELEMETRY=0`` does not win.
"""

from __future__ import annotations

import contextlib
import os
import sys

__all__ = ["OFFLINE_ENVIRONMENT", "keep_offline"]

#: Environment variables set (overriding inherited values) by :func:`keep_offline`.
OFFLINE_ENVIRONMENT: dict[str, str] = {
    "ORT_DISABLE_TELEMETRY": "1",
    "HF_HUB_OFFLINE": "1",
    "HF_HUB_DISABLE_TELEMETRY": "1",
    "HF_HUB_DISABLE_IMPLICIT_TOKEN": "1",
    "DO_NOT_TRACK": "1",
}


def keep_offline() -> None:
    """Switch off telemetry and network look-ups of the libraries medscribe uses."""
    os.environ.update(OFFLINE_ENVIRONMENT)
    ort = sys.modules.get("onnxruntime")
    if ort is not None:
        with contextlib.suppress(AttributeError):  # older builds have no telemetry switch
            ort.disable_telemetry_events()
