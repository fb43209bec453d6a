"""Regression metrics."""

from __future__ import annotations

from collections.abc import Callable
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


def _rmse_numpy(y_true: Any, y_pred: Any, ctx: MetricContext) -> float:
    import numpy as np

    y, p = np.asarray(y_true, dtype=float), np.asarray(y_pred, dtype=float)
    return float(np.sqrt(np.mean((y - p) ** 2)))


def _columnwise_numpy(log: bool) -> Callable[[Any, Any, MetricContext], float]:
    def score(y_true: Any, y_pred: Any, ctx: MetricContext) -> float:
        import numpy as np

        y, p = np.asarray(y_true, dtype=float), np.asarray(y_pred, dtype=float)
        if log:
            if (y <= -1).any() or (p <= -1).any():
                raise ValueError("RMSLE needs every value above -1")
            y, p = np.log1p(y), np.log1p(p)
        return float(np.mean(np.sqrt(np.mean((y - p) ** 2, axis=0))))

    return score


RMSE = Metric(
    name="rmse",
    title="Root mean squared error",
    greater_is_better=False,
    minimum=0.0,
    maximum=float("inf"),
    predictions=VALUE_TASKS,
    aggregate=_rmse_sql,
    reference=_rmse_ref,
    constant_reference=_rmse_numpy,
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


# --- Pearson correlation --------------------------------------------------------------------------


def _pearson_sql(ctx: MetricContext) -> str:
    # Population moments in DuckDB's numerically stable one-pass aggregates; a constant truth or a
    # constant prediction has no correlation to speak of and scores 0. Clamped to [-1, 1] against
    # a last-bit overshoot.
    return (
        "CASE WHEN var_pop(y) = 0 OR var_pop(p) = 0 THEN 0.0 "
        "ELSE greatest(-1.0, least(1.0, covar_pop(y, p) / sqrt(var_pop(y) * var_pop(p)))) END"
    )


def _pearson_ref(y_true: Any, y_pred: Any, ctx: MetricContext) -> float:
    import numpy as np

    y, p = np.asarray(y_true, dtype=float), np.asarray(y_pred, dtype=float)
    if np.var(y) == 0 or np.var(p) == 0:
        return 0.0
    return float(np.clip(np.corrcoef(y, p)[0, 1], -1.0, 1.0))


PEARSON = Metric(
    name="pearson",
    title="Pearson correlation coefficient",
    greater_is_better=True,
    minimum=-1.0,
    maximum=1.0,
    predictions=VALUE_TASKS,
    aggregate=_pearson_sql,
    reference=_pearson_ref,
    formula=r"r = \frac{\sum_i (y_i - \bar y)(\hat y_i - \bar{\hat y})}"
    r"{\sqrt{\sum_i (y_i - \bar y)^2}\,\sqrt{\sum_i (\hat y_i - \bar{\hat y})^2}}",
    notes="How well the predictions line up with the truth on a straight line, blind to scale and "
    "offset: predictions 2y + 5 score 1 like y itself. 1 is a perfect increasing line, 0 no linear "
    "relation, -1 a perfect decreasing one. A constant truth or a constant prediction (zero variance) "
    "scores 0 here, where numpy and scipy give NaN.",
    requires="at least two rows",
)


# --- mean column-wise RMSE and RMSLE (several targets) --------------------------------------------


VALUES_TASKS = {"regression": Prediction.VALUES}


def _columnwise(term: str, ctx: MetricContext) -> str:
    """SQL: the mean over the target columns of sqrt(avg(term)), `term` written over `{y}` and `{p}`."""
    per_column = [f"sqrt(avg({term.format(y=f'y_{j}', p=f'p_{j}')}))" for j in range(ctx.targets)]
    return f"({' + '.join(per_column)}) / {ctx.targets}"


def _mcrmse_ref(y_true: Any, y_pred: Any, ctx: MetricContext) -> float:
    import numpy as np
    from sklearn.metrics import root_mean_squared_error

    y, p = np.asarray(y_true, dtype=float), np.asarray(y_pred, dtype=float)
    return float(np.mean([root_mean_squared_error(y[:, j], p[:, j]) for j in range(y.shape[1])]))


def _mcrmsle_ref(y_true: Any, y_pred: Any, ctx: MetricContext) -> float:
    import numpy as np
    from sklearn.metrics import root_mean_squared_log_error

    y, p = np.asarray(y_true, dtype=float), np.asarray(y_pred, dtype=float)
    return float(np.mean([root_mean_squared_log_error(y[:, j], p[:, j]) for j in range(y.shape[1])]))


MEAN_COLUMNWISE_RMSE = Metric(
    name="mean_columnwise_rmse",
    title="Mean column-wise root mean squared error",
    greater_is_better=False,
    minimum=0.0,
    maximum=float("inf"),
    predictions=VALUES_TASKS,
    aggregate=lambda ctx: _columnwise("({y} - {p}) * ({y} - {p})", ctx),
    reference=_mcrmse_ref,
    constant_reference=_columnwise_numpy(log=False),
    formula=r"\frac{1}{T}\sum_{j=1}^{T} \sqrt{\frac{1}{n}\sum_{i=1}^{n} (y_{ij} - \hat y_{ij})^2}",
    notes="The RMSE of each of the T target columns, averaged: every target weighs the same whatever "
    "its unit, so a target in large units does not drown the others. With one target it is the RMSE.",
    requires="at least one row",
)

MEAN_COLUMNWISE_RMSLE = Metric(
    name="mean_columnwise_rmsle",
    title="Mean column-wise root mean squared logarithmic error",
    greater_is_better=False,
    minimum=0.0,
    maximum=float("inf"),
    predictions=VALUES_TASKS,
    aggregate=lambda ctx: _columnwise("(ln(1 + {p}) - ln(1 + {y})) * (ln(1 + {p}) - ln(1 + {y}))", ctx),
    reference=_mcrmsle_ref,
    constant_reference=_columnwise_numpy(log=True),
    formula=r"\frac{1}{T}\sum_{j=1}^{T} \sqrt{\frac{1}{n}\sum_{i=1}^{n} "
    r"\big(\log(1 + \hat y_{ij}) - \log(1 + y_{ij})\big)^2}",
    notes="The RMSLE of each of the T target columns, averaged (as the Nomad2018 competition scores "
    "its two targets). Each column scores ratios, not differences; values must be greater than -1 "
    "(`predictions_above`). With one target it is the RMSLE.",
    requires="values greater than -1 (in practice >= 0)",
    predictions_above=-1.0,
)


METRICS = (RMSE, RMSLE, MAE, R2, PEARSON, MEAN_COLUMNWISE_RMSE, MEAN_COLUMNWISE_RMSLE)
