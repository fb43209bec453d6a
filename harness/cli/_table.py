"""Drawing a table as text, in the box rich draws by default, without importing rich.

The commands a learner types all day print a table or two; drawing them here costs a few
milliseconds, where importing and running rich's layout engine cost tens. The columns' widths are
decided by the caller (`_render.render_rows`); this only draws: a title centred above, a bold
header whose words may wrap, cells that never wrap (cut with an ellipsis where too long), and a
caption below. Styles (bold, italic, dim) are ANSI codes, written only to a terminal that takes them.
"""

from __future__ import annotations

import os
import sys
import unicodedata
from collections.abc import Sequence

ELLIPSIS = "…"


def cell_len(text: str) -> int:
    """How many terminal cells `text` takes: wide East Asian characters two, combining marks none."""
    if text.isascii():
        return len(text)
    width = 0
    for char in text:
        if unicodedata.combining(char):
            continue
        width += 2 if unicodedata.east_asian_width(char) in "WF" else 1
    return width


def fit(text: str, width: int) -> str:
    """`text` padded to `width` cells, or cut to it with an ellipsis."""
    size = cell_len(text)
    if size <= width:
        return text + " " * (width - size)
    kept = _head(text, width - 1) if width > 1 else ""
    return kept + ELLIPSIS + " " * (width - 1 - cell_len(kept))


def wrap(text: str, width: int) -> list[str]:
    """`text` in lines of at most `width` cells, broken between words (a longer word is folded)."""
    lines: list[str] = []
    line = ""
    for word in text.split():
        while cell_len(word) > width:  # a word wider than the column: folded
            head = _head(word, width)
            if line:
                lines.append(line)
                line = ""
            lines.append(head)
            word = word[len(head) :]
        if not line:
            line = word
        elif cell_len(line) + 1 + cell_len(word) <= width:
            line += " " + word
        else:
            lines.append(line)
            line = word
    return [*lines, line] if line or not lines else lines


def _head(text: str, width: int) -> str:
    """The longest start of `text` that takes at most `width` cells (at least one character)."""
    used = 0
    for k, char in enumerate(text):
        used += cell_len(char)
        if used > width:
            return text[: max(k, 1)]
    return text


def styled() -> bool:
    """Whether standard output takes ANSI styles: a terminal, and no NO_COLOR or TERM=dumb."""
    if os.environ.get("NO_COLOR") or os.environ.get("TERM") == "dumb":
        return False
    return bool(os.environ.get("FORCE_COLOR")) or sys.stdout.isatty()


def _style(text: str, code: str, on: bool) -> str:
    return f"\x1b[{code}m{text}\x1b[0m" if on and text.strip() else text


def draw(
    headers: Sequence[str],
    widths: Sequence[int],
    rows: Sequence[Sequence[str]],
    *,
    title: str | None = None,
    caption: str | None = None,
    colour: bool = False,
) -> str:
    """The table as lines of text (ending in a newline): each column `widths[i]` cells wide inside
    one space of padding either side."""
    total = sum(widths) + 3 * len(widths) + 1
    out: list[str] = []
    if title:
        out += [_style(_centred(line, total), "3", colour) for line in wrap(title, total)]
    out.append("┏" + "┳".join("━" * (w + 2) for w in widths) + "┓")
    heads = [wrap(h, w) for h, w in zip(headers, widths, strict=True)]
    for k in range(max((len(h) for h in heads), default=1)):
        line = [fit(h[k] if k < len(h) else "", w) for h, w in zip(heads, widths, strict=True)]
        parts = [_style(part, "1", colour) for part in line]
        out.append("┃ " + " ┃ ".join(parts) + " ┃")
    out.append("┡" + "╇".join("━" * (w + 2) for w in widths) + "┩")
    for row in rows:
        out.append("│ " + " │ ".join(fit(c, w) for c, w in zip(row, widths, strict=True)) + " │")
    out.append("└" + "┴".join("─" * (w + 2) for w in widths) + "┘")
    if caption:
        out += [_style(_centred(line, total), "2", colour) for line in wrap(caption, total)]
    return "\n".join(out) + "\n"


def _centred(text: str, width: int) -> str:
    room = max(width - cell_len(text), 0)
    return (" " * (room // 2) + text + " " * (room - room // 2)).rstrip()
