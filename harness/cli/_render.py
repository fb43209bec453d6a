"""Rendering results as a table, JSON or CSV. The library returns values; this prints them.

Tables are drawn by `_table` (no rich: the commands typed all day stay quick); rich's console
(`console()`) prints the styled prose of the less frequent commands."""

from __future__ import annotations

import csv
import io
import json
import math
import os
import sys
from collections.abc import Mapping, Sequence
from contextlib import suppress
from datetime import date, datetime
from enum import StrEnum
from typing import Annotated, Any

import typer

from harness.cli._table import cell_len, draw, styled, wrap


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


TEXT_MIN = 10  # the least room a column of free text keeps before columns are left out
TEXT_NAMES = ("title", "message", "error", "file", "file_name", "techniques", "path", "summary", "tags")


def render_rows(
    rows: Sequence[Mapping[str, Any]],
    fmt: Format,
    columns: Sequence[str] | None = None,
    title: str | None = None,
    empty: str = "nothing to show",
    text: Sequence[str] = TEXT_NAMES,
    priority: Sequence[str] = (),
) -> None:
    """Print rows as a table, a JSON array (all keys) or CSV (`columns`, or all keys).

    In a table, a value is never broken across lines: numbers, refs, names and dates keep their
    width; the columns of free text (`text`, and any whose values hold spaces and run long) are cut
    with an ellipsis to fit the terminal, down to TEXT_MIN characters; beyond that, columns are left
    out, the least important first (`priority` names the most important first; the others follow in
    the order of `columns`), and the table says which.
    """
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
    if not rows:
        sys.stdout.write(empty + "\n")
        return
    # A table is read by a person: columns empty in every row only take room.
    columns = [c for c in columns if any(_cell(row.get(c)) for row in rows)]
    headers = {column: column.replace("_", " ") for column in columns}
    cells = {c: [_cell(row.get(c)) for row in rows] for c in columns}
    free = {c for c in columns if c in text or _is_prose(cells[c])}
    natural = {c: max(max(map(cell_len, cells[c])), _longest_word(headers[c])) for c in columns}
    least = {c: min(natural[c], TEXT_MIN) if c in free else natural[c] for c in columns}
    ranked = [c for c in priority if c in columns] + [c for c in columns if c not in priority]
    width = terminal_width()
    kept = set(_fitting(ranked, least, width))
    shown = [c for c in columns if c in kept]
    widths = _widths(shown, natural, least, free, width)
    left_out = [c for c in columns if c not in shown]
    caption = f"left out at this width: {', '.join(left_out)} (see --format csv)" if left_out else None
    body = [[cells[c][k] for c in shown] for k in range(len(rows))]
    sys.stdout.write(
        draw(
            [headers[c] for c in shown],
            [widths[c] for c in shown],
            body,
            title=title,
            caption=caption,
            colour=styled(),
        )
    )


def say(text: str) -> None:
    """Print a line of prose, wrapped between words to the width tables are drawn to."""
    sys.stdout.write("\n".join(wrap(text, terminal_width())) + "\n")


def _fitting(columns: list[str], least: dict[str, int], width: int) -> list[str]:
    """The columns, from the first, that fit `width` at their least widths (a table takes 3
    characters a column and 1 more for its borders and padding); the first is always kept."""
    shown = list(columns)
    while len(shown) > 1 and sum(least[c] + 3 for c in shown) + 1 > width:
        shown.pop()
    return shown


def _widths(
    shown: list[str], natural: dict[str, int], least: dict[str, int], free: set[str], width: int
) -> dict[str, int]:
    """Each column's width: its natural width, but for free text, which shares what is left over
    (at least its least width), the shortest first."""
    out = {c: natural[c] for c in shown}
    room = width - 1 - sum(natural[c] + 3 for c in shown if c not in free) - 3 * len(free & set(shown))
    texts = sorted((c for c in shown if c in free), key=lambda c: natural[c])
    for k, column in enumerate(texts):
        share = room // (len(texts) - k)
        out[column] = max(least[column], min(natural[column], share))
        room -= out[column]
    return out


def _is_prose(cells: list[str]) -> bool:
    """Whether a column holds free text: some value with a space that runs past a short name's length."""
    return any(" " in cell and len(cell) > SHORT_CELL for cell in cells)


def _longest_word(header: str) -> int:
    return max(map(cell_len, header.split()), default=0)


SHORT_CELL = 20  # a value with spaces longer than this is free text (a date with its time is not)


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
PIPED_WIDTH = 120  # piped output (a log, a pager) has no width of its own: 80 columns fold most tables badly


def terminal_width() -> int:
    """The width tables are drawn to: $COLUMNS, else the terminal's, else PIPED_WIDTH."""
    columns = os.environ.get("COLUMNS", "")
    if columns.isdigit():
        return max(int(columns), 20)
    if sys.stdout.isatty():
        with suppress(OSError):
            return os.get_terminal_size(sys.stdout.fileno()).columns
    return PIPED_WIDTH


def console() -> Any:
    """The shared rich console (stdout), as wide as `terminal_width`."""
    global _CONSOLE
    if _CONSOLE is None:
        from rich.console import Console

        _CONSOLE = Console(soft_wrap=False, width=terminal_width())
    return _CONSOLE
