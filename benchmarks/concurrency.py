"""A class at once: 100 `compete submit`s of titanic started together, against the same 100 in a row.

20 participants submit 5 files each (titanic's sample submission with a few predictions changed),
with the default settings. Each submit is its own process, timed from its start to its exit; the
simultaneous ones are all started before the first is waited for.
"""

from __future__ import annotations

import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from benchmarks._measure import Measurement

REPO = Path(__file__).resolve().parents[1]
SLUG = "titanic"
PARTICIPANTS, FILES_EACH = 20, 5
ENTRY = "from harness.entry import main; main()"


def _workspace(root: Path) -> dict[str, str]:
    for name in ("competitions", "kernels", "theory"):
        (root / name).symlink_to(REPO / name)
    env = {**os.environ, "COMPETE_WORKSPACE": str(root), "OMP_NUM_THREADS": "1"}
    env.pop("COMPETE_LOCK_WAIT", None)  # the defaults
    subprocess.run([sys.executable, "-c", ENTRY, "prepare", SLUG], env=env, check=True, capture_output=True)
    return env


def _flip(line: str) -> str:
    """The row with its 0/1 label the other way: each file differs from the others."""
    row_id, label = line.rsplit(",", 1)
    return f"{row_id},{1 - int(float(label))}"


def _files(root: Path) -> list[Path]:
    lines = (root / "data" / SLUG / "sample_submission.csv").read_text().splitlines()
    out = []
    for k in range(FILES_EACH):
        body = [_flip(line) if i <= k + 1 else line for i, line in enumerate(lines[1:], 1)]
        path = root / f"preds-{k}.csv"
        path.write_text("\n".join([lines[0], *body]) + "\n")
        out.append(path)
    return out


def _argv(path: Path, who: int) -> list[str]:
    return [sys.executable, "-c", ENTRY, "submit", SLUG, str(path), "--as", f"learner{who:02d}"]


def _wait_all(started: dict[int, float]) -> tuple[list[float], float, int]:
    """Wait for every started pid: each one's seconds from its start to its exit, CPU s, failures."""
    latencies, cpu, failed = [], 0.0, 0
    while started:
        pid, status, usage = os.wait4(-1, 0)
        if pid not in started:
            continue
        latencies.append(time.perf_counter() - started.pop(pid))
        cpu += usage.ru_utime + usage.ru_stime
        failed += os.waitstatus_to_exitcode(status) != 0
    return latencies, cpu, failed


def _spawn(argv: list[str], env: dict[str, str]) -> int:
    null = os.open(os.devnull, os.O_WRONLY)
    try:
        actions = [(os.POSIX_SPAWN_DUP2, null, 1), (os.POSIX_SPAWN_DUP2, null, 2)]
        return os.posix_spawn(argv[0], argv, env, file_actions=actions)
    finally:
        os.close(null)


def _p95(values: list[float]) -> float:
    return statistics.quantiles(values, n=20, method="inclusive")[-1]


def _landed(root: Path) -> int:
    import duckdb

    con = duckdb.connect(str(root / ".compete" / SLUG / "store.duckdb"), read_only=True)
    try:
        return int(con.execute("SELECT count(*) FROM submissions").fetchall()[0][0])
    finally:
        con.close()


def run(runs: int) -> list[tuple[str, list[Measurement], str]]:
    del runs  # one round of each: 200 submits already
    load_before = os.getloadavg()[0]
    rows: list[Measurement] = []
    figures: dict[str, tuple[float, float, int, int]] = {}
    for mode in ("in a row", "simultaneous"):
        root = Path(tempfile.mkdtemp(prefix="compete-bench-class-"))
        try:
            env = _workspace(root)
            files = _files(root)
            jobs = [_argv(path, who) for who in range(PARTICIPANTS) for path in files]
            first = time.perf_counter()
            latencies: list[float] = []
            cpu, failed = 0.0, 0
            if mode == "in a row":
                for argv in jobs:
                    done, used, bad = _wait_all({_spawn(argv, env): time.perf_counter()})
                    latencies += done
                    cpu += used
                    failed += bad
            else:
                started = {}
                for argv in jobs:
                    started[_spawn(argv, env)] = time.perf_counter()
                latencies, cpu, failed = _wait_all(started)
            wall = time.perf_counter() - first
            landed = _landed(root)
        finally:
            shutil.rmtree(root, ignore_errors=True)
        n = len(latencies)
        figures[mode] = (wall, cpu, landed, failed)
        rows += [
            Measurement(f"{n} submits {mode}: wall, all of them", wall, float("nan"), 1, cpu),
            Measurement(
                f"{n} submits {mode}: one submit, median", statistics.median(latencies), float("nan"), n
            ),
            Measurement(f"{n} submits {mode}: one submit, p95", _p95(latencies), float("nan"), n),
        ]
        if mode == "simultaneous":  # exits spread over the run if the lock held them back in turn
            rows.append(
                Measurement(f"{n} submits {mode}: the first to finish", min(latencies), float("nan"), 1)
            )
    seq, sim = figures["in a row"], figures["simultaneous"]
    note = (
        f"{PARTICIPANTS} participants × {FILES_EACH} files of titanic's 418 rows, default settings (no "
        "COMPETE_LOCK_WAIT), one round. Landed: "
        f"{seq[2]} of {PARTICIPANTS * FILES_EACH} in a row ({seq[3]} failed), {sim[2]} of "
        f"{PARTICIPANTS * FILES_EACH} simultaneous ({sim[3]} failed). A submit reads, copies and scores "
        "its file with no lock, then holds the competition's lock file (flock) only to record its row; a "
        "waiting one sleeps in the kernel. CPU s of a wall row is the sum over the submits' processes "
        f"({seq[1]:.1f} s in a row, {sim[1]:.1f} s simultaneous: waiting costs none). "
        "Latency is each process's own, from its start to its exit. The RSS columns are not measured here. "
        f"Load average (1 min) before and after: {load_before:.1f}, {os.getloadavg()[0]:.1f}, on "
        f"{os.cpu_count()} cores: on a machine others use, each process gets a share of the cores, and the "
        "simultaneous ones all finish near the end."
    )
    return [("A class at once: 100 submits", rows, note)]
