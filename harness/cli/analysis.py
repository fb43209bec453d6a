"""Commands that ask why a kernel works: compare and explain."""

from __future__ import annotations

import contextlib
import sys
from typing import Annotated, Any

import typer

from harness.cli import app
from harness.cli._render import Format, FormatOption, console, emit_json, escape, render_rows
from harness.workspace import find_workspace

TERMINAL_FEATURES = 5  # features beside each worst row in the terminal


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


@app.command()
def explain(
    kernel: Annotated[str, typer.Argument(help="A kernel name such as titanic/lgbm-features, or a path.")],
    drop: Annotated[
        list[str] | None,
        typer.Option("--drop", help="Ablation: run the CV again without this raw column (repeatable)."),
    ] = None,
    each: Annotated[
        bool, typer.Option("--each", help="Ablation of every feature column, one at a time.")
    ] = False,
    learning_curve: Annotated[
        bool,
        typer.Option("--learning-curve", help="CV at 10%, 25%, 50% and 100% of each fold's training rows."),
    ] = False,
    shift: Annotated[
        bool, typer.Option("--shift", help="Adversarial validation: can a classifier tell train from test?")
    ] = False,
    worst: Annotated[
        int, typer.Option("--worst", min=0, help="How many worst out-of-fold rows to show.")
    ] = 10,
    folds: Annotated[
        int | None, typer.Option("--folds", "-k", min=2, help="Number of folds (default: the card's).")
    ] = None,
    param: Annotated[
        list[str] | None,
        typer.Option(
            "--param", "-p", help="Override one parameter: -p num_leaves=16 (repeatable; JSON values)."
        ),
    ] = None,
    no_report: Annotated[bool, typer.Option("--no-report", help="Skip the plots and the HTML page.")] = False,
    fmt: FormatOption = Format.table,
) -> None:
    """Explain what a kernel relies on, on its competition's folds.

    Permutation importance of each feature column on the out-of-fold rows (the metric's loss when the
    column is shuffled inside each validation fold, with its spread over the folds), the worst
    out-of-fold rows, and, when asked, ablations (--drop, --each), a learning curve and adversarial
    validation (--shift). Plots and an HTML page go to reports/<competition>/explain/<kernel>/.

    Example: compete explain titanic/lgbm-features --drop Name --learning-curve
    """
    from harness.analysis.explain import explain as run_explain
    from harness.overrides import parse_overrides

    ws = find_workspace()
    options: dict[str, Any] = {
        "folds": folds,
        "params": parse_overrides(None, param or []),
        "drop": drop or [],
        "each": each,
        "learning_curve": learning_curve,
        "shift": shift,
        "worst": worst,
        "report": not no_report,
    }
    if fmt is Format.table:
        from harness.cli.kernels import _progress

        with _progress() as progress:
            result = run_explain(ws, kernel, progress=progress, **options)
    else:
        with contextlib.redirect_stdout(sys.stderr):
            result = run_explain(ws, kernel, **options)
    if fmt is Format.json:
        emit_json(result.as_dict())
        return
    rows = [i.as_dict() for i in result.importances]
    if fmt is Format.csv:
        render_rows(rows, fmt, ["column", "mean", "std", "above_noise"])
        return
    _explain_table(result)


def _explain_table(e: Any) -> None:
    out = console()
    direction = "higher is better" if e.greater_is_better else "lower is better"
    out.print(escape(f"{e.kernel}: {e.metric} ({direction}) {e.mean:.5f} over {e.k} folds"))
    render_rows(
        [
            {
                "column": i.column,
                "importance": f"{i.mean:+.5f}",
                "std over folds": f"{i.std:.5f}",
                "above the noise": "yes" if i.above_noise else "no",
            }
            for i in e.importances
        ],
        Format.table,
        title=f"Permutation importance (loss of {e.metric} when shuffled)",
    )
    out.print(escape(f"  {e.refits}. (see compete theory {e.theory['importance']})"))
    for a in e.ablations:
        out.print(escape(f"without {', '.join(a.dropped)} ({a.how}): {a.mean:.5f}; {a.paired.verdict}"))
    if e.curve is not None:
        points = ", ".join(
            f"{p.fraction:.0%}: fit {p.fit_mean:.4f} / valid {p.valid_mean:.4f}" for p in e.curve.points
        )
        out.print(escape(f"learning curve: {points}"))
        out.print(escape(f"  {e.curve.reading}"))
    if e.shift is not None:
        out.print(escape(f"train against test: {e.shift.reading}"))
    if e.worst_rows:
        wrong = f"; {e.wrong_rows} rows wrong in all" if e.wrong_rows is not None else ""
        # The terminal shows the most important features; the report and JSON show every column.
        shown = [e.id_column, "fold", *e.target_columns]
        shown += [k for k in e.worst_rows[0] if k.startswith("predicted ")] + ["loss"]
        shown += [i.column for i in e.importances[:TERMINAL_FEATURES]]
        title = (
            f"Worst out-of-fold rows ({e.loss}{wrong}), with the {TERMINAL_FEATURES} most important features"
        )
        render_rows(list(e.worst_rows), Format.table, shown, title=title)
        out.print(escape(f"  (see compete theory {e.theory['worst_rows']})"))
    if e.report is not None:
        out.print(escape(f"report: {e.report}"))
