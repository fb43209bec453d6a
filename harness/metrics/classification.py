"""Classification metrics."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from harness.metrics._base import Metric, MetricContext, Prediction


def _accuracy_sql(rel: str, ctx: MetricContext) -> str:
    return f"SELECT avg(CASE WHEN y = p THEN 1.0 ELSE 0.0 END) FROM {rel}"


def _accuracy_ref(y_true: Sequence[Any], y_pred: Any, ctx: MetricContext) -> float:
    from sklearn.metrics import accuracy_score

    return float(accuracy_score(y_true, y_pred))


ACCURACY = Metric(
    name="accuracy",
    title="Accuracy",
    greater_is_better=True,
    minimum=0.0,
    maximum=1.0,
    tasks=frozenset({"binary", "multiclass"}),
    prediction=Prediction.LABEL,
    sql=_accuracy_sql,
    reference=_accuracy_ref,
    formula=r"\frac{1}{n}\sum_i [\hat y_i = y_i]",
)

METRICS = (ACCURACY,)
