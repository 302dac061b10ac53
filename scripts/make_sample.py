#!/usr/bin/env python3
"""Synthesise the sample clinician-patient visit that ``make run`` transcribes.

    scripts/make_sample.py --script examples/visit-script.txt --out examples/audio/visit.wav

Writes the 16 kHz mono WAV, an RTTM of the speaker turns beside it (``visit.rttm``)
and, with ``--stereo PATH``, a two-channel version with the clinician on channel 0.
Deterministic: the same script gives the same samples. The voices are described
in :mod:`scripts.synth`.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from scripts.synth import (  # noqa: E402 - needs the repository root on sys.path
    parse_script,
    render_conversation,
    split_by_speaker,
    write_rttm,
    write_wav,
)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--script", type=Path, default=ROOT / "examples" / "visit-script.txt")
    parser.add_argument("--out", type=Path, default=ROOT / "examples" / "audio" / "visit.wav")
    parser.add_argument("--rttm", type=Path, default=None, help="default: OUT with .rttm")
    parser.add_argument("--stereo", type=Path, default=None, help="also write a 2-channel WAV")
    parser.add_argument("--pause", type=float, default=0.6, help="seconds between turns")
    args = parser.parse_args(argv)

    lines = parse_script(args.script)
    audio, turns = render_conversation(lines, pause=args.pause)
    write_wav(args.out, audio)
    rttm = write_rttm(args.rttm or args.out.with_suffix(".rttm"), turns, args.out.stem)
    print(f"wrote {args.out} ({audio.shape[0] / 16000:.1f} s, {len(turns)} turns) and {rttm}")
    if args.stereo:
        write_wav(args.stereo, split_by_speaker(audio, turns))
        print(f"wrote {args.stereo} (clinician on channel 0)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
