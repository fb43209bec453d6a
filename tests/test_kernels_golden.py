"""Golden CV scores of the reference kernels: a full run on each competition's own folds.

A change in a kernel, the folds, the data preparation or a metric moves these numbers; if the move is
intended, run `compete run <kernel>` and pin the new value here (and say why in the commit).
"""

from __future__ import annotations

import pytest

from harness.kernels import cross_validate, load_kernel
from harness.workspace import Workspace

GOLDEN = {
    "titanic/baseline": 0.770787,
    "titanic/lgbm-features": 0.821348,
    "titanic/rule-women-children": 0.812360,
    "house-prices/baseline": 0.268789,
    "house-prices/lgbm-log-target": 0.129426,
    "spam/baseline": 0.865721,
    "spam/lgbm-features": 0.949151,
    "food-reviews/baseline": 0.644393,
    "food-reviews/tfidf-logreg": 0.437699,
    "penguins/baseline": 1.048350,
    "penguins/lgbm-features": 0.063379,
    "penguins/logreg-measurements": 0.016229,
    "chicago-ridership/baseline": 1.388733,
    "chicago-ridership/lgbm-calendar": 1.066212,
}
TOLERANCE = 2e-4  # thread counts are pinned to 1, so runs agree far closer than this


@pytest.mark.slow
@pytest.mark.parametrize("name", sorted(GOLDEN))
def test_reference_kernel_cv_score_is_pinned(name: str, prepared_workspace: Workspace) -> None:
    result = cross_validate(prepared_workspace, load_kernel(prepared_workspace, name))
    assert result.mean == pytest.approx(GOLDEN[name], abs=TOLERANCE), result.fold_scores


@pytest.mark.slow
def test_strong_kernels_beat_their_baselines() -> None:
    from harness.competition import load_card
    from harness.metrics import get
    from tests.conftest import REPO

    for name, score in GOLDEN.items():
        slug, _, kernel = name.partition("/")
        if kernel == "baseline":
            continue
        metric = get(load_card(Workspace(REPO), slug).metric)
        assert metric.better(score, GOLDEN[f"{slug}/baseline"]), name


# Each strong reference against the simple, well-known approach it must beat, fold by fold.
STRONG_OVER_SIMPLE = [
    ("titanic/lgbm-features", "titanic/rule-women-children"),  # sex plus woman-and-child groups
    ("penguins/logreg-measurements", "penguins/lgbm-features"),  # boosting on the same measurements
]


@pytest.mark.slow
@pytest.mark.parametrize(("strong", "simple"), STRONG_OVER_SIMPLE, ids=[s for s, _ in STRONG_OVER_SIMPLE])
def test_the_strong_reference_is_never_worse_on_a_fold_and_better_overall(
    strong: str, simple: str, prepared_workspace: Workspace
) -> None:
    from harness.metrics import get

    ws = prepared_workspace
    ours = cross_validate(ws, load_kernel(ws, strong))
    theirs = cross_validate(ws, load_kernel(ws, simple))
    metric = get(ours.metric)
    assert not any(metric.better(b, a) for a, b in zip(ours.fold_scores, theirs.fold_scores, strict=True)), (
        ours.fold_scores,
        theirs.fold_scores,
    )
    assert metric.better(ours.mean, theirs.mean)
