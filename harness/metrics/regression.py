"""Regression metrics."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from harness.metrics._base import Metric, MetricContext, Prediction


def _rmse_sql(rel: str, ctx: MetricContext) -> str:
    return f"SELECT sqrt(avg((y - p) ^ 2)) FROM {rel}"


def _rmse_ref(y_true: Sequence[Any], y_pred: Any, ctx: MetricContext) -> float:
    from sklearn.metrics import root_mean_squared_error

    return float(root_mean_squared_error(y_true, y_pred))


RMSE = Metric(
    name="rmse",
    title="Root mean squared error",
    greater_is_better=False,
    minimum=0.0,
    maximum=float("inf"),
    tasks=frozenset({"regression"}),
    prediction=Prediction.VALUE,
    sql=_rmse_sql,
    reference=_rmse_ref,
    formula=r"\sqrt{\frac{1}{n}\sum_i (y_i - \hat y_i)^2}",
)

METRICS = (RMSE,)
