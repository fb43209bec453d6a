"""Commands that study and run kernels: kernels list/show/new, and run."""

from __future__ import annotations

import shlex
from pathlib import Path
from typing import Annotated, Any

import typer

from harness.cli import app
from harness.cli._render import Format, FormatOption, console, emit_json, escape, render_rows
from harness.workspace import Workspace, find_workspace

kernels_app = typer.Typer(
    help="Study the annotated reference kernels and start your own.",
    no_args_is_help=True,
    rich_markup_mode="rich",
)
app.add_typer(kernels_app, name="kernels")


@kernels_app.command("list")
def list_(
    slug: Annotated[str | None, typer.Argument(help="Only the kernels of this competition.")] = None,
    fmt: FormatOption = Format.table,
) -> None:
    """List the kernels: name, competition, techniques, whether tunable, and the last CV score.

    Example: compete kernels list titanic
    """
    from dataclasses import asdict

    from harness.kernel_study import list_kernels

    rows = [asdict(k) for k in list_kernels(find_workspace(), slug)]
    if fmt is Format.table:
        for row in rows:
            if row["cv"] is not None:
                row["cv"] = f"{row['cv']:.5f} ± {row['cv_std']:.5f}"
            if row["error"]:
                row["title"] = f"BROKEN: {row['error']}"
    render_rows(
        rows,
        fmt,
        ["name", "title", "techniques", "tunable", "cv", "folds", "metric"],
        title="Kernels",
        empty="no kernels yet; start one with `compete kernels new <competition> <name>`",
        priority=["name", "cv", "folds", "metric", "title"],
    )


@kernels_app.command("show")
def show(
    kernel: Annotated[str, typer.Argument(help="A kernel name such as titanic/baseline, or a path.")],
    fmt: FormatOption = Format.table,
) -> None:
    """Show a kernel for study: its notes and code, techniques, CV and leaderboard scores, theory notes.

    Example: compete kernels show titanic/baseline
    """
    from dataclasses import asdict

    from harness.kernel_study import describe_kernel

    ws = find_workspace()
    detail = describe_kernel(ws, kernel)
    if fmt is not Format.table:
        data = {
            **detail.info.as_dict(),
            "cells": [asdict(c) for c in detail.cells],
            "last_run": detail.last_run,
            "leaderboard": detail.leaderboard,
            "theory": list(detail.theory),
        }
        if fmt is Format.json:
            emit_json(data)
        else:
            render_rows([{"key": k, "value": v} for k, v in data.items() if k != "cells"], fmt)
        return
    _show_table(detail, ws)


def _show_table(detail: Any, ws: Workspace) -> None:
    from rich.panel import Panel
    from rich.rule import Rule
    from rich.syntax import Syntax
    from rich.table import Table

    from harness.cli._markdown import print_markdown

    out = console()
    info = detail.info
    grid = Table.grid(padding=(0, 2))
    grid.add_column(style="bold")
    grid.add_column()
    run = detail.last_run
    cv = (
        f"{run['mean']:.5f} ± {run['std']:.5f} {run['metric']} over {run['folds']} folds ({run['ran_at']})"
        if run
        else f"not run yet: compete run {info.name}"
    )
    board = detail.leaderboard
    if board is None:
        board_text = f"not submitted yet as {_participant(info)}: compete run {info.name} --submit"
    else:
        place = f"rank {board['rank']} of {board['of']}, " if board["rank"] is not None else ""
        made = (
            f"best of {board['submissions']} made by this kernel"
            if board["submissions"] > 1
            else "made by this kernel"
        )
        board_text = f"{place}public score {board['public_score']:.6g} ({board['ref']}, {made})"
    rows = [
        ("kernel", info.name),
        ("competition", info.competition),
        ("file", str(info.path)),
        ("techniques", ", ".join(info.techniques)),
        ("params", ", ".join(f"{k}={v}" for k, v in info.params.items()) or "-"),
        ("tunable", "yes (search_space)" if info.tunable else "no"),
        ("cv", cv),
        ("leaderboard", board_text),
    ]
    if detail.theory:
        rows.append(("theory", ", ".join(detail.theory) + "  (compete theory <topic>)"))
    for key, value in rows:
        grid.add_row(key, escape(value))
    out.print(Panel(grid, title=f"[bold]{escape(info.title)}[/bold]"))
    for cell in detail.cells:
        if cell.kind == "markdown":
            print_markdown(out, cell.source, ws)
        else:
            out.print(Syntax(cell.source, "python", theme="ansi_dark", line_numbers=False, word_wrap=True))
        out.print(Rule(style="dim"))


def _participant(info: Any) -> str:
    from harness.runs import participant_for

    return participant_for(info)


@kernels_app.command("new")
def new(
    slug: Annotated[str, typer.Argument(help="The competition, such as titanic.")],
    name: Annotated[str, typer.Argument(help="The kernel's name, in kebab-case, such as my-first-model.")],
) -> None:
    """Start a kernel of your own: copy the template to kernels/SLUG/NAME.py, filled in for SLUG.

    Example: compete kernels new titanic my-first-model
    """
    from harness.kernel_study import new_kernel

    path = new_kernel(find_workspace(), slug, name)
    console().print(escape(f"created {path}\nrun it with: compete run {slug}/{name}"))


@kernels_app.command("check")
def check(
    kernel: Annotated[
        str, typer.Argument(help="A kernel name such as titanic/my-model, or a path to a .py file.")
    ],
    fmt: FormatOption = Format.table,
) -> None:
    """Check a kernel against the contract every reference kernel meets: metadata, notebook cells,
    theory notes, search space, and a quick run on a sample of its (prepared) competition.

    Exits with 1 if any check fails.

    Example: compete kernels check titanic/my-model
    """
    from dataclasses import asdict

    from harness.contracts import check_kernel

    results = check_kernel(find_workspace(), kernel)
    rows = [{**asdict(r), "status": "ok" if r.ok else "FAILED"} for r in results]
    render_rows(rows, fmt, ["name", "status", "message"], title=f"compete kernels check {kernel}")
    if not all(r.ok for r in results):
        raise typer.Exit(code=1)


@app.command()
def run(
    kernel: Annotated[
        str, typer.Argument(help="A kernel name such as titanic/baseline, or a path to a .py file.")
    ],
    folds: Annotated[
        int | None, typer.Option("--folds", "-k", min=2, help="Number of folds (default: the card's).")
    ] = None,
    submit: Annotated[bool, typer.Option("--submit", help="Submit the test predictions afterwards.")] = False,
    message: Annotated[str | None, typer.Option("--message", "-m", help="A note for the submission.")] = None,
    as_: Annotated[
        str | None,
        typer.Option(
            "--as",
            help="Submit as this participant (default: reference/<kernel> for a reference kernel, else "
            "your OS user).",
            show_default=False,
        ),
    ] = None,
    params: Annotated[
        str | None,
        typer.Option(
            "--params", help="Override PARAMS for this run, as a JSON object: '{\"num_leaves\": 16}'."
        ),
    ] = None,
    param: Annotated[
        list[str] | None,
        typer.Option(
            "--param", "-p", help="Override one parameter: -p num_leaves=16 (repeatable; JSON values)."
        ),
    ] = None,
    oof: Annotated[
        Path | None,
        typer.Option(
            "--oof", help="Also write the out-of-fold predictions (id, fold, predictions) to this CSV."
        ),
    ] = None,
    fmt: FormatOption = Format.table,
) -> None:
    """Cross-validate a kernel on its competition's folds, fit on all of train and write its submission.

    Prints the score of each fold with their mean and standard deviation, and the path of the
    predictions file. With --submit, the file is submitted (a reference kernel, one whose KERNEL says
    "reference": True, as participant reference/<kernel>; any other as you), recording the CV score
    beside the public one.

    A full run of a kernel in kernels/ keeps its out-of-fold predictions (one per train row, from the
    fold that held the row out) under .compete/, for `compete compare` and `compete explain` and for
    kernels that blend or stack; --oof also writes them as a CSV. --params and -p change parameters for
    this run only, without editing the file.

    With --format json or csv, what the kernel prints goes to stderr: stdout holds only the result.

    Example: compete run titanic/lgbm-features -p num_leaves=16 --oof oof.csv
    """
    import contextlib
    import sys

    from harness.overrides import parse_overrides
    from harness.runs import run_and_submit

    ws = find_workspace()
    overrides = parse_overrides(params, param or [])
    options: dict[str, Any] = {
        "folds": folds,
        "submit": submit,
        "message": message,
        "participant": as_,
        "params": overrides,
        "oof_path": oof,
    }
    if fmt is Format.table:
        with _progress() as progress:
            outcome = run_and_submit(ws, kernel, progress=progress, **options)
    else:
        with contextlib.redirect_stdout(sys.stderr):  # the kernel's prints stay out of the JSON or CSV
            outcome = run_and_submit(ws, kernel, **options)
    if outcome.changed_files:
        from harness.freshness import warning

        typer.echo(warning(ws, outcome.cv.competition, outcome.changed_files), err=True)
    data = outcome.as_dict()
    if fmt is Format.json:
        emit_json(data)
        return
    if fmt is Format.csv:
        rows = [{"fold": i, "score": s} for i, s in enumerate(outcome.cv.fold_scores, start=1)]
        render_rows(
            [*rows, {"fold": "mean", "score": outcome.cv.mean}, {"fold": "std", "score": outcome.cv.std}], fmt
        )
        return
    _run_table(outcome, kernel)


def _run_table(outcome: Any, kernel: str) -> None:
    from rich.table import Table

    cv = outcome.cv
    out = console()
    direction = "higher is better" if cv.greater_is_better else "lower is better"
    title = escape(f"{cv.kernel}: {cv.metric} ({direction}), {cv.folds} {cv.scheme} folds")
    table = Table(title=title, header_style="bold")
    for column in ("fold", "score", "seconds"):
        table.add_column(column, justify="right")
    for i, (score, seconds) in enumerate(zip(cv.fold_scores, cv.fold_seconds, strict=True), start=1):
        table.add_row(str(i), f"{score:.5f}", f"{seconds:.2f}")
    table.add_section()
    table.add_row("mean ± std", f"{cv.mean:.5f} ± {cv.std:.5f}", f"{cv.seconds:.2f}")
    out.print(table)
    out.print(escape(f"test predictions ({cv.test_rows} rows): {cv.predictions_path}"))
    if outcome.remembered is False:
        out.print(
            escape("not kept for `compete kernels list`, which keeps the last run on the card's own folds")
        )
    if outcome.oof_path is not None:
        out.print(escape(f"out-of-fold predictions ({cv.train_rows} rows): {outcome.oof_path}"))
    if outcome.submission is not None:
        from harness.cli.submissions import _submit_table

        _submit_table(outcome.submission)  # with its notes
        out.print(escape(f"  compare on the board: compete leaderboard {cv.competition}"))
    else:
        for note in outcome.notes:
            out.print(f"[yellow]note:[/yellow] {escape(note)}")
        out.print(escape(f"submit them with: compete run {shlex.quote(kernel)} --submit"))


class _progress:
    """A rich progress bar on stderr, fed by the library's progress callback."""

    def __enter__(self) -> Any:
        from rich.console import Console
        from rich.progress import BarColumn, Progress, TextColumn, TimeElapsedColumn

        stderr = Console(stderr=True)
        self.bar = Progress(
            TextColumn("{task.description}"),
            BarColumn(),
            TextColumn("{task.completed}/{task.total}"),
            TimeElapsedColumn(),
            console=stderr,
            transient=True,
            # A bar is for a person watching: redirected to a file, it would only leave an empty line.
            disable=not stderr.is_terminal,
        )
        self.bar.__enter__()
        self.task: Any = None
        return self.update

    def update(self, label: str, done: int, total: int) -> None:
        if self.bar.disable:
            return
        if self.task is None:
            self.task = self.bar.add_task(label, total=total)
        self.bar.update(self.task, description=label, completed=done, total=total)

    def __exit__(self, *exc: object) -> None:
        self.bar.__exit__(*exc)  # type: ignore[arg-type]
