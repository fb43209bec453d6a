"""`compete tune --workers K`: K worker processes on one study, each single-threaded.

The study already exists when the workers start (created once by `harness.tuning.run.tune`), because
workers racing to create it on an empty database collide. Each worker is `python -m
harness.tuning.workers REQUEST-JSON`: it loads the study and adds its share of the trials, stopping
early when the study is full. The parent only watches the storage for the progress bar, and on
Ctrl-C (which the terminal sends to every worker as well) waits for the workers to record their
trials as stopped.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import tempfile
import time
from typing import Any

from harness.errors import TuningError
from harness.tuning.run import TuneProgress, TuneRequest, counts, run_worker
from harness.workspace import Workspace

POLL_SECONDS = 0.5
SINGLE_THREAD = ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS")


def shares(trials: int, workers: int) -> list[int]:
    """`trials` split as evenly as can be over `workers` (the first ones get one more)."""
    base, extra = divmod(trials, workers)
    return [base + (1 if i < extra else 0) for i in range(workers)]


def run_workers(
    ws: Workspace, request: TuneRequest, name: str, trials: int, storage: Any, progress: TuneProgress | None
) -> None:
    """Start `request.workers` worker processes on study `name`, wait for them, report progress.

    Raises TuningError with a worker's own message when one fails.
    """
    import optuna

    env = {**os.environ, **dict.fromkeys(SINGLE_THREAD, "1"), "COMPETE_WORKSPACE": str(ws.root)}
    procs, logs = [], []
    for index, share in enumerate(shares(trials, request.workers)):
        if share == 0:
            continue
        payload = json.dumps({"request": request.as_dict(), "name": name, "trials": share, "index": index})
        logs.append(tempfile.TemporaryFile("w+", encoding="utf-8"))  # a pipe could fill and stall it
        procs.append(
            subprocess.Popen(
                [sys.executable, "-m", "harness.tuning.workers", payload],
                env=env,
                stdout=subprocess.DEVNULL,
                stderr=logs[-1],
            )
        )
    study = optuna.load_study(study_name=name, storage=storage)
    try:
        while any(p.poll() is None for p in procs):
            if progress:
                progress(counts(study), request.trials)
            time.sleep(POLL_SECONDS)
    except BaseException:
        for p in procs:  # each got the Ctrl-C too; give it time to record its trial as stopped
            try:
                p.wait(timeout=30)
            except subprocess.TimeoutExpired:
                p.terminate()
        raise
    if progress:
        progress(counts(study), request.trials)
    for p, log in zip(procs, logs, strict=True):
        log.seek(0)
        err = log.read().strip()
        log.close()
        if p.returncode == 130:
            raise KeyboardInterrupt
        if p.returncode != 0:
            last = err.splitlines()[-1] if err else f"exit code {p.returncode}"
            raise TuningError(f"a tuning worker stopped: {last.removeprefix('error: ')}")


def main(argv: list[str]) -> int:
    """One worker process: join the study and add trials until its share is done or the study is full."""
    from harness.errors import ending
    from harness.tuning.storage import open_storage
    from harness.workspace import find_workspace

    try:
        spec = json.loads(argv[0])
        request = TuneRequest(**spec["request"])
        ws = find_workspace()
        from harness.kernels import load_kernel

        slug = load_kernel(ws, request.kernel).info.competition
        storage = open_storage(request.storage, ws, slug)
        run_worker(ws, request, spec["name"], int(spec["trials"]), index=int(spec["index"]), storage=storage)
    except BaseException as exc:
        end = ending(exc)
        if end is None:
            raise
        print(end[0], file=sys.stderr)
        return end[1]
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
