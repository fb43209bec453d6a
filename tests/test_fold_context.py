"""The optional `fold` argument of `fit_predict`, and pruning by boosting round inside a tuning trial
(`--pruner rounds` or `hyperband`)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from harness.cli import app
from harness.fold_context import ROUND_STEPS, Fold, accepts_fold, reported_round
from harness.workspace import Workspace
from tests.test_tuning import titanic_root, write_kernel, ws  # noqa: F401  (fixtures)

runner = CliRunner()

SEES_FOLD = """
import json, pathlib
KERNEL = {"competition": "titanic", "title": "Records its folds", "techniques": ["baseline"]}
LOG = pathlib.Path(LOG_PATH)


def fit_predict(train, test, params, fold=None):
    seen = {"number": fold.number, "folds": fold.folds, "final": fold.final,
            "valid_rows": None if fold.valid is None else len(fold.valid),
            "has_target": fold.valid is not None and "Survived" in fold.valid.columns,
            "test_rows": len(test), "callbacks": len(fold.lightgbm_callbacks("binary_logloss"))}
    with LOG.open("a") as fh:
        fh.write(json.dumps(seen) + "\\n")
    return (test["Sex"] == "female").astype(int)
"""


def test_a_kernel_that_takes_fold_gets_the_validation_rows_with_the_target(
    ws: Workspace,  # noqa: F811
    tmp_path: Path,
) -> None:
    from harness.kernels import load_kernel
    from harness.runs import run_kernel

    log = tmp_path / "seen.jsonl"
    path = tmp_path / "sees.py"
    path.write_text(SEES_FOLD.replace("LOG_PATH", repr(str(log))), encoding="utf-8")
    result = run_kernel(ws, load_kernel(ws, path), folds=3)
    seen = [json.loads(line) for line in log.read_text().splitlines()]
    assert [s["number"] for s in seen] == [1, 2, 3, 0] and all(s["folds"] == 3 for s in seen)
    for s in seen[:3]:
        assert s["has_target"] and s["valid_rows"] == s["test_rows"] and not s["final"]
    assert seen[3]["final"] and seen[3]["valid_rows"] is None and seen[3]["test_rows"] == result.test_rows
    assert all(s["callbacks"] == 0 for s in seen)  # no callbacks outside a tuning trial


def test_old_kernels_without_fold_run_unchanged() -> None:
    def old(train, test, params):  # type: ignore[no-untyped-def]
        return None

    def new(train, test, params, fold=None):  # type: ignore[no-untyped-def]
        return None

    assert not accepts_fold(old) and accepts_fold(new)
    assert Fold(1, 5).lightgbm_callbacks("l2") == []


def test_lightgbm_rounds_are_reported_on_each_folds_own_steps(
    ws: Workspace,  # noqa: F811
) -> None:
    import optuna

    from harness.tuning.study import find

    result = runner.invoke(
        app,
        [
            "tune",
            "titanic/lgbm-features",
            "--trials",
            "3",
            "--folds",
            "2",
            "--pruner",
            "rounds",
            "-f",
            "json",
        ],
    )
    assert result.exit_code == 0, result.stderr
    study, _ = find(ws, "titanic/lgbm-features", None)
    for trial in study.get_trials(states=(optuna.trial.TrialState.COMPLETE,)):
        steps = sorted(trial.intermediate_values)
        rounds = trial.params.get("n_estimators", 300)
        # fold 1 on steps 1.., fold 2 on ROUND_STEPS + 1..: after rounds 8, 16, 32, ...; none shared
        grid = [r for r in range(1, rounds + 1) if reported_round(r)]
        assert grid[:2] == [8, 16] and steps == [*grid, *(ROUND_STEPS + r for r in grid)]
        # binary log loss falls while the study maximises accuracy: reported negated, so that
        # "higher is better" holds for the pruner; and no fold score (an accuracy) is mixed in
        assert all(-1.0 < value < 0.0 for value in trial.intermediate_values.values())
        assert len(trial.user_attrs["fold_scores"]) == 2


@pytest.mark.slow  # a study of several full LightGBM trials
def test_a_poor_trial_is_pruned_inside_a_fold(ws: Workspace) -> None:  # noqa: F811
    result = runner.invoke(
        app,
        [
            "tune",
            "titanic/lgbm-features",
            "--trials",
            "12",
            "--folds",
            "2",
            "--seed",
            "0",
            "--pruner",
            "hyperband",
        ],
    )
    assert result.exit_code == 0, result.stderr
    rows = json.loads(runner.invoke(app, ["studies", "-f", "json"]).stdout)
    assert rows[0]["pruned"] >= 1


def test_fold_scores_are_reported_when_a_kernel_does_not_prune_by_round(
    ws: Workspace,  # noqa: F811
    tmp_path: Path,
) -> None:
    from harness.tuning.study import find

    kernel = write_kernel(tmp_path)
    assert runner.invoke(app, ["tune", str(kernel), "--trials", "2", "--pruner", "rounds"]).exit_code == 0
    assert (
        runner.invoke(
            app, ["tune", str(kernel), "--trials", "2", "--study", "plain", "--pruner", "none"]
        ).exit_code
        == 0
    )
    assert all(not t.intermediate_values for t in find(ws, "plain", None)[0].trials)  # no pruner: no reports
    study, _ = find(ws, "titanic/fast", None)
    for trial in study.trials:
        assert sorted(trial.intermediate_values) == [1, 2, 3, 4, 5]
        scores = trial.user_attrs["fold_scores"]  # reported as the CV score so far, fold after fold
        assert list(trial.intermediate_values.values()) == pytest.approx(
            [sum(scores[:k]) / k for k in range(1, 6)]
        )


LGBM_KERNELS = (
    "titanic/lgbm-features",
    "spam/lgbm-features",
    "penguins/lgbm-features",
    "house-prices/lgbm-log-target",
    "chicago-ridership/lgbm-calendar",
    "wages/lgbm-grouped",
)


@pytest.mark.slow
@pytest.mark.parametrize("name", LGBM_KERNELS)
def test_each_reference_lightgbm_kernel_reports_its_rounds_in_a_trial(
    name: str, prepared_workspace: Workspace
) -> None:
    import optuna

    from harness.kernels import cross_validate, load_kernel
    from harness.tuning.study import identify

    kernel = load_kernel(prepared_workspace, name)
    study = optuna.create_study(direction=identify(prepared_workspace, kernel, 2).direction)  # type: ignore[arg-type]
    trial = study.ask()
    plain = cross_validate(prepared_workspace, kernel, folds=2)
    watched = cross_validate(
        prepared_workspace, kernel, folds=2, fold_context=lambda n, k, v: Fold(n, k, v, trial=trial)
    )
    assert watched.fold_scores == plain.fold_scores  # watching the rounds changes no prediction
    reported = study._storage.get_trial(trial._trial_id).intermediate_values
    rounds = kernel.info.params["n_estimators"]
    grid = [r for r in range(1, rounds + 1) if reported_round(r)]
    assert sorted(reported) == [*grid, *(ROUND_STEPS + r for r in grid)]
