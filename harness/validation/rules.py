"""The submission rules: what each column of a submission must hold, derived from the competition's
pandera `Submission` model and the card's metric, and cached in the store.

Deriving them imports pandera, which is slow, so the rules are kept as JSON in the store
(`submission_rules`, keyed by the checksum of the card and schema.py) and a submit reads them there.
"""

from __future__ import annotations

import hashlib
import json
from typing import TYPE_CHECKING, Any, NamedTuple

from harness.competition import Card
from harness.metrics import Prediction
from harness.metrics import get as get_metric
from harness.store import utc_now

if TYPE_CHECKING:
    import duckdb

RULES_VERSION = "4"  # a new version re-derives every cached rule set (2: predictions_above; 3: row sums;
# 4: free text)
EXAMPLES = 5  # example rows (or names) a problem shows
NO_SLOT = " A rejected file costs no submission."


class ColumnRule(NamedTuple):
    """What one column of a submission must hold.

    `kind` is 'integer', 'number' or 'string'. `allowed` lists the permitted values in their
    canonical text form (integers without a decimal point). Bounds are inclusive unless the
    `*_inclusive` flag says otherwise.
    """

    name: str
    kind: str
    nullable: bool = False
    unique: bool = False
    allowed: tuple[str, ...] | None = None
    minimum: float | None = None
    minimum_inclusive: bool = True
    maximum: float | None = None
    maximum_inclusive: bool = True

    @property
    def numeric(self) -> bool:
        return self.kind in ("integer", "number")


class SubmissionRules(NamedTuple):
    """The columns a submission must have (id first) and what the metric expects of them."""

    id_column: str
    columns: tuple[ColumnRule, ...]
    prediction: str
    classes: tuple[str, ...] | None = None
    row_sum_tolerance: float | None = None  # class probabilities: each row sums to 1 within this

    @property
    def id_rule(self) -> ColumnRule:
        return self.columns[0]

    @property
    def prediction_rules(self) -> tuple[ColumnRule, ...]:
        return self.columns[1:]

    @property
    def names(self) -> list[str]:
        return [c.name for c in self.columns]

    def to_json(self) -> str:
        # Each column rule as an object, not a list: the store keeps and compares this text.
        columns = [c._asdict() for c in self.columns]
        return json.dumps({**self._asdict(), "columns": columns}, sort_keys=True)

    @classmethod
    def from_json(cls, text: str) -> SubmissionRules:
        raw = json.loads(text)
        columns = tuple(
            ColumnRule(**{**c, "allowed": tuple(c["allowed"]) if c["allowed"] is not None else None})
            for c in raw["columns"]
        )
        classes = tuple(raw["classes"]) if raw["classes"] is not None else None
        return cls(raw["id_column"], columns, raw["prediction"], classes, raw.get("row_sum_tolerance"))


def prediction_kind(card: Card) -> Prediction:
    """The shape of prediction the card's metric scores for the card's task."""
    from harness import metrics

    return metrics.prediction_for(card)


def rules_from_model(card: Card, model: Any) -> SubmissionRules:
    """Derive the rules from a pandera `Submission` model and the card's metric."""
    schema = model.to_schema()
    kind = prediction_kind(card)
    columns: list[ColumnRule] = []
    for name, column in schema.columns.items():
        col_kind = _kind_of(str(column.dtype))
        rule: dict[str, Any] = {
            "name": str(name),
            "kind": col_kind,
            "nullable": bool(column.nullable),
            "unique": bool(column.unique),
        }
        for check in column.checks:
            stats = dict(check.statistics or {})
            if check.name == "isin":
                rule["allowed"] = tuple(_canonical(v, col_kind) for v in stats["allowed_values"])
            elif check.name == "in_range":
                rule["minimum"], rule["maximum"] = float(stats["min_value"]), float(stats["max_value"])
                rule["minimum_inclusive"] = bool(stats.get("include_min", True))
                rule["maximum_inclusive"] = bool(stats.get("include_max", True))
            elif check.name in ("greater_than_or_equal_to", "greater_than"):
                rule["minimum"] = float(stats["min_value"])
                rule["minimum_inclusive"] = check.name == "greater_than_or_equal_to"
            elif check.name in ("less_than_or_equal_to", "less_than"):
                rule["maximum"] = float(stats["max_value"])
                rule["maximum_inclusive"] = check.name == "less_than_or_equal_to"
        columns.append(ColumnRule(**rule))
    by_name = {c.name: c for c in columns}
    if card.id_column not in by_name:
        raise AssertionError(f"{card.slug}: the Submission model has no id column {card.id_column!r}")
    ordered = [by_name.pop(card.id_column), *by_name.values()]
    ordered = [ordered[0], *(_add_metric_needs(c, kind, card) for c in ordered[1:])]
    tolerance = card.rules.row_sum_tolerance if kind is Prediction.CLASS_PROBABILITIES else None
    return SubmissionRules(card.id_column, tuple(ordered), kind.value, card.classes, tolerance)


def _add_metric_needs(rule: ColumnRule, kind: Prediction, card: Card) -> ColumnRule:
    """What the metric needs even if the model forgot to say it."""
    if kind in (Prediction.PROBABILITY, Prediction.CLASS_PROBABILITIES, Prediction.PROBABILITIES):
        lower = 0.0 if rule.minimum is None else max(rule.minimum, 0.0)
        upper = 1.0 if rule.maximum is None else min(rule.maximum, 1.0)
        return rule._replace(kind="number", nullable=False, minimum=lower, maximum=upper)
    if kind is Prediction.TEXT:  # any text; a missing one is read as the grader reads it (open_label)
        return rule._replace(kind="string", nullable=True, allowed=None, minimum=None, maximum=None)
    if kind is Prediction.LABEL and card.classes and rule.allowed is None:
        return rule._replace(allowed=tuple(card.classes), nullable=False)
    if kind in (Prediction.VALUE, Prediction.VALUES):
        rule = rule._replace(kind=rule.kind if rule.numeric else "number", nullable=False)
        above = get_metric(card.metric).predictions_above
        if above is not None and (rule.minimum is None or rule.minimum <= above):
            rule = rule._replace(minimum=above, minimum_inclusive=False)
        return rule
    return rule._replace(nullable=False)


def _kind_of(dtype: str) -> str:
    text = dtype.lower()
    if "int" in text:
        return "integer"
    if "float" in text or "double" in text or "decimal" in text:
        return "number"
    return "string"


def _canonical(value: Any, kind: str) -> str:
    if kind in ("integer", "number") and isinstance(value, int | float) and not isinstance(value, bool):
        return str(int(value)) if float(value).is_integer() else repr(float(value))
    return str(value)


def load_rules(con: duckdb.DuckDBPyConnection, card: Card) -> SubmissionRules:
    """The submission rules of `card`, from the store's cache or derived (and cached) from schema.py."""
    key = rules_key(card)
    rows = con.execute("SELECT rules FROM submission_rules WHERE source_sha256 = ?", [key]).fetchall()
    if rows:
        return SubmissionRules.from_json(rows[0][0])
    from harness import schemas

    return cache_rules(con, card, schemas.load_models(card)["Submission"])


def cache_rules(con: duckdb.DuckDBPyConnection, card: Card, model: Any) -> SubmissionRules:
    """Derive the rules from `model` and keep them in the store, so a submit need not import pandera.

    `compete prepare`, which has the models loaded anyway, may call this; otherwise the first submit
    does it.
    """
    rules = rules_from_model(card, model)
    con.execute(
        "INSERT INTO submission_rules VALUES (?, ?, ?) ON CONFLICT DO NOTHING",
        [rules_key(card), utc_now(), rules.to_json()],
    )
    return rules


def rules_key(card: Card) -> str:
    """The checksum the cached rules are filed under: the card, schema.py and the rules' version."""
    digest = hashlib.sha256(RULES_VERSION.encode())
    for path in (card.path, card.folder / "schema.py"):
        digest.update(path.read_bytes() if path.is_file() else b"")
    return digest.hexdigest()


def problems_text(problems: list[str], rules: SubmissionRules) -> str:
    header = ",".join(rules.names)
    lead = "1 problem" if len(problems) == 1 else f"{len(problems)} problems"
    body = "\n".join(f"  - {p}" for p in problems)
    return (
        f"the submission has {lead}:\n{body}\n"
        f"Fix the file and submit again; it needs the columns {header} and one row per id of "
        "test.csv (see sample_submission.csv)." + NO_SLOT
    )
