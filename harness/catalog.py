"""What `compete list` and `compete show` report about competitions.

Both read a competition's state and last preparation through `summary.glance`: the door's summary
while the store is unchanged (no DuckDB), the door itself otherwise.
"""

from __future__ import annotations

import csv
from dataclasses import asdict, dataclass, field
from typing import Any

from harness import vault
from harness.competition import Card, competition_names, load_card
from harness.errors import CompeteError, StalePreparation
from harness.summary import glance
from harness.workspace import Workspace


@dataclass(frozen=True)
class CompetitionSummary:
    slug: str
    title: str
    task: str
    metric: str
    state: str


@dataclass(frozen=True)
class DataFile:
    name: str
    path: str
    columns: list[str]
    rows: int | None
    sha256: str | None
    recorded_sha256: str | None

    @property
    def intact(self) -> bool | None:
        if self.sha256 is None or self.recorded_sha256 is None:
            return None
        return self.sha256 == self.recorded_sha256


@dataclass(frozen=True)
class CompetitionDetail:
    slug: str
    title: str
    summary: str
    task: str
    metric: str
    greater_is_better: bool
    id_column: str
    target_columns: list[str]
    submission_columns: list[str]
    classes: list[str] | None
    state: str
    split: dict[str, Any]
    cv: dict[str, Any]
    rules: dict[str, Any]
    source: dict[str, Any]
    data_dir: str
    files: list[DataFile]
    preparation: dict[str, Any]
    description: str
    theory: list[str] = field(default_factory=list)

    def as_dict(self) -> dict[str, Any]:
        out = asdict(self)
        out["files"] = [{**asdict(f), "intact": f.intact} for f in self.files]
        return out


def list_competitions(ws: Workspace) -> list[CompetitionSummary]:
    """Every competition in the workspace; a folder whose card is broken shows its error as its state."""
    out = []
    for slug in competition_names(ws):
        try:
            seen = glance(ws, slug)
            card = seen.card
            out.append(CompetitionSummary(slug, card.title, card.task, card.metric, seen.state.value))
        except StalePreparation:
            card = load_card(ws, slug)
            state = f"stale: run `compete prepare {slug} --force`"
            out.append(CompetitionSummary(slug, card.title, card.task, card.metric, state))
        except CompeteError as exc:
            out.append(CompetitionSummary(slug, "", "", "", f"invalid card: {exc}"))
    return out


def describe(ws: Workspace, slug: str) -> CompetitionDetail:
    """Everything about one competition: card, rules, data files with columns and checksums, description."""
    from harness.metrics import get as get_metric
    from harness.prepare import submission_columns  # here: `list` needs none of it

    seen = glance(ws, slug)
    card, state, record = seen.card, seen.state, seen.preparation
    description_path = card.folder / "description.md"
    return CompetitionDetail(
        slug=card.slug,
        title=card.title,
        summary=card.summary,
        task=card.task,
        metric=card.metric,
        greater_is_better=get_metric(card.metric).greater_is_better,
        id_column=card.id_column,
        target_columns=list(card.target_columns),
        submission_columns=[card.id_column, *submission_columns(card)],
        classes=list(card.classes) if card.classes else None,
        state=state.value,
        split=card.split._asdict(),
        cv=card.cv._asdict(),
        rules={
            **card.rules._asdict(),
            "deadline": card.rules.deadline.isoformat() if card.rules.deadline else None,
        },
        source=card.source._asdict(),
        data_dir=str(ws.data_dir(slug)),
        files=_data_files(ws, card, record.checksums if record else {}),
        preparation=vault.describe(record),
        description=description_path.read_text(encoding="utf-8") if description_path.is_file() else "",
        theory=_linked_notes(ws, card),
    )


def _data_files(ws: Workspace, card: Card, recorded: dict[str, str]) -> list[DataFile]:
    from harness.prepare import PUBLIC_FILES, file_checksums

    folder = ws.data_dir(card.slug)
    current = file_checksums(folder)
    files = []
    for name in PUBLIC_FILES:
        path = folder / name
        columns: list[str] = []
        rows = None
        if path.is_file():
            with path.open(newline="", encoding="utf-8") as fh:
                reader = csv.reader(fh)
                columns = next(reader, [])
                rows = sum(1 for _ in reader)
        files.append(DataFile(name, str(path), columns, rows, current.get(name), recorded.get(name)))
    return files


def _linked_notes(ws: Workspace, card: Card) -> list[str]:
    """Theory notes that explain this competition's metric and CV scheme (empty until notes exist)."""
    import importlib

    try:
        theory = importlib.import_module("harness.theory")
    except ImportError:
        return []
    return list(theory.notes_for_competition(ws, card))
