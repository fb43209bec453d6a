"""Run a command in a child process several times: median wall time and peak memory."""

from __future__ import annotations

import os
import statistics
import subprocess
import time
from collections.abc import Sequence
from dataclasses import dataclass


@dataclass(frozen=True)
class Measurement:
    label: str
    seconds: float  # median wall time
    max_rss_mb: float  # median of each run's peak resident memory
    runs: int


def measure(label: str, argv: Sequence[str], runs: int = 5, env: dict[str, str] | None = None) -> Measurement:
    """Run `argv` `runs` times (after one warm-up run) and return the medians."""
    times, rss = [], []
    for i in range(runs + 1):
        start = time.perf_counter()
        proc = subprocess.Popen(argv, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, env=env)
        _, status, usage = os.wait4(proc.pid, 0)
        elapsed = time.perf_counter() - start
        proc.returncode = os.waitstatus_to_exitcode(status)
        if proc.returncode != 0:
            err = proc.stderr.read().decode() if proc.stderr else ""
            raise RuntimeError(f"{label}: {' '.join(argv)} exited {proc.returncode}: {err[-2000:]}")
        if proc.stderr:
            proc.stderr.close()
        if i == 0:
            continue  # warm-up: file cache, .pyc
        times.append(elapsed)
        rss.append(usage.ru_maxrss / 1024)
    return Measurement(label, statistics.median(times), statistics.median(rss), runs)
