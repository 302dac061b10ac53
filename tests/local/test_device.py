"""Where the recogniser runs: ``device`` and ``compute_type`` reach faster-whisper's WhisperModel.

This machine has no GPU: the choice of ``auto`` is checked with CTranslate2's GPU
count patched, the CPU path for real, and the command line's refusal of ``cuda``
as a user meets it.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import ctranslate2
import faster_whisper
import pytest

from medscribe.engine import Engine, EngineConfig, recognition
from medscribe.engine import config as engine_config
from medscribe.errors import ConfigError

ROOT = Path(__file__).resolve().parents[2]


def gpus(monkeypatch: pytest.MonkeyPatch, count: int) -> None:
    monkeypatch.setattr(ctranslate2, "get_cuda_device_count", lambda: count)


def test_auto_takes_cuda_only_when_ctranslate2_sees_a_gpu(monkeypatch) -> None:
    gpus(monkeypatch, 0)
    assert engine_config.resolve_device("auto") == "cpu"
    assert engine_config.resolve_device("cpu") == "cpu"
    gpus(monkeypatch, 1)
    assert engine_config.resolve_device("auto") == "cuda"
    assert engine_config.resolve_device("cuda") == "cuda"
    assert engine_config.resolve_device("cpu") == "cpu"


def test_cuda_without_a_gpu_is_a_clear_config_error(monkeypatch) -> None:
    gpus(monkeypatch, 0)
    with pytest.raises(ConfigError) as error:
        engine_config.resolve_device("cuda")
    assert error.value.setting == "device" and error.value.exit_code == 2
    assert "no CUDA GPU" in str(error.value) and "--" not in str(error.value)
    with pytest.raises(ConfigError):
        EngineConfig(device="cuda").check()
    with pytest.raises(ConfigError) as unknown:
        engine_config.resolve_device("gpu")
    assert unknown.value.setting == "device"


def test_the_compute_type_defaults_to_int8_on_cpu_and_float16_on_gpu(monkeypatch) -> None:
    assert engine_config.resolve_compute_type(None, "cpu") == "int8"
    assert engine_config.resolve_compute_type(None, "cuda") == "float16"
    assert engine_config.resolve_compute_type("float32", "cpu") == "float32"
    # A type the CPU cannot compute is refused with those it can, before any load.
    monkeypatch.setattr(ctranslate2, "get_supported_compute_types", lambda device: {"int8"})
    with pytest.raises(ConfigError) as error:
        engine_config.resolve_compute_type("float16", "cpu")
    assert error.value.setting == "compute_type" and "supported here: int8" in str(error.value)
    with pytest.raises(ConfigError):
        engine_config.resolve_compute_type("int4", "cpu")


def test_device_and_compute_type_reach_whisper_model(monkeypatch) -> None:
    """auto with a GPU seen: WhisperModel gets cuda and float16 (the load itself recorded)."""
    made: list[dict[str, object]] = []

    class Recorder:
        def __init__(self, path: str, **kwargs: object) -> None:
            made.append({"path": path, **kwargs})

    gpus(monkeypatch, 1)
    monkeypatch.setattr(faster_whisper, "WhisperModel", Recorder)
    # threads=7: cache keys of their own, so the session's real model stays cached.
    recognition.load_model(threads=7, device="auto")
    recognition.load_model(threads=7, device="auto", compute_type="int8_float16")
    assert [(m["device"], m["compute_type"], m["cpu_threads"], m["num_workers"]) for m in made] == [
        ("cuda", "float16", 7, 1),
        ("cuda", "int8_float16", 7, 1),
    ]
    gpus(monkeypatch, 0)
    recognition.load_model(threads=7, device="auto")
    assert (made[-1]["device"], made[-1]["compute_type"]) == ("cpu", "int8")
    assert (made[-1]["num_workers"], made[-1]["cpu_threads"]) == (2, 3)


def test_cpu_threads_are_split_into_two_workers() -> None:
    assert engine_config.resolve_threads(1) == (1, 1)
    assert engine_config.resolve_threads(2) == (2, 1)
    assert engine_config.resolve_threads(16) == (2, 8)
    assert engine_config.resolve_threads(0) == engine_config.resolve_threads(
        len(os.sched_getaffinity(0))
    )
    assert engine_config.resolve_threads(4, "cuda") == (1, 4)  # one replica on a GPU


@pytest.mark.model
def test_the_cpu_path_loads_the_shared_int8_model(whisper_model, utterance, monkeypatch) -> None:
    gpus(monkeypatch, 0)  # a machine without a GPU, whatever this one has
    auto = Engine(EngineConfig(device="auto"))
    cpu = Engine(EngineConfig(device="cpu", compute_type="int8"))
    assert auto.model is cpu.model is whisper_model  # one load per process and configuration
    assert whisper_model.model.device == "cpu"
    assert whisper_model.model.compute_type.startswith("int8")  # CTranslate2 says int8_float32
    from medscribe.request import build_options

    path, _ = utterance
    assert "chest pain" in cpu.transcribe(path, build_options()).text.lower()


@pytest.mark.skipif(ctranslate2.get_cuda_device_count() > 0, reason="this machine has a GPU")
@pytest.mark.parametrize("command", ["transcribe", "stream"])
def test_the_cli_refuses_cuda_without_a_gpu(command, tmp_path) -> None:
    wav = tmp_path / "tone.wav"
    subprocess.run(
        ["sox", "-n", "-r", "16000", "-c", "1", str(wav), "synth", "1", "sine", "440"], check=True
    )
    env = {**os.environ, "MEDSCRIBE_DATA_DIR": str(tmp_path / "data")}
    result = subprocess.run(
        [sys.executable, "-m", "medscribe", command, str(wav), "--device", "cuda",
         "-o", str(tmp_path / "out.json")],
        capture_output=True, text=True, env=env, cwd=ROOT, timeout=120,
    )  # fmt: skip
    # Refused as a bad model path is: exit 2, one line naming the flag, no traceback.
    assert result.returncode == 2, result.stderr
    assert "--device cuda: CTranslate2 sees no CUDA GPU" in result.stderr
    assert "Traceback" not in result.stderr
