"""Scoring an in-memory frame with a metric's own SQL (kernels' CV, tests, worked examples)."""

from __future__ import annotations

import math
from typing import TYPE_CHECKING, Any

from harness.errors import MetricError
from harness.metrics._base import Metric, MetricContext, Prediction

if TYPE_CHECKING:
    import duckdb
    import pandas as pd
    import pyarrow as pa

RELATION = "scored_rows"


def score_frame(
    metric: Metric,
    frame: pd.DataFrame | pa.Table,
    ctx: MetricContext,
    *,
    con: duckdb.DuckDBPyConnection | None = None,
) -> float:
    """Run `metric`'s SQL over `frame` (a pandas frame or an Arrow table), which holds the relation's
    columns (`y`, `p` or `y`, `p_0..`).

    The columns are cast to the relation's types (see `Metric`). `con` reuses an in-memory DuckDB
    connection (opening one costs tens of milliseconds); by default a fresh one is opened and closed.
    Returns the score; raises MetricError when the metric is undefined on these rows (e.g. roc_auc
    with one class only).
    """
    from harness import engine

    kind = metric.kind(ctx)
    if kind is Prediction.CLASS_PROBABILITIES:
        assert ctx.classes, "class probabilities need the card's classes"
        p_columns = [f"p_{i}" for i in range(len(ctx.classes))]
        casts = ["CAST(y AS VARCHAR) AS y", *(f"CAST({c} AS DOUBLE) AS {c}" for c in p_columns)]
    elif kind in (Prediction.VALUES, Prediction.PROBABILITIES):
        y_type = "DOUBLE" if kind is Prediction.VALUES else "INTEGER"
        casts = [f"CAST(y_{j} AS {y_type}) AS y_{j}" for j in range(ctx.targets)]
        casts += [f"CAST(p_{j} AS DOUBLE) AS p_{j}" for j in range(ctx.targets)]
    else:
        y_type, p_type = _TYPES[kind]
        casts = [f"CAST(y AS {y_type}) AS y", f"CAST(p AS {p_type}) AS p"]
    # The relation as a WITH over the registered frame, around the metric's own SELECT: one statement,
    # where a view would take two more (create, drop) per call, and a fold is scored in milliseconds.
    relation = f"{RELATION} AS (SELECT {', '.join(casts)} FROM frame_rows)"
    query = f"WITH {relation} SELECT * FROM ({metric.query(RELATION, ctx)})"
    own = con is None
    con = engine.connect() if con is None else con
    try:
        con.register("frame_rows", frame)
        rows = con.execute(query, metric.parameters(ctx)).fetchall()
    finally:
        if own:
            con.close()
        else:
            con.unregister("frame_rows")
    value = rows[0][0]
    if value is None or math.isnan(value):
        raise MetricError(
            f"{metric.name} is undefined on these {len(frame)} rows: it requires {metric.requires}."
        )
    return float(value)


_TYPES = {
    Prediction.LABEL: ("VARCHAR", "VARCHAR"),
    Prediction.PROBABILITY: ("INTEGER", "DOUBLE"),
    Prediction.VALUE: ("DOUBLE", "DOUBLE"),
    Prediction.RANKING: ("VARCHAR", "VARCHAR"),
    Prediction.TEXT: ("VARCHAR", "VARCHAR"),
}


def relation_frame(metric: Metric, y_true: Any, y_pred: Any, ctx: MetricContext) -> pd.DataFrame:
    """The relation `metric` scores, built from raw targets and predictions.

    `y_true` holds the target's values (class labels compare as text to `ctx.classes`, so 1 matches
    "1"); `y_pred` is a 1-D sequence, or for class probabilities a 2-D array (n, K) in `ctx.classes`
    order or a frame with one column per class.
    """
    import numpy as np
    import pandas as pd

    kind = metric.kind(ctx)
    if kind in (Prediction.VALUES, Prediction.PROBABILITIES):
        truth, pred = np.asarray(y_true), np.asarray(y_pred, dtype=float)
        if kind is Prediction.PROBABILITIES:  # each target's positive class (the card's last) is 1
            truth = (np.vectorize(str)(truth) == ctx.positive).astype(int) if ctx.positive else truth
        columns = {f"y_{j}": truth[:, j] for j in range(truth.shape[1])}
        return pd.DataFrame({**columns, **{f"p_{j}": pred[:, j] for j in range(pred.shape[1])}})
    labels = np.array([str(v) for v in y_true], dtype=object)
    if kind is Prediction.CLASS_PROBABILITIES:
        assert ctx.classes
        if isinstance(y_pred, pd.DataFrame):
            y_pred = y_pred[list(ctx.classes)]
        probs = np.asarray(y_pred, dtype=float)
        assert probs.shape == (len(labels), len(ctx.classes)), (
            f"expected (n, K) probabilities, got {probs.shape}"
        )
        frame = pd.DataFrame({"y": labels})
        for i in range(probs.shape[1]):
            frame[f"p_{i}"] = probs[:, i]
        return frame
    pred = np.asarray(y_pred)
    if kind is Prediction.TEXT:
        from harness.open_label import answer_text

        texts = [answer_text(v) for v in np.asarray(y_true, dtype=object)]
        return pd.DataFrame({"y": texts, "p": [answer_text(v) for v in pred.astype(object)]})
    if kind is Prediction.PROBABILITY:
        return pd.DataFrame({"y": (labels == ctx.positive).astype(int), "p": pred.astype(float)})
    if kind is Prediction.VALUE:
        return pd.DataFrame({"y": np.asarray(y_true, dtype=float), "p": pred.astype(float)})
    return pd.DataFrame({"y": labels, "p": np.array([str(v) for v in pred], dtype=object)})


def score_predictions(metric: Metric, y_true: Any, y_pred: Any, ctx: MetricContext) -> float:
    """Score raw targets and predictions with `metric`'s SQL (see `relation_frame`, `score_frame`)."""
    return score_frame(metric, relation_frame(metric, y_true, y_pred, ctx), ctx)
