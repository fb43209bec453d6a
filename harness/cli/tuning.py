"""Commands that tune kernels: tune, studies, study show, study submit."""

from __future__ import annotations

from typing import Annotated, Any

import typer

from harness.cli import app
from harness.cli._render import Format, FormatOption, console, emit_json, escape, render_rows
from harness.workspace import find_workspace

StorageOption = Annotated[
    str | None,
    typer.Option(
        "--storage",
        help="Where the study lives: a database URL such as postgresql+psycopg://user:pw@host/db, or a "
        "journal file's path (default: .compete/<competition>/studies.journal).",
        show_default=False,
    ),
]

study_app = typer.Typer(
    help="Look into a tuning study and submit its best trial.", no_args_is_help=True, rich_markup_mode="rich"
)
app.add_typer(study_app, name="study")


@app.command()
def tune(
    kernel: Annotated[str, typer.Argument(help="A tunable kernel such as titanic/lgbm-features, or a path.")],
    trials: Annotated[
        int, typer.Option("--trials", "-n", help="Trials the study should hold; a rerun adds only the rest.")
    ] = 50,
    timeout: Annotated[
        float | None, typer.Option("--timeout", help="Stop starting trials after this many seconds.")
    ] = None,
    study: Annotated[
        str | None, typer.Option("--study", help="The study's name (default: the kernel's name).")
    ] = None,
    storage: StorageOption = None,
    workers: Annotated[int, typer.Option("--workers", "-j", help="Worker processes on this machine.")] = 1,
    sampler: Annotated[str, typer.Option("--sampler", help="tpe, random, cmaes or qmc.")] = "tpe",
    pruner: Annotated[
        str, typer.Option("--pruner", help="median (between folds), rounds, hyperband or none.")
    ] = "median",
    seed: Annotated[
        int | None, typer.Option("--seed", help="Seed of the sampler (worker i gets seed + i).")
    ] = None,
    folds: Annotated[
        int | None, typer.Option("--folds", "-k", help="Number of folds (default: the card's).")
    ] = None,
    accept_changes: Annotated[
        bool,
        typer.Option("--accept-changes", help="Resume although the kernel file or the folds changed."),
    ] = False,
    fmt: FormatOption = Format.table,
) -> None:
    """Tune a kernel's search_space with Optuna on its competition's own folds and metric.

    Each trial cross-validates the kernel exactly as `compete run` does; the pruner stops a poor trial
    early: `median` after a fold whose running CV score is worse than the other trials' over the same
    folds, `rounds` and `hyperband` after a boosting round of a LightGBM kernel that reports them.

    The study is stored (a local file by default) and resumable: Ctrl-C keeps the finished trials, and the
    same command again goes on. A trial whose parameters make the kernel raise is recorded as failed.

    On a second machine, run the same command with the same --study and a shared --storage.

    Example: compete tune titanic/lgbm-features --trials 100 --workers 2
    """
    from harness.tuning.run import TuneRequest
    from harness.tuning.run import tune as run_tune

    request = TuneRequest(
        kernel=kernel,
        trials=trials,
        timeout=timeout,
        study=study,
        storage=storage,
        workers=workers,
        sampler=sampler.lower(),
        pruner=pruner.lower(),
        seed=seed,
        folds=folds,
        accept_changes=accept_changes,
    )
    ws = find_workspace()
    if fmt is Format.table:
        with _TuneProgress() as progress:
            outcome = run_tune(ws, request, progress)
    else:
        import contextlib
        import sys

        with contextlib.redirect_stdout(sys.stderr):  # what a kernel prints stays out of the JSON or CSV
            outcome = run_tune(ws, request)
    if fmt is not Format.table:
        render_rows([outcome.as_dict()], fmt) if fmt is Format.csv else emit_json(outcome.as_dict())
        return
    out = console()
    c = outcome.counts
    verb = "created" if outcome.created else "resumed"
    out.print(escape(f"study {outcome.study} ({verb}) in {outcome.storage}"))
    out.print(
        escape(
            f"  {outcome.added} trial(s) added in {outcome.seconds:.1f} s; the study holds "
            f"{c.complete} complete, {c.pruned} pruned, {c.failed} failed"
        )
    )
    if c.best_value is not None:
        params = ", ".join(f"{k}={_short(v)}" for k, v in outcome.best_params.items())
        out.print(escape(f"  best {outcome.metric} ({outcome.direction}): {c.best_value:.6g} with {params}"))
    if outcome.added == 0 and c.finished >= trials:
        out.print(
            escape(
                f"  the study already holds {c.finished} finished trials; "
                f"ask for more with --trials {trials + 50}"
            )
        )
    out.print(escape(f"  look closer: compete study show {outcome.study}"))


@app.command()
def studies(
    slug: Annotated[str | None, typer.Argument(help="Only the studies of this competition.")] = None,
    storage: StorageOption = None,
    fmt: FormatOption = Format.table,
) -> None:
    """List the tuning studies: kernel, complete/pruned/failed trials, best value, when last run.

    Example: compete studies titanic
    """
    from harness.tuning.summary import list_studies

    rows = [s.as_dict() for s in list_studies(find_workspace(), slug, storage)]
    columns = [
        "name",
        "competition",
        "kernel",
        "trials",
        "pruned",
        "failed",
        "best_value",
        "direction",
        "last_run",
    ]
    if fmt is Format.csv:
        columns += ["best_trial", "metric", "storage"]
    render_rows(
        rows, fmt, columns, title="Studies", empty="no studies yet; start one with `compete tune KERNEL`"
    )


@study_app.command("show")
def show(
    name: Annotated[str, typer.Argument(help="The study's name, such as titanic/lgbm-features.")],
    storage: StorageOption = None,
    plots: Annotated[
        bool, typer.Option("--plots/--no-plots", help="Write the plots and the HTML page.")
    ] = True,
    fmt: FormatOption = Format.table,
) -> None:
    """Show what a study found: best params, the top trials with each fold's score and the std over
    folds, parameter importances, and the best trial's gain over the kernel's defaults beside the
    noise of the folds. Writes its plots (PNG files and one HTML page) under reports/.

    Example: compete study show titanic/lgbm-features
    """
    from harness.tuning.summary import show_study

    detail = show_study(find_workspace(), name, storage, plots=plots)
    if fmt is Format.json:
        emit_json(detail.as_dict())
        return
    if fmt is Format.csv:
        render_rows([t.as_dict() for t in detail.top], fmt)
        return
    _show_table(detail)


def _show_table(detail: Any) -> None:
    from rich.table import Table

    out = console()
    s = detail.summary
    out.print(
        escape(
            f"study {s.name}: {s.kernel} on {s.competition}, {s.metric} ({s.direction}), "
            f"{detail.identity.folds} {detail.identity.scheme} folds; "
            f"{s.trials} complete, {s.pruned} pruned, {s.failed} failed"
        )
    )
    if s.best_trial is None:
        out.print("  no complete trial yet")
        return
    out.print(escape(f"best trial {s.best_trial}: {s.best_value:.6g}"))
    for key, value in s.best_params.items():
        out.print(escape(f"  {key} = {_short(value)}"))
    table = Table(title="top trials", header_style="bold")
    for column in ("trial", "value", "std over folds", "fold scores", "params"):
        table.add_column(column, overflow="fold")
    for t in detail.top:
        table.add_row(
            f"{t.number}{' (defaults)' if t.defaults else ''}",
            f"{t.value:.6g}",
            f"{t.fold_std:.4g}" if t.fold_std is not None else "",
            ", ".join(f"{v:.4g}" for v in t.fold_scores),
            escape(", ".join(f"{k}={_short(v)}" for k, v in t.params.items())),
        )
    out.print(table)
    if detail.importances:
        out.print("parameter importances:")
        for key, value in detail.importances.items():
            out.print(escape(f"  {key:<24} {value:.3f}"))
    elif detail.importances_note:
        out.print(escape(f"parameter importances: {detail.importances_note}"))
    g = detail.gain
    if g is None:
        out.print(escape(f"gain over the defaults: {detail.gain_note}"))
    else:
        paired = (
            f", std of the paired fold differences {g.paired_std:.4g}" if g.paired_std is not None else ""
        )
        out.print(
            escape(
                f"gain over the defaults: {g.gain:+.4g} ({g.defaults_value:.6g} -> {g.best_value:.6g}); "
                f"std over the best trial's folds {g.fold_std:.4g}{paired}"
            )
        )
        if g.within_noise:
            out.print(
                escape(
                    "  the gain is within the noise of the folds: another split could rank these trials the "
                    "other way round."
                )
            )
            out.print(escape(f"  read: compete theory {detail.theory}"))
        else:
            out.print(escape(f"  more on what a tuning gain means: compete theory {detail.theory}"))
    for label, path in detail.plots.items():
        out.print(escape(f"plot {label}: {path}"))
    if detail.page:
        out.print(escape(f"page: {detail.page}"))


@study_app.command("submit")
def submit(
    name: Annotated[str, typer.Argument(help="The study's name, such as titanic/lgbm-features.")],
    trial: Annotated[
        int | None, typer.Option("--trial", help="Submit this trial (default: the best).")
    ] = None,
    message: Annotated[str | None, typer.Option("--message", "-m", help="A note for the submission.")] = None,
    as_: Annotated[
        str | None,
        typer.Option(
            "--as",
            help="Submit as this participant (default: reference/<kernel> for a reference kernel, else you).",
            show_default=False,
        ),
    ] = None,
    storage: StorageOption = None,
    accept_changes: Annotated[
        bool,
        typer.Option("--accept-changes", help="Submit although the kernel file changed since the study."),
    ] = False,
    fmt: FormatOption = Format.table,
) -> None:
    """Refit the best (or the given) trial's params on all of train, predict the test set and submit,
    recording the study, the trial and its CV score in the ledger.

    Example: compete study submit titanic/lgbm-features -m "tuned"
    """
    import contextlib
    import sys

    from harness.tuning.submit import submit_trial

    with contextlib.redirect_stdout(sys.stderr):
        done = submit_trial(
            find_workspace(),
            name,
            trial=trial,
            message=message,
            participant=as_,
            storage_url=storage,
            accept_changes=accept_changes,
        )
    if fmt is Format.json:
        emit_json(done.as_dict())
        return
    if fmt is Format.csv:
        render_rows([{k: v for k, v in done.as_dict().items() if k != "submission"}], fmt)
        return
    from harness.cli.submissions import _submit_table

    console().print(
        escape(
            f"trial {done.trial} of study {done.study}: CV {done.cv_score:.6g} over {done.cv_folds} folds "
            f"(again now: {done.cv_again:.6g})"
        )
    )
    _submit_table(done.submission)


def _short(value: Any) -> str:
    return f"{value:.4g}" if isinstance(value, float) else str(value)


class _TuneProgress:
    """A rich progress bar on stderr: trials done of N, best so far, pruned, failed, time left."""

    def __enter__(self) -> Any:
        from rich.console import Console
        from rich.progress import BarColumn, Progress, TextColumn, TimeElapsedColumn, TimeRemainingColumn

        self.bar = Progress(
            TextColumn("trials"),
            BarColumn(),
            TextColumn("{task.completed}/{task.total}"),
            TextColumn("best {task.fields[best]}"),
            TextColumn("pruned {task.fields[pruned]}, failed {task.fields[failed]}"),
            TimeElapsedColumn(),
            TextColumn("left"),
            TimeRemainingColumn(),
            console=Console(stderr=True),
            transient=True,
        )
        self.bar.__enter__()
        self.task: Any = None
        return self.update

    def update(self, counts: Any, total: int) -> None:
        best = "-" if counts.best_value is None else f"{counts.best_value:.6g}"
        fields = {"best": best, "pruned": counts.pruned, "failed": counts.failed}
        if self.task is None:
            self.task = self.bar.add_task("trials", total=total, completed=counts.finished, **fields)
        self.bar.update(self.task, completed=counts.finished, total=total, **fields)

    def __exit__(self, *exc: object) -> None:
        self.bar.__exit__(*exc)  # type: ignore[arg-type]
