"""Formatting throughput: a one-hour clinic transcript (~9,000 words) through format_items.

The transcript is generated (fixed seed) from realistic clinic sentences full of
numbers said as words - doses, vitals, labs, dates, times - as timed items of
two speakers, the way the recogniser hands them to the formatting stage. The
stage is single-threaded Python plus text2num's Rust, so this is one core.
Target: under 1 second. Run: ``python -m benchmarks.bench_formatting [--out DIR]``.

Dictation is measured too: an hour of generated dictation (headings, numbered
lists, ranges, spoken punctuation) through ``format_items(dictation=True)``,
same target, and the share of the dictation vectors
(tests/format/dictation_vectors.tsv, when the checkout has it) written exactly.
"""

from __future__ import annotations

import argparse
import json
import random
import time
from pathlib import Path
from typing import Any

from medscribe.engine.formatting import format_items, format_text
from medscribe.evaluation.normalize import number_to_words
from medscribe.transcript.model import Item

TARGET_WORDS = 9000
TARGET_SECONDS = 1.0
_TEMPLATES = [
    "blood pressure today is {big} over {mid} and pulse {mid}",
    "her blood pressure was one {tens} over {mid} at the last visit",
    "I have been taking {dose} milligrams of lisinopril once a day",
    "temperature is {mid} point {small} degrees fahrenheit this morning",
    "O 2 saturation was {mid} percent on room air",
    "she weighs {big} pounds and she is five feet {small} inches",
    "let's start metformin {dose} milligrams twice daily with meals",
    "the pain is about {small} out of ten and it started {small} days ago",
    "one of them is sore and I have had it for a couple of weeks",
    "I take it one or two times a day usually after breakfast",
    "your A1C came back at {small} point {small} which is better",
    "heart rate of one {tens} beats per minute when I checked",
    "we will see you back on June {ordinal} at {small} thirty a m",
    "I was diagnosed in nineteen ninety {small} with diabetes",
    "the lumbar scan showed a disc bulge at L four and L five",
    "your cholesterol is {big} and the LDL is {mid}",
    "she has three children and the youngest is {mid} years old",
    "drink about {small} to {small} glasses of water a day",
    "respiration {mid} and the patient came for post op evaluation",
    "in the last {mid} hours she has had a headache and some nausea",
    "okay so tell me a little more about how you have been sleeping",
    "yes that makes sense and we can talk about it at the next visit",
]


_DICTATION_TEMPLATES = [
    "history of present illness colon the patient is a {mid} year old woman period",
    "she reports chest pain for {small} to {mid} days comma worse with exertion period",
    "physical exam period blood pressure one {tens} over {mid} comma pulse {mid} period",
    "impression colon number one mild aortic stenosis period number two trace mitral "
    "regurgitation period",
    "the estimated pulmonary artery pressure is {mid} to {big} millimeters of mercury period",
    "assessment and plan colon number one hypertension period continue lisinopril {dose} "
    "milligrams daily period next number diabetes period",
    "take {small} to {small} tablets every {small} to {small} hours as needed period",
    "her last period was {small} weeks ago period new paragraph",
    "follow up in {small} to {small} weeks comma sooner if needed period",
    "findings comma one comma no acute fracture comma two comma mild degenerative change period",
]
_VECTORS = Path(__file__).resolve().parents[1] / "tests" / "format" / "dictation_vectors.tsv"


def _spoken(n: int) -> str:
    """A number as words, with the evaluation's speller (the generator is not under test)."""
    return " ".join(number_to_words(n))


def _ordinal(n: int) -> str:
    words = {1: "first", 2: "second", 3: "third", 5: "fifth", 8: "eighth", 12: "twelfth"}
    if n in words:
        return words[n]
    spoken = _spoken(n)
    return spoken[:-1] + "ieth" if spoken.endswith("y") else spoken + "th"


def make_transcript(
    words: int = TARGET_WORDS, seed: int = 5, *, dictation: bool = False
) -> list[Item]:
    """Timed word items of two speakers (no punctuation between sentences but a full stop).

    ``dictation``: one speaker saying the dictation templates (their spoken marks are words).
    """
    rng = random.Random(seed)
    items: list[Item] = []
    templates = _DICTATION_TEMPLATES if dictation else _TEMPLATES
    t, n = 0.0, 0
    while n < words:
        sentence = rng.choice(templates).format(
            big=_spoken(rng.randint(110, 260)),
            mid=_spoken(rng.randint(11, 99)),
            small=_spoken(rng.randint(1, 9)),
            tens=_spoken(rng.choice([10, 20, 30, 40, 50, 60])),
            dose=_spoken(rng.choice([5, 10, 20, 25, 40, 500, 850])),
            ordinal=_ordinal(rng.randint(1, 28)),
        )
        speaker = "spk_0" if dictation else f"spk_{rng.randint(0, 1)}"
        for word in sentence.split():
            dur = 0.15 + rng.random() * 0.3
            items.append(
                Item(
                    word,
                    start=round(t, 3),
                    end=round(t + dur, 3),
                    confidence=round(0.6 + rng.random() * 0.4, 3),
                    speaker=speaker,
                )
            )
            t += dur + 0.05
            n += 1
        if not dictation:
            items.append(Item(".", "punctuation", speaker=speaker))
        t += 0.6
    return items


def _best_of_three(items: list[Item], *, dictation: bool) -> tuple[float, float, int]:
    """Best wall and CPU seconds of three runs, and the number of items written."""
    format_items(items[:200], dictation=dictation)  # import and warm up outside the timing
    timings, cpu, n_out = [], [], 0
    for _ in range(3):
        t0, c0 = time.perf_counter(), time.process_time()
        n_out = len(format_items(items, dictation=dictation))
        timings.append(time.perf_counter() - t0)
        cpu.append(time.process_time() - c0)
    return min(timings), min(cpu), n_out


def vector_accuracy(path: Path = _VECTORS) -> dict[str, Any] | None:
    """How many dictation vectors are written exactly (None without the vector file)."""
    if not path.is_file():
        return None
    total = right = 0
    for line in path.read_text(encoding="utf-8").splitlines():
        if not line or line.startswith("#") or line.startswith("rule\t"):
            continue
        _, kind, spoken, expected = line.split("\t")
        written = format_text(spoken, dictation=kind == "dictation")
        total += 1
        right += written == expected.replace("\\n", "\n")
    return {"vectors": total, "exact": right, "accuracy": round(right / total, 4) if total else 0}


def _dictation_result() -> dict[str, Any]:
    items = make_transcript(dictation=True)
    n_words = sum(1 for i in items if not i.is_punctuation)
    best, cpu, n_out = _best_of_three(items, dictation=True)
    return {
        "words": n_words,
        "items_out": n_out,
        "seconds": round(best, 4),
        "cpu_seconds": round(cpu, 4),
        "words_per_second": round(n_words / best),
        "meets_target": best < TARGET_SECONDS,
        "vectors": vector_accuracy(),
    }


def run(out_dir: Path | str) -> dict[str, Any]:
    """Format the generated hour three times; report the best (JSON also in out_dir)."""
    items = make_transcript()
    n_words = sum(1 for i in items if not i.is_punctuation)
    best, cpu, n_out = _best_of_three(items, dictation=False)
    result = {
        "benchmark": "formatting",
        "words": n_words,
        "audio_hours": round((items[-2].end or 0.0) / 3600, 2),
        "items_in": len(items),
        "items_out": n_out,
        "seconds": round(best, 4),
        "cpu_seconds": round(cpu, 4),
        "words_per_second": round(n_words / best),
        "target_seconds": TARGET_SECONDS,
        "meets_target": best < TARGET_SECONDS,
        "dictation": _dictation_result(),
    }
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    (out / "formatting.json").write_text(json.dumps(result, indent=2) + "\n", encoding="utf-8")
    return result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", default="bench-results", help="folder for formatting.json")
    print(json.dumps(run(parser.parse_args().out), indent=2))


if __name__ == "__main__":
    main()
