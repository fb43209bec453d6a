"""The statistics of the reports: the metric on groups of rows, bootstrap intervals and paired ties,
rank correlation and calibration.

Everything runs over the report's own DuckDB (`History.con`), on the table `preds` (see
`history.load_predictions`), with the competition metric's own SQL:

- `scores_by` computes the metric per group (a slice of the test set, a submission): one GROUP BY
  for a metric with an `aggregate` form, one query per group for any other (ROC AUC, F1, QWK …).
- `replicates` resamples the public rows with replacement, the same draws for every submission, so
  two submissions' replicates are paired (the same rows each time). For a metric that is the mean
  of a per-row value (accuracy, MAE, log loss) or the root of the mean of its square (RMSE, RMSLE),
  DuckDB computes each row's value with the metric's own SQL over that row alone, and the resampled
  means are one matrix product of the draw counts and the values (numpy). For any other metric each
  replicate is scored by the metric's SQL over its resampled rows (a join to a table of drawn row
  indices, one GROUP BY on the replicate for an aggregate form, else one query per replicate), with
  fewer replicates (`SLOW_REPLICATES`).
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import asdict, dataclass
from typing import TYPE_CHECKING, Any

from harness import validation
from harness.metrics import Metric, MetricContext, Prediction
from harness.reports.history import PREDS, Entry, History, load_predictions
from harness.validation import SubmissionRules

if TYPE_CHECKING:
    import duckdb
    import numpy as np

REPLICATES = 400
SLOW_REPLICATES = 100
SEED = 20240601
LEVEL = 0.95
# The metrics that are a mean of a per-row value (accuracy, MAE, log loss), and those that are the
# root of the mean of its square: each row's value is the metric over that row alone.
MEAN_OF_ROWS = frozenset({"accuracy", "mae", "log_loss"})
ROOT_MEAN_SQUARE = frozenset({"rmse", "rmsle"})


def columns_sql(history: History) -> str:
    if history.kind is Prediction.CLASS_PROBABILITIES:
        assert history.card.classes is not None
        return ", ".join(["y", *(f"p_{i}" for i in range(len(history.card.classes)))])
    return "y, p"


def scores_by(
    con: duckdb.DuckDBPyConnection,
    metric: Metric,
    ctx: MetricContext,
    relation: str,
    group: str,
    columns: str,
) -> dict[Any, float | None]:
    """The metric over the rows of `relation` per value of the SQL expression `group`."""
    params = metric.parameters(ctx) or None
    if metric.aggregate is not None:
        sql = f"SELECT {group} AS g, {metric.aggregate(ctx)} FROM {relation} GROUP BY g"
        return {g: _finite(v) for g, v in con.execute(sql, params).fetchall()}
    out: dict[Any, float | None] = {}
    con.execute(
        f"CREATE OR REPLACE TEMP TABLE grouped_rows AS SELECT {group} AS g, {columns} FROM {relation}"
    )
    for (g,) in con.execute("SELECT DISTINCT g FROM grouped_rows ORDER BY g").fetchall():
        con.execute(
            "CREATE OR REPLACE TEMP TABLE one_group AS "
            "SELECT * EXCLUDE (g) FROM grouped_rows WHERE g IS NOT DISTINCT FROM $g",
            {"g": g},
        )
        out[g] = _finite(con.execute(metric.query("one_group", ctx), params).fetchall()[0][0])
    con.execute("DROP TABLE IF EXISTS grouped_rows")
    con.execute("DROP TABLE IF EXISTS one_group")
    return out


def _finite(value: Any) -> float | None:
    return None if value is None or not math.isfinite(float(value)) else float(value)


def decomposable(metric: Metric) -> bool:
    """Whether the metric is a mean of a per-row value, or the root of such a mean."""
    return metric.name in MEAN_OF_ROWS | ROOT_MEAN_SQUARE


def replicates(
    history: History,
    refs: Sequence[str],
    *,
    reps: int | None = None,
    seed: int = SEED,
    values: np.ndarray | None = None,
) -> dict[str, np.ndarray]:
    """The public score of each of `refs` on `reps` resamples of the public rows (the same for all).

    `values` are the rows' values (`row_values`, one column per ref) when the caller has them.
    """
    import numpy as np

    metric = history.metric
    n = history.public_rows
    if not refs or n == 0:
        return {}
    rng = np.random.default_rng(seed)
    by_rows = decomposable(metric)
    reps = reps or (REPLICATES if by_rows else SLOW_REPLICATES)
    draws = rng.integers(0, n, size=(reps, n))
    if by_rows:
        # counts[r, j]: how often replicate r drew public row j.
        cells = (np.arange(reps)[:, None] * n + draws).ravel()
        counts = np.bincount(cells, minlength=reps * n).reshape(reps, n).astype(float)
        values = row_values(history, refs) if values is None else values
        if metric.name in ROOT_MEAN_SQUARE:
            values = values * values
        means = counts @ values / n
        scores = np.sqrt(means) if metric.name in ROOT_MEAN_SQUARE else means
        return {ref: scores[:, k] for k, ref in enumerate(refs)}
    return _sql_replicates(history, refs, draws)


def row_values(history: History, refs: Sequence[str]) -> np.ndarray:
    """Each public row's value of the metric (its SQL over that row alone), one column per ref,
    from the rows of `refs` in `preds`."""
    got = _grouped_rows(history, refs, f"SELECT * FROM {PREDS} WHERE pub AND list_contains($wanted, seq)")
    return _by_row(history, refs, got)


def public_row_values(
    history: History, entries: Sequence[Entry], rules: SubmissionRules
) -> tuple[list[str], np.ndarray, set[str]]:
    """The refs of `entries` whose kept files were read, each public row's value of the metric (one
    column per ref, as `row_values`) and the refs whose probabilities are all 0 or 1 (as
    `hard_predictions`), worked out as the files' rows stream out of the match to the labels: the
    rows are never stored in `preds`."""
    import numpy as np

    parts: list[dict[str, np.ndarray]] = []

    def keep(rows: str, params: dict[str, Any]) -> None:
        seqs = [e.seq for e in entries]
        parts.append(_grouped_rows(history, seqs, f"SELECT * FROM ({rows}) WHERE pub", params, hard=True))

    refs = load_predictions(history, list(entries), rules, public_only=True, into=keep)
    if not parts:
        return refs, np.full((history.public_rows, len(refs)), np.nan), set()
    # Most often one group of files (one layout): its arrays as they came.
    got = parts[0] if len(parts) == 1 else {k: np.concatenate([p[k] for p in parts]) for k in parts[0]}
    # As bool_and over a ref's rows: NULLs (-1) left out, and no row left means not hard.
    size = int(got["seq"].max(initial=0)) + 1
    soft = np.bincount(got["seq"][got["h"] == 0], minlength=size)
    certain = np.bincount(got["seq"][got["h"] == 1], minlength=size)
    seqs = {e.ref: e.seq for e in history.entries}
    hard = {ref for ref in refs if seqs[ref] < size and not soft[seqs[ref]] and certain[seqs[ref]]}
    return refs, _by_row(history, refs, got), hard


def _grouped_rows(
    history: History,
    refs_or_seqs: Sequence[str] | Sequence[int],
    rows: str,
    params: dict[str, Any] | None = None,
    *,
    hard: bool = False,
) -> dict[str, np.ndarray]:
    """`seq`, `j` and `v` (the metric over that one row) of `rows` grouped by (seq, j); with `hard`,
    `h`: 1, 0 or -1 as the row's probabilities are all 0 or 1, not, or NULL.

    One GROUP BY on (submission, public row): both small whole numbers, so DuckDB may group them in
    a perfect hash table (a plain array) when it is allowed enough bits for it.
    """
    con, metric = history.con, history.metric
    assert metric.aggregate is not None
    seqs = {e.ref: e.seq for e in history.entries}
    wanted = [r if isinstance(r, int) else seqs[r] for r in refs_or_seqs]
    bits = max(max(wanted, default=1).bit_length() + max(history.public_rows, 1).bit_length() + 2, 12)
    test = hard_test(history) if hard else None
    h = ""
    if hard:
        h = f", CASE {test} WHEN true THEN 1 WHEN false THEN 0 ELSE -1 END AS h" if test else ", -1 AS h"
    sql = f"SELECT seq, j, {metric.aggregate(history.ctx)} AS v{h} FROM ({rows}) GROUP BY seq, j"
    values = {**(params or {}), **metric.parameters(history.ctx), "wanted": wanted}
    before = con.execute("SELECT current_setting('perfect_ht_threshold')").fetchall()[0][0]
    con.execute(f"SET perfect_ht_threshold = {min(bits, 32)}")
    try:
        got = con.execute(sql, validation.used_parameters(values, sql)).fetchnumpy()
    finally:
        con.execute(f"SET perfect_ht_threshold = {before}")
    return {k: got[k] for k in got}


def _by_row(history: History, refs: Sequence[str], got: dict[str, np.ndarray]) -> np.ndarray:
    """The values `got` (`seq`, `j`, `v`) as a matrix: one row per public row, one column per ref."""
    import numpy as np

    seqs = {e.ref: e.seq for e in history.entries}
    wanted = [seqs[ref] for ref in refs]
    column = np.full(max(wanted, default=0) + 1, -1)
    column[wanted] = np.arange(len(refs))
    values = np.full((history.public_rows, len(refs)), np.nan)
    values[got["j"], column[got["seq"]]] = got["v"]
    return values


def _frame(columns: dict[str, Any]) -> Any:
    import pyarrow as pa

    return pa.table(columns)


def _sql_replicates(history: History, refs: Sequence[str], draws: np.ndarray) -> dict[str, np.ndarray]:
    """Each replicate scored by the metric's SQL over its drawn rows (a table of drawn row indices)."""
    import numpy as np

    con, metric, ctx = history.con, history.metric, history.ctx
    reps, n = draws.shape
    con.register("drawn", _frame({"rep": np.repeat(np.arange(reps), n), "j": draws.ravel()}))
    columns = columns_sql(history)
    picked = ", ".join("s." + c.strip() for c in columns.split(","))
    out: dict[str, np.ndarray] = {}
    for ref in refs:
        relation = (
            f"(SELECT d.rep, {picked} FROM drawn AS d "
            f"JOIN {PREDS} AS s ON s.j = d.j AND s.pub AND s.ref = {_literal(ref)})"
        )
        got = scores_by(con, metric, ctx, relation, "rep", columns)
        out[ref] = np.array([np.nan if got.get(r) is None else got[r] for r in range(reps)], dtype=float)
    con.unregister("drawn")
    return out


def _literal(text: str) -> str:
    return "'" + text.replace("'", "''") + "'"


@dataclass(frozen=True)
class Interval:
    low: float
    high: float

    @property
    def half_width(self) -> float:
        return (self.high - self.low) / 2

    def as_dict(self) -> dict[str, float]:
        return asdict(self)


def interval(values: np.ndarray, level: float = LEVEL) -> Interval | None:
    """The percentile interval of bootstrap replicates (None when there are none)."""
    import numpy as np

    finite = values[np.isfinite(values)]
    if finite.size == 0:
        return None
    tail = (1 - level) / 2 * 100
    low, high = np.percentile(finite, [tail, 100 - tail])
    return Interval(float(low), float(high))


def tied(a: np.ndarray, b: np.ndarray, level: float = LEVEL) -> bool:
    """Whether two paired replicate series are tied: the interval of their difference holds 0."""
    diff = interval(a - b, level)
    return diff is not None and diff.low <= 0.0 <= diff.high


def spearman(x: Sequence[float], y: Sequence[float]) -> float | None:
    """Spearman's rank correlation: Pearson's correlation of the ranks, ties sharing their average
    rank, as `scipy.stats.spearmanr` (a test compares the two; importing scipy.stats alone costs
    more than the reports' statistics). None with fewer than 3 pairs or no spread."""
    import numpy as np

    if len(x) < 3 or len(set(x)) < 2 or len(set(y)) < 2:
        return None
    rx, ry = _average_ranks(np.asarray(x, dtype=float)), _average_ranks(np.asarray(y, dtype=float))
    return float(np.corrcoef(rx, ry)[0, 1])


def _average_ranks(values: np.ndarray) -> np.ndarray:
    import numpy as np

    order = values.argsort(kind="mergesort")
    ranks = np.empty(len(values))
    ranks[order] = np.arange(1, len(values) + 1)
    _, inverse = np.unique(values, return_inverse=True)
    return np.asarray((np.bincount(inverse, ranks) / np.bincount(inverse))[inverse])


@dataclass(frozen=True)
class Bin:
    low: float
    high: float
    rows: int
    confidence: float
    observed: float

    def as_dict(self) -> dict[str, float | int]:
        return asdict(self)


@dataclass(frozen=True)
class Calibration:
    """A reliability curve: predicted probability against observed frequency, in equal-width bins.

    For a binary task the probability is of the positive class; for a multiclass task it is the
    top class's (confidence) against whether the top class was right. `ece` is the expected
    calibration error: sum over bins of (rows / n) * |observed - confidence|.
    """

    what: str
    bins: tuple[Bin, ...]
    ece: float
    rows: int

    def as_dict(self) -> dict[str, Any]:
        return {
            "what": self.what,
            "ece": self.ece,
            "rows": self.rows,
            "bins": [b.as_dict() for b in self.bins],
        }


def calibration(history: History, ref: str, n_bins: int = 10) -> Calibration | None:
    """The reliability curve of `ref` over its rows (None unless the metric scores probabilities)."""
    kind = history.kind
    if kind is Prediction.PROBABILITY:
        conf, hit, what = "p", "CAST(y AS DOUBLE)", "probability of the positive class"
    elif kind is Prediction.CLASS_PROBABILITIES:
        assert history.card.classes is not None
        k = len(history.card.classes)
        ps = [f"p_{i}" for i in range(k)]
        conf = f"greatest({', '.join(ps)})"
        top = (
            "CASE "
            + " ".join(f"WHEN p_{i} = {conf} THEN {_literal(c)}" for i, c in enumerate(history.card.classes))
            + " END"
        )
        hit, what = f"CAST({top} = y AS DOUBLE)", "confidence of the top class"
    else:
        return None
    # Summed in the rows' order, so that the same predictions always give the same curve, however
    # the rows lie in `preds`.
    sql = (
        f"SELECT b, count(*), avg(c ORDER BY i), avg(h ORDER BY i) "
        f"FROM (SELECT least(floor(c * {n_bins}), {n_bins - 1}) AS b, c, h, i "
        f"FROM (SELECT {conf} AS c, {hit} AS h, i FROM {PREDS} WHERE ref = $ref)) GROUP BY b ORDER BY b"
    )
    rows = history.con.execute(sql, {"ref": ref}).fetchall()
    total = sum(r[1] for r in rows)
    if not total:
        return None
    bins = tuple(
        Bin(float(b) / n_bins, (float(b) + 1) / n_bins, int(count), float(c), float(h))
        for b, count, c, h in rows
    )
    ece = sum(b.rows / total * abs(b.observed - b.confidence) for b in bins)
    return Calibration(what, bins, float(ece), int(total))


def hard_test(history: History) -> str | None:
    """SQL that is true when all the probabilities of the grouped rows are 0 or 1 (None unless the
    metric scores probabilities)."""
    kind = history.kind
    if kind is Prediction.PROBABILITY:
        return "bool_and(p IN (0, 1))"
    if kind is Prediction.CLASS_PROBABILITIES:
        assert history.card.classes is not None
        return " AND ".join(f"bool_and(p_{i} IN (0, 1))" for i in range(len(history.card.classes)))
    return None


def hard_predictions(history: History, refs: Sequence[str]) -> list[str]:
    """Refs whose probabilities are all exactly 0 or 1 in `preds` (labels where probabilities are scored)."""
    test = hard_test(history)
    if test is None:
        return []
    got = history.con.execute(f"SELECT ref, {test} FROM {PREDS} GROUP BY ref").fetchall()
    return sorted(ref for ref, hard in got if hard and ref in refs)
