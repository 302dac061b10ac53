"""What the offline engine runs on and which of its stages run: :class:`EngineConfig`.

This module owns the engine's plain configuration object and the choice of the
hardware it runs on:

* ``device``: ``"auto"`` (the default) takes CUDA when CTranslate2 sees a GPU
  (``ctranslate2.get_cuda_device_count() > 0``) and the CPU otherwise; ``"cpu"``
  and ``"cuda"`` force one. Asking for CUDA on a machine without a GPU that
  CTranslate2 can use is a :class:`~medscribe.errors.ConfigError` at once, not a
  slow fallback.
* ``compute_type``: CTranslate2's weight and compute precision; ``None`` means
  ``int8`` on the CPU (the embedded weights are made for it) and ``float16`` on a
  GPU. A type the device cannot compute is refused with the types it can.
* ``threads``: the CPU threads the recogniser may use (0: every core this
  process may run on). On the CPU they are split into two *workers*, CTranslate2
  replicas of the model that decode at the same time with half the threads each
  (:func:`resolve_threads`). Why: one decode of a small model does not keep
  several cores busy (its matrix products are too small for OpenMP to pay: on
  two cores, Whisper tiny.en decodes a visit faster with one thread than with
  two), while the engine always has independent decodes to give the second
  worker: the clips of the specialty stage's second look, the channels of
  channel identification, other streams and jobs of the same process. A single
  thread (``threads=1``) means a single worker.

Nothing here loads a model; :class:`medscribe.engine.Engine` does, once.
"""

from __future__ import annotations

import os
from dataclasses import asdict, dataclass
from typing import TYPE_CHECKING, Literal, get_args

from medscribe.errors import ConfigError

if TYPE_CHECKING:
    from medscribe.config import Settings

__all__ = [
    "COMPUTE_TYPES",
    "DEVICES",
    "ComputeType",
    "Device",
    "EngineConfig",
    "resolve_compute_type",
    "resolve_device",
    "resolve_threads",
]

#: Where the recogniser runs; ``auto`` picks CUDA when CTranslate2 sees a GPU.
Device = Literal["auto", "cpu", "cuda"]
#: CTranslate2's compute types (``auto``/``default``: the fastest the device supports,
#: the type the weights were saved in).
ComputeType = Literal[
    "auto",
    "default",
    "int8",
    "int8_float32",
    "int8_float16",
    "int8_bfloat16",
    "int16",
    "float16",
    "bfloat16",
    "float32",
]
DEVICES: tuple[str, ...] = get_args(Device)
COMPUTE_TYPES: tuple[str, ...] = get_args(ComputeType)
#: The compute type of each device when none is asked for.
DEFAULT_COMPUTE_TYPE: dict[str, ComputeType] = {"cpu": "int8", "cuda": "float16"}
#: Corner of the audio stage's high-pass (Hz) for dictations; conversations get none
#: unless one is set. Both chosen on the tune split: :mod:`medscribe.engine.frontend`.
DEFAULT_HIGH_PASS_HZ = 200.0


@dataclass(frozen=True, slots=True)
class EngineConfig:
    """How the engine runs and which stages run; plain data, safe to store with a job.

    * ``model``: a CTranslate2 Whisper model directory; ``None`` is the embedded
      Whisper tiny.en.
    * ``threads``: the recogniser's CPU threads in all (0: every core), split
      into two workers (see the module docstring).
    * ``beam_size``: the first pass's beam width.
    * ``device``, ``compute_type``: see the module docstring.
    * ``specialty_pass``: the specialty stage (lexicon and custom vocabulary: a
      prompted second look, then the correction pass). Off gives the bare
      recogniser, the baseline of the specialty benchmark and evaluation.
    * ``formatting``: the formatting stage (clinical written forms). Off keeps
      Whisper's own words, the "before" of the formatting evaluation.
    * ``high_pass_hz``: the corner of the audio stage's high-pass filter, which
      takes the rumble of a room out of what the recogniser hears
      (:mod:`medscribe.engine.frontend`); 0 turns it off; ``None`` (the default)
      chooses by the request's type (:meth:`high_pass_for`).
    """

    model: str | None = None
    threads: int = 0
    beam_size: int = 5
    specialty_pass: bool = True
    formatting: bool = True
    device: Device = "auto"
    compute_type: str | None = None
    high_pass_hz: float | None = None

    def high_pass_for(self, dictation: bool) -> float:
        """The high-pass corner for a request: the setting, else by its type.

        On the tune split the filter lowered dictations' WER clean and in a room, and
        raised conversations' clean WER more than it lowered their room WER (figures in
        :mod:`medscribe.engine.frontend`), so by default only dictations get it.
        """
        if self.high_pass_hz is not None:
            return self.high_pass_hz
        return DEFAULT_HIGH_PASS_HZ if dictation else 0.0

    @classmethod
    def from_settings(cls, settings: Settings) -> EngineConfig:
        """The configuration medscribe's settings ask for (every stage on).

        ``dataclasses.replace`` changes single fields (a stage off, another beam).
        """
        return cls(
            model=settings.model or None,
            threads=settings.threads,
            device=settings.device,
            compute_type=settings.compute_type or None,
        )

    def check(self) -> None:
        """Refuse, before any work, a model path, device or compute type that cannot load.

        Raises :class:`~medscribe.errors.ConfigError` (its ``setting`` says which);
        nothing is loaded.
        """
        from medscribe.engine.recognition import resolve_model_path

        resolve_model_path(self.model)
        resolve_compute_type(self.compute_type, resolve_device(self.device))

    def as_record(self) -> dict[str, object]:
        """The fields as plain JSON data (a job record keeps them; ``EngineConfig(**it)``)."""
        return asdict(self)


def resolve_threads(threads: int, device: str = "cpu") -> tuple[int, int]:
    """``(workers, threads per worker)`` for ``threads`` CPU threads in all (0: every core).

    Two workers from two threads on; one on a GPU, where a second replica would
    only double the memory the weights take.
    """
    if device != "cpu":
        return 1, max(int(threads), 0)
    total = int(threads) if threads > 0 else len(os.sched_getaffinity(0))
    workers = 2 if total >= 2 else 1
    return workers, max(total // workers, 1)


def resolve_device(device: str = "auto") -> Literal["cpu", "cuda"]:
    """``auto`` -> ``cuda`` when CTranslate2 sees a GPU, else ``cpu``; ``cuda`` must exist."""
    if device not in DEVICES:
        raise ConfigError(f"device {device!r} is not one of {', '.join(DEVICES)}", setting="device")
    if device == "cpu":
        return "cpu"
    gpus = cuda_device_count()
    if device == "cuda" and gpus == 0:
        raise ConfigError(
            "device cuda: CTranslate2 sees no CUDA GPU on this machine "
            "(no NVIDIA driver, or a CPU-only CTranslate2 build)",
            setting="device",
        )
    return "cuda" if gpus > 0 else "cpu"


def resolve_compute_type(compute_type: str | None, device: Literal["cpu", "cuda"]) -> str:
    """The compute type to load with: the default of ``device``, or one it supports."""
    if compute_type is None or compute_type == "":
        return DEFAULT_COMPUTE_TYPE[device]
    if compute_type not in COMPUTE_TYPES:
        raise ConfigError(
            f"compute type {compute_type!r} is not one of {', '.join(COMPUTE_TYPES)}",
            setting="compute_type",
        )
    if compute_type in ("auto", "default"):
        return compute_type
    supported = supported_compute_types(device)
    if supported and compute_type not in supported:
        raise ConfigError(
            f"compute type {compute_type} is not supported on {device} "
            f"(supported here: {', '.join(sorted(supported))})",
            setting="compute_type",
        )
    return compute_type


def cuda_device_count() -> int:
    """GPUs CTranslate2 can use (0 without a driver or with a CPU-only build)."""
    import ctranslate2

    try:
        return int(ctranslate2.get_cuda_device_count())
    except RuntimeError:  # a broken driver reports as an error, not as zero
        return 0


def supported_compute_types(device: str) -> set[str]:
    """The compute types CTranslate2 can run on ``device`` here (empty: cannot tell)."""
    import ctranslate2

    try:
        return set(ctranslate2.get_supported_compute_types(device))
    except (RuntimeError, ValueError):
        return set()
