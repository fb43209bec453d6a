"""The worked examples in the metric notes: each is recomputed with the harness's own metric SQL."""

from __future__ import annotations

from typing import Any

import pytest

from harness import theory
from harness.metrics import MetricContext, Prediction, get, metric_names
from harness.workspace import Workspace
from tests.conftest import REPO

WS = Workspace(REPO)
NOTES = theory.all_notes(WS)
EXAMPLES = [(note.topic, i, ex) for note in NOTES for i, ex in enumerate(note.examples)]


def test_every_metric_a_note_covers_has_a_worked_example() -> None:
    missing = []
    for note in NOTES:
        shown = {ex.metric for ex in note.examples}
        missing += [f"{note.topic}: {m}" for m in note.covers if m in theory.METRIC_NAMES and m not in shown]
    assert not missing, f"metric notes without a worked example: {missing}"


def test_every_example_is_small_and_states_four_decimals() -> None:
    for topic, _, example in EXAMPLES:
        assert 3 <= len(example.rows) <= 8, f"{topic}: {len(example.rows)} rows"
        assert example.decimals >= 4, f"{topic}: score stated to {example.decimals} decimals"
        assert all(len(row) == len(example.columns) for row in example.rows), topic


@pytest.mark.parametrize(("topic", "index", "example"), EXAMPLES, ids=[f"{t}-{i}" for t, i, _ in EXAMPLES])
def test_the_worked_example_gives_the_stated_score(
    topic: str, index: int, example: theory.WorkedExample
) -> None:
    assert example.metric in metric_names(), f"{topic}: no metric {example.metric!r} in the registry"
    metric = get(example.metric)
    options: dict[str, Any] = {k: int(v) if v.isdigit() else v for k, v in example.options.items()}
    options.pop("classes", None)
    ctx = MetricContext(classes=example.classes, options=options)
    score = _score(metric, example, ctx)
    assert round(score, example.decimals) == pytest.approx(example.score, abs=0.5 * 10**-example.decimals), (
        f"{topic}: {example.metric} of the worked example is {score:.6f}, the note says {example.score}"
    )


def _score(metric: Any, example: theory.WorkedExample, ctx: MetricContext) -> float:
    """The score the harness gives the example, through the metric's own SQL over DuckDB."""
    kind = metric.kind(ctx) if hasattr(metric, "kind") else metric.prediction
    column = {name: [row[i] for row in example.rows] for i, name in enumerate(example.columns)}
    y = column["y"]
    classes = ctx.classes or ("0", "1")
    if kind is Prediction.CLASS_PROBABILITIES:
        if "p" in column:  # a binary example: p is the probability of the last class
            pred: Any = [[1.0 - float(v), float(v)] for v in column["p"]]
        else:
            pred = [[float(column[f"p_{c}"][i]) for c in classes] for i in range(len(y))]
    elif kind is Prediction.PROBABILITY:
        pred = [float(v) for v in (column["p"] if "p" in column else column[f"p_{classes[-1]}"])]
    elif kind is Prediction.VALUE:
        y, pred = [float(v) for v in y], [float(v) for v in column["p"]]
    else:
        pred = column["p"]
    from harness import metrics

    score_predictions = getattr(metrics, "score_predictions", None)
    if score_predictions is None:
        from harness.metrics._frame import score_predictions
    return float(score_predictions(metric, y, pred, ctx))
