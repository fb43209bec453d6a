"""The metric contract, run over every metric in the registry, plus worked examples per metric.

For each metric and each task it fits, random data of a few shapes (random, with ties, constant and
perfect predictions; several sizes and seeds) go through the metric's DuckDB SQL and its reference
function, which must agree to 1e-9 (relative; 1e-12 absolute near zero).
"""

from __future__ import annotations

import math
import subprocess
import sys
import warnings
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import duckdb
import numpy as np
import pandas as pd
import pytest

from harness.errors import MetricError, UnknownName
from harness.metrics import (
    Metric,
    MetricContext,
    Prediction,
    SplitRows,
    get,
    metric_names,
    names_for_task,
    prediction_for,
    relation_frame,
    score_frame,
    score_predictions,
)
from harness.metrics.ranking import apk

REL, ABS = 1e-9, 1e-12
CLASSES = {
    "binary": ("no", "yes"),  # the positive class is the last one
    "multiclass": ("low", "mid", "high", "top"),  # ordinal order, not alphabetical on purpose
}
ITEMS = [f"item{i}" for i in range(25)]
SIZES = (7, 60, 400)
SEEDS = (0, 1)
SCENARIOS = ("random", "ties", "constant", "perfect")
CASES = [(name, task) for name in metric_names() for task in sorted(get(name).tasks)]


def close(value: float, expected: float) -> bool:
    return math.isclose(value, expected, rel_tol=REL, abs_tol=ABS)


# --- data -----------------------------------------------------------------------------------------


@dataclass
class Sample:
    """One relation: `y` and `p` as the metric's SQL sees them (`p` 2-D for class probabilities)."""

    scenario: str
    y: np.ndarray
    p: np.ndarray

    def frame(self) -> pd.DataFrame:
        if self.y.ndim == 2:  # several targets: y_j and p_j per column
            columns = {f"y_{j}": self.y[:, j] for j in range(self.y.shape[1])}
            return pd.DataFrame({**columns, **{f"p_{j}": self.p[:, j] for j in range(self.p.shape[1])}})
        if self.p.ndim == 2:
            frame = pd.DataFrame({"y": self.y})
            for i in range(self.p.shape[1]):
                frame[f"p_{i}"] = self.p[:, i]
            return frame
        return pd.DataFrame({"y": self.y, "p": self.p})

    def shuffled(self, seed: int) -> Sample:
        order = np.random.default_rng(seed).permutation(len(self.y))
        return Sample(self.scenario, self.y[order], self.p[order])


TARGETS = 3  # target columns of the samples for metrics that score several


def context(metric: Metric, task: str) -> MetricContext:
    options = {"k": 5} if metric.name == "map_at_k" else {}
    if metric.prediction_for(task) in (Prediction.VALUES, Prediction.PROBABILITIES):
        return MetricContext(classes=CLASSES.get(task), options=options, task=task, targets=TARGETS)
    return MetricContext(classes=CLASSES.get(task), options=options, task=task)


def _labels(classes: tuple[str, ...], n: int, rng: np.random.Generator) -> np.ndarray:
    """`n` labels in which every class occurs (so recall, F1 and kappa are defined)."""
    y = np.concatenate([np.array(classes), rng.choice(classes, n - len(classes))])
    return rng.permutation(y).astype(object)


def _ranking_lists(n: int, rng: np.random.Generator, empty: bool) -> list[list[str]]:
    low = 0 if empty else 1
    return [list(rng.choice(ITEMS, rng.integers(low, 6), replace=False)) for _ in range(n)]


def make_sample(kind: Prediction, task: str, scenario: str, n: int, seed: int) -> Sample:
    rng = np.random.default_rng([seed, n, SCENARIOS.index(scenario), list(Prediction).index(kind)])
    classes = CLASSES.get(task, ())
    if kind is Prediction.LABEL:
        y = _labels(classes, n, rng)
        if scenario == "random":
            p = rng.choice(classes, n).astype(object)
        elif scenario == "ties":  # mostly right, the rest random
            p = np.where(rng.random(n) < 0.6, y, rng.choice(classes, n)).astype(object)
        elif scenario == "constant":
            p = np.full(n, classes[0], dtype=object)
        else:
            p = y.copy()
    elif kind is Prediction.TEXT:  # free text: the same word in another case or with a space is another text
        words = np.array(["one", "One", " one", "one ", "sil", "<self>", "twelve", "", "nan"], dtype=object)
        y = rng.choice(words, n).astype(object)
        if scenario == "random":
            p = rng.choice(words, n).astype(object)
        elif scenario == "ties":
            p = np.where(rng.random(n) < 0.6, y, rng.choice(words, n)).astype(object)
        elif scenario == "constant":
            p = np.full(n, "sil", dtype=object)
        else:
            p = y.copy()
    elif kind is Prediction.PROBABILITY:
        y = rng.permutation(np.concatenate([[0, 1], rng.integers(0, 2, n - 2)])).astype(int)
        if scenario == "random":
            p = rng.random(n)
        elif scenario == "ties":  # informative, rounded to tenths: ties, and exact 0 and 1
            p = np.round(np.clip(0.3 * y + 0.7 * rng.random(n), 0, 1), 1)
        elif scenario == "constant":
            p = np.full(n, 0.3)
        else:
            p = y.astype(float)
    elif kind is Prediction.CLASS_PROBABILITIES:
        y = _labels(classes, n, rng)
        index = np.array([classes.index(label) for label in y])
        if scenario == "random":  # rows that do not sum to 1
            p = rng.random((n, len(classes))) * rng.uniform(0.3, 1, (n, 1))
        elif scenario == "ties":  # rounded, with exact zeros and ones
            p = np.round(rng.dirichlet(np.ones(len(classes)) * 0.5, n), 1)
            p[np.arange(n), index] += np.round(rng.random(n), 1)
        elif scenario == "constant":
            p = np.tile(rng.dirichlet(np.ones(len(classes))), (n, 1))
        else:
            p = np.eye(len(classes))[index]
    elif kind is Prediction.VALUE:
        y = rng.gamma(2.0, 50.0, n)
        if scenario == "random":
            p = y * rng.lognormal(0, 0.3, n)
        elif scenario == "ties":  # whole numbers, many equal
            y = np.round(y / 20) * 20
            p = np.round(y + rng.normal(0, 15, n))
            p = np.clip(p, 0, None)
        elif scenario == "constant":
            p = np.full(n, float(np.mean(y)))
        else:
            p = y.copy()
    elif kind in (Prediction.VALUES, Prediction.PROBABILITIES):
        # Each column a sample of the one-target kind, drawn with its own stream.
        kinds = {Prediction.VALUES: Prediction.VALUE, Prediction.PROBABILITIES: Prediction.PROBABILITY}
        columns = [make_sample(kinds[kind], task, scenario, n, seed * 10 + j) for j in range(TARGETS)]
        y = np.column_stack([c.y for c in columns])
        p = np.column_stack([c.p for c in columns])
    else:
        truth = _ranking_lists(n, rng, empty=scenario != "perfect")
        if scenario == "random":
            guesses = [list(rng.choice(ITEMS, rng.integers(0, 9))) for _ in range(n)]  # repeats
        elif scenario == "ties":  # the truth shuffled into noise, repeats included
            guesses = [list(rng.permutation(t + list(rng.choice(ITEMS, 4)) + t[:1])) for t in truth]
        elif scenario == "constant":
            guesses = [ITEMS[:6]] * n
        else:
            guesses = [list(rng.permutation(t)) for t in truth]
        y = np.array([" ".join(t) for t in truth], dtype=object)
        p = np.array([" ".join(g) for g in guesses], dtype=object)
    return Sample(scenario, y, p)


def samples(
    metric: Metric, task: str, scenarios: tuple[str, ...] = SCENARIOS, seeds: tuple[int, ...] = SEEDS
) -> Iterator[Sample]:
    kind = metric.prediction_for(task)
    for scenario in scenarios:
        for n in SIZES:
            for seed in seeds:
                yield make_sample(kind, task, scenario, n, seed)


def reference(metric: Metric, sample: Sample, ctx: MetricContext) -> float:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return metric.reference(sample.y, sample.p, ctx)


# --- the contract, over every metric --------------------------------------------------------------


@pytest.fixture(scope="module")
def con() -> Iterator[duckdb.DuckDBPyConnection]:
    """One in-memory connection for the contract's many small scores (opening one is slow)."""
    connection = duckdb.connect()
    yield connection
    connection.close()


@pytest.mark.parametrize(("name", "task"), CASES)
class TestMetricContract:
    def test_declaration(self, name: str, task: str) -> None:
        metric = get(name)
        assert metric.name == name
        assert metric.title and metric.formula and metric.notes and metric.requires
        assert metric.minimum < metric.maximum and math.isfinite(metric.best)
        assert metric.best == (metric.maximum if metric.greater_is_better else metric.minimum)
        assert metric.prediction_for(task) in Prediction
        assert name in names_for_task(task) and name in names_for_task(f"text-{task}")

    def test_sql_is_one_select_with_no_semicolon(self, name: str, task: str) -> None:
        metric = get(name)
        sql = metric.query("some_relation", context(metric, task))
        assert sql.lstrip().upper().startswith("SELECT") and not sql.rstrip().endswith(";")
        assert "some_relation" in sql

    def test_sql_matches_reference(self, name: str, task: str, con: duckdb.DuckDBPyConnection) -> None:
        metric, checked = get(name), 0
        ctx = context(metric, task)
        for sample in samples(metric, task):
            got, want = score_frame(metric, sample.frame(), ctx, con=con), reference(metric, sample, ctx)
            assert close(got, want), (
                f"{sample.scenario}, n={len(sample.y)}: SQL {got!r} != reference {want!r}"
            )
            checked += 1
        assert checked == len(SCENARIOS) * len(SIZES) * len(SEEDS)

    def test_perfect_prediction_gets_the_best_value(
        self, name: str, task: str, con: duckdb.DuckDBPyConnection
    ) -> None:
        metric = get(name)
        ctx = context(metric, task)
        for sample in samples(metric, task, ("perfect",)):
            assert close(score_frame(metric, sample.frame(), ctx, con=con), metric.best)

    def test_row_order_does_not_matter(self, name: str, task: str, con: duckdb.DuckDBPyConnection) -> None:
        metric = get(name)
        ctx = context(metric, task)
        for sample in samples(metric, task, seeds=SEEDS[:1]):
            before = score_frame(metric, sample.frame(), ctx, con=con)
            after = score_frame(metric, sample.shuffled(7).frame(), ctx, con=con)
            assert math.isclose(before, after, rel_tol=1e-12, abs_tol=ABS), sample.scenario
            if metric.exact_in_parallel:  # whole numbers add up alike in any order: to the last bit
                assert before == after, (sample.scenario, before, after)

    def test_score_lies_in_the_declared_range(
        self, name: str, task: str, con: duckdb.DuckDBPyConnection
    ) -> None:
        metric = get(name)
        ctx = context(metric, task)
        for sample in samples(metric, task, seeds=SEEDS[:1]):
            assert metric.minimum <= score_frame(metric, sample.frame(), ctx, con=con) <= metric.maximum

    def test_composes_over_two_filtered_relations_of_one_cte(
        self, name: str, task: str, con: duckdb.DuckDBPyConnection
    ) -> None:
        metric = get(name)
        ctx = context(metric, task)
        sample = make_sample(metric.prediction_for(task), task, "ties", 400, 3)
        frame = sample.frame()
        frame["usage"] = np.where(np.arange(len(frame)) % 3 == 0, "Public", "Private")
        con.register("frame_rows", frame)
        kind = metric.prediction_for(task)
        casts = "*" if kind is not Prediction.PROBABILITY else "* REPLACE (CAST(y AS INTEGER) AS y)"
        query = (
            f"WITH scored AS MATERIALIZED (SELECT {casts} FROM frame_rows), "
            "pub AS (SELECT * EXCLUDE (usage) FROM scored WHERE usage = 'Public'), "
            "priv AS (SELECT * EXCLUDE (usage) FROM scored WHERE usage = 'Private') "
            f"SELECT ({metric.query('pub', ctx)}), ({metric.query('priv', ctx)})"
        )
        public, private = con.execute(query, metric.parameters(ctx)).fetchall()[0]
        con.unregister("frame_rows")
        assert isinstance(public, float) and isinstance(private, float)  # DOUBLE, not DECIMAL or NULL
        for usage, got in (("Public", public), ("Private", private)):
            part = frame[frame["usage"] == usage].drop(columns="usage")
            assert close(got, score_frame(metric, part, ctx)), usage  # a fresh connection

    def test_an_aggregate_scores_each_group_of_one_group_by(
        self, name: str, task: str, con: duckdb.DuckDBPyConnection
    ) -> None:
        """How scoring uses an `aggregate` metric: one GROUP BY over the rows, a score per split."""
        metric = get(name)
        if metric.aggregate is None:
            assert metric.sql is not None or metric.split_sql is not None
            return
        ctx = context(metric, task)
        frame = make_sample(metric.prediction_for(task), task, "ties", 400, 5).frame()
        frame["usage"] = np.where(np.arange(len(frame)) % 3 == 0, "Public", "Private")
        con.register("frame_rows", frame)
        kind = metric.prediction_for(task)
        casts = "*" if kind is not Prediction.PROBABILITY else "* REPLACE (CAST(y AS INTEGER) AS y)"
        query = f"SELECT usage, {metric.aggregate(ctx)} FROM (SELECT {casts} FROM frame_rows) GROUP BY usage"
        scores = dict(con.execute(query, metric.parameters(ctx) or None).fetchall())
        con.unregister("frame_rows")
        assert set(scores) == {"Public", "Private"}
        for usage, got in scores.items():
            part = frame[frame["usage"] == usage].drop(columns="usage")
            assert isinstance(got, float) and close(got, score_frame(metric, part, ctx)), usage

    def test_a_split_form_scores_both_splits_as_the_query_scores_each(
        self, name: str, task: str, con: duckdb.DuckDBPyConnection
    ) -> None:
        """How scoring uses a `split_sql` metric: one query over the rows of both splits."""
        metric = get(name)
        if metric.split_sql is None:
            return
        ctx = context(metric, task)
        for scenario in ("ties", "constant", "perfect"):
            frame = make_sample(metric.prediction_for(task), task, scenario, 400, 7).frame()
            frame["pub"] = np.arange(len(frame)) % 3 == 0
            con.register("frame_rows", frame)
            kind = metric.prediction_for(task)
            casts = "*" if kind is not Prediction.PROBABILITY else "* REPLACE (CAST(y AS INTEGER) AS y)"
            rows = f"(SELECT {casts} FROM frame_rows)"
            public = int(frame["pub"].sum())
            counts = (SplitRows(public, len(frame) - public, d) for d in (1, len(frame)))
            for counted in (None, *counts):  # not counted, every prediction tied, every one distinct
                sql = metric.split_sql(rows, ctx, counted)
                got = con.execute(sql, metric.parameters(ctx) or None).fetchall()
                for pub, score in zip((True, False), got[0], strict=True):
                    part = frame[frame["pub"] == pub].drop(columns="pub")
                    want = score_frame(metric, part, ctx)
                    assert isinstance(score, float) and close(score, want), (scenario, counted, pub)
            con.unregister("frame_rows")


# --- the registry ---------------------------------------------------------------------------------


CONSTANT_CASES = [(name, task) for name, task in CASES if get(name).constant_reference is not None]


@pytest.mark.parametrize(("name", "task"), CONSTANT_CASES)
def test_the_closed_form_for_a_constant_is_the_reference(name: str, task: str) -> None:
    """A metric's `constant_reference` (numpy only) gives its reference's value for every constant
    prediction, and is undefined (ValueError or nan) where the reference is."""
    metric = get(name)
    assert metric.constant_reference is not None
    ctx = context(metric, task)
    checked = 0
    for sample in samples(metric, task, scenarios=("constant",)):
        assert reference(metric, sample, ctx) == pytest.approx(
            metric.constant_reference(sample.y, sample.p, ctx), abs=1e-12
        )
        single = Sample("one-value", sample.y[:1], sample.p[:1])  # one row: one class only
        try:
            want: float | None = reference(metric, single, ctx)
        except ValueError:
            want = None
        if want is None:
            with pytest.raises(ValueError):
                metric.constant_reference(single.y, single.p, ctx)
        else:
            got = metric.constant_reference(single.y, single.p, ctx)
            assert got == pytest.approx(want, abs=1e-12, nan_ok=True)
        checked += 1
    assert checked


def test_constant_closed_forms_cover_the_common_metrics() -> None:
    assert {n for n, _ in CONSTANT_CASES} >= {"roc_auc", "mean_columnwise_roc_auc", "accuracy", "rmse"}


def test_the_registry_holds_the_agreed_metrics() -> None:
    assert set(metric_names()) == {
        "roc_auc",
        "log_loss",
        "accuracy",
        "balanced_accuracy",
        "f1",
        "f1_macro",
        "quadratic_weighted_kappa",
        "rmse",
        "rmsle",
        "mae",
        "r2",
        "map_at_k",
        "pearson",
        "mean_columnwise_rmse",
        "mean_columnwise_rmsle",
        "mean_columnwise_roc_auc",
    }


@pytest.mark.parametrize(
    ("change", "says"),
    [
        ({"predictions": {"regression": Prediction.VALUE, "survival": Prediction.VALUE}}, "unknown tasks"),
        ({"predictions": {}}, "unknown tasks"),
        ({"minimum": 1.0, "maximum": 1.0}, "empty range"),
        ({"sql": lambda rel, ctx: f"SELECT 1 FROM {rel}"}, "give one of"),
        ({"aggregate": None}, "give one of"),
    ],
)
def test_a_metric_whose_declaration_does_not_hold_together_is_not_registered(
    change: dict[str, Any], says: str
) -> None:
    rmse = get("rmse")
    assert rmse.checked() is rmse
    with pytest.raises(AssertionError, match=says):
        rmse._replace(**change).checked()


def test_a_metric_hashes_without_its_predictions_mapping() -> None:
    metrics = [get(name) for name in metric_names()]
    assert len(set(metrics)) == len(metrics)
    log_loss = get("log_loss")
    assert hash(log_loss._replace(predictions=dict(log_loss.predictions))) == hash(log_loss)


def test_unknown_metric_lists_the_valid_names() -> None:
    with pytest.raises(UnknownName) as caught:
        get("roc_aucc")
    message = str(caught.value)
    assert "Did you mean 'roc_auc'" in message
    assert all(name in message for name in metric_names())


def test_names_for_task() -> None:
    assert names_for_task("regression") == [
        "mae",
        "mean_columnwise_rmse",
        "mean_columnwise_rmsle",
        "pearson",
        "r2",
        "rmse",
        "rmsle",
    ]
    assert names_for_task("ranking") == ["map_at_k"]
    assert "quadratic_weighted_kappa" in names_for_task("multiclass")
    assert "quadratic_weighted_kappa" not in names_for_task("binary")
    assert names_for_task("text-binary") == names_for_task("binary")


def test_log_loss_prediction_kind_depends_on_the_task() -> None:
    metric = get("log_loss")
    assert metric.prediction_for("binary") is Prediction.PROBABILITY
    assert metric.prediction_for("text-binary") is Prediction.PROBABILITY
    assert metric.prediction_for("multiclass") is Prediction.CLASS_PROBABILITIES
    with pytest.raises(ValueError, match="prediction_for"):
        _ = metric.prediction
    with pytest.raises(MetricError, match="does not fit task 'regression'"):
        metric.prediction_for("regression")
    assert get("accuracy").prediction_for("multiclass") is Prediction.LABEL
    assert get("accuracy").prediction_for("open-label") is Prediction.TEXT, "free text, no class list"


def test_prediction_for_a_card() -> None:
    @dataclass
    class CardLike:
        metric: str
        task: str

    assert prediction_for(CardLike("log_loss", "text-binary")) is Prediction.PROBABILITY  # type: ignore[arg-type]
    assert prediction_for(CardLike("log_loss", "multiclass")) is Prediction.CLASS_PROBABILITIES  # type: ignore[arg-type]
    assert prediction_for(CardLike("rmse", "regression")) is Prediction.VALUE  # type: ignore[arg-type]


def test_without_a_task_the_class_count_decides_log_loss() -> None:
    metric = get("log_loss")
    assert metric.kind(MetricContext(classes=("a", "b"))) is Prediction.PROBABILITY
    assert metric.kind(MetricContext(classes=("a", "b", "c"))) is Prediction.CLASS_PROBABILITIES
    assert metric.kind(MetricContext(classes=("a", "b"), task="multiclass")) is Prediction.CLASS_PROBABILITIES


def test_importing_the_registry_loads_no_heavy_module() -> None:
    code = (
        "import sys, harness.metrics as m; m.get('log_loss').query('r', m.MetricContext(task='binary')); "
        "print(sorted({'pandas', 'numpy', 'sklearn', 'duckdb', 'scipy'} & set(sys.modules)))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"


# --- roc_auc --------------------------------------------------------------------------------------


def _auc(y: list[int], p: list[float]) -> float:
    return score_frame(
        get("roc_auc"), pd.DataFrame({"y": y, "p": p}), MetricContext(("0", "1"), task="binary")
    )


def test_roc_auc_worked_examples() -> None:
    assert _auc([0, 0, 1, 1], [0.1, 0.4, 0.35, 0.8]) == 0.75
    # pairs (positive, negative): (.5, .5) tie = 1/2, (.5, .2), (.9, .5), (.9, .2) wins: 3.5 / 4
    assert _auc([0, 1, 0, 1], [0.5, 0.5, 0.2, 0.9]) == 0.875
    assert _auc([0, 1, 0, 1], [0.3, 0.3, 0.3, 0.3]) == 0.5
    assert _auc([1, 1, 0, 0], [0.1, 0.2, 0.3, 0.4]) == 0.0


def test_roc_auc_with_heavy_ties_matches_sklearn() -> None:
    from sklearn.metrics import roc_auc_score

    rng = np.random.default_rng(11)
    for levels in (2, 3, 5):
        y = rng.integers(0, 2, 5000)
        p = rng.integers(0, levels, 5000) / (levels - 1) * 0.6 + 0.4 * y * rng.integers(0, 2, 5000)
        assert close(_auc(list(y), list(p)), float(roc_auc_score(y, p)))


def test_roc_auc_with_one_class_is_undefined() -> None:
    with pytest.raises(MetricError, match="both classes"):
        _auc([1, 1, 1], [0.2, 0.5, 0.9])


@pytest.mark.parametrize("decimals", [0, 1, 3, 12])
def test_roc_auc_over_levels_and_over_rows_are_the_same_score(decimals: int) -> None:
    """Scoring picks ROC AUC's form by the share of distinct predictions: both equal scikit-learn."""
    from sklearn.metrics import roc_auc_score

    from harness.metrics.probabilistic import RANK_ROWS_ABOVE_DISTINCT_SHARE

    metric, ctx = get("roc_auc"), MetricContext(("0", "1"), task="binary")
    assert metric.split_sql is not None
    rng = np.random.default_rng(decimals)
    y = rng.integers(0, 2, 3000).astype(np.int32)
    frame = pd.DataFrame({"y": y, "p": np.round(rng.random(3000) * 0.7 + 0.3 * y, decimals)})
    frame["pub"] = rng.random(3000) < 0.3
    n_public = int(frame["pub"].sum())
    levels, rows = (
        metric.split_sql("frame", ctx, SplitRows(n_public, 3000 - n_public, round(3000 * share)))
        for share in (RANK_ROWS_ABOVE_DISTINCT_SHARE / 2, RANK_ROWS_ABOVE_DISTINCT_SHARE * 2)
    )
    assert levels != rows and metric.split_sql("frame", ctx, None) == levels
    with duckdb.connect() as con:
        con.register("frame", frame)
        for sql in (levels, rows):
            public, private = con.execute(sql).fetchall()[0]
            for pub, got in ((True, public), (False, private)):
                part = frame[frame["pub"] == pub]
                assert close(got, float(roc_auc_score(part["y"], part["p"]))), (sql == rows, pub)
        one_class = "(SELECT * REPLACE (1 AS y) FROM frame)"
        for counted in (None, SplitRows(n_public, 3000 - n_public, 3000)):
            assert con.execute(metric.split_sql(one_class, ctx, counted)).fetchall() == [(None, None)]


# --- log_loss -------------------------------------------------------------------------------------


def _log_loss(task: str, y: list[Any], p: Any, classes: tuple[str, ...]) -> float:
    metric, ctx = get("log_loss"), MetricContext(classes, task=task)
    return score_frame(metric, Sample("case", np.array(y, dtype=object), np.asarray(p, float)).frame(), ctx)


def test_log_loss_clips_certain_wrong_predictions_at_1e_15() -> None:
    worst = -math.log(1e-15)
    assert close(_log_loss("binary", [1], [0.0], ("0", "1")), worst)
    assert close(_log_loss("binary", [0], [1.0], ("0", "1")), worst)
    assert close(_log_loss("binary", [1, 0], [0.0, 1.0], ("0", "1")), worst)
    assert close(_log_loss("multiclass", ["c"], [[1.0, 0.0, 0.0]], ("a", "b", "c")), worst)
    assert _log_loss("binary", [1, 0], [1.0, 0.0], ("0", "1")) == pytest.approx(-math.log(1 - 1e-15))


def test_log_loss_rescales_rows_that_do_not_sum_to_one() -> None:
    classes = ("a", "b", "c")
    assert close(_log_loss("multiclass", ["a"], [[0.4, 0.2, 0.2]], classes), math.log(2))
    assert close(_log_loss("multiclass", ["b"], [[0.0, 0.0, 0.0]], classes), math.log(3))
    rng = np.random.default_rng(5)
    probs = rng.uniform(0.01, 1.0, (50, 3))
    y = list(rng.choice(classes, 50))
    assert close(_log_loss("multiclass", y, probs * 0.3, classes), _log_loss("multiclass", y, probs, classes))
    # clipping comes first, so values above 1 (which submission checks refuse) all become 1 - 1e-15
    assert close(_log_loss("multiclass", ["a"], [[2.0, 1.0, 1.0]], classes), math.log(3))


def test_log_loss_clips_before_it_rescales() -> None:
    # clip first: (1 - 1e-15, 1e-15, 0.5 -> stays) then rescale; rescaling first would give 0/1.5 -> 1e-15
    classes = ("a", "b", "c")
    clipped = np.array([1 - 1e-15, 1e-15, 0.5])
    expected = -math.log(clipped[1] / clipped.sum())
    assert close(_log_loss("multiclass", ["b"], [[1.0, 0.0, 0.5]], classes), expected)


def test_log_loss_matches_sklearn_away_from_the_clip_bounds() -> None:
    from sklearn.metrics import log_loss

    rng = np.random.default_rng(9)
    metric = get("log_loss")
    y = rng.integers(0, 2, 300)
    p = rng.uniform(0.01, 0.99, 300)
    ctx = MetricContext(("0", "1"), task="binary")
    want = float(log_loss(y, y_proba=p, labels=[0, 1]))
    assert close(metric.reference(y, p, ctx), want)
    assert close(score_frame(metric, pd.DataFrame({"y": y, "p": p}), ctx), want)

    classes = CLASSES["multiclass"]
    ctx = MetricContext(classes, task="multiclass")
    labels = rng.choice(classes, 300).astype(object)
    probs = rng.dirichlet(np.ones(len(classes)), 300) * 0.96 + 0.01
    order = np.argsort(classes)  # scikit-learn orders the columns by sorted label
    want = float(log_loss(labels, y_proba=probs[:, order], labels=sorted(classes)))
    assert close(metric.reference(labels, probs, ctx), want)
    assert close(score_frame(metric, Sample("sk", labels, probs).frame(), ctx), want)


# --- label metrics --------------------------------------------------------------------------------


def test_f1_scores_the_positive_class_which_is_the_last() -> None:
    metric = get("f1")
    y = np.array(["no", "yes", "yes", "no", "yes"], dtype=object)
    p = np.array(["no", "yes", "no", "yes", "yes"], dtype=object)  # TP 2, FP 1, FN 1 -> 4/6
    assert close(score_frame(metric, Sample("f1", y, p).frame(), MetricContext(("no", "yes"))), 2 / 3)
    # with the classes the other way round, "no" is positive: TP 1, FP 1, FN 1 -> 1/2
    assert close(score_frame(metric, Sample("f1", y, p).frame(), MetricContext(("yes", "no"))), 1 / 2)
    # no positive anywhere: zero division gives 0
    none = np.array(["no"] * 3, dtype=object)
    assert score_frame(metric, Sample("f1", none, none).frame(), MetricContext(("no", "yes"))) == 0.0


def test_f1_macro_counts_absent_classes_as_zero_like_sklearn() -> None:
    from sklearn.metrics import f1_score

    classes = ("a", "b", "c", "d")  # "d" occurs nowhere
    y = np.array(["a", "b", "c", "a", "b", "c", "a"], dtype=object)
    p = np.array(["a", "b", "b", "a", "c", "c", "b"], dtype=object)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        want = float(f1_score(y, p, average="macro", labels=list(classes)))  # default zero_division
    got = score_frame(get("f1_macro"), Sample("f1", y, p).frame(), MetricContext(classes))
    assert close(got, want)
    per_class = [2 * 2 / (3 + 2), 2 * 1 / (2 + 3), 2 * 1 / (2 + 2), 0.0]
    assert close(got, sum(per_class) / 4)


def test_quadratic_weighted_kappa_follows_the_card_order_of_classes() -> None:
    from sklearn.metrics import cohen_kappa_score

    metric = get("quadratic_weighted_kappa")
    y = np.array(["low", "mid", "high", "top", "mid", "low", "top"], dtype=object)
    p = np.array(["mid", "mid", "top", "high", "low", "low", "mid"], dtype=object)
    ordinal, alphabetical = CLASSES["multiclass"], tuple(sorted(CLASSES["multiclass"]))
    by_order = score_frame(metric, Sample("k", y, p).frame(), MetricContext(ordinal))
    by_name = score_frame(metric, Sample("k", y, p).frame(), MetricContext(alphabetical))
    assert close(by_order, float(cohen_kappa_score(y, p, labels=list(ordinal), weights="quadratic")))
    assert close(by_name, float(cohen_kappa_score(y, p, weights="quadratic")))
    assert not close(by_order, by_name)


def test_quadratic_weighted_kappa_ignores_labels_outside_the_classes_like_sklearn() -> None:
    from sklearn.metrics import cohen_kappa_score

    classes = CLASSES["multiclass"]
    y = np.array(["low", "mid", "high", "top", "mid", "odd", "top", "low"], dtype=object)
    p = np.array(["mid", "mid", "top", "high", "odd", "low", "mid", "low"], dtype=object)
    want = float(cohen_kappa_score(y, p, labels=list(classes), weights="quadratic"))
    kept = (y != "odd") & (p != "odd")
    assert close(want, float(cohen_kappa_score(y[kept], p[kept], labels=list(classes), weights="quadratic")))
    assert close(
        score_frame(get("quadratic_weighted_kappa"), Sample("k", y, p).frame(), MetricContext(classes)), want
    )


def test_quadratic_weighted_kappa_is_undefined_on_one_constant_class() -> None:
    same = np.array(["mid"] * 4, dtype=object)
    with pytest.raises(MetricError, match="quadratic_weighted_kappa is undefined"):
        score_frame(
            get("quadratic_weighted_kappa"),
            Sample("k", same, same).frame(),
            MetricContext(CLASSES["multiclass"]),
        )


def test_balanced_accuracy_averages_recall_over_true_classes() -> None:
    y = np.array(["a", "a", "a", "b"], dtype=object)
    p = np.array(["a", "a", "a", "a"], dtype=object)  # recall a = 1, b = 0
    assert score_frame(get("balanced_accuracy"), Sample("b", y, p).frame(), MetricContext(("a", "b"))) == 0.5
    assert score_frame(get("accuracy"), Sample("b", y, p).frame(), MetricContext(("a", "b"))) == 0.75


# --- regression -----------------------------------------------------------------------------------


def _value(name: str, y: list[float], p: list[float]) -> float:
    return score_frame(get(name), pd.DataFrame({"y": y, "p": p}), MetricContext())


def test_regression_worked_examples() -> None:
    y, p = [3.0, -0.5, 2.0, 7.0], [2.5, 0.0, 2.0, 8.0]
    assert close(_value("mae", y, p), 0.5)
    assert close(_value("rmse", y, p), math.sqrt(0.375))
    assert close(_value("r2", y, p), 1 - 1.5 / 29.1875)
    assert close(_value("rmsle", [0.0, math.e - 1], [math.e - 1, 0.0]), 1.0)


def test_r2_with_a_constant_truth_follows_sklearn() -> None:
    assert _value("r2", [2.0, 2.0, 2.0], [2.0, 2.0, 2.0]) == 1.0
    assert _value("r2", [2.0, 2.0, 2.0], [2.0, 2.5, 2.0]) == 0.0


def test_rmsle_of_values_below_minus_one_is_undefined() -> None:
    with pytest.raises(MetricError, match="rmsle is undefined"):
        _value("rmsle", [1.0, 2.0], [1.0, -3.0])


# --- map_at_k -------------------------------------------------------------------------------------


def _map(rows: list[tuple[str, str]], k: int | None = 5) -> float:
    options = {} if k is None else {"k": k}
    frame = pd.DataFrame({"y": [a for a, _ in rows], "p": [b for _, b in rows]})
    return score_frame(get("map_at_k"), frame, MetricContext(options=options))


MAP_EXAMPLES = [
    # (actual, predicted, k, average precision worked by hand)
    ("a b c", "a x b y c", 5, (1 / 1 + 2 / 3 + 3 / 5) / 3),
    ("a b", "a a b", 5, (1 / 1 + 2 / 3) / 2),  # the repeated "a" counts once but takes position 2
    ("a b c d", "x a b", 2, (1 / 2) / 2),  # only the first k = 2 count; divide by min(4, 2)
    ("a", "x y z", 5, 0.0),
    ("", "a b", 5, 0.0),  # an empty truth scores 0
    ("a b", "", 5, 0.0),
    ("  a   b ", "b  a ", 5, 1.0),  # runs of spaces separate; all hits on top score 1
    ("a a b", "b a", 5, 1.0),  # the truth is a set
]


@pytest.mark.parametrize(("actual", "predicted", "k", "expected"), MAP_EXAMPLES)
def test_map_at_k_worked_examples(actual: str, predicted: str, k: int, expected: float) -> None:
    assert close(apk(actual.split(), predicted.split(), k), expected)
    assert close(_map([(actual, predicted)], k), expected)


def test_map_at_k_averages_over_every_row() -> None:
    rows = [(a, p) for a, p, k, _ in MAP_EXAMPLES if k == 5]
    expected = sum(e for _, _, k, e in MAP_EXAMPLES if k == 5) / len(rows)
    assert close(_map(rows, 5), expected)


def test_map_at_k_defaults_to_k_12() -> None:
    late_hit = ("a", " ".join(f"x{i}" for i in range(11)) + " a")  # the hit at position 12
    assert close(_map([late_hit], None), 1 / 12)
    assert _map([late_hit], 11) == 0.0


@pytest.mark.parametrize("k", [0, -1, 2.5, "5", True])
def test_map_at_k_refuses_a_bad_k(k: object) -> None:
    with pytest.raises(MetricError, match="positive whole number"):
        _map([("a", "a")], k)  # type: ignore[arg-type]


# --- the frame helpers ----------------------------------------------------------------------------


def test_score_predictions_shapes_raw_targets() -> None:
    ctx = MetricContext(("0", "1"), task="binary")
    assert score_predictions(get("roc_auc"), [0, 1, 1, 0], [0.1, 0.9, 0.8, 0.3], ctx) == 1.0
    assert score_predictions(get("accuracy"), [0, 1, 1, 0], [0, 1, 0, 0], ctx) == 0.75
    penguins = MetricContext(("Adelie", "Chinstrap", "Gentoo"), task="multiclass")
    probs = pd.DataFrame({"Gentoo": [0.0, 1.0], "Adelie": [1.0, 0.0], "Chinstrap": [0.0, 0.0]})
    assert score_predictions(get("log_loss"), ["Adelie", "Gentoo"], probs, penguins) < 1e-14
    frame = relation_frame(get("log_loss"), ["Adelie", "Gentoo"], probs, penguins)
    assert list(frame.columns) == ["y", "p_0", "p_1", "p_2"] and frame["p_2"].tolist() == [0.0, 1.0]


@pytest.mark.slow
def test_every_metric_scores_a_million_rows() -> None:
    for name, task in CASES:
        metric = get(name)
        sample = make_sample(metric.prediction_for(task), task, "ties", 1_000_000, 0)
        assert math.isfinite(score_frame(metric, sample.frame(), context(metric, task)))


def test_log_loss_with_scikit_learns_clip_and_no_rescale_equals_sklearn() -> None:
    """A card's `clip` and `rescale` options: scikit-learn 1.9's rules, as MLE-bench's graders use them."""
    from sklearn.metrics import log_loss

    eps = float(np.finfo(float).eps)
    rng = np.random.default_rng(4)
    classes = ("a", "b", "c")
    y = rng.choice(classes, 300)
    probs = rng.dirichlet(np.ones(3), 300)
    probs[:40] = np.eye(3)[rng.integers(0, 3, 40)]  # certain, right or wrong: the clip decides
    ctx = MetricContext(classes=classes, options={"clip": eps, "rescale": False}, task="multiclass")
    want = log_loss(y, probs, labels=list(classes))
    assert close(score_predictions(get("log_loss"), y, probs, ctx), want)
    assert close(get("log_loss").reference(y, probs, ctx), want)
    binary = MetricContext(classes=("0", "1"), options={"clip": eps}, task="binary")
    truth, p = rng.integers(0, 2, 200), np.r_[np.zeros(10), np.ones(10), rng.random(180)]
    assert close(score_predictions(get("log_loss"), truth, p, binary), log_loss(truth, p))


@pytest.mark.parametrize("options", [{"clip": 0}, {"clip": 0.7}, {"clip": "1e-15"}, {"rescale": "no"}])
def test_log_loss_refuses_bad_options(options: dict[str, Any]) -> None:
    ctx = MetricContext(classes=("a", "b", "c"), options=options, task="multiclass")
    with pytest.raises(MetricError):
        get("log_loss").aggregate(ctx)  # type: ignore[misc]
