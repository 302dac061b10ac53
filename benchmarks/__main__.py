"""Run the benchmarks: ``python -m benchmarks --out DIR [--only NAME ...]``."""

from __future__ import annotations

import argparse
import importlib
import json
import pkgutil
import sys
import time
from pathlib import Path

import benchmarks

ROOT = Path(__file__).resolve().parents[1]


def discover() -> list[str]:
    """Names of the bench_* modules of this package, sorted."""
    return sorted(
        m.name.removeprefix("bench_")
        for m in pkgutil.iter_modules(benchmarks.__path__)
        if m.name.startswith("bench_")
    )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m benchmarks", description=__doc__)
    parser.add_argument("--out", type=Path, required=True, help="folder for the JSON results")
    parser.add_argument("--only", action="append", default=[], help="run only this benchmark")
    args = parser.parse_args(argv)
    if str(ROOT) not in sys.path:
        sys.path.insert(0, str(ROOT))
    names = args.only or discover()
    unknown = sorted(set(names) - set(discover()))
    if unknown:
        parser.error(f"no such benchmark: {', '.join(unknown)} (have: {', '.join(discover())})")
    args.out.mkdir(parents=True, exist_ok=True)
    failed = 0
    for name in names:
        module = importlib.import_module(f"benchmarks.bench_{name}")
        print(f"benchmark {name} ...", file=sys.stderr, flush=True)
        started = time.monotonic()
        try:
            result = module.run(args.out)
        except Exception as exc:  # one broken benchmark must not hide the others
            failed += 1
            result = {"error": f"{type(exc).__name__}: {exc}"}
        result.setdefault("wall_seconds", round(time.monotonic() - started, 1))
        path = args.out / f"{name}.json"
        path.write_text(json.dumps(result, indent=2) + "\n", encoding="utf-8")
        print(f"benchmark {name}: {path}", file=sys.stderr, flush=True)
    return 1 if failed else 0


if __name__ == "__main__":
    raise SystemExit(main())
