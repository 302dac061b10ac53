"""``python -m medscribe.backends.local.worker``: drain the local job queue in the background.

Started detached (its own session) by the local backend for ``--no-wait`` and
when a waiting process is interrupted. It loads the model once, runs every
claimable job (queued ones and those whose runner died), then exits. It logs
job names and counts only, never transcript text.
"""

from __future__ import annotations

import argparse
import logging
import os
from pathlib import Path

from medscribe.backends.local.runner import drain
from medscribe.backends.local.store import Store
from medscribe.config import data_dir


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m medscribe.backends.local.worker")
    parser.add_argument("--data-dir", type=Path, default=None, help="the job store's root")
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.INFO, format=f"%(asctime)s worker[{os.getpid()}] %(message)s")
    logging.getLogger("faster_whisper").setLevel(logging.WARNING)
    root = args.data_dir or data_dir()
    count = drain(Store(root))
    logging.getLogger(__name__).info("ran %d job(s); queue empty, exiting", count)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
