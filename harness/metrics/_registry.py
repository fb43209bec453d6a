"""Every metric, by name. Add a metric here and the contract tests pick it up."""

from __future__ import annotations

from harness.metrics import classification, probabilistic, ranking, regression
from harness.metrics._base import Metric

REGISTRY: dict[str, Metric] = {
    metric.name: metric.checked()
    for metric in (*classification.METRICS, *probabilistic.METRICS, *regression.METRICS, *ranking.METRICS)
}
