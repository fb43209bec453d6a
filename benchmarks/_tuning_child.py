"""One measured tuning run, in its own process: `python -m benchmarks._tuning_child MODE JSON-OPTIONS`.

Prints one JSON object: the seconds the trials took (imports and data preparation excluded), the
trials finished, the best value, and for the pruning runs the seconds until the target was reached.

    harness     `harness.tuning.run.tune` (what `compete tune` runs): random sampler, no pruner
    bare        an Optuna study in memory and the kernel's own fit_predict on the same folds, scored
                with scikit-learn: the loop one would write by hand
    prune       the harness's objective with the given pruner, stopping once `target` is reached
    workers     `tune` with K worker processes
"""

from __future__ import annotations

import json
import sys
import time
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
        from harness.tuning.run import TuneRequest, tune

        request = TuneRequest(
            kernel=KERNEL,
            trials=trials,
            storage=options["storage"],
            workers=int(options.get("workers", 1)),
            sampler="random",
            pruner="none",
            seed=0,
        )
        started = time.perf_counter()
        outcome = tune(ws, request)
        seconds = time.perf_counter() - started
        return {"seconds": seconds, "trials": outcome.counts.finished, "best": outcome.counts.best_value}
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

    def objective(trial: optuna.Trial) -> float:
        params = {**module.PARAMS, **module.search_space(trial)}
        scores = []
        for fold in plan:
            fit = train.iloc[fold.train_rows].reset_index(drop=True)
            valid = train.iloc[fold.valid_rows].reset_index(drop=True)
            predicted = module.fit_predict(fit, valid.drop(columns=["Survived"]), params)
            scores.append(accuracy_score(valid["Survived"], predicted))
        return float(sum(scores) / len(scores))

    study = optuna.create_study(direction="maximize", sampler=optuna.samplers.RandomSampler(seed=0))
    study.enqueue_trial(dict(module.PARAMS))
    started = time.perf_counter()
    study.optimize(objective, n_trials=trials)
    return {"seconds": time.perf_counter() - started, "trials": trials, "best": study.best_value}


def _prune(ws: Any, trials: int, options: dict[str, Any]) -> dict[str, Any]:
    import optuna

    from harness.errors import KernelError
    from harness.kernels import load_kernel
    from harness.tuning.objective import Objective
    from harness.tuning.run import make_pruner, make_sampler

    kernel = load_kernel(ws, KERNEL)
    target = options.get("target")
    study = optuna.create_study(
        direction="maximize", sampler=make_sampler("tpe", 0), pruner=make_pruner(options["pruner"])
    )
    study.enqueue_trial(dict(kernel.info.params))
    started = time.perf_counter()
    reached: list[float] = []

    def stop_at_target(study: optuna.Study, trial: optuna.trial.FrozenTrial) -> None:
        best = _best(study)
        if target is not None and best is not None and best >= target and not reached:
            reached.append(time.perf_counter() - started)
            study.stop()

    study.optimize(
        Objective(ws, kernel, None, prune=options["pruner"] != "none"),
        n_trials=trials,
        catch=(KernelError,),
        callbacks=[stop_at_target],
    )
    seconds = time.perf_counter() - started
    complete = [t for t in study.trials if t.state == optuna.trial.TrialState.COMPLETE]
    best = _best(study)
    first = None  # seconds until the final best was first reached (from trial end times)
    if best is not None:
        hit = min((t for t in complete if t.value == best), key=lambda t: t.number)
        assert hit.datetime_complete is not None and study.trials[0].datetime_start is not None
        first = (hit.datetime_complete - study.trials[0].datetime_start).total_seconds()
    return {
        "seconds": seconds,
        "trials": len(study.trials),
        "pruned": sum(t.state == optuna.trial.TrialState.PRUNED for t in study.trials),
        "best": best,
        "first_best_seconds": first,
        "reached_seconds": reached[0] if reached else None,
    }


def _best(study: Any) -> float | None:
    import optuna

    values = [t.value for t in study.trials if t.state == optuna.trial.TrialState.COMPLETE]
    return max(values) if values else None


if __name__ == "__main__":
    print(json.dumps(main(sys.argv[1], json.loads(sys.argv[2]))))
