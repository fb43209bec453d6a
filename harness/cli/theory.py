"""Commands: theory (the notes behind the metrics, the validation schemes and the models)."""

from __future__ import annotations

import re
from typing import Annotated, Any

import typer

from harness.cli import app
from harness.cli._render import Format, FormatOption, console, emit_json, escape, render_rows
from harness.workspace import Workspace, find_workspace


@app.command()
def theory(
    topic: Annotated[
        str | None,
        typer.Argument(
            help="A note's topic (such as gradient-boosting), or a metric or technique it covers."
        ),
    ] = None,
    check: Annotated[
        bool,
        typer.Option(
            "--check",
            help="Check the note (TOPIC, or a path to a .md file) against the contract every note meets.",
        ),
    ] = False,
    fmt: FormatOption = Format.table,
) -> None:
    """List the theory notes, or show one: intuition, key formulas, assumptions, failure modes, uses.

    Without TOPIC: every note with its tags and what uses it (kernels and competitions).
    With TOPIC: that note, rendered; a metric name or technique tag finds the note covering it.
    With --check: check the note (front matter, sections, links, worked examples); exits 1 on a failure.

    Example: compete theory log-loss
    """
    from dataclasses import asdict

    from harness import theory as notes

    ws = find_workspace()
    if check:
        _check(ws, topic, fmt)
        return
    if topic is None:
        rows = [asdict(s) for s in notes.summaries(ws)]
        render_rows(
            rows,
            fmt,
            ["topic", "title", "tags", "used_by"],
            title="Theory notes",
            empty="no notes in theory/",
        )
        return
    note = notes.load_note(ws, topic)
    links = notes.used_by(ws).get(note.topic, notes.UsedBy())
    detail: dict[str, Any] = {
        "topic": note.topic,
        "title": note.title,
        "path": str(note.path),
        "tags": list(note.tags),
        "covers": list(note.covers),
        "prerequisites": list(note.prerequisites),
        "related": list(note.related),
        "used_by": {
            "kernels": list(links.kernels),
            "competitions": list(links.competitions),
            "notes": list(links.notes),
        },
        "sections": dict(note.sections),
        "body": note.body,
    }
    if fmt is Format.json:
        emit_json(detail)
    elif fmt is Format.csv:
        render_rows([{"key": k, "value": v} for k, v in detail.items() if k not in ("body", "sections")], fmt)
    else:
        _show_note(detail, ws)


def _check(ws: Any, topic: str | None, fmt: Format) -> None:
    from dataclasses import asdict

    from harness.contracts import check_note

    if topic is None:
        raise typer.BadParameter("name the note to check: compete theory my-note --check")
    results = check_note(ws, topic)
    rows = [{**asdict(r), "status": "ok" if r.ok else "FAILED"} for r in results]
    render_rows(rows, fmt, ["name", "status", "message"], title=f"compete theory {topic} --check")
    if not all(r.ok for r in results):
        raise typer.Exit(code=1)


def _show_note(detail: dict[str, Any], ws: Workspace) -> None:
    from rich.panel import Panel
    from rich.table import Table

    from harness.cli._markdown import print_markdown

    grid = Table.grid(padding=(0, 2))
    grid.add_column(style="bold")
    grid.add_column()
    used = detail["used_by"]
    for key, values in (
        ("covers", detail["covers"]),
        ("read first", detail["prerequisites"]),
        ("related", detail["related"]),
        ("competitions", used["competitions"]),
        ("kernels", used["kernels"]),
        ("linked from", used["notes"]),
    ):
        grid.add_row(key, escape(", ".join(values) or "-"))
    out = console()
    out.print(Panel(grid, title=f"[bold]{escape(detail['title'])}[/bold]", subtitle=escape(detail["path"])))
    print_markdown(out, terminal_markdown(detail["body"]), ws)


_FENCE = re.compile(r"^```(?P<info>[^\n]*)\n.*?^```[ \t]*$", re.MULTILINE | re.DOTALL)
_DISPLAY_MATH = re.compile(r"\$\$(.+?)\$\$", re.DOTALL)
_INLINE_MATH = re.compile(r"(?<![\\$])\$((?:[^$\n]|\n(?!\n))+?)\$")  # may go on to the next line


def terminal_markdown(body: str) -> str:
    """The note's Markdown for the terminal: formulas in Unicode, worked examples under their labels.

    Display math becomes a plain-text block and inline math a code span, both in Unicode
    (`harness.latex`): Markdown would eat LaTeX's backslashes and underscores, and raw LaTeX reads
    badly. A fenced block whose info string says more than a language (```example metric=accuracy)
    gets that label as a line above it, since the terminal shows no info string.
    """
    out, last = [], 0
    for fence in _FENCE.finditer(body):
        out.append(_math_as_text(body[last : fence.start()]))
        label = fence.group("info").strip()
        if " " in label:
            kind, _, rest = label.partition(" ")
            out.append(f"**{kind}** `{rest.strip()}`\n\n")
        out.append(fence.group(0))
        last = fence.end()
    out.append(_math_as_text(body[last:]))
    return "".join(out)


def _math_as_text(text: str) -> str:
    from harness.latex import to_unicode

    text = _DISPLAY_MATH.sub(lambda m: "\n```text\n" + to_unicode(m.group(1)) + "\n```\n", text)
    return _INLINE_MATH.sub(lambda m: f"`{to_unicode(m.group(1))}`", text)
