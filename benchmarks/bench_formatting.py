"""Formatting throughput: a one-hour clinic transcript (~9,000 words) through format_items.

The transcript is generated (fixed seed) from realistic clinic sentences full of
numbers said as words - doses, vitals, labs, dates, times - as timed items of
two speakers, the way the recogniser hands them to the formatting stage. The
stage is single-threaded Python plus text2num's Rust, so this is one core.
Target: under 1 second. Run: ``python -m benchmarks.bench_formatting [--out DIR]``.
"""

from __future__ import annotations

import argparse
import json
import random
import time
from pathlib import Path

from medscribe.engine.formatting import format_items
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


def _spoken(n: int) -> str:
    """A number as words, with the evaluation's speller (the generator is not under test)."""
    return " ".join(number_to_words(n))


def _ordinal(n: int) -> str:
    words = {1: "first", 2: "second", 3: "third", 5: "fifth", 8: "eighth", 12: "twelfth"}
    if n in words:
        return words[n]
    spoken = _spoken(n)
    return spoken[:-1] + "ieth" if spoken.endswith("y") else spoken + "th"


def make_transcript(words: int = TARGET_WORDS, seed: int = 5) -> list[Item]:
    """Timed word items of two speakers (no punctuation between sentences but a full stop)."""
    rng = random.Random(seed)
    items: list[Item] = []
    t, n = 0.0, 0
    while n < words:
        sentence = rng.choice(_TEMPLATES).format(
            big=_spoken(rng.randint(110, 260)),
            mid=_spoken(rng.randint(11, 99)),
            small=_spoken(rng.randint(1, 9)),
            tens=_spoken(rng.choice([10, 20, 30, 40, 50, 60])),
            dose=_spoken(rng.choice([5, 10, 20, 25, 40, 500, 850])),
            ordinal=_ordinal(rng.randint(1, 28)),
        )
        speaker = f"spk_{rng.randint(0, 1)}"
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
        items.append(Item(".", "punctuation", speaker=speaker))
        t += 0.6
    return items


def run(out_dir: Path | str) -> dict:
    """Format the generated hour three times; report the best (JSON also in out_dir)."""
    items = make_transcript()
    n_words = sum(1 for i in items if not i.is_punctuation)
    format_items(items[:200])  # import and warm up outside the timing
    timings, cpu = [], []
    for _ in range(3):
        t0, c0 = time.perf_counter(), time.process_time()
        out = format_items(items)
        timings.append(time.perf_counter() - t0)
        cpu.append(time.process_time() - c0)
    best = min(timings)
    result = {
        "benchmark": "formatting",
        "words": n_words,
        "audio_hours": round(items[-2].end / 3600, 2),
        "items_in": len(items),
        "items_out": len(out),
        "seconds": round(best, 4),
        "cpu_seconds": round(min(cpu), 4),
        "words_per_second": round(n_words / best),
        "target_seconds": TARGET_SECONDS,
        "meets_target": best < TARGET_SECONDS,
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
