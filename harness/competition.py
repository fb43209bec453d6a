"""The competition card (`competitions/<slug>/competition.toml`) and the registry of competitions.

The card declares everything the harness needs; code never guesses it from data. A card with a
missing or wrong field is refused with a `CardError` that names the file and the field.

    title = "Titanic: who survived?"
    summary = "Predict which passengers survived the sinking of the Titanic."
    task = "binary"                      # see TASKS
    metric = "accuracy"                  # a name from the metric registry that fits the task
    id_column = "PassengerId"
    target_columns = ["Survived"]
    classes = ["0", "1"]                 # classification only: the labels, in order
                                         # (an open-label task has none: any text is a prediction)

    [split]                              # how prepare carves the test set, and the public board
    test_fraction = 0.3
    seed = 2024
    public_fraction = 0.5
    public_seed = 7

    [cv]                                 # the folds every kernel and study is scored on
    scheme = "stratified"                # kfold | stratified | group | time
    k = 5
    seed = 42
    column = "..."                       # group and time only

    [rules]
    daily_limit = 5
    final_selections = 2
    deadline = 2027-01-01T00:00:00Z      # optional

    [source]
    name = "..."  url = "..."  licence = "..."  changes = "..."
"""

from __future__ import annotations

import importlib.util
import re
import sys
import tomllib
from datetime import UTC, datetime
from pathlib import Path
from types import ModuleType
from typing import Any, NamedTuple

from harness.errors import CardError, CompetitionFolderError, UnknownName
from harness.workspace import Workspace

CARD_FILE = "competition.toml"
TASKS = (
    "binary",
    "multiclass",
    "regression",
    "ranking",
    "text-binary",
    "text-multiclass",
    "text-regression",
    "open-label",  # free-text predictions scored against the answer as written (harness.open_label)
)
CV_SCHEMES = ("kfold", "stratified", "group", "time")
SLUG_PATTERN = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")


class Split(NamedTuple):
    test_fraction: float
    seed: int
    public_fraction: float
    public_seed: int


class CVScheme(NamedTuple):
    scheme: str
    k: int
    seed: int
    column: str | None = None


class Rules(NamedTuple):
    daily_limit: int
    final_selections: int
    deadline: datetime | None = None
    # A submission rule: each row's class probabilities must sum to 1 within this (None: any sum > 0).
    row_sum_tolerance: float | None = None


class Source(NamedTuple):
    name: str
    url: str
    licence: str
    changes: str


class Card(NamedTuple):
    """A competition, as its card declares it."""

    slug: str
    path: Path
    title: str
    summary: str
    task: str
    metric: str
    id_column: str
    target_columns: tuple[str, ...]
    split: Split
    cv: CVScheme
    rules: Rules
    source: Source
    classes: tuple[str, ...] | None
    metric_options: dict[str, Any]  # each card its own (a NamedTuple's default would be one shared dict)

    @property
    def folder(self) -> Path:
        return self.path.parent

    @property
    def base_task(self) -> str:
        """The task without its `text-` prefix: what metrics are declared for."""
        return self.task.removeprefix("text-")

    @property
    def is_classification(self) -> bool:
        return self.base_task in ("binary", "multiclass")

    @property
    def target(self) -> str:
        """The single target column (every built-in task has exactly one)."""
        return self.target_columns[0]


def competition_names(ws: Workspace) -> list[str]:
    """The slugs of every competition folder in the workspace, sorted."""
    if not ws.competitions_dir.is_dir():
        return []
    return sorted(p.name for p in ws.competitions_dir.iterdir() if (p / CARD_FILE).is_file())


def load_card(ws: Workspace, slug: str) -> Card:
    """Read and check the card of competition `slug`.

    Raises UnknownName for a slug with no folder, CardError for a card with a missing or wrong field.
    """
    path = ws.competition_dir(slug) / CARD_FILE
    if not path.is_file():
        raise UnknownName("competition", slug, competition_names(ws))
    return parse_card(path, slug)


def parse_card(path: Path, slug: str) -> Card:
    """Parse a card file; every field is checked and a wrong one is named."""
    try:
        raw = tomllib.loads(path.read_text(encoding="utf-8"))
    except tomllib.TOMLDecodeError as exc:
        raise CardError(path, "(file)", f"is not valid TOML: {exc}") from None
    if not SLUG_PATTERN.match(slug):
        raise CardError(path, "(folder name)", f"{slug!r} is not a kebab-case slug such as 'house-prices'")
    fields = _Fields(path, raw)
    task = fields.choice("task", TASKS)
    target_columns = tuple(fields.str_list("target_columns"))
    classes_raw = fields.get("classes", list, required=False)
    classes = tuple(str(c) for c in classes_raw) if classes_raw is not None else None
    if task.removeprefix("text-") in ("binary", "multiclass") and not classes:
        raise CardError(path, "classes", "is required for a classification task: list the labels in order")
    if task == "open-label" and classes is not None:
        raise CardError(
            path, "classes", "must be left out for an open-label task: any text is a prediction there"
        )
    if classes is not None and len(set(classes)) != len(classes):
        raise CardError(path, "classes", "has duplicated labels")
    if task.removeprefix("text-") == "binary" and classes is not None and len(classes) != 2:
        raise CardError(path, "classes", f"must hold exactly 2 labels for a binary task, not {len(classes)}")

    split = _Fields(path, fields.table("split"), "split.")
    cv = _Fields(path, fields.table("cv"), "cv.")
    rules = _Fields(path, fields.table("rules"), "rules.")
    source = _Fields(path, fields.table("source"), "source.")
    scheme = cv.choice("scheme", CV_SCHEMES)
    column = cv.get("column", str, required=scheme in ("group", "time"))
    deadline = rules.get("deadline", datetime, required=False)
    if deadline is not None and deadline.tzinfo is None:
        deadline = deadline.replace(tzinfo=UTC)

    card = Card(
        slug=slug,
        path=path,
        title=fields.get("title", str),
        summary=fields.get("summary", str),
        task=task,
        metric=fields.get("metric", str),
        id_column=fields.get("id_column", str),
        target_columns=target_columns,
        classes=classes,
        metric_options=dict(fields.get("metric_options", dict, required=False) or {}),
        split=Split(
            test_fraction=split.fraction("test_fraction"),
            seed=split.get("seed", int),
            public_fraction=_public_fraction(split),
            public_seed=split.get("public_seed", int),
        ),
        cv=CVScheme(scheme=scheme, k=cv.positive("k", minimum=2), seed=cv.get("seed", int), column=column),
        rules=Rules(
            daily_limit=rules.positive("daily_limit"),
            final_selections=rules.positive("final_selections"),
            deadline=deadline,
            row_sum_tolerance=_tolerance(rules, "row_sum_tolerance"),
        ),
        source=Source(
            name=source.get("name", str),
            url=source.get("url", str),
            licence=source.get("licence", str),
            changes=source.get("changes", str),
        ),
    )
    fields.refuse_unknown()
    for sub in (split, cv, rules, source):
        sub.refuse_unknown()
    if card.id_column in card.target_columns:
        raise CardError(path, "id_column", "must not also be a target column")
    _check_metric(card)
    return card


def _public_fraction(fields: _Fields) -> float:
    """The public board's share of the test set: 1 is one board (the whole test set), as MLE-bench."""
    if fields.raw.get("public_fraction") == 1:
        return 1.0
    return fields.fraction("public_fraction")


def _tolerance(fields: _Fields, name: str) -> float | None:
    value = fields.get(name, (int, float), required=False)  # type: ignore[arg-type]
    if value is None:
        return None
    if isinstance(value, bool) or not 0 <= float(value) < 1:
        raise fields._error(name, f"must be a number from 0 up to 1 (such as 1e-6), not {value!r}")
    return float(value)


def _check_metric(card: Card) -> None:
    from harness import metrics

    try:
        metric = metrics.get(card.metric)
    except UnknownName as exc:
        raise CardError(card.path, "metric", f"names no known metric: {exc}") from None
    if card.base_task not in metric.tasks:
        raise CardError(
            card.path,
            "metric",
            f"is {card.metric!r}, which does not fit task {card.task!r}; "
            f"metrics for it: {', '.join(metrics.names_for_task(card.base_task))}",
        )


_KNOWN_FIELDS = {
    "": {
        "title",
        "summary",
        "task",
        "metric",
        "metric_options",
        "id_column",
        "target_columns",
        "classes",
        "split",
        "cv",
        "rules",
        "source",
    },
    "split.": {"test_fraction", "seed", "public_fraction", "public_seed"},
    "cv.": {"scheme", "k", "seed", "column"},
    "rules.": {"daily_limit", "final_selections", "deadline", "row_sum_tolerance"},
    "source.": {"name", "url", "licence", "changes"},
}


class _Fields:
    """Typed access to one table of the card; every failure names the file and the dotted field."""

    def __init__(self, path: Path, raw: dict[str, Any], prefix: str = "") -> None:
        self.path, self.raw, self.prefix = path, raw, prefix

    def _error(self, name: str, problem: str) -> CardError:
        return CardError(self.path, self.prefix + name, problem)

    def get(self, name: str, kind: type, required: bool = True) -> Any:
        if name not in self.raw:
            if required:
                raise self._error(name, "is missing")
            return None
        value = self.raw[name]
        if kind is int and isinstance(value, bool) or not isinstance(value, kind):
            raise self._error(name, f"must be {_KIND_NAMES.get(kind, 'a number')}, not {value!r}")
        if isinstance(value, str) and not value.strip():
            raise self._error(name, "must not be empty")
        return value

    def table(self, name: str) -> dict[str, Any]:
        value = self.get(name, dict)
        assert isinstance(value, dict)
        return value

    def choice(self, name: str, options: tuple[str, ...]) -> str:
        value = self.get(name, str)
        if value not in options:
            raise self._error(name, f"is {value!r}; it must be one of {', '.join(options)}")
        return str(value)

    def str_list(self, name: str) -> list[str]:
        value = self.get(name, list)
        if not value or not all(isinstance(v, str) and v for v in value):
            raise self._error(name, "must be a non-empty list of column names")
        return list(value)

    def fraction(self, name: str) -> float:
        value = self.get(name, (int, float))  # type: ignore[arg-type]
        if isinstance(value, bool) or not 0 < float(value) < 1:
            raise self._error(name, f"must be a fraction strictly between 0 and 1, not {value!r}")
        return float(value)

    def positive(self, name: str, minimum: int = 1) -> int:
        value = self.get(name, int)
        if value < minimum:
            raise self._error(name, f"must be a whole number of at least {minimum}, not {value!r}")
        return int(value)

    def refuse_unknown(self) -> None:
        unknown = sorted(set(self.raw) - _KNOWN_FIELDS[self.prefix])
        if unknown:
            valid = ", ".join(sorted(_KNOWN_FIELDS[self.prefix]))
            raise self._error(unknown[0], f"is not a card field; the fields here are: {valid}")


_KIND_NAMES: dict[Any, str] = {
    str: "a string",
    int: "a whole number",
    list: "a list",
    dict: "a table",
    datetime: "a date-time such as 2027-01-01T00:00:00Z",
}


def load_module(card: Card, name: str) -> ModuleType:
    """Import `competitions/<slug>/<name>.py` by path (slugs have hyphens, so never by import string)."""
    path = card.folder / f"{name}.py"
    if not path.is_file():
        raise CompetitionFolderError(
            f"{card.folder}: {name}.py is missing; every competition folder needs one."
        )
    module_name = f"compete_competitions.{card.slug.replace('-', '_')}.{name}"
    spec = importlib.util.spec_from_file_location(module_name, path)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[module_name] = module
    try:
        spec.loader.exec_module(module)
    except Exception as exc:
        del sys.modules[module_name]
        raise CompetitionFolderError(f"{path} failed to load: {type(exc).__name__}: {exc}") from exc
    return module
