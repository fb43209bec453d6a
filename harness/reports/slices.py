"""The metric on slices of the test set: each categorical feature's values, numeric features in
quantile bins, text length in quantile bins (for text competitions), each with its row count."""

from __future__ import annotations

from dataclasses import asdict, dataclass
from typing import Any

from harness.reports.history import PREDS, History
from harness.reports.stats import columns_sql, scores_by
from harness.store import quote_identifier as q

CATEGORIES_MAX = 20  # a column with more distinct values is binned (numbers) or measured (text)
BINS = 5
TEXT_AVERAGE = 30  # a column whose values average more characters is free text, sliced by its length
_NUMERIC = ("TINYINT", "SMALLINT", "INTEGER", "BIGINT", "HUGEINT", "FLOAT", "DOUBLE", "DECIMAL")


@dataclass(frozen=True)
class Slice:
    feature: str
    slice: str
    rows: int
    score: float | None
    small: bool = False  # fewer rows than `small_slice` allows: listed after the others

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)


def slice_scores(history: History, ref: str) -> list[Slice]:
    """The metric of `ref` on every slice, worst first; small slices (`small_slice`) and slices
    where the metric is undefined come last."""
    con, card = history.con, history.card
    test = history.ws.data_dir(card.slug) / "test.csv"
    if not test.is_file():
        return []
    con.execute(
        "CREATE OR REPLACE TEMP TABLE test_features AS SELECT * FROM read_csv(?, header = true)", [str(test)]
    )
    label_id = q(card.id_column)
    features = [
        (str(name), str(sql_type))
        for name, sql_type, *_ in con.execute("DESCRIBE test_features").fetchall()
        if name != card.id_column
    ]
    # Each feature under a name of its own (`f_0`, …): a feature called `y` or `p` would clash.
    picked = "".join(f", t.{q(name)} AS f_{k}" for k, (name, _) in enumerate(features))
    con.execute(
        f"CREATE OR REPLACE TEMP TABLE sliced AS SELECT s.*{picked} FROM {PREDS} AS s "
        f"JOIN labels AS l ON l.i = s.i JOIN test_features AS t ON CAST(t.{label_id} AS VARCHAR) = "
        f"CAST(l.{label_id} AS VARCHAR) WHERE s.ref = $ref",
        {"ref": ref},
    )
    total = int(con.execute("SELECT count(*) FROM sliced").fetchall()[0][0])
    out: list[Slice] = []
    cols = columns_sql(history)
    for k, (name, sql_type) in enumerate(features):
        group = _group(con, f"f_{k}", sql_type)
        if group is None:
            continue
        counts = dict(con.execute(f"SELECT {group} AS g, count(*) FROM sliced GROUP BY g").fetchall())
        if len(counts) < 2:  # one slice holds every row: nothing to compare
            continue
        scores = scores_by(con, history.metric, history.ctx, "sliced", group, cols)
        out += [Slice(name, str(g), int(counts[g]), scores.get(g)) for g in counts]
    con.execute("DROP TABLE IF EXISTS sliced")
    con.execute("DROP TABLE IF EXISTS test_features")
    sign = history.sign
    least = small_slice(total)
    out = [Slice(s.feature, s.slice, s.rows, s.score, s.rows < least) for s in out]
    return sorted(
        out, key=lambda s: (s.small, s.score is None, -sign * (s.score or 0.0), -s.rows, s.feature, s.slice)
    )


def small_slice(rows: int) -> int:
    """The fewest rows a slice needs to be ranked among the worst: 1% of the rows, at least 10."""
    return max(10, rows // 100)


def _group(con: Any, name: str, sql_type: str) -> str | None:
    """SQL naming each row's slice for the column `name`, or None to leave the column out."""
    col = q(name)
    distinct, average = con.execute(
        f"SELECT approx_count_distinct({col}), avg(length(CAST({col} AS VARCHAR))) FROM sliced"
    ).fetchall()[0]
    numeric = sql_type.upper().startswith(_NUMERIC)
    if distinct <= CATEGORIES_MAX:
        return f"coalesce(CAST({col} AS VARCHAR), '(missing)')"
    if numeric:
        return _binned(con, col, col)
    if (average or 0) > TEXT_AVERAGE:
        return "'length ' || " + _binned(con, f"length(CAST({col} AS VARCHAR))", col)
    return None


def _binned(con: Any, value: str, col: str) -> str:
    """Quantile bins of `value` named by their range, e.g. `(0.12, 0.57]`."""
    cuts = [f / BINS for f in range(1, BINS)]
    edges = con.execute(
        f"SELECT quantile_cont({value}, {cuts}), min({value}), max({value}) FROM sliced"
    ).fetchall()[0]
    inner, low, high = sorted(set(edges[0] or [])), edges[1], edges[2]
    if low is None:
        return "'(missing)'"
    bounds = [float(low), *(float(e) for e in inner if low < e < high), float(high)]
    parts = []
    for k in range(1, len(bounds)):
        a, b = bounds[k - 1], bounds[k]
        opening = "[" if k == 1 else "("
        parts.append(f"WHEN {value} <= {b!r} THEN '{opening}{a:.4g}, {b:.4g}]'")
    return f"CASE WHEN {col} IS NULL THEN '(missing)' {' '.join(parts)} ELSE '(missing)' END"
