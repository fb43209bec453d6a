"""Reports as files: Markdown and a self-contained HTML page, from jinja2 templates with autoescape on.

Figures are written as PNG files beside the Markdown (which links them) and embedded in the HTML as
base64 data URIs, so the page needs nothing else. Links to theory notes and kernels are relative to
the report's folder.
"""

from __future__ import annotations

import base64
import os
from collections.abc import Mapping
from functools import cache
from pathlib import Path
from typing import Any

from harness.workspace import Workspace

TEMPLATES = Path(__file__).resolve().parent / "templates"


@cache
def environment() -> Any:
    import jinja2

    env = jinja2.Environment(
        loader=jinja2.FileSystemLoader(str(TEMPLATES)),
        autoescape=True,  # every template, Markdown too: a message's `<script>` stays text
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
        undefined=jinja2.StrictUndefined,
    )
    env.filters["num"] = number
    env.filters["cv"] = cv_with_folds
    env.filters["cell"] = cell
    env.filters["signed"] = lambda v: "" if v is None else f"{v:+.4g}"
    return env


def number(value: Any, digits: int = 4) -> str:
    if value is None:
        return ""
    if isinstance(value, float):
        return f"{value:.{digits}g}" if abs(value) >= 1e-3 or value == 0 else f"{value:.2e}"
    return str(value)


def cv_with_folds(score: float | None, folds: int | None) -> str:
    """A CV score with the number of folds it is the mean of, when that is known."""
    shown = number(score)
    return f"{shown} ({folds} folds)" if shown and folds is not None else shown


def cell(value: Any) -> str:
    """Text for a Markdown table cell: on one line, without the `|` that would split the cell."""
    if value is None:
        return ""
    return " ".join(str(value).split()).replace("|", "\\|")


def render(template: str, **values: Any) -> str:
    return str(environment().get_template(template).render(**values))


def data_uri(png: bytes) -> str:
    return "data:image/png;base64," + base64.b64encode(png).decode("ascii")


def note_link(ws: Workspace, folder: Path, topic: str) -> str:
    """The relative link from `folder` to the theory note `topic`."""
    return Path(os.path.relpath(ws.theory_dir / f"{topic}.md", folder)).as_posix()


def kernel_link(ws: Workspace, folder: Path, kernel: str | None) -> str | None:
    """The relative link from `folder` to a kernel's file, None when there is no such file."""
    if not kernel:
        return None
    path = ws.kernels_dir / f"{kernel}.py"
    return Path(os.path.relpath(path, folder)).as_posix() if path.is_file() else None


def write_figures(folder: Path, figures: Mapping[str, bytes], prefix: str = "") -> dict[str, str]:
    """Write each figure as `<prefix><name>.png` in `folder`; returns name → file name."""
    names = {}
    for name, png in figures.items():
        file = f"{prefix}{name}.png"
        (folder / file).write_bytes(png)
        names[name] = file
    return names
