"""Studying and writing kernels: `kernels list`, `kernels show` (cells, board entry, theory notes)
and `kernels new` from the template."""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from harness.competition import SLUG_PATTERN, load_card
from harness.errors import KernelError, NotPrepared
from harness.workspace import Workspace

if TYPE_CHECKING:
    pass
from harness.kernels import (
    TEMPLATE_FILE,
    KernelInfo,
    _optional_module,
    kernel_names,
    load_kernel,
)
from harness.runs import last_run


@dataclass(frozen=True)
class KernelSummary:
    """One row of `compete kernels list`."""

    name: str
    competition: str
    title: str
    techniques: tuple[str, ...]
    tunable: bool
    metric: str | None
    cv: float | None
    cv_std: float | None
    folds: int | None
    ran_at: str | None
    error: str | None = None


@dataclass(frozen=True)
class Cell:
    """One cell of a percent-format kernel: 'markdown' (comment prefixes removed) or 'code'."""

    kind: str
    source: str


@dataclass(frozen=True)
class KernelDetail:
    """A kernel rendered for study: its cells, declarations, last CV run, board score and notes."""

    info: KernelInfo
    cells: tuple[Cell, ...]
    last_run: dict[str, Any] | None
    leaderboard: dict[str, Any] | None
    theory: tuple[str, ...]


def list_kernels(ws: Workspace, slug: str | None = None) -> list[KernelSummary]:
    """Every kernel in `kernels/` (of competition `slug`), with its last CV score if it was run.

    A kernel that fails to load is listed with its `error` rather than hiding the others.
    """
    if slug is not None:
        load_card(ws, slug)  # an unknown slug lists the valid ones
    from harness.kernel_index import declarations  # what each declares, without importing it again

    rows = []
    for name, info in declarations(ws, kernel_names(ws, slug)).items():
        if isinstance(info, KernelError):
            competition = name.partition("/")[0]
            rows.append(
                KernelSummary(name, competition, "", (), False, None, None, None, None, None, str(info))
            )
            continue
        run = last_run(ws, info) or {}
        rows.append(
            KernelSummary(
                name=info.name,
                competition=info.competition,
                title=info.title,
                techniques=info.techniques,
                tunable=info.tunable,
                metric=run.get("metric"),
                cv=run.get("mean"),
                cv_std=run.get("std"),
                folds=run.get("folds"),
                ran_at=run.get("ran_at"),
            )
        )
    return rows


def kernel_cells(source: str) -> list[Cell]:
    """Split a percent-format file into cells; `# %% [markdown]` cells lose their `# ` prefixes."""
    cells: list[Cell] = []
    kind = "code"  # text before the first marker is a code cell
    lines: list[str] = []
    marker = re.compile(r"^# %%(.*)$")

    def flush() -> None:
        text = "\n".join(lines).strip("\n")
        if text.strip():
            cells.append(Cell(kind, text))

    for line in source.splitlines():
        match = marker.match(line)
        if match:
            flush()
            kind, lines = ("markdown" if "[markdown]" in match.group(1) else "code"), []
            continue
        if kind == "markdown":
            line = line[2:] if line.startswith("# ") else line.removeprefix("#")
        lines.append(line)
    flush()
    return cells


def describe_kernel(ws: Workspace, name_or_path: str | Path) -> KernelDetail:
    """A kernel for study: its cells, declarations, last CV run, leaderboard score and theory notes."""
    kernel = load_kernel(ws, name_or_path)
    info = kernel.info
    cells = tuple(kernel_cells(info.path.read_text(encoding="utf-8")))
    return KernelDetail(
        info=info,
        cells=cells,
        last_run=last_run(ws, info),
        leaderboard=_board_entry(ws, info),
        theory=tuple(_theory_notes(ws, info)),
    )


def _board_entry(ws: Workspace, info: KernelInfo) -> dict[str, Any] | None:
    """The kernel's own best submission (one that `compete run --submit` made of it): its public score,
    its ref, how many it made, and its rank where it is its participant's entry on the public board.
    None when the kernel submitted nothing (another submission of the same participant is not its)."""
    from harness import ledger

    try:
        board = ledger.leaderboard(ws, info.competition)
        mine = [
            s
            for s in ledger.submissions(ws, info.competition)
            if s.kernel == info.name and s.public_score is not None and not s.late and not s.stale
        ]
    except NotPrepared:
        return None
    if not mine:
        return None
    sign = -1.0 if board.greater_is_better else 1.0
    best = min(reversed(mine), key=lambda s: sign * float(s.public_score or 0.0))  # the earliest of a tie
    row = next((r for r in board.rows if r.ref == best.ref), None)
    return {
        "rank": row.rank if row else None,
        "of": len(board.rows),
        "public_score": best.public_score,
        "ref": best.ref,
        "submissions": len(mine),
    }


def _theory_notes(ws: Workspace, info: KernelInfo) -> list[str]:
    notes_for_kernel = getattr(_optional_module("harness.theory"), "notes_for_kernel", None)
    if notes_for_kernel is None:
        return []
    notes = notes_for_kernel(ws, info)
    return [str(getattr(n, "topic", getattr(n, "name", n))) for n in notes]


def new_kernel(ws: Workspace, slug: str, name: str) -> Path:
    """Copy the kernel template to `kernels/<slug>/<name>.py`, filled in for the competition.

    Raises KernelError for a name that is not kebab-case or a file that already exists, UnknownName
    for an unknown competition.
    """
    from harness.metrics import prediction_for

    card = load_card(ws, slug)
    if not SLUG_PATTERN.match(name):
        raise KernelError(
            f"kernel name {name!r} is not kebab-case (lowercase letters, digits and single hyphens, "
            "such as 'my-first-model'); choose another name."
        )
    target = ws.kernels_dir / slug / f"{name}.py"
    if target.exists():
        raise KernelError(f"{target} already exists; choose another name or edit that file.")
    template = ws.kernels_dir / TEMPLATE_FILE
    if not template.is_file():
        raise KernelError(f"the kernel template {template} is missing; restore kernels/{TEMPLATE_FILE}.")
    text = template.read_text(encoding="utf-8")
    fills = {
        "__COMPETITION__": slug,
        "__TARGET__": card.target,
        "__ID__": card.id_column,
        "__PREDICTION__": prediction_for(card).value,
        "__METRIC__": card.metric,
        "__POSITIVE__": card.classes[-1] if card.classes else "",
    }
    if fills["__PREDICTION__"] != "probability":  # POSITIVE means something only where P(positive) is wanted
        text = _without_positive(text)
    for token, value in fills.items():
        text = text.replace(token, value)
    target.parent.mkdir(parents=True, exist_ok=True)
    with target.open("x", encoding="utf-8") as fh:
        fh.write(text)
    return target


def _without_positive(template: str) -> str:
    """The template without its POSITIVE constant and the branch that uses it."""
    lines = template.splitlines(keepends=True)
    out: list[str] = []
    skip = 0
    for line in lines:
        if skip:
            skip -= 1
        elif line.startswith("POSITIVE = "):
            pass
        elif line.strip() == 'if PREDICTION == "probability":':
            skip = 1  # and its return
        else:
            out.append(line)
    return "".join(out)
