"""The metric registry.

Each metric declares its direction, its range, the tasks it fits and the shape of prediction it
scores, and computes itself as DuckDB SQL that reads like its formula. Each also carries a reference
implementation (scikit-learn or plain Python) that the contract tests compare the SQL against.

Nothing here imports pandas, numpy or scikit-learn at module load: `compete submit` and the card
checks use this module, and they must start fast.
"""

from __future__ import annotations

from harness.errors import UnknownName
from harness.metrics._base import Metric, MetricContext, Prediction
from harness.metrics._registry import REGISTRY

__all__ = ["Metric", "MetricContext", "Prediction", "get", "metric_names", "names_for_task"]


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
    """Metric names that fit `task` (a base task: binary, multiclass, regression, ranking)."""
    return [name for name in metric_names() if task in REGISTRY[name].tasks]
