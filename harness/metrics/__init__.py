"""The metric registry.

Each metric declares its direction, its range, the tasks it fits and the shape of prediction it
scores there, and computes itself as DuckDB SQL that reads like its formula. Each also carries a
reference implementation (scikit-learn or plain Python) that the contract tests compare the SQL against.

Nothing here imports pandas, numpy, scikit-learn or duckdb at module load: `compete submit` and the
card checks use this module, and they must start fast.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from harness.errors import UnknownName
from harness.metrics._base import Metric, MetricContext, Prediction, SplitRows
from harness.metrics._frame import relation_frame, score_frame, score_predictions
from harness.metrics._registry import REGISTRY

if TYPE_CHECKING:
    from harness.competition import Card

__all__ = [
    "Metric",
    "MetricContext",
    "Prediction",
    "SplitRows",
    "get",
    "metric_names",
    "names_for_task",
    "prediction_for",
    "relation_frame",
    "score_frame",
    "score_predictions",
]


def metric_names() -> list[str]:
    """Every metric name, sorted."""
    return sorted(REGISTRY)


def get(name: str) -> Metric:
    """The metric called `name`; an unknown name raises UnknownName listing the valid ones."""
    try:
        return REGISTRY[name]
    except KeyError:
        raise UnknownName("metric", name, metric_names()) from None


def names_for_task(task: str) -> list[str]:
    """Metric names that fit `task` (binary, multiclass, regression, ranking; `text-` tasks too)."""
    base = task.removeprefix("text-")
    return [name for name in metric_names() if base in REGISTRY[name].tasks]


def prediction_for(card: Card) -> Prediction:
    """The prediction kind `card`'s metric scores for `card`'s task.

    Raises UnknownName for an unknown metric, MetricError if the metric does not fit the task.
    """
    return get(card.metric).prediction_for(card.task)
