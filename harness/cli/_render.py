"""Rendering results as a table (rich), JSON or CSV. The library returns values; this prints them."""

from __future__ import annotations

import csv
import io
import json
import math
import os
import sys
from collections.abc import Mapping, Sequence
from datetime import date, datetime
from enum import StrEnum
from typing import Annotated, Any

import typer


class Format(StrEnum):
    table = "table"
    json = "json"
    csv = "csv"


FormatOption = Annotated[
    Format, typer.Option("--format", "-f", help="Output format: table, json or csv.", case_sensitive=False)
]


def to_jsonable(value: Any) -> Any:
    if isinstance(value, datetime | date):
        return value.isoformat()
    if isinstance(value, Mapping):
        return {str(k): to_jsonable(v) for k, v in value.items()}
    if isinstance(value, list | tuple | set | frozenset):
        return [to_jsonable(v) for v in value]
    if isinstance(value, float) and not math.isfinite(value):  # JSON has no NaN or infinity
        return None
    if hasattr(value, "item") and callable(value.item):  # numpy scalars
        return to_jsonable(value.item())
    return value


def emit_json(value: Any) -> None:
    sys.stdout.write(json.dumps(to_jsonable(value), indent=2, ensure_ascii=False, default=str) + "\n")


SHORT_CELL = 20  # a column whose cells are all this short keeps its width in a table
FREE_TEXT_WIDTH = 16  # the least room left to each column of longer text beside them


def render_rows(
    rows: Sequence[Mapping[str, Any]],
    fmt: Format,
    columns: Sequence[str] | None = None,
    title: str | None = None,
    empty: str = "nothing to show",
) -> None:
    """Print rows as a rich table, a JSON array (all keys) or CSV (`columns`, or all keys)."""
    if fmt is Format.json:
        emit_json(list(rows))
        return
    columns = list(columns or (rows[0].keys() if rows else []))
    if fmt is Format.csv:
        buffer = io.StringIO()
        writer = csv.DictWriter(buffer, fieldnames=columns, extrasaction="ignore", lineterminator="\n")
        writer.writeheader()
        for row in rows:
            writer.writerow({k: _csv_cell(row.get(k)) for k in columns})
        sys.stdout.write(buffer.getvalue())
        return
    from rich.table import Table

    if not rows:
        console().print(f"[dim]{empty}[/dim]")
        return
    # A table is read by a person: columns empty in every row only take room.
    columns = [c for c in columns if any(_cell(row.get(c)) for row in rows)]
    table = Table(title=escape(title) if title else None, header_style="bold")
    headers = {column: column.replace("_", " ") for column in columns}
    widths = {c: _short_width(headers[c], [_cell(row.get(c)) for row in rows]) for c in columns}
    # Short values (refs, dates, scores) keep their width and free text wraps beside them, when
    # that leaves the free text some room; else every column folds.
    short = [w for w in widths.values() if w is not None]
    keep = sum(w + 3 for w in short) + FREE_TEXT_WIDTH * (len(columns) - len(short)) <= console().width
    for column in columns:
        width = widths[column] if keep else None
        table.add_column(headers[column], overflow="fold", no_wrap=width is not None, min_width=width)
    for row in rows:
        table.add_row(*(escape(_cell(row.get(c))) for c in columns))
    console().print(table)


def _short_width(header: str, cells: list[str]) -> int | None:
    """The width of a column of short cells and its header on one line each, else None."""
    longest = max(map(len, cells))
    return max(longest, len(header)) if longest <= SHORT_CELL else None


def escape(value: object) -> str:
    """`value` as text that rich prints as it is: a `[` in a name, a message or a path never starts a
    style (`[/bold]` in a participant's name would otherwise stop the print with an error)."""
    from rich.markup import escape as escape_markup

    return escape_markup(str(value))


def _csv_cell(value: Any) -> str:
    """A value for CSV, which a program reads: every digit of a score, the time to the microsecond."""
    if isinstance(value, float):
        return repr(value)
    if isinstance(value, datetime | date):
        return value.isoformat()
    return _cell(value)


def _cell(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, float):
        return f"{value:.6g}"
    if isinstance(value, datetime):
        return value.strftime("%Y-%m-%d %H:%M:%S")
    if isinstance(value, list | tuple):
        return ", ".join(map(str, value))
    return str(value)


_CONSOLE = None


def console() -> Any:
    """The shared rich console (stdout)."""
    global _CONSOLE
    if _CONSOLE is None:
        from rich.console import Console

        # Piped output (a log, a pager) has no width of its own: 80 columns fold most tables badly.
        width = None if sys.stdout.isatty() or os.environ.get("COLUMNS") else 120
        _CONSOLE = Console(soft_wrap=False, width=width)
    return _CONSOLE
