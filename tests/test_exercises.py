"""Exercises: each one's tests fail on the stub the learner starts from and pass on the reference solution
(kept here, outside the learner's view); the commands list, start and check them."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from typer.testing import CliRunner

from harness.cli import app
from harness.errors import KernelError, UnknownName
from harness.exercises import EXERCISES, check_exercise, get_exercise, run_checks, start_exercise
from harness.workspace import Workspace
from tests.conftest import REPO

runner = CliRunner()
SOLUTIONS = Path(__file__).resolve().parent / "exercise_solutions"
NAMES = list(EXERCISES)


def test_there_are_at_least_four_exercises_each_with_a_stub_checks_and_a_solution() -> None:
    assert len(EXERCISES) >= 4
    assert {"random-forest", "softmax-regression", "gradient-boosting-classifier"} <= set(EXERCISES)
    for exercise in EXERCISES.values():
        assert exercise.stub.is_file() and exercise.checks.is_file()
        assert (SOLUTIONS / f"{exercise.folder}.py").is_file()
        assert not (exercise.stub.parent / "solution.py").exists()  # solutions never ship with the harness


@pytest.mark.parametrize("name", NAMES)
def test_a_stub_is_a_kernel_with_todos_and_hints_that_name_notes(name: str) -> None:
    from harness import theory
    from harness.contracts import check_kernel

    exercise = get_exercise(name)
    text = exercise.stub.read_text(encoding="utf-8")
    assert "TODO" in text and "NotImplementedError" in text
    results = {r.name: r for r in check_kernel(Workspace(REPO), exercise.stub)}
    assert results["loads"].ok and results["notebook"].ok and results["theory"].ok, results
    topics = theory.topic_names(Workspace(REPO))
    for note in exercise.notes:
        assert note in topics and f"compete theory {note}" in text, note


@pytest.mark.slow
@pytest.mark.parametrize("name", NAMES)
def test_the_checks_fail_on_the_stub_and_pass_on_the_solution(name: str) -> None:
    exercise = get_exercise(name)
    passed, summary = run_checks(exercise, exercise.stub)
    assert not passed and "NotImplemented" in summary, summary
    passed, summary = run_checks(exercise, SOLUTIONS / f"{exercise.folder}.py")
    assert passed, summary


def test_start_writes_the_stub_once_and_never_overwrites(workspace: Workspace) -> None:
    link = workspace.kernels_dir
    link.unlink()
    shutil.copytree(REPO / "kernels", link)
    path = start_exercise(workspace, "lasso")
    assert path == link / "house-prices" / "exercise-lasso.py"
    assert path.read_text(encoding="utf-8") == get_exercise("lasso").stub.read_text(encoding="utf-8")
    path.write_text("# my work\n", encoding="utf-8")
    with pytest.raises(KernelError, match="already exists"):
        start_exercise(workspace, "lasso")
    assert path.read_text(encoding="utf-8") == "# my work\n"
    with pytest.raises(UnknownName, match="random-forest"):
        start_exercise(workspace, "random-forrest")


def test_check_before_start_says_to_start(workspace: Workspace) -> None:
    with pytest.raises(KernelError, match="compete exercise start lasso"):
        check_exercise(workspace, "lasso")


def test_the_commands_list_start_and_check(prepared_workspace: Workspace) -> None:
    link = prepared_workspace.kernels_dir
    link.unlink()
    shutil.copytree(REPO / "kernels", link)
    listed = runner.invoke(app, ["exercise", "list", "--format", "json"])
    assert listed.exit_code == 0, listed.output
    assert all(name in listed.stdout for name in NAMES)

    assert runner.invoke(app, ["exercise", "start", "softmax-regression"]).exit_code == 0
    failing = runner.invoke(app, ["exercise", "check", "softmax-regression"])
    assert failing.exit_code == 1 and "tests fail" in failing.output and "TODO" in failing.output

    solution = (SOLUTIONS / "softmax_regression.py").read_text(encoding="utf-8")
    (link / "penguins" / "exercise-softmax-regression.py").write_text(solution, encoding="utf-8")
    passing = runner.invoke(app, ["exercise", "check", "softmax-regression", "-f", "json"])
    assert passing.exit_code == 0, passing.output
    assert '"passed": true' in passing.stdout and '"metric": "log_loss"' in passing.stdout
