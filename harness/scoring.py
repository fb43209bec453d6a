"""Submission file → validated → joined to the hidden labels in DuckDB → public and private score.

Everything happens on the caller's store connection, in one of two ways that give the same result:

- the fast path (`score_fast`): the file is read with its columns' own types (ids and predictions
  as numbers) and joined to `labels` in one statement, into a slim table of what the metric needs
  (`pub`, `y`, `p` …) plus one flag per row, `ok`: the row matched a label and passed every check.
  One count tells whether the file is clean: no row not ok, and as many rows as labels (with every
  label matched and every row matched, that rules out duplicate ids). Then the metric.
- the checked path: the file is read once as text (`validation.read_file`), checked against the
  competition's rules (`validation.check`), which names every problem, joined to `labels` the same
  way, and scored by the same query.

`score_file` tries the fast path and falls back to the checked path when the typed read fails (a
text where a number belongs, a ragged row, an odd header …) or any row is not ok; so a rejection
message always comes from `check`, whichever path noticed the problem first.

The metric's SQL (`Metric.sql`) runs over two views of the slim table, public and private rows, in
one query giving both scores.

While scoring, the connection runs with `preserve_insertion_order = false` (no query here depends
on row order) and `memory_limit = MEMORY_LIMIT` (DuckDB spills to the store's temporary folder
beyond it); both are RESET before `score_file` returns. A connection that has its own value for
either (a memory limit set by the caller) keeps it.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import TYPE_CHECKING, Any

from harness import validation
from harness.competition import Card
from harness.errors import MetricError
from harness.metrics import MetricContext, Prediction
from harness.metrics import get as get_metric
from harness.store import quote_identifier as q
from harness.validation import SubmissionRules
from harness.vault import PRIVATE, PUBLIC

if TYPE_CHECKING:
    import duckdb

SCORED_TABLE = "submission_scored"
MEMORY_LIMIT = "512MB"
_SETTINGS = {"preserve_insertion_order": "false", "memory_limit": MEMORY_LIMIT}


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
    con: duckdb.DuckDBPyConnection,
    card: Card,
    path: Path,
    rules: SubmissionRules | None = None,
    *,
    fast: bool = True,
) -> Score:
    """Validate the file at `path` and score it on the public and the private rows.

    Raises SubmissionRejected (with every problem found) for a file that fails a check. `fast=False`
    skips the fast path (the result is the same; for tests and comparisons). Inside an explicit
    transaction (rescoring at close) the fast path is skipped too: a typed read that fails would
    abort the caller's transaction.
    """
    rules = rules or validation.load_rules(con, card)
    with _scoring_settings(con):
        if fast and not _in_transaction(con):
            score = score_fast(con, card, path, rules)
            if score is not None:
                return score
        raw = validation.read_file(con, path)
        checked = validation.check(con, raw, rules)
        _build_scored(
            con,
            card,
            rules,
            checked.columns,
            source=q(checked.table),
            join="JOIN",
            label_key=checked.label_key,
            params={},
        )
        return _score(con, card, rules, checked.rows, checked.raw.format)


def _in_transaction(con: duckdb.DuckDBPyConnection) -> bool:
    """Whether the connection is inside an explicit transaction (its statements share one id)."""
    ids = [con.execute("SELECT txid_current()").fetchall()[0][0] for _ in range(2)]
    return ids[0] == ids[1]


def score_fast(
    con: duckdb.DuckDBPyConnection, card: Card, path: Path, rules: SubmissionRules
) -> Score | None:
    """The score by the fast path, or None when the file needs the checked path (see the module doc).

    Raises SubmissionRejected only for what `validation.sniff` rejects (an empty or binary file …),
    and MetricError as `score_file` does.
    """
    import duckdb

    read = validation.fast_read(con, path, rules)
    if read is None:
        return None
    try:
        _build_scored(
            con,
            card,
            rules,
            read.columns,
            source=f"({read.sql})",
            join="FULL JOIN",
            label_key=read.label_key,
            params=read.params,
            bad=read.bad,
        )
        not_ok, rows = con.execute(
            f"SELECT count(*) FILTER (WHERE NOT ok), count(*) FROM {q(SCORED_TABLE)}"
        ).fetchall()[0]
        labels = con.execute("SELECT count(*) FROM labels").fetchall()[0][0]
    except duckdb.Error:
        return None
    if not_ok or rows != labels:
        return None
    return _score(con, card, rules, int(rows), read.format)


def _build_scored(
    con: duckdb.DuckDBPyConnection,
    card: Card,
    rules: SubmissionRules,
    columns: dict[str, tuple[str, str | None]],
    *,
    source: str,
    join: str,
    label_key: str,
    params: dict[str, Any],
    bad: str | None = None,
) -> None:
    """The slim table `submission_scored`: `pub` (public row or not), `y`, `p` or `p_0..` and `ok`.

    `source` (a table or subquery, as `s`) gives `id_key` and the columns named in `columns`; it is
    joined to `labels AS l` on `label_key = s.id_key`. `ok` says the row matched on both sides and
    is not `bad` (a NULL counts as not ok).
    """
    label_types = {str(r[0]): str(r[1]) for r in con.execute("DESCRIBE labels").fetchall()}
    kind = Prediction(rules.prediction)
    ctx = metric_context(card)
    assert len(card.target_columns) == 1, "scoring supports one target column"
    target = q(card.target)
    label_type = label_types[card.target]
    label_text = validation.text_sql(f"l.{target}", label_type)
    params = dict(params)
    predictions = rules.prediction_rules
    if kind is Prediction.CLASS_PROBABILITIES:
        assert card.classes is not None
        y = label_text
        p = ", ".join(f"s.{columns[label][1]} AS p_{i}" for i, label in enumerate(card.classes))
    else:
        assert len(predictions) == 1, "one prediction column expected"
        text, num = columns[predictions[0].name]
        text, num = f"s.{text}", (f"s.{num}" if num is not None else None)
        if kind is Prediction.LABEL:
            y, p = label_text, f"{validation.canonical_sql(text, num)} AS p"
        elif kind is Prediction.PROBABILITY:
            positive = _is_positive(con, f"l.{target}", label_type, label_text, ctx, params)
            y = f"CASE WHEN {positive} THEN 1 ELSE 0 END"
            p = f"{num} AS p"
        elif kind is Prediction.VALUE:
            y, p = f"CAST(l.{target} AS DOUBLE)", f"{num} AS p"
        else:
            y, p = label_text, f"{text} AS p"
    matched = f"s.id_key IS NOT NULL AND l.{q(rules.id_column)} IS NOT NULL"
    ok = f"coalesce({matched} AND NOT ({bad}), false)" if bad else "true"
    con.execute(
        f"CREATE OR REPLACE TEMP TABLE {q(SCORED_TABLE)} AS SELECT "
        f"CASE l.usage WHEN '{PUBLIC}' THEN true WHEN '{PRIVATE}' THEN false END AS pub, {y} AS y, {p}, "
        f"{ok} AS ok FROM {source} AS s {join} labels AS l ON {label_key} = s.id_key",
        params or None,
    )


def _is_positive(
    con: duckdb.DuckDBPyConnection,
    label: str,
    label_type: str,
    label_text: str,
    ctx: MetricContext,
    params: dict[str, Any],
) -> str:
    """SQL: the label is the positive class, compared in the label's own type when that is exact.

    The positive label (text) is cast to the label column's type once; if that value's text is the
    positive label again, comparing typed values equals comparing the labels' text.
    """
    import duckdb

    params["positive"] = ctx.positive
    try:
        typed = con.execute(
            f"SELECT {validation.text_sql('v', label_type)} "
            f"FROM (SELECT TRY_CAST($positive AS {label_type}) AS v)",
            {"positive": ctx.positive},
        ).fetchall()[0][0]
    except duckdb.Error:
        typed = None
    if typed == ctx.positive:
        return f"{label} = CAST($positive AS {label_type})"
    return f"{label_text} = $positive"


def _score(con: duckdb.DuckDBPyConnection, card: Card, rules: SubmissionRules, rows: int, fmt: str) -> Score:
    """Public and private score over the slim table, in one query."""
    metric = get_metric(card.metric)
    ctx = metric_context(card)
    table = q(SCORED_TABLE)
    if Prediction(rules.prediction) is Prediction.CLASS_PROBABILITIES:
        columns = ", ".join(["y", *(f"p_{i}" for i in range(len(card.classes or ())))])
    else:
        columns = "y, p"
    views = {}
    for usage, where in ((PUBLIC, "pub"), (PRIVATE, "NOT pub")):
        view = q(f"{SCORED_TABLE}_{usage.lower()}")
        con.execute(f"CREATE OR REPLACE TEMP VIEW {view} AS SELECT {columns} FROM {table} WHERE {where}")
        views[usage] = view
    public_sql, private_sql = (metric.sql(views[u], ctx) for u in (PUBLIC, PRIVATE))
    named = dict(metric.parameters(ctx))
    row = con.execute(
        f"SELECT ({public_sql}), ({private_sql}), "
        f"(SELECT count(*) FILTER (WHERE pub) FROM {table}), "
        f"(SELECT count(*) FILTER (WHERE NOT pub) FROM {table})",
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
    return Score(float(public), float(private), rows, int(n_public), int(n_private), fmt)


@contextmanager
def _scoring_settings(con: duckdb.DuckDBPyConnection) -> Iterator[None]:
    """Set `_SETTINGS` on the connection for the block and put the previous values back after it.

    A setting the connection has changed from DuckDB's default (a memory limit of its own) is left
    as it is; the others are RESET after the block.
    """
    changed = []
    try:
        for name, value in _SETTINGS.items():
            if _setting(con, name) == _default(name):
                changed.append(name)
                con.execute(f"SET {name} = {validation.literal(value)}")
        yield
    finally:
        for name in changed:
            con.execute(f"RESET {name}")


def _setting(con: duckdb.DuckDBPyConnection, name: str) -> str:
    return str(con.execute(f"SELECT current_setting('{name}')").fetchall()[0][0])


@cache
def _default(name: str) -> str:
    import duckdb

    with duckdb.connect() as con:
        return _setting(con, name)


def metric_context(card: Card) -> MetricContext:
    """The metric's context for `card`: classes, metric options and task."""
    return MetricContext.for_card(card)
