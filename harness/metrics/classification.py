"""Metrics over predicted class labels."""

from __future__ import annotations

from typing import Any

from harness.metrics._base import Metric, MetricContext, Prediction

LABEL_TASKS = {"binary": Prediction.LABEL, "multiclass": Prediction.LABEL}


def _classes(ctx: MetricContext) -> dict[str, Any]:
    assert ctx.classes, "this metric needs the card's classes"
    return {"classes": list(ctx.classes)}


def _positive(ctx: MetricContext) -> dict[str, Any]:
    assert ctx.positive is not None, "this metric needs the card's classes (the positive one is last)"
    return {"positive": ctx.positive}


# --- accuracy -------------------------------------------------------------------------------------


def _accuracy_sql(ctx: MetricContext) -> str:
    return "avg(CASE WHEN y = p THEN 1.0 ELSE 0.0 END)"


def _accuracy_ref(y_true: Any, y_pred: Any, ctx: MetricContext) -> float:
    from sklearn.metrics import accuracy_score

    return float(accuracy_score(y_true, y_pred))


def _accuracy_numpy(y_true: Any, y_pred: Any, ctx: MetricContext) -> float:
    import numpy as np

    return float(np.mean(np.asarray(y_true) == np.asarray(y_pred)))


ACCURACY = Metric(
    name="accuracy",
    title="Accuracy",
    greater_is_better=True,
    minimum=0.0,
    maximum=1.0,
    predictions={**LABEL_TASKS, "open-label": Prediction.TEXT},
    aggregate=_accuracy_sql,
    reference=_accuracy_ref,
    constant_reference=_accuracy_numpy,
    formula=r"\frac{1}{n}\sum_{i=1}^{n} [\hat y_i = y_i]",
    notes="The share of rows whose predicted label equals the true one. Blind to class imbalance: "
    "predicting the majority class scores its frequency. On an open-label task the prediction is free "
    "text, right when it is the answer as written (case and spaces count; a missing value reads as "
    "'nan', as pandas reads it).",
    requires="at least one row",
    exact_in_parallel=True,
)


# --- balanced accuracy ----------------------------------------------------------------------------


def _balanced_accuracy_sql(rel: str, ctx: MetricContext) -> str:
    return (
        "SELECT avg(recall) FROM ("
        f"SELECT avg(CASE WHEN p = y THEN 1.0 ELSE 0.0 END) AS recall FROM {rel} GROUP BY y)"
    )


def _balanced_accuracy_ref(y_true: Any, y_pred: Any, ctx: MetricContext) -> float:
    import warnings

    from sklearn.metrics import balanced_accuracy_score

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # a predicted class absent from the truth
        return float(balanced_accuracy_score(y_true, y_pred))


BALANCED_ACCURACY = Metric(
    name="balanced_accuracy",
    title="Balanced accuracy",
    greater_is_better=True,
    minimum=0.0,
    maximum=1.0,
    predictions=LABEL_TASKS,
    sql=_balanced_accuracy_sql,
    reference=_balanced_accuracy_ref,
    formula=r"\frac{1}{|C|}\sum_{c \in C} \frac{|\{i : y_i = c,\ \hat y_i = c\}|}{|\{i : y_i = c\}|}",
    notes="The mean recall over the classes present in the truth (C), as scikit-learn's "
    "balanced_accuracy_score (not adjusted for chance): a constant prediction scores 1/|C|.",
    requires="at least one row",
)


# --- F1 -------------------------------------------------------------------------------------------


def _f1_sql(rel: str, ctx: MetricContext) -> str:
    return (
        "SELECT CASE WHEN n_true + n_pred = 0 THEN 0.0 ELSE 2 * tp / (n_true + n_pred) END FROM ("
        "SELECT count(*) FILTER (WHERE y = $positive AND p = $positive) AS tp, "
        "count(*) FILTER (WHERE y = $positive) AS n_true, "
        f"count(*) FILTER (WHERE p = $positive) AS n_pred FROM {rel})"
    )


def _f1_ref(y_true: Any, y_pred: Any, ctx: MetricContext) -> float:
    from sklearn.metrics import f1_score

    return float(f1_score(y_true, y_pred, pos_label=ctx.positive, average="binary", zero_division=0.0))


F1 = Metric(
    name="f1",
    title="F1 score",
    greater_is_better=True,
    minimum=0.0,
    maximum=1.0,
    predictions={"binary": Prediction.LABEL},
    sql=_f1_sql,
    reference=_f1_ref,
    parameters=_positive,
    formula=r"F_1 = \frac{2\,TP}{2\,TP + FP + FN}",
    notes="The harmonic mean of precision and recall of the positive class (the card's last class). "
    "0 when there is no positive row in the truth nor the prediction (scikit-learn's zero_division=0). "
    "True negatives do not count.",
    requires="at least one row",
)


# --- macro F1 -------------------------------------------------------------------------------------


def _f1_macro_sql(rel: str, ctx: MetricContext) -> str:
    per_class = (
        "SELECT c, coalesce(sum(n) FILTER (WHERE y = c AND p = c), 0) AS tp, "
        "coalesce(sum(n) FILTER (WHERE y = c), 0) AS n_true, "
        "coalesce(sum(n) FILTER (WHERE p = c), 0) AS n_pred "
        "FROM (SELECT unnest($classes) AS c) "
        f"CROSS JOIN (SELECT y, p, count(*) AS n FROM {rel} GROUP BY y, p) "
        "GROUP BY c"
    )
    return (
        "SELECT avg(CASE WHEN n_true + n_pred = 0 THEN 0.0 ELSE 2 * tp / (n_true + n_pred) END) "
        f"FROM ({per_class})"
    )


def _f1_macro_ref(y_true: Any, y_pred: Any, ctx: MetricContext) -> float:
    from sklearn.metrics import f1_score

    assert ctx.classes
    return float(f1_score(y_true, y_pred, labels=list(ctx.classes), average="macro", zero_division=0.0))


F1_MACRO = Metric(
    name="f1_macro",
    title="Macro-averaged F1 score",
    greater_is_better=True,
    minimum=0.0,
    maximum=1.0,
    predictions=LABEL_TASKS,
    sql=_f1_macro_sql,
    reference=_f1_macro_ref,
    parameters=_classes,
    formula=r"\frac{1}{K}\sum_{c=1}^{K} \frac{2\,TP_c}{2\,TP_c + FP_c + FN_c}",
    notes="The unweighted mean of the per-class F1 over every class of the card (K of them), as "
    "scikit-learn's f1_score(average='macro', labels=classes): a class absent from both the truth and "
    "the prediction scores 0 (zero_division=0) and still counts in the mean. Rare classes weigh as much "
    "as common ones.",
    requires="at least one row",
)


# --- quadratic weighted kappa ---------------------------------------------------------------------


def _qwk_sql(rel: str, ctx: MetricContext) -> str:
    # O_ij = n rows with true class i, predicted j (positions in the card's classes). With weights
    # (i - j)^2, the expected disagreement sum_ij w_ij E_ij, E = outer(row sums, column sums) / n,
    # expands to sum(n i^2) + sum(n j^2) - 2 sum(n i) sum(n j) / sum(n).
    cells = (
        "SELECT list_position($classes, y) - 1 AS i, list_position($classes, p) - 1 AS j, n "
        f"FROM (SELECT y, p, count(*) AS n FROM {rel} GROUP BY y, p) "
        "WHERE list_contains($classes, y) AND list_contains($classes, p)"
    )
    return (
        "SELECT 1 - sum(n * (i - j) * (i - j)) "
        "/ nullif(sum(n * i * i) + sum(n * j * j) - 2 * sum(n * i) * sum(n * j) / sum(n), 0) "
        f"FROM ({cells})"
    )


def _qwk_ref(y_true: Any, y_pred: Any, ctx: MetricContext) -> float:
    from sklearn.metrics import cohen_kappa_score

    assert ctx.classes
    return float(cohen_kappa_score(y_true, y_pred, labels=list(ctx.classes), weights="quadratic"))


QUADRATIC_WEIGHTED_KAPPA = Metric(
    name="quadratic_weighted_kappa",
    title="Quadratic weighted kappa",
    greater_is_better=True,
    minimum=-1.0,
    maximum=1.0,
    predictions={"multiclass": Prediction.LABEL},
    sql=_qwk_sql,
    reference=_qwk_ref,
    parameters=_classes,
    formula=r"\kappa = 1 - \frac{\sum_{i,j} w_{ij} O_{ij}}{\sum_{i,j} w_{ij} E_{ij}},\quad "
    r"w_{ij} = (i - j)^2,\quad E_{ij} = \frac{O_{i\cdot}\, O_{\cdot j}}{n}",
    notes="Agreement between ordinal labels beyond chance, as scikit-learn's "
    "cohen_kappa_score(weights='quadratic', labels=classes). The card's classes are the ordinal order "
    "(i, j are positions in it), so a prediction two grades off costs four times one grade off. 1 is "
    "perfect agreement, 0 what chance gives, -1 the worst. Undefined (NULL) when the expected "
    "disagreement is 0, e.g. truth and prediction both one constant class.",
    requires="truth and prediction that are not one and the same constant class",
)


METRICS = (ACCURACY, BALANCED_ACCURACY, F1, F1_MACRO, QUADRATIC_WEIGHTED_KAPPA)
