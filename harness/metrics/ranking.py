"""Ranking metrics: each row's truth is a set of items, its prediction a list of items, best first."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any

from harness.errors import MetricError
from harness.metrics._base import Metric, MetricContext, Prediction

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
    rows = (
        "SELECT row_number() OVER () AS row_id, "
        "list_distinct(regexp_extract_all(y, '\\S+')) AS actual, "
        f"regexp_extract_all(p, '\\S+')[1:$k] AS predicted FROM {rel}"
    )
    positions = (
        "SELECT row_id, actual, predicted, predicted[pos] AS item, pos "
        f"FROM (SELECT *, unnest(range(1, len(predicted) + 1)) AS pos FROM ({rows}))"
    )
    # a hit: a truth item at its first position in the list; `hit` counts the hits so far
    hits = (
        "SELECT row_id, actual, pos, row_number() OVER (PARTITION BY row_id ORDER BY pos) AS hit "
        f"FROM ({positions}) WHERE list_contains(actual, item) AND list_position(predicted, item) = pos"
    )
    per_row = f"SELECT sum(hit / pos) / least(len(any_value(actual)), $k) AS ap FROM ({hits}) GROUP BY row_id"
    return f"SELECT coalesce(sum(ap), 0) / (SELECT count(*) FROM {rel}) FROM ({per_row})"


def _map_at_k_ref(y_true: Any, y_pred: Any, ctx: MetricContext) -> float:
    return mapk((str(y).split() for y in y_true), [str(p).split() for p in y_pred], cutoff(ctx))


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
    "Items are separated by whitespace; the truth is a set (repeats count once); a row with an empty "
    "truth scores 0 and still counts in the mean. k comes from the card's metric_options (default 12). "
    "Order matters: a hit at position 1 is worth more than the same hit at position k.",
    requires="at least one row",
)


METRICS = (MAP_AT_K,)
