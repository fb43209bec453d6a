"""Ranking metrics: each row's truth is a set of items, its prediction a list of items, best first."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any

from harness.errors import MetricError
from harness.metrics._base import Metric, MetricContext, Prediction, exact_mean

DEFAULT_K = 12


def cutoff(ctx: MetricContext) -> int:
    """k, from the card's `metric_options` (default 12); raises MetricError unless a positive integer."""
    k = ctx.options.get("k", DEFAULT_K)
    if isinstance(k, bool) or not isinstance(k, int) or k < 1:
        raise MetricError(
            f"map_at_k needs k to be a positive whole number, not {k!r}; "
            "set it in the card, e.g. `metric_options = { k = 12 }`."
        )
    return k


def apk(actual: Iterable[str], predicted: Sequence[str], k: int) -> float:
    """Average precision at k of one row, as Kaggle's `apk`.

    The precision at each position (among the first k) that brings a new hit, summed, divided by
    min(|actual|, k). A predicted item repeated counts once, at its first position; the repeat still
    takes its place. An empty truth scores 0.
    """
    truth = set(actual)
    if not truth:
        return 0.0
    top = list(predicted)[:k]
    hits, total = 0, 0.0
    for position, item in enumerate(top, start=1):
        if item in truth and item not in top[: position - 1]:
            hits += 1
            total += hits / position
    return total / min(len(truth), k)


def mapk(actual: Iterable[Iterable[str]], predicted: Iterable[Sequence[str]], k: int) -> float:
    """Mean average precision at k over rows (Kaggle's `mapk`)."""
    scores = [apk(a, p, k) for a, p in zip(actual, predicted, strict=True)]
    return sum(scores) / len(scores)


def _map_at_k_sql(rel: str, ctx: MetricContext) -> str:
    # hits: the positions (1-based, among the first k) whose item is in the truth and first seen
    # there; the j-th hit, at position h, has precision j / h.
    items = (
        "SELECT list_distinct(list_filter(string_split(y, ' '), lambda t: t <> '')) AS actual, "
        f"list_filter(string_split(p, ' '), lambda t: t <> '')[1:$k] AS predicted FROM {rel}"
    )
    hits = (
        "SELECT actual, list_filter(range(1, len(predicted) + 1), lambda i: "
        "list_contains(actual, predicted[i]) AND list_position(predicted, predicted[i]) = i) AS hits "
        f"FROM ({items})"
    )
    average_precision = (
        "CASE WHEN len(actual) = 0 THEN 0.0 ELSE "
        "coalesce(list_sum(list_transform(hits, lambda h, j: j / h)), 0.0) / least(len(actual), $k) END"
    )
    return f"SELECT {exact_mean(average_precision)} FROM ({hits})"


def items(text: str) -> list[str]:
    """The items of a space-separated list (runs of spaces allowed)."""
    return [item for item in str(text).split(" ") if item]


def _map_at_k_ref(y_true: Any, y_pred: Any, ctx: MetricContext) -> float:
    return mapk((items(y) for y in y_true), [items(p) for p in y_pred], cutoff(ctx))


MAP_AT_K = Metric(
    name="map_at_k",
    title="Mean average precision at k",
    greater_is_better=True,
    minimum=0.0,
    maximum=1.0,
    predictions={"ranking": Prediction.RANKING},
    sql=_map_at_k_sql,
    reference=_map_at_k_ref,
    parameters=lambda ctx: {"k": cutoff(ctx)},
    formula=r"\frac{1}{n}\sum_{i=1}^{n} \frac{1}{\min(|A_i|, k)} \sum_{j=1}^{\min(k, |P_i|)} "
    r"P_i(j)\,\mathrm{rel}_i(j)",
    notes="Kaggle's MAP@k: for each row, walk the first k predicted items (P_i, best first); at each "
    "item of the truth A_i not seen earlier in the list (rel = 1), take the precision so far P_i(j) = "
    "hits / j; sum, and divide by min(|A_i|, k). A repeated prediction counts once but keeps its place. "
    "Items are separated by spaces; the truth is a set (repeats count once); a row with an empty "
    "truth scores 0 and still counts in the mean. k comes from the card's metric_options (default 12). "
    "Order matters: a hit at position 1 is worth more than the same hit at position k. The rows' "
    "precisions are added up in fixed point (multiples of 2^-90), so the score is the same to the last "
    "digit in any row order.",
    requires="at least one row",
    exact_in_parallel=True,
)


METRICS = (MAP_AT_K,)
