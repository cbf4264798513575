"""The PPS producer, slow on its first run only (the worker-kill drill kills the worker during that sleep).

Every run appends a line to the file ``DCC_DRILL_MARKER`` names before producing, so the drill knows when the
generation started and how many times it ran."""

from __future__ import annotations

import os
import time
from pathlib import Path

from pps import documents as _real


def __getattr__(name: str):
    return getattr(_real, name)


def produce(source_id, chain):
    marker = Path(os.environ["DCC_DRILL_MARKER"])
    first = not marker.exists()
    with marker.open("a") as handle:
        handle.write(f"{os.getpid()} {time.time()}\n")
    if first:
        time.sleep(float(os.environ.get("DCC_DRILL_SLOW_SECONDS", "300")))
    return _real.produce(source_id, chain)
