"""Metrics over predicted probabilities."""

from __future__ import annotations

from typing import Any

from harness.errors import MetricError
from harness.metrics._base import Metric, MetricContext, Prediction, SplitRows, exact_mean

EPS = 1e-15  # Kaggle's clip for log loss


# --- ROC AUC --------------------------------------------------------------------------------------


# Above this share of distinct predictions among the rows, ROC AUC ranks the rows themselves; below
# it, their distinct values. Measured end to end on 10M rows (Parquet, 2 cores), levels vs rows:
# 1M distinct values 1.31 s vs 1.54 s, 1.2M 1.47 s vs 1.51 s, 1.5M 1.76 s vs 1.56 s, 2M 2.1 s vs
# 1.57 s, 4M 2.5 s vs 1.6 s. The benchmarks' two ROC AUC CSV tables are the two ends.
RANK_ROWS_ABOVE_DISTINCT_SHARE = 0.13


def _roc_auc_split_sql(rel: str, ctx: MetricContext, rows: SplitRows | None = None) -> str:
    # Mann-Whitney: AUC = (R1 - n1 (n1 + 1) / 2) / (n1 n0), R1 the sum of the positives' ranks in
    # ascending p within their split, tied predictions sharing the average of their ranks. Two
    # forms give the same number; which is faster depends on how many predictions are distinct.
    if rows is None or rows.distinct_share is None or rows.distinct_share <= RANK_ROWS_ABOVE_DISTINCT_SHARE:
        return _roc_auc_over_levels(rel)
    return _roc_auc_over_rows(rel, rows)


def _roc_auc_over_levels(rel: str) -> str:
    # Grouping by p first leaves the window one row per distinct prediction; each level counts its
    # rows and positives per split (counts, not sums of y: BIGINT adds up faster than HUGEINT), so
    # one GROUP BY and one window serve both splits. For a level of n rows whose running count ends
    # at `cum`, the average rank is cum - (n - 1) / 2: twice it, 2 cum - n + 1, is an integer, and
    # R1 is summed as twice itself and halved once. Each level is one row of the window (p is unique
    # there), so a ROWS frame gives the running count that the default RANGE frame would, without
    # looking for peers.
    levels = (
        "SELECT p, count(*) FILTER (pub) AS n_public, count(*) FILTER (pub AND y = 1) AS n_pos_public, "
        "count(*) FILTER (NOT pub) AS n_private, count(*) FILTER (NOT pub AND y = 1) AS n_pos_private "
        f"FROM {rel} GROUP BY p"
    )
    ranked = (
        "SELECT *, 2 * sum(n_public) OVER w - n_public + 1 AS twice_avg_rank_public, "
        "2 * sum(n_private) OVER w - n_private + 1 AS twice_avg_rank_private "
        f"FROM ({levels}) WINDOW w AS (ORDER BY p ROWS UNBOUNDED PRECEDING)"
    )
    auc = (
        "(sum(n_pos_{s} * twice_avg_rank_{s}) / 2 - sum(n_pos_{s}) * (sum(n_pos_{s}) + 1) / 2) "
        "/ nullif(sum(n_pos_{s}) * sum(n_{s} - n_pos_{s}), 0) AS {s}_score"
    )
    return f"SELECT {auc.format(s='public')}, {auc.format(s='private')} FROM ({ranked})"


def _roc_auc_over_rows(rel: str, rows: SplitRows) -> str:
    # Each split's rows are ranked on their own, one sort each (a window partitioned by the split
    # sorts slower). A tie group's ranks run from rank() (its first) to the number of the split's
    # rows up to and including its peers (its last): cume_dist() times the split's rows, exact once
    # rounded (far below 2^51 rows). A row's average rank is half their sum: R1 is summed as twice
    # itself, in integers, and halved once.
    def auc(split: str, n: int) -> str:
        ranked = (
            f"SELECT y, rank() OVER w + round(cume_dist() OVER w * {n:d})::BIGINT AS twice_avg_rank "
            f"FROM {rel} WHERE {split} WINDOW w AS (ORDER BY p)"
        )
        return (
            "(SELECT (sum(y * twice_avg_rank) / 2 - sum(y) * (sum(y) + 1) / 2) "
            f"/ nullif(sum(y) * sum(1 - y), 0) FROM ({ranked}))"
        )

    public, private = auc("pub", rows.public), auc("NOT pub", rows.private)
    return f"SELECT {public} AS public_score, {private} AS private_score"


def _roc_auc_ref(y_true: Any, y_pred: Any, ctx: MetricContext) -> float:
    from sklearn.metrics import roc_auc_score

    return float(roc_auc_score(y_true, y_pred))


def _roc_auc_constant(y_true: Any, y_pred: Any, ctx: MetricContext) -> float:
    """A constant ranks every row alike: half of the positive-negative pairs count, so 0.5."""
    import numpy as np

    y = np.asarray(y_true).reshape(len(y_true), -1)  # one column per target: each scores 0.5
    both = all(len(np.unique(y[:, j])) == 2 for j in range(y.shape[1]))
    return 0.5 if both else float("nan")  # one class only: undefined, nan as scikit-learn's


ROC_AUC = Metric(
    name="roc_auc",
    title="Area under the ROC curve",
    greater_is_better=True,
    minimum=0.0,
    maximum=1.0,
    predictions={"binary": Prediction.PROBABILITY},
    split_sql=_roc_auc_split_sql,
    reference=_roc_auc_ref,
    constant_reference=_roc_auc_constant,
    formula=r"\mathrm{AUC} = \frac{R_1 - n_1(n_1 + 1)/2}{n_1\, n_0}"
    r" = P(\hat p_+ > \hat p_-) + \tfrac12 P(\hat p_+ = \hat p_-)",
    notes="The probability that a random positive row gets a higher prediction than a random negative "
    "one, ties counting one half: the Mann-Whitney U statistic over n1 positives and n0 negatives, R1 "
    "the sum of the positives' ranks, tied predictions sharing their average rank. Equals scikit-learn's "
    "roc_auc_score, ties included. Only the order of the predictions matters, so any monotone score "
    "works, not only probabilities; 0.5 is a constant or random prediction. Undefined (NULL) when the "
    "truth holds one class only.",
    requires="both classes among the true labels",
    exact_in_parallel=True,
)


# --- log loss -------------------------------------------------------------------------------------


def clip_of(ctx: MetricContext) -> float:
    """The clip of log loss: the card's `metric_options.clip`, else Kaggle's 1e-15.

    Raises MetricError unless a number in (0, 0.5).
    """
    clip = ctx.options.get("clip", EPS)
    if isinstance(clip, bool) or not isinstance(clip, int | float) or not 0 < clip < 0.5:
        raise MetricError(
            f"log_loss needs clip to be a number between 0 and 0.5, not {clip!r}; set it in the card, "
            "e.g. `metric_options = { clip = 1e-15 }`."
        )
    return float(clip)


def rescales(ctx: MetricContext) -> bool:
    """Whether multiclass rows are rescaled to sum 1 after the clip: `metric_options.rescale`, else true."""
    rescale = ctx.options.get("rescale", True)
    if not isinstance(rescale, bool):
        raise MetricError(f"log_loss needs rescale to be true or false, not {rescale!r}.")
    return rescale


def _clip(expr: str, clip: float) -> str:
    return f"greatest(least({expr}, 1 - {clip!r}), {clip!r})"


def _log_loss_sql(ctx: MetricContext) -> str:
    clip = clip_of(ctx)
    if LOG_LOSS.kind(ctx) is Prediction.PROBABILITY:
        true_class = _clip("CASE WHEN y = 1 THEN p ELSE 1 - p END", clip)
        return "-" + exact_mean(f"ln({true_class})")
    assert ctx.classes
    q = "[" + ", ".join(_clip(f"p_{i}", clip) for i in range(len(ctx.classes))) + "]"  # the clipped row
    if not rescales(ctx):
        return "-" + exact_mean(f"ln({q}[list_position($classes, y)])")
    return "-" + exact_mean(f"ln({q}[list_position($classes, y)] / list_sum({q}))")


def _log_loss_parameters(ctx: MetricContext) -> dict[str, Any]:
    if LOG_LOSS.kind(ctx) is Prediction.PROBABILITY:
        return {}
    assert ctx.classes, "multiclass log_loss needs the card's classes"
    return {"classes": list(ctx.classes)}


def _log_loss_ref(y_true: Any, y_pred: Any, ctx: MetricContext) -> float:
    import numpy as np

    clip = clip_of(ctx)
    if LOG_LOSS.kind(ctx) is Prediction.PROBABILITY:
        y = np.asarray(y_true, dtype=int)
        p = np.asarray(y_pred, dtype=float)
        q = np.clip(np.where(y == 1, p, 1 - p), clip, 1 - clip)
        return float(-np.mean(np.log(q)))
    assert ctx.classes
    probs = np.clip(np.asarray(y_pred, dtype=float), clip, 1 - clip)
    if rescales(ctx):
        probs = probs / probs.sum(axis=1, keepdims=True)
    index = {label: i for i, label in enumerate(ctx.classes)}
    truth = np.array([index[str(label)] for label in y_true])
    return float(-np.mean(np.log(probs[np.arange(len(truth)), truth])))


LOG_LOSS = Metric(
    name="log_loss",
    title="Log loss",
    greater_is_better=False,
    minimum=0.0,
    maximum=float("inf"),
    predictions={"binary": Prediction.PROBABILITY, "multiclass": Prediction.CLASS_PROBABILITIES},
    aggregate=_log_loss_sql,
    reference=_log_loss_ref,
    parameters=_log_loss_parameters,
    formula=r"-\frac{1}{n}\sum_{i=1}^{n} \log \frac{\tilde p_{i,y_i}}{\sum_{k} \tilde p_{ik}},\quad "
    r"\tilde p_{ik} = \min(\max(p_{ik}, 10^{-15}), 1 - 10^{-15})",
    notes="The mean negative log of the probability given to the true class (natural log). As on "
    "Kaggle, probabilities are clipped to [1e-15, 1 - 1e-15] and multiclass rows rescaled to sum 1. "
    "Order: clip first, then rescale (a row of zeros becomes uniform). Kaggle's documentation rescales "
    "first; the two differ only on rows holding a value below 1e-15 or above 1 - 1e-15, but there they "
    "can differ much: (0.001, 0, 0) costs -ln(1e-15 / 0.001) = 27.6 for the second class here, 34.5 on "
    "Kaggle; values above 1 (refused by the submission checks) all clip to 1 - 1e-15. A binary "
    "prediction p stands for the row (1 - p, p), whose sum stays 1: the true class's probability, p or "
    "1 - p, is clipped, so a certain wrong prediction costs -ln(1e-15) = 34.54 either way, and a "
    "perfect one -ln(1 - 1e-15) = 1.1e-15, not exactly 0. Rows that clip in several classes can cost a "
    "little more (up to about 34.54 + ln(K - 1)), hence no finite maximum. Away from the clip bounds "
    "this equals scikit-learn's log_loss; scikit-learn 1.9 clips at float64 machine epsilon (2.2e-16), "
    "not 1e-15, and warns rather than rescales when rows do not sum to 1. Confident mistakes dominate "
    "the mean. The terms are added up in fixed point (multiples of 2^-90), so the score is the same "
    "to the last digit in any row order. A card may declare other rules in its metric_options: `clip` "
    "(the bound, default 1e-15) and `rescale` (default true); scikit-learn 1.9's log_loss, which "
    "MLE-bench's graders call, is `clip = 2.220446049250313e-16, rescale = false`.",
    requires="at least one row",
    exact_in_parallel=True,
)


# --- mean column-wise ROC AUC (several binary targets) --------------------------------------------


def _mean_columnwise_roc_auc_sql(rel: str, ctx: MetricContext) -> str:
    # The rows in long form, one (column, truth, prediction) triple per target; each column's ROC
    # AUC by Mann-Whitney (tied predictions share their average rank: rank() plus half the other
    # peers, a multiple of 1/2, so every sum is exact), then their mean. A column with one class
    # makes the whole score undefined, as scikit-learn's macro average refuses it.
    long = " UNION ALL ".join(
        f"SELECT {j} AS j, y_{j} AS y, p_{j} AS p FROM {rel}" for j in range(ctx.targets)
    )
    ranked = (
        "SELECT j, y, rank() OVER (PARTITION BY j ORDER BY p) "
        f"+ (count(*) OVER (PARTITION BY j, p) - 1) / 2 AS r FROM ({long})"
    )
    per_column = (
        "SELECT (sum(r) FILTER (WHERE y = 1) - count(*) FILTER (WHERE y = 1) "
        "* (count(*) FILTER (WHERE y = 1) + 1) / 2) "
        "/ nullif(count(*) FILTER (WHERE y = 1) * count(*) FILTER (WHERE y = 0), 0) AS auc "
        f"FROM ({ranked}) GROUP BY j"
    )
    return f"SELECT CASE WHEN count(auc) = {ctx.targets} THEN avg(auc) END FROM ({per_column})"


def _mean_columnwise_roc_auc_ref(y_true: Any, y_pred: Any, ctx: MetricContext) -> float:
    from sklearn.metrics import roc_auc_score

    return float(roc_auc_score(y_true, y_pred, average="macro"))


MEAN_COLUMNWISE_ROC_AUC = Metric(
    name="mean_columnwise_roc_auc",
    title="Mean column-wise area under the ROC curve",
    greater_is_better=True,
    minimum=0.0,
    maximum=1.0,
    predictions={"binary": Prediction.PROBABILITIES},
    sql=_mean_columnwise_roc_auc_sql,
    reference=_mean_columnwise_roc_auc_ref,
    constant_reference=_roc_auc_constant,
    formula=r"\frac{1}{T}\sum_{j=1}^{T} \mathrm{AUC}(y_{\cdot j}, \hat p_{\cdot j})",
    notes="The ROC AUC of each of the T binary target columns (one probability column each), averaged "
    "with equal weights, as scikit-learn's roc_auc_score(average='macro') on the (n, T) arrays: how "
    "toxic-comment and plant-disease competitions score several labels per row. Ties share their "
    "average rank in each column. Undefined (NULL) when any column's truth holds one class only. With "
    "one target it is the ROC AUC.",
    requires="both classes in every target column",
    exact_in_parallel=False,
)


METRICS = (ROC_AUC, LOG_LOSS, MEAN_COLUMNWISE_ROC_AUC)
