"""`compete tune`: create or resume a study, then run its trials in this process or in K workers.

`--trials N` is the study's size: a run adds trials until the study holds N finished ones (complete,
pruned or failed; a trial stopped by Ctrl-C does not count), so the same command again resumes a
study that was stopped, and a worker on another machine stops when the study is full.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import asdict, dataclass
from typing import TYPE_CHECKING, Any

from harness.errors import TuningError
from harness.workspace import Workspace

if TYPE_CHECKING:
    import optuna

SAMPLERS = ("tpe", "random", "cmaes", "qmc")
PRUNERS = ("median", "rounds", "hyperband", "none")  # what each does: harness.tuning.pruners
BY_ROUND = ("rounds", "hyperband")
"""The pruners that hear of a LightGBM kernel's boosting rounds; the others hear of its folds."""


@dataclass(frozen=True)
class Counts:
    """How far a study has come: finished trials by state, and the best value so far."""

    complete: int
    pruned: int
    failed: int
    running: int
    best_value: float | None

    @property
    def finished(self) -> int:
        return self.complete + self.pruned + self.failed


@dataclass(frozen=True)
class TuneRequest:
    """What `compete tune` was asked to do (everything a worker process needs to join in)."""

    kernel: str
    trials: int
    timeout: float | None = None
    study: str | None = None
    storage: str | None = None
    workers: int = 1
    sampler: str = "tpe"
    pruner: str = "median"
    seed: int | None = None
    folds: int | None = None
    accept_changes: bool = False

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)


@dataclass(frozen=True)
class TuneOutcome:
    """A finished (or stopped) `compete tune` run."""

    study: str
    storage: str
    kernel: str
    competition: str
    metric: str
    direction: str
    created: bool
    added: int  # trials finished by this run
    counts: Counts
    best_params: dict[str, Any]
    seconds: float

    def as_dict(self) -> dict[str, Any]:
        out = asdict(self)
        out["trials"] = self.counts.complete
        out["pruned"] = self.counts.pruned
        out["failed"] = self.counts.failed
        out["best_value"] = self.counts.best_value
        del out["counts"]
        return out


# Called with the study's counts and the run's target after every trial (or poll, with workers).
TuneProgress = Callable[[Counts, int], None]


def tune(ws: Workspace, request: TuneRequest, progress: TuneProgress | None = None) -> TuneOutcome:
    """Run `request`: check it, create the study once (or resume it), then add trials until it holds
    `request.trials` finished ones, stopping early at `request.timeout` seconds.

    Raises UnknownName (kernel), NotPrepared, TuningError (bad options, a search space that raises, a
    study of another kernel, a changed kernel or folds, every trial failed) and StorageError.
    """
    from harness.kernels import load_kernel
    from harness.session import open_competition
    from harness.tuning import storage as storages
    from harness.tuning.objective import check_search_space
    from harness.tuning.study import create_or_resume, identify

    _check_options(request)
    _quiet_optuna()
    kernel = load_kernel(ws, request.kernel)
    slug = kernel.info.competition
    with open_competition(ws, slug):  # NotPrepared before anything is created
        pass
    check_search_space(kernel)
    identity = identify(ws, kernel, request.folds)
    storage = storages.open_storage(request.storage, ws, slug)
    name = request.study or kernel.name
    study, created = create_or_resume(
        storage,
        name,
        identity,
        dict(kernel.info.params),
        kernel_path=str(kernel.info.path),
        accept_changes=request.accept_changes,
    )
    before = counts(study)
    remaining = max(request.trials - before.finished, 0)
    started = time.perf_counter()
    if progress:
        progress(before, request.trials)
    if remaining:
        if request.workers == 1:
            run_worker(ws, request, name, remaining, index=0, storage=storage, progress=progress)
        else:
            from harness.tuning.workers import run_workers

            run_workers(ws, request, name, remaining, storage, progress)
    after = counts(study)
    added = after.finished - before.finished
    if remaining and after.complete == 0 and after.failed > before.failed:
        raise TuningError(
            f"every trial of study {name!r} failed; the last error: {_last_error(study)}. "
            f"Run `compete run {kernel.name}` to see the kernel fail with its defaults, fix it and tune "
            "again."
        )
    best = _best_params(study)
    return TuneOutcome(
        study=name,
        storage=storages.describe(request.storage, ws, slug),
        kernel=kernel.name,
        competition=slug,
        metric=identity.metric,
        direction=identity.direction,
        created=created,
        added=added,
        counts=after,
        best_params=best,
        seconds=time.perf_counter() - started,
    )


def run_worker(
    ws: Workspace,
    request: TuneRequest,
    name: str,
    trials: int,
    *,
    index: int,
    storage: Any,
    progress: TuneProgress | None = None,
) -> None:
    """Add up to `trials` trials to the existing study `name`, in this process, single-threaded.

    Stops once the study holds `request.trials` finished trials (other workers add trials too).
    """
    import optuna

    from harness.errors import KernelError
    from harness.kernels import load_kernel
    from harness.tuning.objective import Objective

    _quiet_optuna()
    kernel = load_kernel(ws, request.kernel)
    seed = None if request.seed is None else request.seed + index
    study = optuna.load_study(
        study_name=name,
        storage=storage,
        sampler=make_sampler(request.sampler, seed),
        pruner=make_pruner(request.pruner),
    )

    def after_trial(study: optuna.Study, trial: optuna.trial.FrozenTrial) -> None:
        now = counts(study)
        if progress:
            progress(now, request.trials)
        if now.finished >= request.trials:
            study.stop()

    study.optimize(
        Objective(ws, kernel, request.folds, pruning=pruning(request.pruner)),
        n_trials=trials,
        timeout=request.timeout,
        catch=(KernelError,),
        callbacks=[after_trial],
    )


def counts(study: optuna.Study) -> Counts:
    """The study's trials by state; a trial stopped by Ctrl-C is not a failure of the kernel."""
    from optuna.trial import TrialState

    from harness.tuning.study import INTERRUPTED_ATTR

    trials = study.get_trials(deepcopy=False)
    complete = [t for t in trials if t.state == TrialState.COMPLETE]
    best: float | None = None
    if complete:
        values = [t.value for t in complete if t.value is not None]
        best = max(values) if study.direction.name == "MAXIMIZE" else min(values)
    return Counts(
        complete=len(complete),
        pruned=sum(t.state == TrialState.PRUNED for t in trials),
        failed=sum(t.state == TrialState.FAIL and not t.user_attrs.get(INTERRUPTED_ATTR) for t in trials),
        running=sum(t.state == TrialState.RUNNING for t in trials),
        best_value=best,
    )


def make_sampler(name: str, seed: int | None) -> optuna.samplers.BaseSampler:
    import warnings

    import optuna

    with warnings.catch_warnings():
        warnings.simplefilter("ignore", optuna.exceptions.ExperimentalWarning)
        if name == "tpe":
            return optuna.samplers.TPESampler(seed=seed)
        if name == "random":
            return optuna.samplers.RandomSampler(seed=seed)
        if name == "cmaes":
            return optuna.samplers.CmaEsSampler(seed=seed)
        return optuna.samplers.QMCSampler(seed=seed)


def make_pruner(name: str) -> optuna.pruners.BasePruner:
    from harness.tuning.pruners import make_pruner as make

    return make(name)


def pruning(pruner: str) -> str | None:
    """What the objective reports to `pruner`: "rounds", "folds", or None (nothing: no pruner)."""
    if pruner == "none":
        return None
    return "rounds" if pruner in BY_ROUND else "folds"


def _check_options(request: TuneRequest) -> None:
    if request.trials < 0:
        raise TuningError(f"--trials must be 0 or more, not {request.trials}.")
    if request.workers < 1:
        raise TuningError(
            f"--workers must be 1 or more, not {request.workers}; 1 runs the trials in this process."
        )
    if request.timeout is not None and request.timeout <= 0:
        raise TuningError(f"--timeout must be a positive number of seconds, not {request.timeout}.")
    if request.sampler not in SAMPLERS:
        raise TuningError(f"unknown sampler {request.sampler!r}; choose one of {', '.join(SAMPLERS)}.")
    if request.pruner not in PRUNERS:
        raise TuningError(f"unknown pruner {request.pruner!r}; choose one of {', '.join(PRUNERS)}.")
    if request.folds is not None and request.folds < 2:
        raise TuningError(f"--folds must be 2 or more, not {request.folds}.")


def _quiet_optuna() -> None:
    """Optuna logs each trial (and a failed one's traceback); the study keeps all that, the bar shows it."""
    import optuna

    optuna.logging.set_verbosity(optuna.logging.ERROR)


def _best_params(study: optuna.Study) -> dict[str, Any]:
    try:
        return dict(study.best_params)
    except ValueError:  # no complete trial yet
        return {}


def _last_error(study: optuna.Study) -> str:
    from harness.tuning.study import ERROR_ATTR

    for trial in reversed(study.get_trials(deepcopy=False)):
        if ERROR_ATTR in trial.user_attrs:
            return str(trial.user_attrs[ERROR_ATTR]).splitlines()[0]  # its frames: `compete run` shows them
    return "no message was kept"
