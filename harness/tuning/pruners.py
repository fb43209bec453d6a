"""The pruners `compete tune --pruner NAME` offers, and how each one hears of a trial's progress.

    median      (the default) after each fold but the last, the trial's CV score so far (the mean of
                its first k fold scores) against the median of the complete trials' CV scores over
                the same k folds; worse, and the trial stops (`FoldMedianPruner`).
    rounds      after 8, 16, 32, ... boosting rounds of each fold of a LightGBM kernel that asks for
                them (`harness.fold_context`), the validation loss against the median of the complete
                trials' at the same round of the same fold (Optuna's MedianPruner).
    hyperband   Optuna's HyperbandPruner over the same boosting rounds.
    none        every trial runs all its folds.

Why folds by default. Comparing trials at the same boosting round favours the ones that learn fast:
at round 64 a learning rate of 0.1 is far ahead of 0.01, though the slow one often ends better. A
mean over the same folds compares like with like whatever the learning rate, and a trial stopped
after fold k of K has cost k/K of a full one. A kernel that asks for no boosting rounds is judged by
its folds under `rounds` and `hyperband` too. Measured on house-prices (docs/benchmarks.md, "Tuning:
pruning"), the pruner by rounds never reached what 50 unpruned trials reach; the pruner by folds
reached it 2.04x sooner on one seed of three, and on the other two not within the same CPU time.
"""

from __future__ import annotations

import math

import numpy as np
import optuna
from optuna.study import StudyDirection
from optuna.trial import TrialState


def make_pruner(name: str) -> optuna.pruners.BasePruner:
    """The Optuna pruner for `name`, one of `harness.tuning.run.PRUNERS` (checked by the caller)."""
    if name == "median":
        return FoldMedianPruner()
    if name == "rounds":
        return optuna.pruners.MedianPruner(n_startup_trials=5)
    if name == "hyperband":
        return optuna.pruners.HyperbandPruner()
    return optuna.pruners.NopPruner()


class FoldMedianPruner(optuna.pruners.BasePruner):
    """Prune a trial whose value at step k is worse than the `percentile` of the complete trials'
    values at step k, once `n_startup_trials` trials are complete.

    Unlike Optuna's PercentilePruner, the trial's value *at this step* is compared, not its best over
    all its steps: the steps are the running means of the same folds in every trial, so a trial's
    step-1 value (one easy fold, say) says nothing about its step-3 value.
    """

    def __init__(self, percentile: float = 50.0, n_startup_trials: int = 5) -> None:
        assert 0.0 <= percentile <= 100.0 and n_startup_trials >= 0
        self.percentile = percentile
        self.n_startup_trials = n_startup_trials

    def prune(self, study: optuna.Study, trial: optuna.trial.FrozenTrial) -> bool:
        step = trial.last_step
        if step is None:
            return False
        complete = study.get_trials(deepcopy=False, states=(TrialState.COMPLETE,))
        if len(complete) < max(self.n_startup_trials, 1):
            return False
        others = [t.intermediate_values[step] for t in complete if step in t.intermediate_values]
        value = trial.intermediate_values[step]
        if not others or math.isnan(value):
            return bool(others) and math.isnan(value)
        maximize = study.direction == StudyDirection.MAXIMIZE
        bar = float(np.nanpercentile(others, 100 - self.percentile if maximize else self.percentile))
        return value < bar if maximize else value > bar
