"""engine.audio: real files in every common container, decoded with PyAV; bad files refused."""

from __future__ import annotations

import logging

import numpy as np
import pytest

from medscribe.engine import audio
from medscribe.errors import MediaError

from .conftest import ffmpeg

FORMATS = {
    "wav": ["-ar", "44100"],
    "flac": ["-ar", "48000"],
    "mp3": ["-ar", "44100", "-b:a", "64k"],
    "ogg": ["-ar", "48000", "-c:a", "libopus"],
    "m4a": ["-ar", "44100", "-c:a", "aac"],
    "webm": ["-ar", "48000", "-c:a", "libopus"],
}


@pytest.fixture(scope="module")
def encoded(utterance, tmp_path_factory):
    """The utterance re-encoded by FFmpeg into each container."""
    wav, _ = utterance
    out = {}
    folder = tmp_path_factory.mktemp("formats")
    for ext, args in FORMATS.items():
        path = folder / f"utterance.{ext}"
        ffmpeg("-i", str(wav), *args, str(path))
        out[ext] = path
    return out


@pytest.mark.parametrize("ext", sorted(FORMATS))
def test_decodes_every_common_container(encoded, utterance, ext):
    _, reference = utterance
    samples = audio.decode(encoded[ext])
    assert samples.dtype == np.float32 and samples.ndim == 1
    # Lossy codecs add priming samples; the length stays within 0.1 s.
    assert abs(samples.shape[0] - reference.shape[0]) < 0.1 * audio.SAMPLE_RATE
    n = min(samples.shape[0], reference.shape[0])
    level = np.sqrt(np.mean(samples[:n] ** 2)) / np.sqrt(np.mean(reference[:n] ** 2))
    assert 0.7 < level < 1.3


def test_blocks_have_fixed_size_and_cover_the_file(utterance):
    path, reference = utterance
    blocks = list(audio.iter_blocks(path, 0.5))
    size = audio.SAMPLE_RATE // 2
    assert all(b.shape == (size,) for b in blocks[:-1])
    assert 0 < blocks[-1].shape[0] <= size
    np.testing.assert_allclose(np.concatenate(blocks), reference, atol=1e-4)


def test_windows_are_cut_in_silence_and_cover_the_file(tmp_path, utterance):
    from scripts.synth import write_wav

    _, speech = utterance
    gap = np.zeros(audio.SAMPLE_RATE, dtype=np.float32)
    joined = np.concatenate([speech, gap, speech, gap, speech])
    path = write_wav(tmp_path / "three.wav", joined)
    target = speech.shape[0] / audio.SAMPLE_RATE + 0.5  # the middle of the first gap
    windows = list(audio.iter_windows(path, target, search=0.45))
    assert len(windows) >= 2
    assert sum(w.audio.shape[0] for w in windows) == joined.shape[0]
    position = 0
    for window in windows:
        assert window.offset == pytest.approx(position / audio.SAMPLE_RATE)
        position += window.audio.shape[0]
    cut = round(windows[1].offset * audio.SAMPLE_RATE)
    assert np.abs(joined[cut - 400 : cut + 400]).max() < 1e-3


def test_low_sample_rate_is_accepted_with_a_warning(utterance, tmp_path, caplog):
    wav, reference = utterance
    low = tmp_path / "phone.wav"
    ffmpeg("-i", str(wav), "-ar", "8000", str(low))
    with caplog.at_level(logging.WARNING, logger="medscribe.engine.audio"):
        samples = audio.decode(low)
    assert abs(samples.shape[0] - reference.shape[0]) < 0.05 * audio.SAMPLE_RATE
    assert any("8000 Hz" in r.getMessage() for r in caplog.records)


def test_stereo_channels_are_kept_apart(utterance, tmp_path):
    from scripts.synth import write_wav

    _, speech = utterance
    stereo = np.stack([speech, np.zeros_like(speech)])
    path = write_wav(tmp_path / "stereo.wav", stereo)
    ffmpeg("-i", str(path), "-ar", "48000", str(tmp_path / "stereo48.flac"))
    for source in (path, tmp_path / "stereo48.flac"):
        split = audio.decode(source, split_channels=True)
        assert split.shape[0] == 2
        assert np.sqrt(np.mean(split[0] ** 2)) > 0.01
        assert np.abs(split[1]).max() < 1e-3
        mono = audio.decode(source)
        assert mono.shape == (split.shape[1],)


def test_zero_length_and_silent_audio_decode_without_error(tmp_path):
    from scripts.synth import write_wav

    empty = write_wav(tmp_path / "empty.wav", np.zeros(0, dtype=np.float32))
    assert audio.decode(empty).shape == (0,)
    silent = write_wav(tmp_path / "silent.wav", np.zeros(3 * audio.SAMPLE_RATE, np.float32))
    assert np.abs(audio.decode(silent)).max() == 0.0


def _truncate(path, tmp_path, keep: float):
    data = path.read_bytes()
    out = tmp_path / f"cut-{path.name}"
    out.write_bytes(data[: int(len(data) * keep)])
    return out


@pytest.mark.parametrize(
    "make, message",
    [
        (lambda tmp, enc: tmp / "missing.wav", "no such file"),
        (lambda tmp, enc: tmp, "is a directory"),
        (lambda tmp, enc: _write(tmp / "notes.wav", b"Subjective: cough for two weeks\n"), ""),
        (lambda tmp, enc: _write(tmp / "empty.mp3", b""), "empty"),
        (lambda tmp, enc: _truncate(enc["wav"], tmp, 0.4), "truncated"),
        (lambda tmp, enc: _truncate(enc["flac"], tmp, 0.4), "truncated"),
        (lambda tmp, enc: _truncate(enc["mp3"], tmp, 0.5), "truncated"),
        (lambda tmp, enc: _truncate(enc["m4a"], tmp, 0.5), ""),
        (lambda tmp, enc: _truncate(enc["ogg"], tmp, 0.5), "truncated"),
        (lambda tmp, enc: _truncate(enc["ogg"], tmp, 0.97), "truncated"),
    ],
    ids=[
        *("missing", "directory", "text", "empty"),
        *("cut-wav", "cut-flac", "cut-mp3", "cut-m4a", "cut-ogg", "cut-ogg-end"),
    ],
)
def test_bad_files_raise_one_clear_media_error(tmp_path, encoded, make, message):
    path = make(tmp_path, encoded)
    with pytest.raises(MediaError) as err:
        audio.decode(path)
    text = str(err.value)
    assert message in text and "\n" not in text and str(path.name) in text
    assert err.value.exit_code == 2


def _write(path, data: bytes):
    path.write_bytes(data)
    return path
