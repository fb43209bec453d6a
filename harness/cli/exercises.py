"""Commands: exercise list/start/check (implement a core algorithm yourself, tested against scikit-learn)."""

from __future__ import annotations

from typing import Annotated

import typer

from harness.cli import app
from harness.cli._render import Format, FormatOption, console, emit_json, escape, render_rows
from harness.workspace import find_workspace

exercise_app = typer.Typer(
    help="Implement a core algorithm yourself, checked by tests against scikit-learn.",
    no_args_is_help=True,
)
app.add_typer(exercise_app, name="exercise")

NameArgument = Annotated[str, typer.Argument(help="The exercise, such as random-forest.")]


@exercise_app.command("list")
def list_(fmt: FormatOption = Format.table) -> None:
    """List the exercises: what to implement, for which competition, and the notes that explain it.

    Example: compete exercise list
    """
    from harness.exercises import EXERCISES

    rows = [
        {**e.as_dict(), "notes": ", ".join(e.notes), "start": f"compete exercise start {e.name}"}
        for e in EXERCISES.values()
    ]
    render_rows(rows, fmt, ["name", "competition", "title", "notes"], title="Exercises")


@exercise_app.command("start")
def start(name: NameArgument) -> None:
    """Write the exercise's stub kernel, with TODOs and hints, to kernels/COMPETITION/exercise-NAME.py.

    Example: compete exercise start random-forest
    """
    from harness.exercises import start_exercise

    path = start_exercise(find_workspace(), name)
    console().print(escape(f"created {path}\nfill in the TODOs, then run: compete exercise check {name}"))


@exercise_app.command("check")
def check(name: NameArgument, fmt: FormatOption = Format.table) -> None:
    """Run the exercise's tests on your file; once they pass, cross-validate it on its competition.

    Exits with 1 while a test fails.

    Example: compete exercise check random-forest
    """
    from harness.exercises import check_exercise

    result = check_exercise(find_workspace(), name)
    if fmt is Format.json:
        emit_json(result.as_dict())
    elif fmt is Format.csv:
        render_rows([{"key": k, "value": v} for k, v in result.as_dict().items()], fmt)
    else:
        out = console()
        verdict = "[green]tests pass[/green]" if result.passed else "[red]tests fail[/red]"
        out.print(f"{verdict}: {escape(str(result.path))}")
        out.print(escape(result.tests))
        if result.cv_mean is not None:
            folds = ", ".join(f"{s:.4f}" for s in result.fold_scores)
            out.print(escape(f"CV {result.metric}: {result.cv_mean:.4f} (folds {folds})"))
    if not result.passed:
        raise typer.Exit(code=1)
