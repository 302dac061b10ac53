"""engine.recognition and the Engine with the real embedded model."""

from __future__ import annotations

import json

import jiwer
import numpy as np
import pytest

from medscribe.engine import LOCAL_ACCOUNT_ID, recognition, shared_engine
from medscribe.errors import ConfigError
from medscribe.request import build_options
from medscribe.transcript import dumps
from transcript.schema import assert_transcribe_medical_schema

pytestmark = pytest.mark.model


def normalise(text: str) -> str:
    """Lower case, no punctuation, spelled-out titles: what WER should compare."""
    text = text.lower().replace("mr.", "mister").replace("mrs.", "missus")
    text = "".join(c if c.isalnum() or c in " '" else " " for c in text)
    return " ".join(text.replace("-", " ").split())


def test_librivox_wer_with_the_local_pipeline(whisper_model, librivox):
    hypotheses, references = [], []
    for path, reference in librivox:
        transcript = shared_engine().transcribe(path, build_options(), job_name="librivox")
        hypotheses.append(normalise(transcript.text))
        references.append(normalise(reference))
    wer = jiwer.wer(references, hypotheses)
    assert wer <= 0.08, f"WER {wer:.3f}"


def test_json_passes_the_schema_and_times_lie_within_the_audio(whisper_model, librivox):
    from medscribe.media import probe

    path, _ = librivox[0]
    transcript = shared_engine().transcribe(path, build_options(), job_name="schema-check")
    doc = json.loads(dumps(transcript))
    assert_transcribe_medical_schema(doc, exact_format=True)
    assert doc["jobName"] == "schema-check" and doc["accountId"] == LOCAL_ACCOUNT_ID
    assert doc["status"] == "COMPLETED"
    length = probe(path).duration
    words = [i for i in doc["results"]["items"] if i["type"] == "pronunciation"]
    assert len(words) >= 10
    for item in words:
        start, end = float(item["start_time"]), float(item["end_time"])
        assert 0 <= start < end <= length + 1e-3
        assert 0 <= float(item["alternatives"][0]["confidence"]) <= 1
    marks = [i for i in doc["results"]["items"] if i["type"] == "punctuation"]
    assert all("start_time" not in i for i in marks)


def test_silence_gives_an_empty_transcript(whisper_model, tmp_path):
    from scripts.synth import write_wav

    silent = write_wav(tmp_path / "silence.wav", np.zeros(5 * 16000, dtype=np.float32))
    empty = write_wav(tmp_path / "empty.wav", np.zeros(0, dtype=np.float32))
    for path in (silent, empty):
        transcript = shared_engine().transcribe(path, build_options())
        assert transcript.items == [] and transcript.text == ""
        assert_transcribe_medical_schema(json.loads(dumps(transcript)), exact_format=True)


def test_recognize_offsets_times_and_splits_punctuation(whisper_model, utterance):
    _, speech = utterance
    items = recognition.recognize(speech, model=whisper_model, offset=100.0)
    words = [i for i in items if not i.is_punctuation]
    assert {"chest", "pain"} <= {w.content.lower() for w in words}
    assert all(100.0 <= w.start < w.end <= 100.0 + speech.shape[0] / 16000 for w in words)
    assert all(w.content[-1] not in ".,?!" for w in words)
    assert all(i.start is None and i.content in ".,?!;:" for i in items if i.is_punctuation)


def test_the_model_is_loaded_once_per_process(whisper_model):
    assert recognition.load_model() is whisper_model
    assert recognition.load_model(recognition.embedded_model_path()) is whisper_model


@pytest.mark.parametrize("bad", ["missing-dir", "empty-dir"])
def test_a_bad_model_path_is_a_config_error(tmp_path, bad):
    path = tmp_path / bad
    if bad == "empty-dir":
        path.mkdir()
    with pytest.raises(ConfigError) as err:
        recognition.load_model(str(path))
    assert "\n" not in str(err.value) and err.value.exit_code == 2


@pytest.mark.parametrize(
    "word, expected",
    [
        (" pain,", [("pain", "pronunciation"), (",", "punctuation")]),
        (' "Doctor', [("Doctor", "pronunciation")]),
        (" Dr.", [("Dr.", "pronunciation")]),
        (" 3.5.", [("3.5", "pronunciation"), (".", "punctuation")]),
        (" really?!", [("really", "pronunciation"), ("?", "punctuation")]),
        (" -", []),
    ],
)
def test_word_items_split_punctuation(word, expected):
    items = recognition.word_items(word, 1.0, 1.0, 0.5, 10.0)
    assert [(i.content, i.type) for i in items] == expected
    for item in items:
        if not item.is_punctuation:
            assert item.start < item.end and item.confidence == 0.5
        else:
            assert item.start is None and item.end is None
