"""Speaker partitioning: its cost beside transcription, and its DER against a naive baseline.

On a synthesised two-voice visit of about ten minutes (the sample script's lines in
shuffled rounds, Piper ``joe`` and festival ``slt``, turns 0.35 s apart, exact
reference turns from the synthesis):

* ``transcription_s``: Whisper recognition of the whole file with the engine's
  settings (embedded tiny.en, beam 5, word timestamps, VAD), model load excluded;
* ``speakers_s``: :func:`medscribe.engine.speakers.assign_speakers` on its items,
  encoder load excluded (reported apart); ``overhead`` = speakers_s /
  transcription_s, target at most 0.30;
* DER (pyannote.metrics, 0.25 s collar, word-level hypothesis turns) of ours,
  not told the count (``max_speakers=10``), and of the naive baseline: one
  Resemblyzer embedding per recognised segment, agglomerative clustering told the
  true count (2), every word of a segment gets the segment's speaker.

Also the DER on ../shared/data/speech/pyannote_sample.wav (real speech) when present.
Inputs are cached under ``var/bench/``.
"""

from __future__ import annotations

import copy
import random
import sys
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
CACHE = ROOT / "var" / "bench"
AUDIO = CACHE / "speakers-10min.wav"
RTTM = CACHE / "speakers-10min.rttm"
SHARED_SPEECH = ROOT.parent / "shared" / "data" / "speech"
OVERHEAD_TARGET = 0.30
DER_TARGET = 0.05


def run(out_dir: Path) -> dict:
    from medscribe.engine.audio import decode
    from medscribe.engine.recognition import load_model
    from medscribe.engine.speakers import assign_speakers
    from medscribe.engine.speakers.embeddings import load_encoder
    from medscribe.evaluation.dataset import read_rttm

    audio_path, rttm_path = conversation()
    audio = decode(audio_path)
    reference = read_rttm(rttm_path)
    model = load_model()
    started = time.perf_counter()
    load_encoder()
    encoder_load = time.perf_counter() - started

    started = time.perf_counter()
    items, segments = recognize_with_segments(model, audio)
    transcription = time.perf_counter() - started

    ours = copy.deepcopy(items)
    started = time.perf_counter()
    found = assign_speakers(audio, ours, 10)
    speakers = time.perf_counter() - started

    naive = naive_baseline(audio, items, segments, n_speakers=2)
    result = {
        "audio_s": round(len(audio) / 16000, 1),
        "reference_turns": len(reference),
        "transcription_s": round(transcription, 2),
        "speakers_s": round(speakers, 2),
        "encoder_load_s": round(encoder_load, 2),
        "overhead": round(speakers / transcription, 3),
        "overhead_target": OVERHEAD_TARGET,
        "overhead_ok": speakers / transcription <= OVERHEAD_TARGET,
        "speakers_found": found,
        "der_ours": round(der(reference, ours), 4),
        "der_naive_baseline_told_count": round(der(reference, naive), 4),
        "der_target": DER_TARGET,
    }
    result["der_ok"] = result["der_ours"] <= DER_TARGET
    sample = SHARED_SPEECH / "pyannote_sample.wav"
    if sample.exists():
        real = decode(sample)
        real_items, real_segments = recognize_with_segments(model, real)
        real_ref = read_rttm(SHARED_SPEECH / "pyannote_sample.rttm")
        baseline = naive_baseline(real, real_items, real_segments, n_speakers=2)
        result["pyannote_sample"] = {
            "speakers_found": assign_speakers(real, real_items, 10),
            "der_ours": round(der(real_ref, real_items), 4),
            "der_naive_baseline_told_count": round(der(real_ref, baseline), 4),
        }
    return result


def conversation(seconds: float = 600.0) -> tuple[Path, Path]:
    """The ten-minute two-voice visit and its RTTM reference (synthesised once, cached)."""
    if AUDIO.exists() and RTTM.exists():
        return AUDIO, RTTM
    if str(ROOT) not in sys.path:
        sys.path.insert(0, str(ROOT))
    from scripts.synth import SAMPLE_RATE, parse_script, render_conversation, write_rttm, write_wav

    lines = parse_script(ROOT / "examples" / "visit-script.txt")
    rng = random.Random(6)  # deterministic order
    script: list[tuple[str, str]] = []
    while len(script) * 5.0 < seconds * 1.1:  # ~5 s per line
        round_lines = lines[:]
        rng.shuffle(round_lines)
        script += round_lines
    audio, turns = render_conversation(script, pause=0.35)
    keep = [t for t in turns if t.start < seconds] or turns
    CACHE.mkdir(parents=True, exist_ok=True)
    write_rttm(RTTM, keep, "visit")
    write_wav(AUDIO, audio[: int((keep[-1].end + 0.3) * SAMPLE_RATE)])
    return AUDIO, RTTM


def recognize_with_segments(model, audio: np.ndarray) -> tuple[list, list[tuple[float, float]]]:
    """The engine's recognition, keeping Whisper's segment spans for the naive baseline."""
    from medscribe.engine.recognition import word_items

    segments, _ = model.transcribe(
        audio, language="en", beam_size=5, word_timestamps=True, vad_filter=True
    )
    items, spans = [], []
    end_of_audio = len(audio) / 16000
    for segment in segments:
        spans.append((segment.start, segment.end))
        for word in segment.words or ():
            items += word_items(word.word, word.start, word.end, word.probability, end_of_audio)
    return items, spans


def naive_baseline(audio, items, segments, *, n_speakers: int) -> list:
    """One embedding per recognised segment, clustered into the true count; words follow."""
    from scipy.cluster.hierarchy import fcluster, linkage

    from medscribe.engine.speakers.embeddings import load_encoder

    encoder = load_encoder()
    vectors = np.stack(
        [encoder.embed_utterance(audio[int(a * 16000) : int(b * 16000) + 1]) for a, b in segments]
    )
    labels = fcluster(linkage(vectors, "average", "cosine"), n_speakers, "maxclust")
    out = copy.deepcopy(items)
    previous = None
    for item in out:
        if not item.is_punctuation:
            middle = (item.start + item.end) / 2
            index = min(
                range(len(segments)),
                key=lambda i: max(segments[i][0] - middle, middle - segments[i][1], 0.0),
            )
            previous = f"spk_{labels[index] - 1}"
        item.speaker = previous
    return out


def der(reference, items) -> float:
    from medscribe.evaluation.metrics import diarization_counts, hypothesis_turns
    from medscribe.transcript.model import Transcript

    counts = diarization_counts(reference, hypothesis_turns(Transcript(items=items)))
    return float(counts.der or 0.0)


if __name__ == "__main__":
    import json

    print(json.dumps(run(Path("bench-results")), indent=2))
