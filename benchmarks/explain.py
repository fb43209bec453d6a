"""`compete explain` against one `compete run` of the same kernel (titanic/lgbm-features, 5 folds)."""

from __future__ import annotations

import os
import sys
import tempfile
from pathlib import Path

from benchmarks._measure import Measurement, measure_together

REPO = Path(__file__).resolve().parents[1]
KERNEL = "titanic/lgbm-features"


def run(runs: int) -> list[tuple[str, list[Measurement], str]]:
    with tempfile.TemporaryDirectory(prefix="compete-bench-") as folder:
        root = Path(folder)
        for name in ("competitions", "kernels", "theory"):
            (root / name).symlink_to(REPO / name)
        env = {**os.environ, "COMPETE_WORKSPACE": str(root), "OMP_NUM_THREADS": "1"}
        entry = "from harness.entry import main; main()"
        compete = [sys.executable, "-c", entry]
        from harness.prepare import prepare
        from harness.workspace import Workspace

        prepare(Workspace(root), "titanic")
        rows = measure_together(
            [
                (f"compete run {KERNEL}", [*compete, "run", KERNEL, "-f", "json"]),
                (
                    f"compete explain {KERNEL} --no-report",
                    [*compete, "explain", KERNEL, "--no-report", "-f", "json"],
                ),
                (f"compete explain {KERNEL}", [*compete, "explain", KERNEL, "-f", "json"]),
            ],
            runs,
            env,
        )
    note = (
        f"`compete explain` (permutation importance of every column on the 5 folds, worst rows; with and "
        f"without the plots and HTML page) against one `compete run` (5 folds, final fit) of {KERNEL}. "
        "That kernel has only fit_predict and declares that it uses test features, so explain refits once "
        "per fold and shuffled column (25 fits against the run's 6). Target: at most 3x the run."
    )
    return [("Explain", rows, note)]
