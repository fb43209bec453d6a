"""Tuning: the harness's overhead per trial, pruning's time to the best value, two workers against one.

Each run is its own process (`benchmarks._tuning_child`), in a temporary workspace with titanic
and house-prices prepared, single-threaded (OMP_NUM_THREADS=1), and times only its trials (imports excluded).
"""

from __future__ import annotations

import json
import os
import statistics
import subprocess
import sys
import tempfile
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
OVERHEAD_TRIALS = 11  # the first reads the data in compete tune; the comparison runs over the other 10
PRUNE_KERNEL = "house-prices/lgbm-log-target"  # costly trials, where stopping one early saves much
PRUNE_TRIALS = 50
PRUNE_CAP = 300  # trials the pruned study may take to reach the unpruned study's best
PRUNE_SEEDS = (0, 1, 2)  # the time to a best value is one draw per seed
WORKER_TRIALS = 96  # enough that starting the workers (imports, reading the data) is a small part
PARTS = ("kernel", "scoring", "study writes", "fsync")  # the parts of a trial the children time


def sections(runs: int) -> Iterator[tuple[str, str]]:
    """(title, markdown body) of each tuning measurement."""
    with tempfile.TemporaryDirectory(prefix="compete-bench-tune-") as folder:
        root = Path(folder) / "ws"
        _workspace(root)
        env = {**os.environ, "COMPETE_WORKSPACE": str(root), "OMP_NUM_THREADS": "1"}
        load = [os.getloadavg()[0]]
        yield _overhead(root, env, runs)
        load.append(os.getloadavg()[0])
        yield _pruning(env)
        load.append(os.getloadavg()[0])
        yield _workers(root, env, runs)
        load.append(os.getloadavg()[0])
    yield (
        "Tuning: conditions",
        "Command: `python -m benchmarks --only tuning --runs "
        f"{runs}`, on {datetime.now(UTC):%Y-%m-%d} at commit {_commit()}. "
        "Load average (1 min) before and after each tuning measurement: "
        + ", ".join(f"{x:.1f}" for x in load)
        + f", on {os.cpu_count()} cores shared with other work: the figures are as good as that allows. "
        "With the load average above the number of cores, a second worker finds no idle core, so the "
        "workers' comparison then measures contention rather than parallelism; and each worker process "
        "first imports the harness, pandas and LightGBM, which a short study feels.",
    )


def _cpu_ticks() -> tuple[int, int] | None:
    """The machine's idle and total CPU ticks since boot (Linux's /proc/stat), or None elsewhere."""
    try:
        fields = [int(x) for x in Path("/proc/stat").read_text().splitlines()[0].split()[1:]]
    except (OSError, ValueError, IndexError):
        return None
    return fields[3] + fields[4], sum(fields[:8])  # idle + iowait; user .. steal


def _commit() -> str:
    done = subprocess.run(["git", "rev-parse", "--short", "HEAD"], capture_output=True, text=True, cwd=REPO)
    return done.stdout.strip() or "unknown"


def _workspace(root: Path) -> None:
    root.mkdir(parents=True)
    for name in ("competitions", "kernels", "theory"):
        (root / name).symlink_to(REPO / name)
    for slug in ("titanic", "house-prices"):
        done = subprocess.run(
            [sys.executable, "-c", "from harness.entry import main; main()", "prepare", slug],
            env={**os.environ, "COMPETE_WORKSPACE": str(root)},
            capture_output=True,
            text=True,
            check=False,
        )
        if done.returncode != 0:
            raise RuntimeError(done.stderr)


def _child(mode: str, env: dict[str, str], **options: object) -> dict[str, object]:
    done = subprocess.run(
        [sys.executable, "-m", "benchmarks._tuning_child", mode, json.dumps(options)],
        env=env,
        capture_output=True,
        text=True,
        cwd=REPO,
        check=False,
    )
    if done.returncode != 0:
        raise RuntimeError(f"{mode}: {done.stderr}")
    result: dict[str, object] = json.loads(done.stdout.strip().splitlines()[-1])
    return result


def _overhead(root: Path, env: dict[str, str], runs: int) -> tuple[str, str]:
    harness, bare = [], []
    for i in range(runs):  # taking turns, so that a busy moment hurts both alike
        bare.append(_child("bare", env, trials=OVERHEAD_TRIALS))
        storage = str(root / f"overhead-{i}.journal")
        harness.append(_child("harness", env, trials=OVERHEAD_TRIALS, storage=storage))

    def median(results: list[dict[str, object]], key: str) -> float:
        return statistics.median(float(r[key]) for r in results)  # type: ignore[arg-type]

    def part(results: list[dict[str, object]], name: str) -> float:
        return statistics.median(float(r["parts"].get(name, 0.0)) for r in results) / OVERHEAD_TRIALS  # type: ignore[attr-defined]

    n, steady = OVERHEAD_TRIALS, OVERHEAD_TRIALS - 1
    b, h = median(bare, "steady_seconds"), median(harness, "steady_seconds")
    bc, hc = median(bare, "steady_cpu"), median(harness, "steady_cpu")
    b_all, h_all = median(bare, "trials_seconds"), median(harness, "trials_seconds")
    bc_all, hc_all = median(bare, "trials_cpu"), median(harness, "trials_cpu")
    whole = median(harness, "seconds")
    extra, extra_cpu = h / b - 1, hc / bc - 1
    verdict = "PASS" if extra <= 0.05 else "FAIL"
    verdict_cpu = "PASS" if extra_cpu <= 0.05 else "FAIL"
    own = part(harness, "scoring") - part(bare, "scoring") + part(harness, "study writes")
    own += part(harness, "fsync")
    rows = [
        f"| kernel's fit_predict (5 folds) | {part(bare, 'kernel'):.3f} | {part(harness, 'kernel'):.3f} |",
        f"| fold scoring (scikit-learn / the metric's DuckDB SQL) | {part(bare, 'scoring'):.3f} "
        f"| {part(harness, 'scoring'):.3f} |",
        f"| the study's writes (appended to the journal file under its lock) | 0 "
        f"| {part(harness, 'study writes'):.3f} |",
        f"| the journal forced onto the disk (one fsync as each trial ends) | 0 "
        f"| {part(harness, 'fsync'):.3f} |",
        f"| the rest: Optuna, and in compete tune reading the data once, the checks of the predictions, "
        f"the out-of-fold rows | {b_all / n - sum(part(bare, x) for x in PARTS):.3f} "
        f"| {h_all / n - sum(part(harness, x) for x in PARTS):.3f} |",
    ]
    body = (
        f"titanic/lgbm-features, {n} trials (the default PARAMS first, then a seeded random "
        "sampler; no pruner), 5 stratified folds, one thread. `compete tune` is `harness.tuning.run.tune` "
        "with its journal file; the bare loop is an in-memory Optuna study calling the kernel's own "
        "`fit_predict` on the same folds and scoring with scikit-learn's `accuracy_score`. Both import "
        "their modules before the clock starts. The comparison runs from the second trial's start to "
        f"the last one's end ({steady} trials): `compete tune` reads the competition's data and makes "
        "its folds once per study, inside its first trial, where the bare loop reads them before its "
        "clock starts; the rows below give that first trial and the `tune` call as a whole too (the "
        "competition's door, the folds' identity, creating the study). Wall seconds are the trials' "
        "span as the study records them; CPU is the process's CPU seconds over the same stretch, which "
        f"a loaded machine disturbs far less than wall time. Median of {runs} runs each, taking turns.\n\n"
        "| measured | trials s | s per trial | x bare | CPU s | CPU x bare |\n"
        "|---|---:|---:|---:|---:|---:|\n"
        f"| bare Optuna + LightGBM, trials 2 to {n} | {b:.2f} | {b / steady:.3f} | 1.00 | {bc:.2f} | 1.00 |\n"
        f"| compete tune, trials 2 to {n} | {h:.2f} | {h / steady:.3f} | {h / b:.2f} | {hc:.2f} "
        f"| {hc / bc:.2f} |\n"
        f"| bare, all {n} trials | {b_all:.2f} | {b_all / n:.3f} | 1.00 | {bc_all:.2f} | 1.00 |\n"
        f"| compete tune, all {n} trials | {h_all:.2f} | {h_all / n:.3f} | {h_all / b_all:.2f} "
        f"| {hc_all:.2f} | {hc_all / bc_all:.2f} |\n"
        f"| compete tune, the whole call | {whole:.2f} | {whole / n:.3f} | {whole / b_all:.2f} "
        f"| {median(harness, 'cpu'):.2f} | {median(harness, 'cpu') / bc_all:.2f} |\n\n"
        f"Where a trial's time goes (wall seconds per trial over all {n} trials; each part the median of "
        "the runs, the rest what is left of the median trial):\n\n"
        "| part of a trial | bare s | compete tune s |\n|---|---:|---:|\n" + "\n".join(rows) + "\n\n"
        f"The harness's own parts (the metric's SQL instead of scikit-learn, the journal's writes and "
        f"its fsync) add {own:.3f} s per trial, {own / (b_all / n):.1%} of a bare trial; the kernel's own "
        "part differs between the two by this machine's noise (the same code on the same folds: its "
        "CPU time alone varies by a fifth from one process to the next under load).\n\n"
        f"- target: harness overhead within 5%: wall {extra:+.1%} — **{verdict}**; "
        f"CPU {extra_cpu:+.1%} — **{verdict_cpu}**"
    )
    return "Tuning: harness overhead per trial", body


def _pruning(env: dict[str, str]) -> tuple[str, str]:
    rows, speedups = [], []
    for seed in PRUNE_SEEDS:
        off = _child("prune", env, kernel=PRUNE_KERNEL, trials=PRUNE_TRIALS, pruner="none", seed=seed)
        target, t_off = float(off["best"]), float(off["first_best_cpu"])  # type: ignore[arg-type]
        budget = float(off["cpu"])  # type: ignore[arg-type]
        on = _child(
            "prune",
            env,
            kernel=PRUNE_KERNEL,
            trials=PRUNE_CAP,
            pruner="median",
            seed=seed,
            target=target,
            budget=budget,
        )
        t_on = on["reached_cpu"]
        # not reached within the budget: at most budget / t_off times as slow, counted as that
        speedup = t_off / (float(t_on) if t_on is not None else float(on["cpu"]))  # type: ignore[arg-type]
        speedups.append(speedup)
        reached = f"{float(t_on):.1f}" if t_on is not None else f"not reached in {float(on['cpu']):.0f}"  # type: ignore[arg-type]
        rows.append(
            f"| {seed} | {target:.6f} | {off['best_trial']} | {t_off:.1f} | {on['trials']} | {on['pruned']} "
            f"| {float(on['best']):.6f} | {reached} | {speedup:.2f} |"  # type: ignore[arg-type]
        )
    middle = statistics.median(speedups)
    verdict = "PASS" if middle >= 1.5 else "FAIL"
    lines = [
        f"{PRUNE_KERNEL} (2,051 rows, about 80 columns, 5 folds; boosting rounds 200 to 1,200 at learning "
        "rates 0.01 to 0.1, leaves, leaf sizes, sampling and L2 from the kernel's own `search_space`), "
        f"TPE sampler, the same seed in both studies of a row, seeds {', '.join(map(str, PRUNE_SEEDS))}, "
        "one thread. The kernel's default PARAMS are not enqueued (`compete tune` runs them first), so "
        f"the time measures the search alone. Without a pruner, {PRUNE_TRIALS} trials reach their best "
        "RMSLE at some trial; the time is from the study's start to the end of that trial. With "
        "`compete tune`'s default pruner (`--pruner median`: from the 6th trial on, after each fold "
        "but the last, a trial stops when the mean of its first k fold scores is worse than the median "
        "of the complete trials' over the same k folds), the study runs until its best is at least "
        f"as good, for at most {PRUNE_CAP} trials or as much CPU time as the unpruned study's "
        f"{PRUNE_TRIALS} trials took. Times are the study process's CPU seconds (one thread: the "
        "study's own work, which a loaded machine disturbs far less than wall time). The time to a "
        "best value depends on the path the sampler takes (a pruned trial changes what TPE learns), "
        "so one seed is one draw: the verdict takes the median over the seeds.\n",
        "| seed | best of 50 unpruned | at trial | CPU s | pruned study: trials | pruned | best "
        "| CPU s to reach it | x faster |",
        "|---:|---:|---:|---:|---:|---:|---:|---:|---:|",
        *rows,
        f"\n- target: at least 1.5x faster with the pruner: median {middle:.2f}x over "
        f"{len(speedups)} seeds ({', '.join(f'{x:.2f}x' for x in speedups)}) — **{verdict}**",
    ]
    return "Tuning: pruning, time to the best value", "\n".join(lines)


def _workers(root: Path, env: dict[str, str], runs: int) -> tuple[str, str]:
    one, two = [], []
    idle: list[float] = []  # the machine's idle CPU share while 2 workers ran
    for i in range(runs):
        for workers, results in ((1, one), (2, two)):
            storage = str(root / f"w{workers}-{i}.journal")
            before = _cpu_ticks()
            results.append(_child("workers", env, trials=WORKER_TRIALS, workers=workers, storage=storage))
            after = _cpu_ticks()
            if workers == 2 and before and after and after[1] > before[1]:
                idle.append((after[0] - before[0]) / (after[1] - before[1]))

    def median(results: list[dict[str, object]], key: str) -> float:
        return statistics.median(float(r[key]) for r in results)  # type: ignore[arg-type]

    s1, s2 = median(one, "seconds"), median(two, "seconds")
    t1, t2 = median(one, "trials_seconds"), median(two, "trials_seconds")
    rate1, rate2 = WORKER_TRIALS / s1 * 60, WORKER_TRIALS / s2 * 60
    trate1, trate2 = WORKER_TRIALS / t1 * 60, WORKER_TRIALS / t2 * 60
    ratio, trials_ratio = rate2 / rate1, trate2 / trate1
    alone = statistics.median(w["median_trial"] for r in one for w in r["workers"])  # type: ignore[attr-defined]
    shared = statistics.median(w["median_trial"] for r in two for w in r["workers"])  # type: ignore[attr-defined]
    busy = min(w["busy"] for r in two for w in r["workers"])  # type: ignore[attr-defined]
    verdict = "PASS" if ratio >= 1.6 else "FAIL"
    body = (
        f"titanic/lgbm-features, {WORKER_TRIALS} trials (random sampler, no pruner) into one journal file, "
        "by `tune` in this process (1 worker) or by 2 worker processes, each single-threaded. The whole "
        "call includes starting the workers (each imports the harness, pandas and LightGBM and reads the "
        "data once); the trials' span runs from the first trial's start to the last one's end as the "
        f"study records them. Median of {runs} runs each, taking turns.\n\n"
        "| measured | whole call s | trials per minute | x 1 worker | trials' span s | trials per minute "
        "| x 1 worker |\n|---|---:|---:|---:|---:|---:|---:|\n"
        f"| 1 worker | {s1:.2f} | {rate1:.1f} | 1.00 | {t1:.2f} | {trate1:.1f} | 1.00 |\n"
        f"| 2 workers | {s2:.2f} | {rate2:.1f} | {ratio:.2f} | {t2:.2f} | {trate2:.1f} "
        f"| {trials_ratio:.2f} |\n\n"
        f"Each of the 2 workers spent at least {busy:.0%} of its span inside trials (it never waits for the "
        "other between trials; inside a trial they share only the journal's lock, held for a write, not "
        f"its fsync); a trial took {shared:.2f} s (median) with 2 workers against {alone:.2f} s alone"
        + (
            ": the workers share the cores with the machine's other work"
            + (
                f" (the cores were idle {statistics.median(idle):.0%} of the time while they ran)"
                if idle
                else ""
            )
            + ", so 2 workers approach twice the trials per minute only when both cores are otherwise "
            "idle.\n\n"
            if shared > 1.2 * alone
            else ".\n\n"
        )
        + f"- target: at least 1.6x the trials per minute with 2 workers: {ratio:.2f}x (the trials alone: "
        f"{trials_ratio:.2f}x) — **{verdict}**"
    )
    return "Tuning: two workers against one", body
