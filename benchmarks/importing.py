"""`compete import mlebench` and `compete check` on a 1,000-row competition in MLE-bench's layout.

The competition is made here, in a temporary folder: a binary target scored by ROC AUC, a few numeric
and text columns, 800 training and 200 test rows, MLE-bench's `public/`, `private/` and the
repository's `config.yaml` and `leaderboard.csv`. Each import run starts from a workspace without the
competition (a shell removes it first); each check run checks the imported, prepared competition.
"""

from __future__ import annotations

import os
import subprocess
import sys
import tempfile
from pathlib import Path

from benchmarks._measure import Measurement, measure_together

ENTRY = "from harness.entry import main; main()"
ROWS, TEST_ROWS = 1000, 200
SLUG = "bench-import"
TARGETS = {"import": 2.0, "check": 3.0}  # seconds


def build(root: Path, rows: int = ROWS, test_rows: int = TEST_ROWS) -> tuple[Path, Path]:
    """MLE-bench's prepared folder and the repository's competition folder, under `root`."""
    import numpy as np
    import pandas as pd

    rng = np.random.default_rng(0)
    prepared, repo = root / "prepared", root / "repo"
    public, private = prepared / "public", prepared / "private"
    for folder in (public, private, repo):
        folder.mkdir(parents=True)
    x = rng.normal(size=(rows, 3)).round(4)
    frame = pd.DataFrame(
        {
            "id": [f"r{i:05d}" for i in rng.permutation(rows)],
            "x1": x[:, 0],
            "x2": x[:, 1],
            "x3": x[:, 2],
            "colour": rng.choice(["red", "green", "blue"], rows),
            "target": (x[:, 0] + rng.normal(size=rows) > 0.5).astype(int),
        }
    )
    train, test = frame.iloc[: rows - test_rows], frame.iloc[rows - test_rows :]
    train.to_csv(public / "train.csv", index=False)
    test.drop(columns="target").to_csv(public / "test.csv", index=False)
    test[["id"]].assign(target=0.5).to_csv(public / "sample_submission.csv", index=False)
    test[["id", "target"]].to_csv(private / "test.csv", index=False)
    (repo / "config.yaml").write_text(
        f"id: {SLUG}\nname: Bench Import\ncompetition_type: simple\ngrader:\n  name: auc-roc\n"
    )
    scores = sorted(rng.uniform(0.6, 0.9, 500).round(5).tolist(), reverse=True)
    board = pd.DataFrame({"teamId": range(len(scores)), "score": scores})
    board.to_csv(repo / "leaderboard.csv", index=False)
    return prepared, repo


def run(runs: int) -> list[tuple[str, list[Measurement], str]]:
    cli = [sys.executable, "-c", ENTRY]
    load = os.getloadavg()[0]
    with tempfile.TemporaryDirectory(prefix="compete-bench-") as tmp:
        root = Path(tmp)
        prepared, repo = build(root / "source")
        ws = root / "ws"
        (ws / "competitions").mkdir(parents=True)
        env = {**os.environ, "COMPETE_WORKSPACE": str(ws), "OMP_NUM_THREADS": "1"}
        command = " ".join([*cli[:2], repr(ENTRY)])
        importing = (
            f"rm -rf {ws / 'competitions' / SLUG} {ws / 'data' / SLUG} {ws / '.compete' / SLUG} && "
            f"exec {command} import mlebench {prepared} --from-repo {repo}"
        )
        subprocess.run(["/bin/sh", "-c", importing], env=env, check=True, capture_output=True)
        subprocess.run([*cli, "prepare", SLUG], env=env, check=True, capture_output=True)
        rows = measure_together(
            [
                ("python -c pass", [sys.executable, "-c", "pass"]),
                ("compete check (prepared)", [*cli, "check", SLUG]),
            ],
            runs,
            env,
        )
        imports = measure_together([("compete import mlebench", ["/bin/sh", "-c", importing])], runs, env)
    by_label = {m.label: m for m in [*rows, *imports]}
    lines = []
    for what, label in (("import", "compete import mlebench"), ("check", "compete check (prepared)")):
        took, target = by_label[label], TARGETS[what]
        verdict = "PASS" if took.seconds < target else "FAIL"
        lines.append(
            f"- {what}: {took.seconds:.2f} s (CPU {took.cpu_seconds:.2f} s), target under {target:g} s: "
            f"{verdict}"
        )
    lines.append(f"- machine load (1 min) before the runs: {load:.1f} on {os.cpu_count()} cores")
    note = (
        f"A {ROWS:,}-row competition in MLE-bench's layout ({ROWS - TEST_ROWS} training, {TEST_ROWS} test "
        "rows, ROC AUC, Kaggle's board of 500 teams): `compete import mlebench PREPARED --from-repo REPO` "
        "into a workspace without it, and `compete check` of it once prepared.\n\n" + "\n".join(lines)
    )
    return [("Import and check", [rows[0], rows[1], *imports], note)]
