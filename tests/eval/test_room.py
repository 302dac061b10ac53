"""The room condition: sox reverberation and seeded noise at 10-15 dB SNR, deterministic."""

from __future__ import annotations

import shutil
import wave
from pathlib import Path

import numpy as np
import pytest

from medscribe.evaluation.devset import write_wav
from medscribe.evaluation.room import (
    SNR_MAX_DB,
    SNR_MIN_DB,
    make_room,
    read_wav,
    reverberant_speech,
    reverberate,
    room_params,
    snr_db,
)

pytestmark = pytest.mark.skipif(shutil.which("sox") is None, reason="sox is not installed")


#: Real read speech from Debian's pocketsphinx-testdata (installed by ``make test``).
SPEECH = Path(
    "/usr/share/pocketsphinx/test/data/librivox/sense_and_sensibility_01_austen_64kb-0870.wav"
)


@pytest.fixture
def clean(tmp_path: Path) -> Path:
    """Up to six seconds of real read speech, mono 16 kHz."""
    if not SPEECH.is_file():
        pytest.skip("pocketsphinx-testdata is not installed")
    samples = read_wav(SPEECH)[: 6 * 16000]
    path = tmp_path / "mono.wav"
    write_wav(path, samples)
    return path


def test_room_file_has_the_drawn_snr_and_is_mono_16k(clean: Path, tmp_path: Path) -> None:
    out = tmp_path / "room.wav"
    params = make_room(clean, out, "some-case-dictation")
    assert SNR_MIN_DB <= params.snr_db <= SNR_MAX_DB
    with wave.open(str(out), "rb") as fh:
        assert (fh.getnchannels(), fh.getframerate(), fh.getsampwidth()) == (1, 16000, 2)
    # Measure it: the noise is what the room file has beyond the reverberant speech.
    wet = tmp_path / "wet.wav"
    reverberate(clean, wet)
    speech = reverberant_speech(wet, clean)
    room = read_wav(out)
    assert room.size == speech.size
    assert snr_db(speech, room) == pytest.approx(params.snr_db, abs=0.3)
    # Reverberation changes the signal (it is not the clean file plus noise).
    dry = read_wav(clean)
    assert not np.allclose(speech[: dry.size], dry, atol=1e-3)


def test_room_condition_is_deterministic_and_differs_per_case(clean: Path, tmp_path: Path) -> None:
    first, again, other = tmp_path / "a.wav", tmp_path / "b.wav", tmp_path / "c.wav"
    make_room(clean, first, "case-one")
    make_room(clean, again, "case-one")
    make_room(clean, other, "case-two")
    assert first.read_bytes() == again.read_bytes()
    assert first.read_bytes() != other.read_bytes()
    snrs = {room_params(f"case-{i}").snr_db for i in range(200)}
    assert min(snrs) >= SNR_MIN_DB and max(snrs) <= SNR_MAX_DB and len(snrs) > 100
