"""What a metric is."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from enum import StrEnum
from types import MappingProxyType
from typing import TYPE_CHECKING, Any, NamedTuple

from harness.errors import MetricError

if TYPE_CHECKING:
    from harness.competition import Card

BASE_TASKS = ("binary", "multiclass", "regression", "ranking", "open-label")


class Prediction(StrEnum):
    """The shape of prediction a metric scores; it decides the submission's columns."""

    LABEL = "label"  # one column: a class label (classification)
    PROBABILITY = "probability"  # one column: P(positive class), binary
    CLASS_PROBABILITIES = "class_probabilities"  # one column per class, multiclass
    VALUE = "value"  # one column: a real number (regression)
    RANKING = "ranking"  # one column: space-separated predicted items, best first
    VALUES = "values"  # one column per target: a real number each (several regression targets)
    PROBABILITIES = "probabilities"  # one column per target: P(positive) each (several binary targets)
    TEXT = "text"  # one column: free text, any string, compared as written (open-label)


def base_task(task: str) -> str:
    """The task a metric is declared for: `text-binary` scores as `binary`."""
    return task.removeprefix("text-")


class MetricContext(NamedTuple):
    """What a metric's SQL needs to know beyond its relation.

    `classes` are the card's class labels in order (classification; for an ordinal metric the order
    is the ordinal order); `positive` is the positive label of a binary task (the last class);
    `options` are the card's `metric_options` (such as k); `task` is the card's task, which decides
    the prediction kind of a metric that scores more than one task (log_loss). `for_card` fills all.
    """

    classes: tuple[str, ...] | None = None
    options: Mapping[str, Any] = MappingProxyType({})  # read-only: the default is shared
    task: str | None = None
    targets: int = 1  # the number of target columns (VALUES and PROBABILITIES score one pair each)

    @classmethod
    def for_card(cls, card: Card) -> MetricContext:
        """The context of `card`'s metric: its classes, metric options, task and number of targets."""
        return cls(
            classes=card.classes,
            options=dict(card.metric_options),
            task=card.task,
            targets=len(card.target_columns),
        )

    @property
    def positive(self) -> str | None:
        return self.classes[-1] if self.classes else None


class SplitRows(NamedTuple):
    """What scoring has counted of the rows before a `split_sql` form scores them.

    `public` and `private` are the rows of each split; `distinct` is an estimate (HyperLogLog) of
    how many distinct predictions `p` they hold, None when the rows have no `p`.
    """

    public: int
    private: int
    distinct: int | None = None

    @property
    def distinct_share(self) -> float | None:
        """The estimated share of the rows whose `p` is distinct, None when not known."""
        total = self.public + self.private
        return None if self.distinct is None or not total else self.distinct / total


# A mean whose sum is the same in any order, on every core: each term is rounded to a multiple of
# 2^-90 and the terms are added up as HUGEINTs, whole numbers. A term moves by at most 2^-91 (4e-28;
# 4e-13 of log loss's smallest term, a perfect prediction's 1.1e-15). For terms of at most 50 in
# magnitude (log loss: -ln(1e-15) + ln K; MAP@k: 1) the sum holds up to 2.7e9 rows.
FIXED_POINT = 2.0**90


def exact_mean(term: str) -> str:
    """SQL: the mean of `term` over the rows, its terms added up in fixed point (`FIXED_POINT`)."""
    return f"sum(CAST({term} * {FIXED_POINT!r} AS HUGEINT)) / {FIXED_POINT!r} / count(*)"


def _no_parameters(ctx: MetricContext) -> dict[str, Any]:
    return {}


class Metric(NamedTuple):
    """A scoring rule.

    `predictions` maps each base task the metric fits to the prediction kind it scores there
    (`tasks`, `prediction_for(task)`); most metrics score one kind, log_loss two.

    A metric is computed by one of three forms of SQL, over a relation whose columns are described below:
    - `aggregate(ctx)`, for a metric that is one aggregate expression over the rows (a mean of a
      per-row term, such as RMSE's `sqrt(avg((y - p) * (y - p)))`, and the like): no subquery, no GROUP
      BY of its own. Scoring then computes it per split in a single `GROUP BY` over the rows as they
      stream from the join to the labels, without storing them first.
    - `sql(relation, ctx)`, for any other: one SELECT yielding a single row with a single column, the
      score, over `relation` (a table, view or CTE name, or a parenthesised subquery).
    - `split_sql(relation, ctx, rows)`, for a metric that scores both splits better knowing what
      the rows hold: one SELECT yielding a single row with the columns `public_score` and
      `private_score`, over a relation that also holds `pub` (BOOLEAN, true for a public row).
      Scoring then runs it once over the rows of both splits. `rows` (a `SplitRows`, or None when
      not counted) gives each split's number of rows and an estimate of the distinct predictions:
      the metric may pick between forms that give the same number by them (ROC AUC groups the rows
      by prediction once for both splits when many tie, and ranks each split's rows when most are
      distinct).
    `query(relation, ctx)` gives the one-score SELECT of any form (a `split_sql` metric sees every
    row of `relation` as public). The relation's columns are:
      - `y` (the true target) and `p` (the prediction) for LABEL, PROBABILITY, VALUE, RANKING and TEXT:
        LABEL: `y` and `p` are VARCHAR class labels;
        PROBABILITY: `y` is INTEGER, 1 for the positive class (`ctx.positive`) else 0; `p` is DOUBLE;
        VALUE: `y` and `p` are DOUBLE;
        RANKING: `y` and `p` are VARCHAR, space-separated items (`p` best first);
        TEXT: `y` and `p` are VARCHAR, as written, a missing value as 'nan' (`harness.open_label`);
      - `y` (VARCHAR, the true class label) and `p_0 .. p_{K-1}` (DOUBLE, one per class in
        `ctx.classes` order) for CLASS_PROBABILITIES;
      - `y_0 .. y_{T-1}` and `p_0 .. p_{T-1}`, one pair per target column in the card's order
        (`ctx.targets` of them), for VALUES (all DOUBLE) and PROBABILITIES (`y_j` INTEGER, 1 for the
        positive class; `p_j` DOUBLE).
    The relation holds no NULLs (the submission is validated first). The query has no trailing
    semicolon and names no CTE of its own, so it composes as a scalar subquery:
    `SELECT (<sql over public>), (<sql over private>)`. A score that is undefined on the rows (roc_auc
    with one class only) comes out NULL. Values the SQL needs (class labels, k) are named parameters
    (`$classes`, `$positive`, `$k`): run it with `parameters(ctx)`, once for the whole statement.

    A sum of floats depends on the order of its terms in the last bits, and DuckDB adds up the
    parts its threads made in whatever order they finish: scoring therefore runs a metric's SQL on
    one thread, in the rows' order, so that the same file always gets the same score, unless the
    metric declares `exact_in_parallel` (its SQL adds up only whole numbers).

    `reference(y_true, y_pred, ctx)` computes the same number in Python (scikit-learn where it exists)
    from the relation's columns: `y_true` is the `y` column, `y_pred` the `p` column, or for
    CLASS_PROBABILITIES a 2-D array (n, K) in `ctx.classes` order; for VALUES and PROBABILITIES both
    are 2-D arrays (n, T).

    `constant_reference`, where a metric has it, is `reference`'s value in a closed form (numpy only)
    for predictions that are one constant (per column): `compete check` scores a constant sample
    submission with it, so that it needs no scikit-learn. The contract test holds the two equal.
    """

    name: str
    title: str
    greater_is_better: bool
    minimum: float
    maximum: float
    predictions: Mapping[str, Prediction]
    reference: Callable[[Any, Any, MetricContext], float]
    formula: str
    aggregate: Callable[[MetricContext], str] | None = None
    sql: Callable[[str, MetricContext], str] | None = None
    split_sql: Callable[[str, MetricContext, SplitRows | None], str] | None = None
    notes: str = ""
    parameters: Callable[[MetricContext], dict[str, Any]] = _no_parameters
    requires: str = ""  # when the score is defined, for the message when it is not
    # Predictions must be greater than this (RMSLE: -1, where log(1 + p) ends); the submission
    # checks refuse any other, row by row.
    predictions_above: float | None = None
    # Whether the SQL adds up only whole numbers (counts, ranks, fixed-point terms): then its score
    # is the same whatever order DuckDB's threads add their parts in, and scoring lets it use every
    # core.
    exact_in_parallel: bool = False
    constant_reference: Callable[[Any, Any, MetricContext], float] | None = None

    def __hash__(self) -> int:
        # Every field but `predictions`, a dict: a metric is hashable whatever mapping declares its tasks.
        return hash(tuple(v for name, v in zip(Metric._fields, self, strict=True) if name != "predictions"))

    def checked(self) -> Metric:
        """This metric, once its declaration holds together: known tasks, a range, one form of SQL.
        The registry registers a metric through it; a wrong declaration fails an assert."""
        unknown = set(self.predictions) - set(BASE_TASKS)
        assert self.predictions and not unknown, f"{self.name}: unknown tasks {sorted(unknown)}"
        assert self.minimum < self.maximum, f"{self.name}: empty range"
        forms = [f for f in (self.aggregate, self.sql, self.split_sql) if f is not None]
        assert len(forms) == 1, f"{self.name}: give one of `aggregate`, `sql` or `split_sql`"
        return self

    def query(self, relation: str, ctx: MetricContext) -> str:
        """One SELECT giving the score over `relation`, from whichever form the metric has."""
        if self.sql is not None:
            return self.sql(relation, ctx)
        if self.split_sql is not None:
            public = f"(SELECT *, true AS pub FROM {relation})"
            return f"SELECT public_score FROM ({self.split_sql(public, ctx, None)})"
        assert self.aggregate is not None
        return f"SELECT {self.aggregate(ctx)} FROM {relation}"

    @property
    def tasks(self) -> frozenset[str]:
        """The base tasks the metric fits."""
        return frozenset(self.predictions)

    @property
    def prediction(self) -> Prediction:
        """The prediction kind, for a metric that scores one kind in every task it fits."""
        kinds = set(self.predictions.values())
        if len(kinds) != 1:
            shown = ", ".join(f"{t}: {k.value}" for t, k in sorted(self.predictions.items()))
            raise ValueError(
                f"{self.name} scores a different prediction per task ({shown}); "
                "use metric.prediction_for(task) or harness.metrics.prediction_for(card)"
            )
        return kinds.pop()

    def prediction_for(self, task: str) -> Prediction:
        """The prediction kind scored for `task` (a task such as `text-binary` counts as `binary`).

        Raises MetricError if the metric does not fit the task.
        """
        try:
            return self.predictions[base_task(task)]
        except KeyError:
            raise MetricError(
                f"metric {self.name!r} does not fit task {task!r}; it scores "
                f"{', '.join(sorted(self.tasks))}. Choose a metric for the task (`names_for_task`)."
            ) from None

    def kind(self, ctx: MetricContext) -> Prediction:
        """The prediction kind the relation holds under `ctx`.

        A metric scoring several kinds reads `ctx.task`; without it, two classes mean binary (the
        card of a binary task lists exactly two) and more mean multiclass; without classes either, the
        kind it scores on both classification tasks (accuracy's labels, not its open-label text).
        """
        if len(set(self.predictions.values())) == 1:
            return self.prediction
        if ctx.task is not None:
            return self.prediction_for(ctx.task)
        labels = {k for t, k in self.predictions.items() if t in ("binary", "multiclass")}
        if not ctx.classes and len(labels) == 1:
            return labels.pop()
        assert ctx.classes, f"{self.name} needs ctx.task or ctx.classes to know its prediction kind"
        return self.prediction_for("binary" if len(ctx.classes) == 2 else "multiclass")

    @property
    def best(self) -> float:
        """The best value the metric can take."""
        return self.maximum if self.greater_is_better else self.minimum

    def better(self, a: float, b: float) -> bool:
        """Whether score `a` is strictly better than score `b`."""
        return a > b if self.greater_is_better else a < b
