"""The specialty pass with the real model: terms recognised, lay speech untouched, vocabularies.

Each sentence is synthesised once (Piper) and transcribed with the specialty pass
off (the bare recogniser) and on; the expectations compare the two runs.
"""

from __future__ import annotations

import itertools
import json
import subprocess
import sys
from pathlib import Path

import pytest

from medscribe.engine import EngineConfig, shared_engine
from medscribe.engine.specialty.lexicon import load_lexicon
from medscribe.engine.specialty.second_look import merge
from medscribe.evaluation.normalize import normalize_words
from medscribe.request import build_options
from medscribe.transcript import Item
from medscribe.vocabulary import parse_vocabulary

from .conftest import CARDIO, CUSTOM, LAY

pytestmark = pytest.mark.model

OFF = EngineConfig(specialty_pass=False)

VOCABULARY = "Phrase\tIPA\tSoundsLike\tDisplayAs\nvonoprazan\tv oʊ n oʊ p ɹ æ z æ n\t\tVoquezna\n"


def _terms(text: str, terms: list[str]) -> int:
    words = normalize_words(text)
    return sum(1 for term in terms if term in words)


@pytest.fixture(scope="module")
def cardio(speech, whisper_model):
    path = speech(CARDIO)
    options = build_options(specialty="cardiology", type="dictation")
    return shared_engine(OFF).transcribe(path, options), shared_engine().transcribe(path, options)


def test_the_specialty_recognises_terms_the_bare_model_misses(cardio):
    off, on = cardio
    # The pass writes a term only where the audio backs it (scoring.py): tiny.en's
    # "a pick subbin" is too far from "apixaban" for the model to say so.
    terms = ["metoprolol", "apixaban", "spironolactone", "cardiomyopathy"]
    assert _terms(on.text, terms) > _terms(off.text, terms)
    assert "metoprolol" in normalize_words(on.text)


def test_corrected_items_keep_times_within_the_audio(cardio):
    _, on = cardio
    words = on.words
    assert all(w.start is not None and w.end is not None and w.start < w.end for w in words)
    assert all(a.start <= b.start for a, b in itertools.pairwise(words))
    assert all(0.0 <= w.confidence <= 1.0 for w in words)


def test_lay_speech_is_not_damaged(speech, whisper_model):
    path = speech(LAY)
    options = build_options(specialty="cardiology")
    off = shared_engine(OFF).transcribe(path, options)
    on = shared_engine().transcribe(path, options)
    assert on.text == off.text
    assert "chest pain" in on.text.lower()


def test_a_prompted_reading_that_brings_no_term_is_ignored():
    lexicon = load_lexicon("cardiology")
    first = [
        Item("chest", start=0.0, end=0.3, confidence=0.9),
        Item("pain", start=0.3, end=0.6, confidence=0.9),
    ]
    # The prompt made it read a drug, or added one where nothing was said.
    swapped = [Item("chest", start=0.0, end=0.3), Item("paint", start=0.3, end=0.6)]
    added = [*first, Item("apixaban", start=0.6, end=0.9)]
    assert merge(first, swapped, lexicon) == first
    assert merge(first, added, lexicon) == first
    sounding = [Item("chest", start=0.0, end=0.3), Item("apixaban", start=0.3, end=0.6)]
    assert merge(first, sounding, lexicon) == first  # "pain" does not sound like apixaban


def test_a_custom_vocabulary_adds_terms_shown_as_display_as(speech, whisper_model, tmp_path):
    table = tmp_path / "gi.txt"
    table.write_text(VOCABULARY, encoding="utf-8")
    entries = parse_vocabulary(table)
    path = speech(CUSTOM)
    options = build_options(specialty="primarycare")
    without = shared_engine().transcribe(path, options)
    with_vocabulary = shared_engine().transcribe(path, options, vocabulary=entries)
    assert "vonoprazan" not in without.text.lower() and "Voquezna" not in without.text
    assert "Voquezna" in [i.content for i in with_vocabulary.words]
    assert "blood pressure" in with_vocabulary.text.lower() or "BP" in with_vocabulary.text


def test_cli_vocab_create_then_transcribe_with_it(speech, whisper_model, tmp_path):
    medscribe = Path(sys.executable).parent / "medscribe"
    table = tmp_path / "gi.txt"
    table.write_text(VOCABULARY, encoding="utf-8")
    created = subprocess.run(
        [str(medscribe), "vocab", "create", "gi-terms", str(table), "--backend", "local"],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert created.returncode == 0, created.stderr
    out = tmp_path / "out.json"
    done = subprocess.run(
        [
            str(medscribe),
            "transcribe",
            str(speech(CUSTOM)),
            "--backend",
            "local",
            "--vocabulary",
            "gi-terms",
            "--format",
            "json",
            "-o",
            str(out),
        ],
        capture_output=True,
        text=True,
        timeout=180,
    )
    assert done.returncode == 0, done.stderr
    data = json.loads(out.read_text())
    assert "Voquezna" in data["results"]["transcripts"][0]["transcript"]
    missing = subprocess.run(
        [
            str(medscribe),
            "transcribe",
            str(speech(CUSTOM)),
            "--backend",
            "local",
            "--vocabulary",
            "nope",
            "-o",
            str(tmp_path / "x.json"),
        ],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert missing.returncode == 2
    assert "nope" in missing.stderr and "Traceback" not in missing.stderr


def test_the_sample_visits_dose_survives_the_specialty_pass(whisper_model, tmp_path):
    # The field test's line (examples/visit-script.txt), in the sample's patient voice.
    from scripts.synth import synthesize, write_wav

    line = "I take lisinopril, ten milligrams once a day, for my blood pressure."
    path = write_wav(tmp_path / "line.wav", synthesize(line, "slt"))
    text = shared_engine().transcribe(path, build_options(specialty="primarycare")).text
    assert "10 mg once a day" in text
    assert "lisinopril" in text.lower()


def _hidden_dictionaries_prefix(tmp_path: Path) -> list[str]:
    """A command prefix that runs its command with Debian's word lists hidden (or skips)."""
    import shutil

    empty = tmp_path / "empty"
    empty.mkdir()
    script = (
        f"mount --bind {empty} /usr/share/dict && mount --bind {empty} /usr/share/hunspell"
        ' && exec "$@"'
    )
    prefix = ["unshare", "--mount", "sh", "-c", script, "sh"]
    probe = subprocess.run([*prefix, "test", "!", "-e", "/usr/share/dict/words"], check=False)
    if shutil.which("unshare") is None or probe.returncode != 0:
        pytest.skip("cannot hide /usr/share/dict here (needs unshare and mount rights)")
    return prefix


def test_the_engine_needs_no_debian_word_lists(speech, tmp_path):
    # The word lists ship with medscribe: with Debian's hidden, the same transcript.
    path = speech(LAY)
    outputs = []
    for name, prefix in (("with", []), ("without", _hidden_dictionaries_prefix(tmp_path))):
        out = tmp_path / f"{name}.json"
        command = [sys.executable, "-m", "medscribe", "transcribe", str(path), "-o", str(out)]
        done = subprocess.run(
            [*prefix, *command, "--specialty", "cardiology"], capture_output=True, text=True
        )
        assert done.returncode == 0, done.stderr
        outputs.append(json.loads(out.read_text())["results"])
    assert outputs[0] == outputs[1]
