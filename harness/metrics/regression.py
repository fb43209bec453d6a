"""Regression metrics."""

from __future__ import annotations

from typing import Any

from harness.metrics._base import Metric, MetricContext, Prediction

VALUE_TASKS = {"regression": Prediction.VALUE}


# --- RMSE -----------------------------------------------------------------------------------------


# A square is written as a product: DuckDB's `^` calls pow(), several times slower per row.


def _rmse_sql(ctx: MetricContext) -> str:
    return "sqrt(avg((y - p) * (y - p)))"


def _rmse_ref(y_true: Any, y_pred: Any, ctx: MetricContext) -> float:
    from sklearn.metrics import root_mean_squared_error

    return float(root_mean_squared_error(y_true, y_pred))


RMSE = Metric(
    name="rmse",
    title="Root mean squared error",
    greater_is_better=False,
    minimum=0.0,
    maximum=float("inf"),
    predictions=VALUE_TASKS,
    aggregate=_rmse_sql,
    reference=_rmse_ref,
    formula=r"\sqrt{\frac{1}{n}\sum_{i=1}^{n} (y_i - \hat y_i)^2}",
    notes="In the target's own unit. Squaring makes large errors weigh most, so a few outliers can "
    "dominate; the mean is the constant that minimises it.",
    requires="at least one row",
)


# --- RMSLE ----------------------------------------------------------------------------------------


def _rmsle_sql(ctx: MetricContext) -> str:
    return "sqrt(avg((ln(1 + p) - ln(1 + y)) * (ln(1 + p) - ln(1 + y))))"


def _rmsle_ref(y_true: Any, y_pred: Any, ctx: MetricContext) -> float:
    from sklearn.metrics import root_mean_squared_log_error

    return float(root_mean_squared_log_error(y_true, y_pred))


RMSLE = Metric(
    name="rmsle",
    title="Root mean squared logarithmic error",
    greater_is_better=False,
    minimum=0.0,
    maximum=float("inf"),
    predictions=VALUE_TASKS,
    aggregate=_rmsle_sql,
    reference=_rmsle_ref,
    formula=r"\sqrt{\frac{1}{n}\sum_{i=1}^{n} \big(\log(1 + \hat y_i) - \log(1 + y_i)\big)^2}",
    notes="RMSE of log(1 + value): it scores ratios, so being 10% off costs the same on a cheap and a "
    "dear house, and under-prediction costs more than over-prediction by the same amount. Meant for "
    "targets and predictions >= 0 (a competition's schema usually says so); a value <= -1 has no real "
    "logarithm, so the submission checks refuse such a prediction whatever the schema says "
    "(`predictions_above`). DuckDB has no log1p, so the SQL takes "
    "ln(1 + x); it differs from scikit-learn's log1p by at most about 1e-16 per term.",
    requires="values greater than -1 (in practice >= 0)",
    predictions_above=-1.0,
)


# --- MAE ------------------------------------------------------------------------------------------


def _mae_sql(ctx: MetricContext) -> str:
    return "avg(abs(y - p))"


def _mae_ref(y_true: Any, y_pred: Any, ctx: MetricContext) -> float:
    from sklearn.metrics import mean_absolute_error

    return float(mean_absolute_error(y_true, y_pred))


MAE = Metric(
    name="mae",
    title="Mean absolute error",
    greater_is_better=False,
    minimum=0.0,
    maximum=float("inf"),
    predictions=VALUE_TASKS,
    aggregate=_mae_sql,
    reference=_mae_ref,
    formula=r"\frac{1}{n}\sum_{i=1}^{n} |y_i - \hat y_i|",
    notes="In the target's own unit; every unit of error costs the same, so outliers weigh less than "
    "under RMSE. The median is the constant that minimises it.",
    requires="at least one row",
)


# --- R² -------------------------------------------------------------------------------------------


def _r2_sql(ctx: MetricContext) -> str:
    # var_pop is computed in one numerically stable pass; a constant truth follows scikit-learn:
    # 1 for a perfect prediction, else 0.
    return (
        "CASE WHEN var_pop(y) = 0 THEN (CASE WHEN avg((y - p) * (y - p)) = 0 THEN 1.0 ELSE 0.0 END) "
        "ELSE 1 - avg((y - p) * (y - p)) / var_pop(y) END"
    )


def _r2_ref(y_true: Any, y_pred: Any, ctx: MetricContext) -> float:
    from sklearn.metrics import r2_score

    return float(r2_score(y_true, y_pred))


R2 = Metric(
    name="r2",
    title="Coefficient of determination (R²)",
    greater_is_better=True,
    minimum=float("-inf"),
    maximum=1.0,
    predictions=VALUE_TASKS,
    aggregate=_r2_sql,
    reference=_r2_ref,
    formula=r"R^2 = 1 - \frac{\sum_i (y_i - \hat y_i)^2}{\sum_i (y_i - \bar y)^2}",
    notes="The share of the truth's variance the predictions explain: 1 is perfect, 0 is what "
    "predicting the mean of these very rows gives, and it is unbounded below. With a constant truth it "
    "is 1 for a perfect prediction and 0 otherwise (scikit-learn's force_finite).",
    requires="at least two rows",
)


METRICS = (RMSE, RMSLE, MAE, R2)
