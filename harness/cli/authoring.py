"""Commands that make competitions: new (from a data file), import kaggle / mlebench, check."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Any

import typer

from harness.cli import app
from harness.cli._render import Format, FormatOption, console, emit_json, escape, render_rows
from harness.workspace import find_workspace

import_app = typer.Typer(
    name="import",
    help="Turn a competition from Kaggle or MLE-bench into a local one.",
    no_args_is_help=True,
)
app.add_typer(import_app, name="import")

SlugOption = Annotated[
    str | None, typer.Option("--slug", help="The new competition's slug (default: from the folder name).")
]
MetricOption = Annotated[str | None, typer.Option("--metric", help="A metric name, such as roc_auc.")]
TargetOption = Annotated[
    str | None, typer.Option("--target", help="The target column of train.csv (default: inferred).")
]
ImportTaskOption = Annotated[
    str | None,
    typer.Option(
        "--task", help="binary, multiclass, regression, ranking, text-..., open-label (default: inferred)."
    ),
]
LabelsFromNamesOption = Annotated[
    str | None,
    typer.Option(
        "--labels-from-names",
        help="Make the training table from the training files' names: a regular expression with a "
        "group (?P<label>...) (and (?P<id>...), else the id is the file name), matched against each "
        "path under the folder (MLE-bench: under public/; a zip member as ARCHIVE.zip/MEMBER).",
    ),
]
LabelValuesOption = Annotated[
    str | None,
    typer.Option(
        "--label-values",
        help="With --labels-from-names: the test labels' value of each label text, as 'cat=0,dog=1'.",
    ),
]


@app.command()
def new(
    slug: Annotated[str, typer.Argument(help="The new competition's slug, kebab-case: my-churn.")],
    source: Annotated[Path, typer.Option("--from", help="The data: a CSV or Parquet file.")],
    target: Annotated[str, typer.Option("--target", help="The column to predict.")],
    metric: MetricOption = None,
    id_column: Annotated[
        str | None, typer.Option("--id", help="The id column (default: id/Id/ID, else one is added).")
    ] = None,
    task: Annotated[
        str | None,
        typer.Option("--task", help="binary, multiclass, regression, ranking, text-... (default: inferred)."),
    ] = None,
    test_size: Annotated[float, typer.Option("--test-size", help="Share of rows in the test set.")] = 0.25,
    public: Annotated[
        float, typer.Option("--public", help="Share of the test set on the public board.")
    ] = 0.5,
    folds: Annotated[
        str | None, typer.Option("--folds", help="kfold, stratified, group or time (default: by task).")
    ] = None,
    group: Annotated[
        str | None, typer.Option("--group", help="Keep each value of this column on one side.")
    ] = None,
    time: Annotated[
        str | None, typer.Option("--time", help="Order by this column: the test set is the latest rows.")
    ] = None,
    fmt: FormatOption = Format.table,
) -> None:
    """Make a competition from your own data file: card, schema, prepare.py and description.

    The task and metric are inferred when not given, and the output says what was inferred.

    A ranking task is never inferred: give --task ranking or --metric map_at_k.

    The file is copied into competitions/SLUG/, so the folder prepares on its own later.

    Example: compete new churn --from customers.csv --target churned
    """
    from harness.authoring import new_competition

    authored = new_competition(
        find_workspace(),
        slug,
        source,
        target,
        metric=metric,
        id_column=id_column,
        task=task,
        test_size=test_size,
        public=public,
        folds=folds,
        group=group,
        time=time,
    )
    _render_authored(authored, fmt)


@import_app.command("kaggle")
def import_kaggle(
    folder: Annotated[Path, typer.Argument(help="The downloaded competition folder, with solution.csv.")],
    slug: SlugOption = None,
    metric: MetricOption = None,
    target: TargetOption = None,
    task: ImportTaskOption = None,
    labels_from_names: LabelsFromNamesOption = None,
    label_values: LabelValuesOption = None,
    fmt: FormatOption = Format.table,
) -> None:
    """Import a Kaggle competition (train.csv, test.csv, sample_submission.csv, solution.csv).

    The test set and the public/private split are Kaggle's own, from the solution's Usage column.
    A table may also come zipped (train.csv.zip) or as JSON records (train.json).

    With no training table, --labels-from-names makes one from the training files' names (dogs-vs-cats:
    --labels-from-names 'train/(?P<label>cat|dog)\\.\\d+\\.jpg' --label-values cat=0,dog=1).

    Example: compete import kaggle ~/Downloads/titanic --metric accuracy
    """
    from harness.importers import import_kaggle as run

    authored = run(
        find_workspace(),
        folder,
        slug=slug,
        metric=metric,
        target=target,
        task=task,
        labels_from_names=labels_from_names,
        label_values=label_values,
    )
    _render_authored(authored, fmt)


@import_app.command("mlebench")
def import_mlebench(
    folder: Annotated[Path, typer.Argument(help="MLE-bench's prepared folder (public/, private/).")],
    from_repo: Annotated[
        Path | None,
        typer.Option(
            "--from-repo",
            help="The competition's folder in MLE-bench's repository: config.yaml, leaderboard.csv.",
        ),
    ] = None,
    slug: SlugOption = None,
    metric: MetricOption = None,
    target: TargetOption = None,
    task: ImportTaskOption = None,
    split: Annotated[
        str,
        typer.Option(
            "--split",
            help="public-private (two boards, drawn with the card's seeds) or none (one board: the whole "
            "test set, as MLE-bench scores it).",
        ),
    ] = "public-private",
    id_from: Annotated[
        str | None,
        typer.Option(
            "--id-from",
            help="Make the sample's id column in train.csv and test.csv from their columns, as a "
            "template: '{sentence_id}_{token_id}' (for tables without an id column).",
        ),
    ] = None,
    labels_from_names: LabelsFromNamesOption = None,
    label_values: LabelValuesOption = None,
    fmt: FormatOption = Format.table,
) -> None:
    """Import a competition prepared by MLE-bench; the metric comes from its config.yaml or --metric.

    Without a config.yaml naming the grader (MLE-bench keeps it in its repository, not in the
    prepared folder) the import stops and lists the metrics to choose from; nothing is guessed.

    A table may also come zipped (train.csv.zip) or as JSON records (train.json).

    With no training table, --labels-from-names makes one from the training files' names (dogs-vs-cats:
    --labels-from-names 'train/(?P<label>cat|dog)\\.\\d+\\.jpg' --label-values cat=0,dog=1).

    Two layouts whose labels are files make their training table without an option, each recognised
    by its folder: train_cleaned/ (denoising-dirty-documents: one row per pixel of the PNG images)
    and essential_data/ (mlsp-2013-birds: one row per recording and species).

    Example: compete import mlebench ~/.cache/mle-bench/data/spooky-author-identification/prepared
    --from-repo mle-bench/mlebench/competitions/spooky-author-identification
    """
    from harness.importers import import_mlebench as run

    ws = find_workspace()
    authored = run(
        ws,
        folder,
        slug=slug,
        metric=metric,
        target=target,
        task=task,
        from_repo=from_repo,
        split=split,
        id_from=id_from,
        labels_from_names=labels_from_names,
        label_values=label_values,
    )
    _render_authored(authored, fmt)


@app.command()
def check(
    slug: Annotated[str, typer.Argument(help="The competition to check.")],
    fmt: FormatOption = Format.table,
) -> None:
    """Check a competition against the contract: card, schemas, metric, prepare, sample submission.

    Prepares the competition if it never was. Exits with 1 if any check fails.

    Example: compete check titanic
    """
    from dataclasses import asdict

    from harness.checks import check_competition

    results = check_competition(find_workspace(), slug)
    rows = [{**asdict(r), "status": "TODO" if r.todo else "ok" if r.ok else "FAILED"} for r in results]
    render_rows(rows, fmt, ["name", "status", "message"], title=f"compete check {slug}")
    if not all(r.ok for r in results):
        raise typer.Exit(code=1)


def _render_authored(authored: Any, fmt: Format) -> None:
    if fmt is Format.json:
        emit_json(authored.as_dict())
        return
    if fmt is Format.csv:
        render_rows([{"key": k, "value": v} for k, v in authored.as_dict().items()], fmt)
        return
    out = console()
    size = _size(authored.data_bytes)
    out.print(
        f"[bold green]created[/bold green] {escape(authored.folder)} — {authored.task}, "
        f"metric {authored.metric}, "
        f"{authored.rows} rows × {authored.columns} columns, {size} of data copied in"
    )
    for note in authored.notes:
        out.print(f"  • {escape(note)}")
    out.print(f"  files: {escape(', '.join(authored.files))}")
    out.print(
        f"next: fill the TODOs in description.md and competition.toml, then "
        f"[bold]compete check {escape(authored.slug)}[/bold]"
    )


def _size(n: int) -> str:
    value = float(n)
    for unit in ("B", "kB", "MB", "GB"):
        if value < 1000 or unit == "GB":
            return f"{value:.0f} {unit}" if unit == "B" else f"{value:.1f} {unit}"
        value /= 1000
    return f"{n} B"
