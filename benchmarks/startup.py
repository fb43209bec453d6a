"""How fast `compete` answers: start-up, the commands a learner types all day, and a small submit.

The daily commands run in a temporary workspace with a dozen competitions prepared (the built-in
ones and copies of penguins under other slugs), one titanic submission made, against
`python -c "import typer"` (the least any typer command costs) and a bare `python -c pass`,
measured in the same run.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

from benchmarks._measure import Measurement, measure_together

REPO = Path(__file__).resolve().parents[1]
ENTRY = "from harness.entry import main; main()"
COMPETITIONS = 12
TARGET = 0.3  # seconds: what a learner's command may take on this machine

# A participant per process: a submit of the same file by the same participant would be refused.
SUBMIT = (
    "import os, sys\n"
    "sys.argv = ['compete', 'submit', 'titanic', sys.argv[1], '--as', f'bench-{os.getpid()}']\n"
    "from harness.entry import main\n"
    "main()\n"
)

DAILY = [
    ["list"],
    ["show", "titanic"],
    ["leaderboard", "titanic"],
    ["submissions", "titanic"],
    ["select", "titanic"],
    ["kernels", "list", "titanic"],
    ["theory"],
]


def _workspace(root: Path) -> dict[str, str]:
    """A workspace with COMPETITIONS competitions prepared and one titanic submission."""
    for folder in ("competitions", "kernels", "theory"):
        shutil.copytree(REPO / folder, root / folder)
    built_in = sorted(p.name for p in (root / "competitions").iterdir() if (p / "competition.toml").is_file())
    for i in range(COMPETITIONS - len(built_in)):
        shutil.copytree(root / "competitions" / "penguins", root / "competitions" / f"penguins-{i + 2}")
    env = {**os.environ, "COMPETE_WORKSPACE": str(root), "OMP_NUM_THREADS": "1"}
    cli = [sys.executable, "-c", ENTRY]
    subprocess.run([*cli, "prepare", "--all"], env=env, check=True, capture_output=True)
    sample = root / "data" / "titanic" / "sample_submission.csv"
    subprocess.run([*cli, "submit", "titanic", str(sample)], env=env, check=True, capture_output=True)
    return env


def run(runs: int) -> list[tuple[str, list[Measurement], str]]:
    cli = [sys.executable, "-c", ENTRY]
    with tempfile.TemporaryDirectory(prefix="compete-bench-") as tmp:
        root = Path(tmp)
        env = _workspace(root)
        sample = root / "data" / "titanic" / "sample_submission.csv"
        load = os.getloadavg()[0]
        commands = [
            ("python -c 'import typer'", [sys.executable, "-c", "import typer"]),
            ("python -c pass", [sys.executable, "-c", "pass"]),
            ("compete --version", [*cli, "--version"]),
            ("compete --help", [*cli, "--help"]),
            ("compete submit titanic sample_submission.csv", [sys.executable, "-c", SUBMIT, str(sample)]),
            *[(f"compete {' '.join(argv)}", [*cli, *argv]) for argv in DAILY],
        ]
        rows = measure_together(commands, runs, env)
        after = os.getloadavg()[0]
    typer_ = rows[0]
    learner = rows[4:]  # submit and the daily commands
    slow = [m.label for m in learner if m.seconds > TARGET]
    note = (
        "Start-up of the CLI, a submit of titanic's sample submission (418 rows) and the commands a "
        f"learner types all day, in a temporary workspace with {COMPETITIONS} competitions prepared "
        "(the built-in ones and copies of penguins) and one titanic submission made. None of pydantic, "
        "pandas, pandera, scikit-learn, lightgbm, optuna, scipy or pyarrow is imported by `--help` or "
        "`list` (checked by tests/test_cli.py); `kernels list` reads what each kernel declares from "
        "`.compete/kernels.json` (kept by the file's hash; the warm-up run fills it), so it imports no "
        "kernel; `show` prints the competition's description as rich rendered it for the same console "
        "before (`.compete/.rendered/`, by the text's and the console's digest; the warm-up run renders "
        "it), so it loads no Markdown machinery. Each command runs as the console script does "
        "(`harness.entry`): submit, leaderboard, submissions and select make DuckDB's database on a "
        "thread while typer and the commands load, import DuckDB's engine without its Python layer "
        "(`harness.engine`) and draw their tables as text, without rich. "
        f"`import typer` alone takes {typer_.seconds:.3f} s here. Load average (1 min) before "
        f"and after: {load:.1f}, {after:.1f}, on {os.cpu_count()} cores.\n\n"
        f"- target at most {TARGET} s for each of {', '.join(m.label for m in learner)}: "
        + ("all of them — **PASS**" if not slow else f"over it: {', '.join(slow)} — **FAIL**")
    )
    return [("Start-up", rows, note)]
