"""Commands that ask why a kernel works: compare and explain."""

from __future__ import annotations

import contextlib
import sys
from typing import Annotated, Any

import typer

from harness.cli import app
from harness.cli._render import Format, FormatOption, console, emit_json, escape, render_rows
from harness.workspace import find_workspace


@app.command()
def compare(
    entries: Annotated[
        list[str],
        typer.Argument(
            help="Two or more entries: a kernel (titanic/baseline), a kernel with params "
            "(titanic/lgbm-features@num_leaves=16 or @'{\"num_leaves\": 16}'), or a kept run "
            "(run:titanic/baseline, its last full run).",
            show_default=False,
        ),
    ],
    folds: Annotated[
        int | None, typer.Option("--folds", "-k", min=2, help="Number of folds (default: the card's).")
    ] = None,
    repeats: Annotated[
        int,
        typer.Option(
            "--repeats", "-r", help="Repeat the CV with this many fold seeds (the first is the card's)."
        ),
    ] = 1,
    fmt: FormatOption = Format.table,
) -> None:
    """Compare kernels on the same folds: each fold's score side by side, and each entry against the first.

    The paired differences (positive: better than the first entry) give a mean, a standard deviation,
    a paired t and a bootstrap interval over the folds, and a plain verdict: better, worse, or inside
    the noise. --repeats R runs the CV R times with other fold seeds for a tighter answer (its t is
    corrected for the rows the repeats share); the card's folds stay the official ones.

    Example: compete compare titanic/baseline titanic/lgbm-features --repeats 3
    """
    from harness.analysis.compare import compare as run_compare

    ws = find_workspace()
    if fmt is Format.table:
        from harness.cli.kernels import _progress

        with _progress() as progress:
            result = run_compare(ws, entries, folds=folds, repeats=repeats, progress=progress)
    else:
        with contextlib.redirect_stdout(sys.stderr):
            result = run_compare(ws, entries, folds=folds, repeats=repeats)
    if fmt is Format.json:
        emit_json(result.as_dict())
        return
    if fmt is Format.csv:
        render_rows(_fold_rows(result), fmt)
        return
    _compare_table(result)


def _letters(result: Any) -> dict[str, str]:
    """Short column names for a table: A for the first entry, B for the second, ..."""
    return {e.label: chr(ord("A") + i) if i < 26 else f"E{i + 1}" for i, e in enumerate(result.entries)}


def _fold_rows(result: Any, short: bool = False) -> list[dict[str, Any]]:
    name = _letters(result) if short else {e.label: e.label for e in result.entries}
    rows: list[dict[str, Any]] = []
    for i, fold in enumerate(result.folds):
        row: dict[str, Any] = {"fold": fold}
        for entry in result.entries:
            row[name[entry.label]] = entry.fold_scores[i]
        for pair in result.pairs:
            row[f"{name[pair.challenger]} - {name[pair.baseline]}"] = pair.differences[i]
        rows.append(row)
    return rows


def _number(column: str, value: Any) -> str:
    if isinstance(value, str):
        return value
    return f"{value:+.5f}" if " - " in column else f"{value:.5f}"


def _compare_table(result: Any) -> None:
    from rich.table import Table

    out = console()
    letters = _letters(result)
    direction = "higher is better" if result.greater_is_better else "lower is better"
    title = f"{result.competition}: {result.metric} ({direction}), {result.k} {result.scheme} folds"
    if result.repeats > 1:
        title += f" x {result.repeats} seeds"
    for label, letter in letters.items():
        out.print(escape(f"{letter} = {label}"))
    rows = _fold_rows(result, short=True)
    table = Table(title=escape(title), header_style="bold")
    for column in rows[0]:
        table.add_column(escape(column), justify="right")
    for row in rows:
        table.add_row(
            *(v if isinstance(v, str) else f"{v:+.5f}" if " - " in k else f"{v:.5f}" for k, v in row.items())
        )
    table.add_section()
    table.add_row(
        "mean", *(f"{e.mean:.5f}" for e in result.entries), *(f"{p.mean:+.5f}" for p in result.pairs)
    )
    out.print(table)
    for pair in result.pairs:
        pairing = f"{letters[pair.challenger]} - {letters[pair.baseline]}"
        df = f"{pair.n - 1} df" + (", corrected for repeats" if pair.corrected else "")
        out.print(
            escape(
                f"{pairing}: mean {pair.mean:+.5f}, std {pair.std:.5f}, t {pair.t:.2f} ({df}), "
                f"95% bootstrap interval [{pair.ci_low:+.5f}, {pair.ci_high:+.5f}]"
            )
        )
        out.print(escape(f"  {pair.verdict}"))
