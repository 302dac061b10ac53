"""``python -m medscribe.backends.local.worker``: drain the local job queue in the background.

Started detached (its own session) by the local backend for ``--no-wait`` and
when a waiting process is interrupted. It loads the model once, runs every
claimable job (queued ones and those whose runner died), then exits. Its output
goes to ``jobs/worker.log`` (0600): medscribe's own INFO lines (job names, which
are never file names, and counts) and other libraries' warnings only, never
transcript text, an input's file name or its path.
"""

from __future__ import annotations

import argparse
import logging
import os
from pathlib import Path

from medscribe.backends.local.runner import WORKER_MODULE, drain
from medscribe.backends.local.store import Store
from medscribe.config import data_dir


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m medscribe.backends.local.worker")
    parser.add_argument("--data-dir", type=Path, default=None, help="the job store's root")
    args = parser.parse_args(argv)
    # Other libraries stay at WARNING: their INFO lines (faster-whisper's among them)
    # describe the audio being processed.
    logging.basicConfig(
        level=logging.WARNING, format=f"%(asctime)s worker[{os.getpid()}] %(message)s"
    )
    logging.getLogger("medscribe").setLevel(logging.INFO)
    root = args.data_dir or data_dir()
    count = drain(Store(root))
    # Named, not __name__: run with -m, this module is "__main__", outside "medscribe".
    logging.getLogger(WORKER_MODULE).info("ran %d job(s); queue empty, exiting", count)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
