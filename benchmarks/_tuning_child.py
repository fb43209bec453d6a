"""One measured tuning run, in its own process: `python -m benchmarks._tuning_child MODE JSON-OPTIONS`.

Prints one JSON object: the seconds the trials took (imports and data preparation excluded) and the
CPU seconds of this process in that time, the trials finished, the best value, and for the pruning
runs the seconds until the target was reached. The harness and bare runs also give the seconds spent
in parts of a trial (`parts`): the kernel's fit_predict, the fold scoring, the study's writes and
the journal's fsync as each trial ends,
and `trials_seconds`, from the first trial's start to the last one's end as the study records them
(the harness's setup of the study before its first trial left out). `steady_seconds` and
`steady_cpu` start at the second trial instead: `compete tune` reads the data and makes the folds
in its first trial, once per study, which the bare loop does before its clock starts.

    harness     `harness.tuning.run.tune` (what `compete tune` runs): random sampler, no pruner
    bare        an Optuna study in memory and the kernel's own fit_predict on the same folds, scored
                with scikit-learn: the loop one would write by hand
    prune       the harness's objective on `kernel` with the given pruner (TPE, the given seed),
                stopping once `target` is reached or `budget` CPU seconds have passed
    workers     `tune` with K worker processes
"""

from __future__ import annotations

import json
import sys
import time
from collections.abc import Callable
from typing import Any

KERNEL = "titanic/lgbm-features"


def main(mode: str, options: dict[str, Any]) -> dict[str, Any]:
    import optuna

    from harness.workspace import find_workspace

    optuna.logging.set_verbosity(optuna.logging.ERROR)
    ws = find_workspace()
    trials = int(options["trials"])
    if mode == "bare":
        return _bare(ws, trials)
    if mode in ("harness", "workers"):
        import harness.kernels
        from harness.tuning.run import TuneRequest, tune

        parts: dict[str, float] = {}
        marks: list[float] = []  # CPU seconds at each trial's start
        _import_what_tune_imports()
        if mode == "harness":
            harness.kernels._call = _timed(harness.kernels._call, parts, "kernel")  # type: ignore[assignment]
            harness.kernels.score_fold = _timed(harness.kernels.score_fold, parts, "scoring")
            import harness.tuning.objective
            import harness.tuning.storage

            make_journal = harness.tuning.storage._journal_file

            def timed_journal(*args: Any) -> Any:  # the journal's appends, and its fsync as a trial ends
                backend = make_journal(*args)
                backend.append_logs = _timed(backend.append_logs, parts, "study writes")
                backend.sync = _timed(backend.sync, parts, "fsync")
                return backend

            harness.tuning.storage._journal_file = timed_journal  # type: ignore[assignment]
            objective = harness.tuning.objective.Objective
            objective.__call__ = _marked(objective.__call__, marks)  # type: ignore[method-assign]

        request = TuneRequest(
            kernel=KERNEL,
            trials=trials,
            storage=options["storage"],
            workers=int(options.get("workers", 1)),
            sampler="random",
            pruner="none",
            seed=0,
        )
        started, cpu = time.perf_counter(), time.process_time()
        outcome = tune(ws, request)
        seconds, end = time.perf_counter() - started, time.process_time()
        cpu = end - cpu
        from harness.tuning.storage import open_storage

        study = optuna.load_study(
            study_name=outcome.study, storage=open_storage(request.storage, ws, "titanic")
        )
        return {
            "seconds": seconds,
            "trials_seconds": _span(study),
            "steady_seconds": _span(study, first=1),
            "workers": _by_worker(study),
            "cpu": cpu,
            "trials_cpu": end - marks[0] if marks else None,
            "steady_cpu": end - marks[1] if len(marks) > 1 else None,
            "parts": parts,
            "trials": outcome.counts.finished,
            "best": outcome.counts.best_value,
        }
    return _prune(ws, trials, options)


def _bare(ws: Any, trials: int) -> dict[str, Any]:
    import optuna
    import pandas as pd
    from sklearn.metrics import accuracy_score

    from harness.competition import load_card
    from harness.folds import make_folds
    from harness.kernels import load_kernel

    module = load_kernel(ws, KERNEL).module
    card = load_card(ws, "titanic")
    train = pd.read_csv(ws.data_dir("titanic") / "train.csv")
    plan = make_folds(card, train)
    parts: dict[str, float] = {}
    fit_predict = _timed(module.fit_predict, parts, "kernel")
    accuracy = _timed(accuracy_score, parts, "scoring")
    marks: list[float] = []

    def objective(trial: optuna.Trial) -> float:
        params = {**module.PARAMS, **module.search_space(trial)}
        scores = []
        for fold in plan:
            fit = train.iloc[fold.train_rows].reset_index(drop=True)
            valid = train.iloc[fold.valid_rows].reset_index(drop=True)
            predicted = fit_predict(fit, valid.drop(columns=["Survived"]), params)
            scores.append(accuracy(valid["Survived"], predicted))
        return float(sum(scores) / len(scores))

    study = optuna.create_study(direction="maximize", sampler=optuna.samplers.RandomSampler(seed=0))
    study.enqueue_trial(dict(module.PARAMS))
    started, cpu = time.perf_counter(), time.process_time()
    study.optimize(_marked(objective, marks), n_trials=trials)
    end = time.process_time()
    return {
        "seconds": time.perf_counter() - started,
        "trials_seconds": _span(study),
        "steady_seconds": _span(study, first=1),
        "cpu": end - cpu,
        "trials_cpu": end - marks[0],
        "steady_cpu": end - marks[1],
        "parts": parts,
        "trials": trials,
        "best": study.best_value,
    }


def _import_what_tune_imports() -> None:
    """Import, before the clock starts, the modules `tune` imports on its first call (the bare loop
    imports its own before its clock too); they cost seconds of a short study, once per process."""
    import duckdb  # noqa: F401
    import sklearn.model_selection  # noqa: F401
    from optuna.storages import journal  # noqa: F401

    import harness.folds  # noqa: F401
    import harness.kernels  # noqa: F401
    import harness.public  # noqa: F401
    import harness.session  # noqa: F401
    import harness.store  # noqa: F401
    import harness.tuning.objective  # noqa: F401
    import harness.tuning.storage  # noqa: F401
    import harness.tuning.study  # noqa: F401


def _span(study: Any, first: int = 0) -> float:
    """Seconds from trial `first`'s start to the last trial's end, as the study records them."""
    return _span_of(
        [t for t in study.trials[first:] if t.datetime_start is not None and t.datetime_complete is not None]
    )


def _marked(function: Callable[..., Any], marks: list[float]) -> Callable[..., Any]:
    """`function` (an objective), appending the process's CPU seconds to `marks` as each call starts."""

    def marked(*args: Any, **kwargs: Any) -> Any:
        marks.append(time.process_time())
        return function(*args, **kwargs)

    return marked


def _by_worker(study: Any) -> list[dict[str, float]]:
    """Each worker's median trial seconds and the share of its span it spent inside trials."""
    import statistics

    runs: dict[str, list[Any]] = {}
    for trial in study.trials:
        if trial.datetime_start is not None and trial.datetime_complete is not None:
            runs.setdefault(str(trial.user_attrs.get("worker")), []).append(trial)
    out = []
    for trials in runs.values():
        took = [(t.datetime_complete - t.datetime_start).total_seconds() for t in trials]
        span = _span_of(trials)
        out.append({"median_trial": statistics.median(took), "busy": sum(took) / span if span else 1.0})
    return out


def _span_of(trials: list[Any]) -> float:
    return (max(t.datetime_complete for t in trials) - min(t.datetime_start for t in trials)).total_seconds()


def _timed(function: Callable[..., Any], parts: dict[str, float], name: str) -> Callable[..., Any]:
    """`function`, adding the wall seconds of each call to `parts[name]`."""

    def timed(*args: Any, **kwargs: Any) -> Any:
        tic = time.perf_counter()
        try:
            return function(*args, **kwargs)
        finally:
            parts[name] = parts.get(name, 0.0) + time.perf_counter() - tic

    return timed


def _prune(ws: Any, trials: int, options: dict[str, Any]) -> dict[str, Any]:
    """A TPE study (seed `options["seed"]`) of `options["kernel"]` with `options["pruner"]`, its
    defaults not enqueued, run as `compete tune` runs its trials.

    Stops after `trials` trials, or once its best reaches `options["target"]`, or once it has used
    `options["budget"]` CPU seconds. Times are this process's CPU seconds from the first trial's start
    (which also reads the data): one thread, so they are the study's work, whatever else the machine
    runs.
    """
    import optuna

    from harness.competition import load_card
    from harness.errors import KernelError
    from harness.kernels import load_kernel
    from harness.metrics import get as get_metric
    from harness.tuning.objective import Objective
    from harness.tuning.run import make_pruner, make_sampler, pruning

    kernel = load_kernel(ws, options["kernel"])
    maximize = get_metric(load_card(ws, kernel.info.competition).metric).greater_is_better
    target, budget = options.get("target"), options.get("budget")
    study = optuna.create_study(
        direction="maximize" if maximize else "minimize",
        sampler=make_sampler("tpe", int(options.get("seed", 0))),
        pruner=make_pruner(options["pruner"]),
    )

    def better(value: float, than: float) -> bool:
        return value >= than if maximize else value <= than

    started = time.process_time()
    bests: list[
        tuple[float, float, int]
    ] = []  # (CPU seconds since the start, best value, trial) at each new best

    def watch(study: optuna.Study, trial: optuna.trial.FrozenTrial) -> None:
        now = time.process_time() - started
        if trial.state == optuna.trial.TrialState.COMPLETE and trial.value is not None:
            if not bests or (trial.value != bests[-1][1] and better(trial.value, bests[-1][1])):
                bests.append((now, trial.value, trial.number))
        if target is not None and bests and better(bests[-1][1], target):
            study.stop()
        if budget is not None and now >= budget:
            study.stop()

    study.optimize(
        Objective(ws, kernel, None, pruning=pruning(options["pruner"])),
        n_trials=trials,
        catch=(KernelError,),
        callbacks=[watch],
    )
    reached = None
    if target is not None:
        reached = next((at for at, value, _ in bests if better(value, target)), None)
    return {
        "cpu": time.process_time() - started,
        "trials": len(study.trials),
        "pruned": sum(t.state == optuna.trial.TrialState.PRUNED for t in study.trials),
        "best": bests[-1][1] if bests else None,
        "first_best_cpu": bests[-1][0] if bests else None,
        "best_trial": bests[-1][2] if bests else None,
        "reached_cpu": reached,
    }


if __name__ == "__main__":
    print(json.dumps(main(sys.argv[1], json.loads(sys.argv[2]))))
