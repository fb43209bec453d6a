"""Exercises: implement a core algorithm yourself, checked by tests against scikit-learn.

Each exercise is a folder here holding `stub.py`, a kernel whose algorithm is left as TODOs with hints
that name theory notes, and `checks.py`, pytest tests that compare the learner's class with
scikit-learn on small data. `compete exercise start NAME` copies the stub to
`kernels/<competition>/exercise-<name>.py`; `compete exercise check NAME` runs the tests on that file
and, once they pass, cross-validates it on its competition. The reference solutions are not shipped
with the harness: the project's tests keep them, and prove each exercise's tests fail on the stub and
pass on the solution.
"""

from __future__ import annotations

import os
import subprocess
import sys
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

from harness.errors import KernelError, UnknownName
from harness.exercises._load import FILE_ENV
from harness.workspace import Workspace

HERE = Path(__file__).resolve().parent


@dataclass(frozen=True)
class Exercise:
    """One exercise: what to implement, for which competition, and the notes that explain it."""

    name: str
    title: str
    competition: str
    notes: tuple[str, ...]
    folder: str  # the folder here holding stub.py and checks.py

    @property
    def stub(self) -> Path:
        return HERE / self.folder / "stub.py"

    @property
    def checks(self) -> Path:
        return HERE / self.folder / "checks.py"

    def kernel_file(self, ws: Workspace) -> Path:
        """Where `start` writes the learner's copy."""
        return ws.kernels_dir / self.competition / f"exercise-{self.name}.py"

    def as_dict(self) -> dict[str, Any]:
        return {**asdict(self), "notes": list(self.notes)}


EXERCISES = {
    e.name: e
    for e in (
        Exercise(
            "random-forest",
            "A random forest: bootstrap samples, random features per split, averaged votes",
            "titanic",
            ("random-forest", "decision-tree"),
            "random_forest",
        ),
        Exercise(
            "softmax-regression",
            "Softmax (multinomial logistic) regression by gradient descent, with an L2 penalty",
            "penguins",
            ("logistic-regression", "gradient-descent", "regularization"),
            "softmax_regression",
        ),
        Exercise(
            "gradient-boosting-classifier",
            "Gradient boosting on the log loss for a yes/no target, with Newton leaf values",
            "spam",
            ("gradient-boosting", "log-loss"),
            "gradient_boosting",
        ),
        Exercise(
            "lasso",
            "The lasso by coordinate descent: soft-thresholding one weight at a time",
            "house-prices",
            ("regularization", "linear-regression"),
            "lasso",
        ),
    )
}


@dataclass(frozen=True)
class ExerciseCheck:
    """The result of `compete exercise check`: the tests, then (once they pass) the CV score."""

    name: str
    path: Path
    passed: bool
    tests: str  # pytest's summary: what failed, or how many passed
    cv_mean: float | None = None
    fold_scores: tuple[float, ...] = ()
    metric: str | None = None

    def as_dict(self) -> dict[str, Any]:
        out = asdict(self)
        out["path"], out["fold_scores"] = str(self.path), list(self.fold_scores)
        return out


def exercise_names() -> list[str]:
    """Every exercise, in the order they are listed."""
    return list(EXERCISES)


def get_exercise(name: str) -> Exercise:
    """The exercise called `name`; UnknownName lists the valid ones."""
    if name not in EXERCISES:
        raise UnknownName("exercise", name, exercise_names(), hint="`compete exercise list` shows them.")
    return EXERCISES[name]


def start_exercise(ws: Workspace, name: str) -> Path:
    """Copy the stub of exercise `name` to `kernels/<competition>/exercise-<name>.py`; returns the path.

    Raises KernelError when that file exists already (it is the learner's work: never overwritten).
    """
    exercise = get_exercise(name)
    target = exercise.kernel_file(ws)
    if target.exists():
        raise KernelError(
            f"{target} already exists: it holds your work. Edit it, then run `compete exercise check {name}`."
        )
    target.parent.mkdir(parents=True, exist_ok=True)
    with target.open("x", encoding="utf-8") as fh:
        fh.write(exercise.stub.read_text(encoding="utf-8"))
    return target


def run_checks(exercise: Exercise, path: Path) -> tuple[bool, str]:
    """Run the exercise's pytest checks on the kernel file `path`: (all passed, pytest's summary).

    Raises KernelError when pytest is not installed.
    """
    import importlib.util

    if importlib.util.find_spec("pytest") is None:
        raise KernelError("exercise checks need pytest, which is not installed: `pip install pytest`.")
    env = {**os.environ, FILE_ENV: str(path.resolve()), "OMP_NUM_THREADS": "1", "COLUMNS": "240"}
    command = [
        sys.executable,
        "-m",
        "pytest",
        "-q",
        "-p",
        "no:cacheprovider",
        "-o",
        "addopts=",
        "--rootdir",
        str(exercise.checks.parent),
        "--tb=line",
        "-rfE",
        str(exercise.checks),
    ]
    done = subprocess.run(command, capture_output=True, text=True, env=env, cwd=exercise.checks.parent)
    lines = [line for line in done.stdout.splitlines() if line.strip()]
    failures = [line for line in lines if line.startswith(("FAILED", "ERROR"))]
    summary = "\n".join([*failures, lines[-1] if lines else done.stderr.strip()[-500:]])
    return done.returncode == 0, summary


def check_exercise(ws: Workspace, name: str, path: Path | None = None) -> ExerciseCheck:
    """Run exercise `name`'s tests on the learner's file (or `path`); once they pass, cross-validate it.

    Raises KernelError when there is no file yet (start the exercise first).
    """
    from harness.kernels import cross_validate, load_kernel

    exercise = get_exercise(name)
    target = path or exercise.kernel_file(ws)
    if not target.is_file():
        raise KernelError(f"no {target} yet; run `compete exercise start {name}` first.")
    passed, summary = run_checks(exercise, target)
    if not passed:
        return ExerciseCheck(name, target, False, summary)
    result = cross_validate(ws, load_kernel(ws, target))
    return ExerciseCheck(name, target, True, summary, result.mean, result.fold_scores, result.metric)
