"""What a kernel may learn about the fold it is fitted for: the optional `fold` argument.

A kernel's `fit_predict(train, test, params)` may take a fourth parameter named `fold`:

    def fit_predict(train, test, params, fold=None): ...

When it does, the harness passes a `Fold`: the fold's validation rows *with* their target (`valid`;
None in the final fit on all of train), which fold it is (`number` of `folds`; 0 in the final fit),
and `lightgbm_callbacks(metric)`, which returns the callbacks a LightGBM model should be fitted with:
none in `compete run` and under `compete tune`'s default pruner (which judges whole folds, see
`harness.tuning.pruners`), and inside a trial of `--pruner rounds` or `hyperband` a pruning callback
(optuna-integration's `LightGBMPruningCallback`) that reports the metric on `valid` after each
boosting round and stops the trial when the pruner finds it unpromising. A kernel without the
parameter runs exactly as before.

Why a trial proxy, and how steps are laid out. A pruner compares a trial's intermediate values with
the other trials' values *at the same step*, so every step must mean the same thing in every trial:

- A kernel that never asks for callbacks (or any kernel under the default pruner) has its CV score
  so far (the mean of its first k fold scores, the competition's metric) reported at step k (1..K),
  by the tuning objective.
- A kernel that asks for callbacks has its boosting rounds reported instead: after round `r` of fold
  `f`, at step `(f - 1) * ROUND_STEPS + r`. The folds never share a step, so round 16 of fold 2 is
  compared only with round 16 of fold 2 of other trials, never with fold 1 (whose curve differs). Its fold
  scores are then kept as the trial's user attributes but not reported, because Optuna's percentile
  pruner compares the *best* of a trial's values over all its steps: values of two kinds (a LightGBM
  loss and, say, accuracy) in one trial would be compared with each other.
- Rounds are reported (and the pruner asked) only after rounds 8, 16, 32, 64, ...: every report is
  a write to the study's storage (under the journal's file lock, or a database's transaction), and
  asking the pruner reads the other trials back; after each of 300 rounds in 5 folds that cost more
  than the boosting itself.
  The doubling grid is the same in every trial, so the pruner still compares like with like, and
  it checks most often early, where stopping a poor trial saves most.
- The LightGBM metric need not point the way the study does (binary log loss falls while the study
  maximises accuracy). The proxy reports the metric negated when its direction differs from the
  study's, so "better" means the same to the pruner for both kinds of value.
"""

from __future__ import annotations

import inspect
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    import pandas as pd

ROUND_STEPS = 100_000
"""Steps set aside for each fold's boosting rounds; rounds beyond it are not reported."""

FIRST_REPORT = 8
"""The first boosting round reported; then every round that doubles it (16, 32, 64, ...)."""


def reported_round(rounds: int) -> bool:
    """Whether the pruner hears of the model after `rounds` boosting rounds."""
    return rounds >= FIRST_REPORT and rounds & (rounds - 1) == 0 and rounds < ROUND_STEPS


# LightGBM's metrics where a higher value is better (every other one is a loss or an error).
_HIGHER_IS_BETTER = ("auc", "average_precision", "ndcg", "map", "auc_mu")


@dataclass
class Fold:
    """The fold a kernel's `fit_predict` is called for (see the module's docstring)."""

    number: int
    folds: int
    valid: pd.DataFrame | None = None
    trial: Any = field(default=None, repr=False)  # an optuna Trial inside a tuning trial, else None
    asked_for_rounds: bool = field(default=False, repr=False)

    @property
    def final(self) -> bool:
        """Whether this is the final fit on all of train (no validation rows)."""
        return self.valid is None

    def lightgbm_callbacks(self, metric: str, valid_name: str = "valid") -> list[Callable[..., None]]:
        """The callbacks to fit a LightGBM model with on this fold.

        `metric` is the LightGBM metric evaluated on the validation set named `valid_name` (pass
        `eval_set=[(X_valid, y_valid)], eval_names=[valid_name], eval_metric=metric` as well). Outside a
        tuning trial, or in the final fit, the list is empty: the model trains exactly as it would
        without it.
        """
        if self.trial is None or self.valid is None:
            return []
        from optuna_integration import LightGBMPruningCallback

        self.asked_for_rounds = True
        proxy = _RoundTrial(self.trial, self.number, _higher_is_better(metric))
        return [LightGBMPruningCallback(proxy, metric, valid_name=valid_name)]


def accepts_fold(fit_predict: Callable[..., Any]) -> bool:
    """Whether a kernel's `fit_predict` takes a parameter named `fold`."""
    try:
        return "fold" in inspect.signature(fit_predict).parameters
    except (TypeError, ValueError):
        return False


def _higher_is_better(metric: str) -> bool:
    name = metric.removeprefix("valid ").split("@")[0]
    return name in _HIGHER_IS_BETTER


class _RoundTrial:
    """A trial as `LightGBMPruningCallback` sees it: reports land on this fold's own steps, negated
    where the LightGBM metric points the other way from the study."""

    def __init__(self, trial: Any, fold_number: int, higher_is_better: bool) -> None:
        import optuna

        self._trial = trial
        self._offset = (fold_number - 1) * ROUND_STEPS
        maximize = trial.study.direction == optuna.study.StudyDirection.MAXIMIZE
        self._sign = 1.0 if higher_is_better == maximize else -1.0
        direction = (
            optuna.study.StudyDirection.MAXIMIZE if higher_is_better else optuna.study.StudyDirection.MINIMIZE
        )
        self.study = _Direction(direction)  # what the callback checks the metric against
        self._reported = False

    def report(self, value: float, step: int) -> None:
        rounds = step + 1  # LightGBM counts iterations from 0
        if reported_round(rounds):
            self._trial.report(self._sign * value, step=self._offset + rounds)
            self._reported = True

    def should_prune(self) -> bool:
        if not self._reported:  # nothing new to judge since the last report
            return False
        self._reported = False
        return bool(self._trial.should_prune())


@dataclass(frozen=True)
class _Direction:
    direction: Any
