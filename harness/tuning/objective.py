"""A trial: the kernel's `search_space(trial)` over its PARAMS, cross-validated exactly as `compete run`
does it (`harness.kernels.cross_validate`), so the same parameters give the same CV score in both.

Each fold's score is kept in the trial's user attributes (`fold_scores`). With a pruner that judges
folds (`median`, see `harness.tuning.pruners`), the trial's CV score so far (the mean of its first k
fold scores) is reported at step k, and the pruner is asked after every fold but the last; with one
that judges boosting rounds, a LightGBM kernel reports its rounds instead (`harness.fold_context`)
and a kernel that asks for none reports its folds as above.
The competition's public data and the fold plan are read and made once, on the first trial (through
the door, as `compete run` reads them), and every trial cross-validates on them: per trial, only the
kernel's work, the metric's SQL and the study's writes remain.
A kernel that raises fails the trial, its message kept as the user attribute `error`; Ctrl-C marks
the trial `interrupted` so that it is not counted as the kernel's failure.
"""

from __future__ import annotations

import os
import socket
from typing import TYPE_CHECKING, Any

from harness.errors import CompeteError, KernelError, TuningError, is_interrupt
from harness.fold_context import Fold
from harness.tuning.study import ERROR_ATTR, FOLD_SCORES_ATTR, INTERRUPTED_ATTR, WORKER_ATTR
from harness.workspace import Workspace

if TYPE_CHECKING:
    import optuna
    import pandas as pd

    from harness.folds import Fold as FoldPlan
    from harness.kernels import Kernel
    from harness.public import PublicData


class Objective:
    """The function Optuna optimises for one kernel on one competition's folds."""

    def __init__(
        self, ws: Workspace, kernel: Kernel, folds: int | None, *, pruning: str | None = "folds"
    ) -> None:
        # pruning: "folds" reports the CV score so far after each fold, "rounds" offers the kernel
        # round callbacks, None reports nothing. Nobody reads what no pruner needs, and it costs time:
        # the validation rows scored after every round, a storage write per report
        assert pruning in ("folds", "rounds", None)
        self.ws, self.kernel, self.folds, self.pruning = ws, kernel, folds, pruning
        self._data: PublicData | None = None
        self._plan: list[FoldPlan] = []

    def data(self) -> tuple[PublicData, list[FoldPlan]]:
        """The public data and the folds every trial runs on, read and made on the first call."""
        if self._data is None:
            from harness.folds import make_folds
            from harness.public import read_public

            self._data = read_public(self.ws, self.kernel.info.competition)
            self._plan = make_folds(self._data.card, self._data.train, self.folds)
        return self._data, self._plan

    def params(self, trial: optuna.Trial) -> dict[str, Any]:
        """The trial's parameters from the kernel's search space. Raises TuningError if it raises."""
        return suggest(self.kernel, trial)

    def __call__(self, trial: optuna.Trial) -> float:
        import optuna

        from harness.kernels import cross_validate

        params = self.params(trial)
        trial.set_user_attr(WORKER_ATTR, f"{socket.gethostname()}:{os.getpid()}")  # which machine and process
        contexts: list[Fold] = []
        scores: list[float] = []

        def fold_context(number: int, folds: int, valid: pd.DataFrame | None) -> Fold:
            context = Fold(number, folds, valid, trial=trial if self.pruning == "rounds" else None)
            contexts.append(context)
            return context

        def on_score(number: int, score: float) -> None:
            scores.append(score)
            if self.pruning is None or any(c.asked_for_rounds for c in contexts):
                return  # nothing to prune with, or its boosting rounds are reported instead
            trial.report(sum(scores) / len(scores), step=number)  # the same folds in every trial
            if number < len(plan) and trial.should_prune():  # after the last fold, nothing to save
                raise optuna.TrialPruned(f"pruned after fold {number}")

        try:
            data, plan = self.data()  # inside: a KernelError of the folds fails the trial as before
            result = cross_validate(
                self.ws,
                self.kernel,
                params=params,
                data=data,
                plan=plan,
                on_score=on_score,
                fold_context=fold_context,
            )
        except KernelError as exc:
            trial.set_user_attr(ERROR_ATTR, str(exc))
            raise
        except BaseException as exc:
            if is_interrupt(exc):
                trial.set_user_attr(INTERRUPTED_ATTR, True)
            elif scores:  # pruned: the folds it finished
                trial.set_user_attr(FOLD_SCORES_ATTR, list(scores))
            raise
        # once per trial: every write to the storage takes its lock (and a database a transaction)
        trial.set_user_attr(FOLD_SCORES_ATTR, list(result.fold_scores))
        return result.mean


def suggest(kernel: Kernel, trial: Any) -> dict[str, Any]:
    """`kernel.search_space(trial)`; TuningError (naming the kernel) when it is missing or raises."""
    if getattr(kernel.module, "search_space", None) is None:
        raise TuningError(
            f"kernel {kernel.name!r} defines no search_space(trial), so there is nothing to tune; add one, "
            "e.g. def search_space(trial): return {'learning_rate': trial.suggest_float('learning_rate', "
            "0.01, 0.3, log=True)} (see kernels/README.md)."
        )
    try:
        return kernel.search_space(trial)
    except CompeteError as exc:
        raise TuningError(str(exc)) from None
    except Exception as exc:
        if type(exc).__name__ == "TrialPruned":
            raise
        raise TuningError(
            f"kernel {kernel.name!r}: search_space(trial) raised {type(exc).__name__}: {exc}; fix it and "
            "run again."
        ) from None


def check_search_space(kernel: Kernel) -> None:
    """Ask the kernel's search space once, on a throwaway in-memory study, before any real trial.

    Raises TuningError when the kernel has none, or it raises or returns something other than a dict.
    """
    import optuna

    probe = optuna.create_study()
    suggest(kernel, probe.ask())
