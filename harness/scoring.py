"""Submission file → validated → joined to the hidden labels in DuckDB → public and private score.

Everything happens on the caller's store connection: the file is read once into a temporary table
(`validation.read_file`), checked against the competition's rules (`validation.check`), joined to
`labels` on the id, shaped into the relation the metric's SQL expects (`y`, `p` or `y`,
`p_0..p_{K-1}`), and scored with one query giving the public and the private score together.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from harness import validation
from harness.competition import Card
from harness.errors import MetricError
from harness.metrics import MetricContext, Prediction
from harness.metrics import get as get_metric
from harness.store import quote_identifier as q
from harness.validation import Checked, SubmissionRules
from harness.vault import PRIVATE, PUBLIC

if TYPE_CHECKING:
    import duckdb

SCORED_TABLE = "submission_scored"


@dataclass(frozen=True)
class Score:
    """The public and private score of one submission, and how many rows each covers."""

    public: float
    private: float
    rows: int
    public_rows: int
    private_rows: int
    file_format: str


def score_file(
    con: duckdb.DuckDBPyConnection, card: Card, path: Path, rules: SubmissionRules | None = None
) -> Score:
    """Validate the file at `path` and score it on the public and the private rows.

    Raises SubmissionRejected (with every problem found) for a file that fails a check.
    """
    rules = rules or validation.load_rules(con, card)
    raw = validation.read_file(con, path)
    checked = validation.check(con, raw, rules)
    return score_checked(con, card, rules, checked)


def score_checked(
    con: duckdb.DuckDBPyConnection, card: Card, rules: SubmissionRules, checked: Checked
) -> Score:
    """Score a file that passed the checks: one query, public and private score together."""
    label_types = {str(r[0]): str(r[1]) for r in con.execute("DESCRIBE labels").fetchall()}
    metric = get_metric(card.metric)
    kind = Prediction(rules.prediction)
    ctx = metric_context(card)
    assert len(card.target_columns) == 1, "scoring supports one target column"
    target = q(card.target)
    label_text = validation.text_sql(f"l.{target}", label_types[card.target])
    params: list[object] = []
    predictions = rules.prediction_rules
    if kind is Prediction.CLASS_PROBABILITIES:
        assert card.classes is not None
        y = label_text
        p = ", ".join(f"s.{checked.columns[label][1]} AS p_{i}" for i, label in enumerate(card.classes))
    else:
        assert len(predictions) == 1, "one prediction column expected"
        text, num = checked.columns[predictions[0].name]
        text, num = f"s.{text}", (f"s.{num}" if num is not None else None)
        if kind is Prediction.LABEL:
            y, p = label_text, f"{validation.canonical_sql(text, num)} AS p"
        elif kind is Prediction.PROBABILITY:
            y = f"CASE WHEN {label_text} = ? THEN 1 ELSE 0 END"
            params.append(ctx.positive)
            p = f"{num} AS p"
        elif kind is Prediction.VALUE:
            y, p = f"CAST(l.{target} AS DOUBLE)", f"{num} AS p"
        else:
            y, p = label_text, f"{text} AS p"
    table = q(SCORED_TABLE)
    con.execute(
        f"CREATE OR REPLACE TEMP TABLE {table} AS SELECT l.usage AS usage, {y} AS y, {p} "
        f"FROM {q(checked.table)} AS s JOIN labels AS l ON {checked.label_key} = s.id_key",
        params,
    )
    if kind is Prediction.CLASS_PROBABILITIES:
        columns = ", ".join(["y", *(f"p_{i}" for i in range(len(card.classes or ())))])
    else:
        columns = "y, p"
    views = {}
    for usage in (PUBLIC, PRIVATE):
        view = q(f"{SCORED_TABLE}_{usage.lower()}")
        con.execute(
            f"CREATE OR REPLACE TEMP VIEW {view} AS SELECT {columns} FROM {table} WHERE usage = '{usage}'"
        )
        views[usage] = view
    public_sql, private_sql = (metric.sql(views[u], ctx) for u in (PUBLIC, PRIVATE))
    named = dict(metric.parameters(ctx))
    row = con.execute(
        f"SELECT ({public_sql}), ({private_sql}), "
        f"(SELECT count(*) FILTER (WHERE usage = '{PUBLIC}') FROM {table}), "
        f"(SELECT count(*) FILTER (WHERE usage = '{PRIVATE}') FROM {table})",
        named or None,
    ).fetchall()[0]
    public, private, n_public, n_private = row
    if public is None or private is None:
        part = "public" if public is None else "private"
        needs = metric.requires or "rows it can be computed on"
        raise MetricError(
            f"{card.metric} is undefined on the {part} rows of {card.slug} (it needs {needs}); "
            "the competition's split cannot be scored. Prepare it again with another split seed."
        )
    return Score(
        float(public), float(private), checked.rows, int(n_public), int(n_private), checked.raw.format
    )


def metric_context(card: Card) -> MetricContext:
    """The metric's context for `card`: classes, metric options and task."""
    return MetricContext.for_card(card)
