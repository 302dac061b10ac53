"""The public one-call surface: medscribe.transcribe and medscribe.stream, no CLI involved."""

from __future__ import annotations

import json
import subprocess
import sys
import threading

import jiwer
import numpy as np
import pytest

import medscribe
from medscribe.errors import MediaError, ValidationError

#: The names ``import medscribe`` offers; a change here is a change of the public API.
PUBLIC = [
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


def words(text: str) -> str:
    return " ".join("".join(c for c in text.lower() if c.isalnum() or c == " ").split())


def test_the_exported_names_are_pinned_sorted_and_documented() -> None:
    assert medscribe.__all__ == PUBLIC
    assert medscribe.__all__ == sorted(medscribe.__all__)
    for name in ("Engine", "EngineConfig", "shared_engine", "stream", "transcribe"):
        assert getattr(medscribe, name).__doc__, f"medscribe.{name} has no docstring"
    # Every argument of the one-call functions is documented in their docstrings.
    import inspect

    for function in (medscribe.transcribe, medscribe.stream):
        doc = function.__doc__ or ""
        for parameter in inspect.signature(function).parameters:
            assert f"``{parameter}``" in doc, f"{function.__name__}: {parameter} undocumented"


@pytest.mark.model
def test_transcribe_a_real_recording_in_a_plain_python_process(librivox, tmp_path) -> None:
    """A user's script: import medscribe, call transcribe(), get a Transcript; no CLI loaded."""
    path, reference = librivox[0]
    script = (
        "import json, sys\n"
        "import medscribe\n"
        f"t = medscribe.transcribe({str(path)!r}, job_name='script')\n"
        "assert isinstance(t, medscribe.Transcript)\n"
        "print(json.dumps({'text': t.text, 'job': t.job_name, 'words': len(t.words),\n"
        "    'cli': any(m.startswith('medscribe.cli') for m in sys.modules)}))\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, timeout=300, cwd=tmp_path
    )
    assert result.returncode == 0, result.stderr
    out = json.loads(result.stdout)
    assert out["cli"] is False
    assert out["job"] == "script" and out["words"] >= 10
    assert jiwer.wer(words(reference), words(out["text"])) <= 0.15


@pytest.mark.model
def test_transcribe_takes_the_request_options(whisper_model, utterance) -> None:
    path, _ = utterance
    plain = medscribe.transcribe(path)
    spoken = medscribe.transcribe(path, formatting=False, specialty="cardiology")
    labelled = medscribe.transcribe(path, max_speakers=2)
    assert "chest pain" in plain.text.lower()
    assert "chest pain" in spoken.text.lower()
    assert labelled.speakers == 1 and all(i.speaker == "spk_0" for i in labelled.items)


def test_transcribe_refuses_bad_input_with_one_sentence(tmp_path) -> None:
    not_audio = tmp_path / "notes.wav"
    not_audio.write_text("not audio")
    with pytest.raises(MediaError) as bad_file:
        medscribe.transcribe(not_audio)
    with pytest.raises(ValidationError) as bad_option:
        medscribe.transcribe(not_audio, max_speakers=1)
    with pytest.raises(ValidationError):
        medscribe.transcribe(not_audio, max_speakers=2, channel_identification=True)
    assert "\n" not in str(bad_file.value) and "\n" not in str(bad_option.value)


@pytest.mark.model
def test_stream_a_file_and_the_same_audio_as_chunks(whisper_model, utterance) -> None:
    path, samples = utterance
    from_file = _finals(medscribe.stream(path, specialty="cardiology"))
    chunks = (samples[i : i + 1600] for i in range(0, len(samples), 1600))  # 100 ms of float32
    from_chunks = _finals(medscribe.stream(chunks, specialty="cardiology"))
    pcm = (np.clip(samples, -1, 1) * 32767).astype(np.int16)
    from_pcm = _finals(medscribe.stream([pcm[i : i + 3200] for i in range(0, len(pcm), 3200)]))
    for text in (from_file, from_chunks, from_pcm):
        assert "chest pain" in text.lower(), text


@pytest.mark.model
def test_leaving_the_stream_early_stops_it(whisper_model, utterance) -> None:
    _, samples = utterance
    long = np.concatenate([samples, np.zeros(16000, dtype=np.float32)] * 6)
    events = medscribe.stream(long[i : i + 1600] for i in range(0, len(long), 1600))
    first = next(events)
    assert first.results
    events.close()  # what `break` does: the helper thread must be gone afterwards
    assert not [t for t in threading.enumerate() if t.name == "medscribe-stream"]


@pytest.mark.model
def test_stream_refuses_chunks_that_change_shape(whisper_model) -> None:
    chunks = [np.zeros(1600, dtype=np.float32), np.zeros((1600, 2), dtype=np.float32)]
    with pytest.raises(ValidationError) as error:
        list(medscribe.stream(chunks))
    assert "chunks must all be alike" in str(error.value)


def _finals(events: object) -> str:
    finals = [r for e in events for r in e.results if not r.is_partial]  # type: ignore[attr-defined]
    return " ".join(r.transcript for r in finals)
