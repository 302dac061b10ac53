"""Benchmarks: ``python -m benchmarks --out DIR`` runs every ``bench_*.py`` module.

Each module defines ``run(out_dir: Path) -> dict``; the result is written to
``DIR/<name>.json`` (name = module name without ``bench_``). Cached inputs live
under ``var/bench/``.
"""
