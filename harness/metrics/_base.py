"""What a metric is."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any


class Prediction(StrEnum):
    """The shape of prediction a metric scores; it decides the submission's columns."""

    LABEL = "label"  # one column: a class label (classification)
    PROBABILITY = "probability"  # one column: P(positive class), binary
    CLASS_PROBABILITIES = "class_probabilities"  # one column per class, multiclass
    VALUE = "value"  # one column: a real number (regression)
    RANKING = "ranking"  # one column: space-separated predicted items, best first


@dataclass(frozen=True)
class MetricContext:
    """What a metric's SQL needs to know beyond its relation.

    `classes` are the card's class labels in order (classification); `positive` is the positive label
    of a binary task (the card's second class); `options` are the card's `metric_options` (such as k).
    """

    classes: tuple[str, ...] | None = None
    options: dict[str, Any] = field(default_factory=dict)

    @property
    def positive(self) -> str | None:
        return self.classes[-1] if self.classes else None


@dataclass(frozen=True)
class Metric:
    """A scoring rule.

    `sql(relation, ctx)` returns one SELECT yielding a single row with a single column, the score, over
    `relation`, whose columns are:
      - `y` (the true target) and `p` (the prediction) for LABEL, PROBABILITY, VALUE and RANKING:
        LABEL: `y` and `p` are VARCHAR class labels;
        PROBABILITY: `y` is INTEGER, 1 for the positive class (`ctx.positive`) else 0; `p` is DOUBLE;
        VALUE: `y` and `p` are DOUBLE;
        RANKING: `y` and `p` are VARCHAR, space-separated items (`p` best first);
      - `y` and `p_0 .. p_{K-1}` (DOUBLE, one per class in `ctx.classes` order) for CLASS_PROBABILITIES.
    `reference(y_true, y_pred, ctx)` computes the same number in Python (scikit-learn where it exists);
    `y_pred` is a 2-D array for CLASS_PROBABILITIES.
    """

    name: str
    title: str
    greater_is_better: bool
    minimum: float
    maximum: float
    tasks: frozenset[str]
    prediction: Prediction
    sql: Callable[[str, MetricContext], str]
    reference: Callable[[Sequence[Any], Any, MetricContext], float]
    formula: str
    notes: str = ""

    @property
    def best(self) -> float:
        """The best value the metric can take."""
        return self.maximum if self.greater_is_better else self.minimum

    def better(self, a: float, b: float) -> bool:
        """Whether score `a` is strictly better than score `b`."""
        return a > b if self.greater_is_better else a < b
