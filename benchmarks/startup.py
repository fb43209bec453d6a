"""How fast `compete` starts: `--help` and `list` against a bare `python -c pass`."""

from __future__ import annotations

import os
import sys
from pathlib import Path

from benchmarks._measure import Measurement, measure

REPO = Path(__file__).resolve().parents[1]


def run(runs: int) -> list[tuple[str, list[Measurement], str]]:
    env = {**os.environ, "COMPETE_WORKSPACE": str(REPO)}
    entry = "from harness.cli import main; main()"
    base = measure("python -c pass", [sys.executable, "-c", "pass"], runs, env)
    help_ = measure("compete --help", [sys.executable, "-c", entry, "--help"], runs, env)
    list_ = measure("compete list", [sys.executable, "-c", entry, "list"], runs, env)
    version = measure("compete --version", [sys.executable, "-c", entry, "--version"], runs, env)
    note = (
        "Start-up of the CLI against a bare interpreter. None of pandas, pandera, scikit-learn, lightgbm, "
        "optuna, scipy or pyarrow is imported by these commands (checked by tests/test_cli.py)."
    )
    return [("Start-up", [base, version, help_, list_], note)]
