"""Run a command in a child process several times: median wall time and peak memory.

Linux carries a process's peak RSS across `exec`: a child forked by a large parent reports at least
the parent's peak. So each run goes through a small launcher interpreter that spawns the command,
times it and reads its `wait4` peak RSS; the command's own figures are then its own.
"""

from __future__ import annotations

import json
import statistics
import subprocess
import sys
from collections.abc import Sequence
from dataclasses import dataclass

_LAUNCHER = """
import json, os, sys, time
null = os.open(os.devnull, os.O_WRONLY)
start = time.perf_counter()
pid = os.posix_spawn(sys.argv[1], sys.argv[1:], os.environ, file_actions=[(os.POSIX_SPAWN_DUP2, null, 1)])
_, status, usage = os.wait4(pid, 0)
elapsed = time.perf_counter() - start
cpu = usage.ru_utime + usage.ru_stime
print(json.dumps([os.waitstatus_to_exitcode(status), elapsed, usage.ru_maxrss / 1024, cpu]))
"""


@dataclass(frozen=True)
class Measurement:
    label: str
    seconds: float  # median wall time
    max_rss_mb: float  # median of each run's peak resident memory
    runs: int
    cpu_seconds: float = float("nan")  # median user + system time (all threads)


def measure(
    label: str,
    argv: Sequence[str],
    runs: int = 5,
    env: dict[str, str] | None = None,
    *,
    warm_up: bool = True,
) -> Measurement:
    """Run `argv` `runs` times (after one warm-up run unless `warm_up` is false) and return the medians.

    `argv[0]` must be a path (it is spawned without a PATH search).
    """
    return measure_together([(label, argv)], runs, env, warm_up=warm_up)[0]


def measure_together(
    commands: Sequence[tuple[str, Sequence[str]]],
    runs: int = 5,
    env: dict[str, str] | None = None,
    *,
    warm_up: bool = True,
) -> list[Measurement]:
    """Measure several (label, argv) commands, taking turns run by run.

    Taking turns spreads a change in the machine's load (other processes on shared cores) over every
    command alike, so their ratios stay fair.
    """
    samples: list[list[tuple[float, float, float]]] = [[] for _ in commands]
    for i in range(runs + 1 if warm_up else runs):
        for (label, argv), kept in zip(commands, samples, strict=True):
            sample = _run_once(label, argv, env)
            if not (warm_up and i == 0):  # the warm-up run fills the file cache and the bytecode
                kept.append(sample)
    median = statistics.median
    return [
        Measurement(
            label,
            median(s[0] for s in kept),
            median(s[1] for s in kept),
            runs,
            median(s[2] for s in kept),
        )
        for (label, _), kept in zip(commands, samples, strict=True)
    ]


def _run_once(label: str, argv: Sequence[str], env: dict[str, str] | None) -> tuple[float, float, float]:
    """(wall seconds, peak RSS in MB, CPU seconds) of one run of `argv`."""
    proc = subprocess.run(
        [sys.executable, "-c", _LAUNCHER, *argv], capture_output=True, text=True, env=env, check=False
    )
    if proc.returncode != 0:
        raise RuntimeError(f"{label}: the launcher failed: {proc.stderr[-2000:]}")
    code, elapsed, peak, used = json.loads(proc.stdout.strip().splitlines()[-1])
    if code != 0:
        raise RuntimeError(f"{label}: {' '.join(argv)} exited {code}: {proc.stderr[-2000:]}")
    return elapsed, peak, used
