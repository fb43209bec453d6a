"""Commands that pick, prepare and remove competitions: list, show, prepare, delete."""

from __future__ import annotations

from typing import Annotated

import typer

from harness.cli import app
from harness.cli._render import Format, FormatOption, console, emit_json, escape, render_rows
from harness.workspace import Workspace, find_workspace


@app.command("list")
def list_(fmt: FormatOption = Format.table) -> None:
    """List every competition: slug, title, task, metric and state.

    Example: compete list --format json
    """
    from dataclasses import asdict

    from harness.catalog import list_competitions

    rows = [asdict(c) for c in list_competitions(find_workspace())]
    render_rows(rows, fmt, ["slug", "title", "task", "metric", "state"], title="Competitions")


@app.command()
def show(
    slug: Annotated[str, typer.Argument(help="The competition, such as titanic.")],
    fmt: FormatOption = Format.table,
) -> None:
    """Show a competition: its card, rules, data files with their columns, and description.

    Example: compete show titanic
    """
    from harness.catalog import describe

    ws = find_workspace()
    detail = describe(ws, slug)
    if fmt is Format.json:
        emit_json(detail.as_dict())
        return
    if fmt is Format.csv:
        render_rows([{"key": k, "value": v} for k, v in detail.as_dict().items() if k != "description"], fmt)
        return
    _show_table(detail, ws)


def _show_table(detail: object, ws: Workspace) -> None:
    from rich.console import Group
    from rich.panel import Panel
    from rich.table import Table
    from rich.text import Text

    from harness.catalog import CompetitionDetail
    from harness.cli._markdown import print_markdown

    assert isinstance(detail, CompetitionDetail)
    out = console()
    card = Table.grid(padding=(0, 2))
    card.add_column(style="bold")
    card.add_column()
    direction = "higher is better" if detail.greater_is_better else "lower is better"
    rows = [
        ("slug", detail.slug),
        ("state", detail.state),
        ("task", detail.task),
        ("metric", f"{detail.metric} ({direction})"),
        ("id column", detail.id_column),
        ("target", ", ".join(detail.target_columns)),
        ("submission columns", ", ".join(detail.submission_columns)),
        ("classes", ", ".join(detail.classes) if detail.classes else "-"),
        ("test set", f"{detail.split['test_fraction']:.0%} of the data (seed {detail.split['seed']})"),
        (
            "public board",
            f"{detail.split['public_fraction']:.0%} of the test set (seed {detail.split['public_seed']})",
        ),
        ("cv", _cv_text(detail.cv)),
        ("daily limit", str(detail.rules["daily_limit"])),
        ("final selections", str(detail.rules["final_selections"])),
        ("deadline", detail.rules["deadline"] or "none"),
        ("source", detail.source["name"]),
        ("licence", detail.source["licence"]),
    ]
    if detail.theory:
        rows.append(("theory", ", ".join(detail.theory)))
    for key, value in rows:
        card.add_row(key, escape(value))
    # The summary goes inside the panel: in its border it would be cut off at the panel's width.
    summary = Text(detail.summary, style="italic")
    out.print(Panel(Group(summary, Text(""), card), title=f"[bold]{escape(detail.title)}[/bold]"))

    files = Table(title=f"Data files in {escape(detail.data_dir)}", header_style="bold")
    for column in ("file", "rows", "columns", "sha256"):  # names, counts and checksums never break
        files.add_column(column, no_wrap=column != "columns", overflow="ellipsis")
    for f in detail.files:
        if f.rows is None:
            files.add_row(escape(f.name), "-", "(not prepared)", "-")
            continue
        mark = {True: "", False: " [red](changed since prepare)[/red]", None: ""}[f.intact]
        columns = escape(", ".join(f.columns))
        files.add_row(escape(f.name), str(f.rows), columns, (f.sha256 or "")[:16] + mark)
    out.print(files)
    if detail.description:
        print_markdown(out, detail.description, ws)


def _cv_text(cv: dict[str, object]) -> str:
    scheme = {
        "kfold": "k-fold",
        "stratified": "stratified k-fold",
        "group": "grouped k-fold",
        "time": "time-ordered",
    }
    text = f"{scheme[str(cv['scheme'])]}, k={cv['k']}"
    if cv.get("column"):
        text += f" by {cv['column']}"
    return text


@app.command()
def prepare(
    slug: Annotated[str | None, typer.Argument(help="The competition to prepare.")] = None,
    all_: Annotated[bool, typer.Option("--all", help="Prepare every competition.")] = False,
    force: Annotated[bool, typer.Option("--force", help="Rebuild even if already prepared.")] = False,
    fmt: FormatOption = Format.table,
) -> None:
    """Build a competition's public data (data/SLUG/) and its hidden labels (.compete/SLUG/).

    Deterministic: running it twice gives byte-identical files.

    Example: compete prepare titanic
    """
    from dataclasses import asdict

    from harness.competition import competition_names
    from harness.errors import CompeteError
    from harness.prepare import prepare as run_prepare

    ws = find_workspace()
    if all_ == (slug is not None):
        raise typer.BadParameter("give one competition slug, or --all (not both).")
    slugs = competition_names(ws) if all_ else [str(slug)]
    results = []
    for name in slugs:
        if all_:
            try:
                results.append(asdict(run_prepare(ws, name, force=force)))
            except CompeteError as exc:
                typer.echo(f"error: {name}: {exc}", err=True)
                results.append({"slug": name, "error": str(exc)})
        else:
            results.append(asdict(run_prepare(ws, name, force=force)))
    rows = [
        {
            **r,
            "status": "error" if "error" in r else ("already prepared" if r.get("skipped") else "prepared"),
        }
        for r in results
    ]
    render_rows(
        rows, fmt, ["slug", "status", "train_rows", "test_rows", "public_rows", "data_dir"], title="Prepared"
    )
    if any("error" in r for r in results):
        raise typer.Exit(code=1)


@app.command()
def delete(
    slug: Annotated[str, typer.Argument(help="The competition to remove, such as churn.")],
    yes: Annotated[
        bool, typer.Option("--yes", "-y", help="Do not ask for confirmation (for scripts).")
    ] = False,
    fmt: FormatOption = Format.table,
) -> None:
    """Remove a competition: its folder under competitions/, data/SLUG, .compete/SLUG (hidden labels
    and every submission's record) and the kept submission files. Your kernels and reports stay.

    Asks first; --yes does not. Use it before making a competition again under the same slug.

    Example: compete delete churn --yes
    """
    from harness.removal import delete_competition, plan_removal

    ws = find_workspace()
    plan = plan_removal(ws, slug)
    if not yes:
        for path in plan.removed:
            typer.echo(f"  {path}", err=True)
        if not typer.confirm(
            f"Delete competition {slug!r}: the {len(plan.removed)} folders above?", err=True
        ):
            typer.echo("nothing was deleted.", err=True)
            raise typer.Exit(code=1)
    done = delete_competition(ws, slug)
    rows = [{"path": str(p), "action": "deleted"} for p in done.removed]
    rows += [{"path": str(p), "action": "kept"} for p in done.kept]
    render_rows(rows, fmt, ["path", "action"], title=f"Deleted {slug}")
