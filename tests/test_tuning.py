"""`compete tune`, `compete studies`, `compete study show|submit`: studies on the competition's folds."""

from __future__ import annotations

import json
import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest
from typer.testing import CliRunner

from harness.cli import app
from harness.workspace import ENV_VAR, Workspace
from tests.conftest import make_workspace

runner = CliRunner()

FAST = """
KERNEL = {"competition": "titanic", "title": "Women of the upper classes", "techniques": ["baseline"]}
PARAMS = {"cut": 0.5}


def search_space(trial):
    return {"cut": trial.suggest_float("cut", 0.0, 1.0)}


def fit_predict(train, test, params):
    SIDE_EFFECT
    return ((test["Sex"] == "female") & (test["Pclass"] <= round(1 + 2 * params["cut"]))).astype(int)
"""


def write_kernel(folder: Path, name: str = "fast", side_effect: str = "pass", body: str = FAST) -> Path:
    path = folder / f"{name}.py"
    path.write_text(body.replace("SIDE_EFFECT", side_effect), encoding="utf-8")
    return path


@pytest.fixture(scope="module")
def titanic_root(tmp_path_factory: pytest.TempPathFactory) -> Path:
    from harness.prepare import prepare

    ws = make_workspace(tmp_path_factory.mktemp("titanic") / "ws")
    prepare(ws, "titanic")
    return ws.root


@pytest.fixture
def ws(titanic_root: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Workspace]:
    """A workspace with titanic prepared (its own copy of the store)."""
    workspace = make_workspace(tmp_path / "ws")
    for name in ("data", ".compete"):
        shutil.copytree(titanic_root / name, workspace.root / name)
    monkeypatch.setenv(ENV_VAR, str(workspace.root))
    monkeypatch.chdir(workspace.root)
    yield workspace


def tune(*args: str) -> tuple[int, str, str]:
    result = runner.invoke(app, ["tune", *args])
    return result.exit_code, result.stdout, result.stderr


def test_a_trial_scores_as_compete_run_does(ws: Workspace, tmp_path: Path) -> None:
    from harness.kernels import cross_validate, load_kernel

    kernel = write_kernel(tmp_path)
    code, out, err = tune(str(kernel), "--trials", "4", "--seed", "3", "-f", "json")
    assert code == 0, err
    data = json.loads(out)
    assert data["study"] == "titanic/fast" and data["trials"] == 4 and data["added"] == 4
    detail = json.loads(
        runner.invoke(app, ["study", "show", "titanic/fast", "--no-plots", "-f", "json"]).stdout
    )
    loaded = load_kernel(ws, kernel)
    for trial in detail["top_trials"]:
        again = cross_validate(ws, loaded, params=trial["params"])
        assert again.mean == trial["value"]
        assert list(again.fold_scores) == trial["fold_scores"]
    defaults = [t for t in detail["top_trials"] if t["defaults"]]
    assert defaults and defaults[0]["number"] == 0 and defaults[0]["params"] == {"cut": 0.5}
    assert defaults[0]["value"] == cross_validate(ws, loaded).mean


def test_studies_lists_every_study_with_its_counts(ws: Workspace, tmp_path: Path) -> None:
    kernel = write_kernel(tmp_path)
    assert tune(str(kernel), "--trials", "3", "--pruner", "none")[0] == 0
    assert tune(str(kernel), "--trials", "2", "--study", "second", "--sampler", "random")[0] == 0
    rows = json.loads(runner.invoke(app, ["studies", "-f", "json"]).stdout)
    by_name = {row["name"]: row for row in rows}
    assert set(by_name) == {"titanic/fast", "second"}
    row = by_name["titanic/fast"]
    assert {
        "name",
        "competition",
        "kernel",
        "trials",
        "pruned",
        "failed",
        "best_value",
        "best_params",
        "direction",
    } <= set(row)
    assert (row["competition"], row["kernel"], row["direction"]) == ("titanic", "titanic/fast", "maximize")
    assert row["trials"] + row["pruned"] + row["failed"] == 3
    assert set(row["best_params"]) == {"cut"}
    assert by_name["second"]["trials"] == 2
    table = runner.invoke(app, ["studies", "titanic"])
    assert table.exit_code == 0 and "second" in table.stdout


def test_rerun_resumes_and_adds_only_the_rest(ws: Workspace, tmp_path: Path) -> None:
    kernel = write_kernel(tmp_path)
    assert tune(str(kernel), "--trials", "2", "--pruner", "none")[0] == 0
    code, out, err = tune(str(kernel), "--trials", "5", "--pruner", "none", "-f", "json")
    assert code == 0, err
    data = json.loads(out)
    assert data["created"] is False and data["added"] == 3 and data["trials"] == 5


def test_a_changed_kernel_or_folds_is_refused_with_the_way_out(ws: Workspace, tmp_path: Path) -> None:
    kernel = write_kernel(tmp_path)
    assert tune(str(kernel), "--trials", "1")[0] == 0
    code, _, err = tune(str(kernel), "--trials", "2", "--folds", "3")
    assert code != 0 and "folds changed" in err and "--study" in err and "Traceback" not in err
    kernel.write_text(kernel.read_text() + "\n# a change\n", encoding="utf-8")
    code, _, err = tune(str(kernel), "--trials", "2")
    assert code != 0 and "kernel file titanic/fast changed" in err and "--accept-changes" in err
    code, out, err = tune(str(kernel), "--trials", "2", "--accept-changes", "-f", "json")
    assert code == 0, err
    assert json.loads(out)["added"] == 1
    assert tune(str(kernel), "--trials", "3")[0] == 0  # the accepted version is the study's now


def test_a_failing_trial_is_recorded_and_the_study_goes_on(ws: Workspace, tmp_path: Path) -> None:
    kernel = write_kernel(
        tmp_path, side_effect='if params["cut"] > 0.5:\n        raise ValueError("cut too high")'
    )
    code, out, err = tune(str(kernel), "--trials", "8", "--sampler", "random", "--seed", "0", "-f", "json")
    assert code == 0, err
    data = json.loads(out)
    assert (
        data["failed"] >= 1 and data["trials"] >= 1 and data["trials"] + data["pruned"] + data["failed"] == 8
    )
    import optuna

    from harness.tuning.study import find

    study, _ = find(ws, "titanic/fast", None)
    failed = [t for t in study.trials if t.state == optuna.trial.TrialState.FAIL]
    assert all("cut too high" in t.user_attrs["error"] for t in failed)


def test_a_study_where_every_trial_fails_ends_with_a_clear_error(ws: Workspace, tmp_path: Path) -> None:
    kernel = write_kernel(tmp_path, side_effect='raise RuntimeError("broken model")')
    code, _, err = tune(str(kernel), "--trials", "2")
    assert code == 1
    assert "every trial" in err and "broken model" in err and len(err.strip().splitlines()) == 1


def test_ctrl_c_keeps_finished_trials_exits_130_and_a_rerun_resumes(ws: Workspace, tmp_path: Path) -> None:
    counter = tmp_path / "calls"
    # the 8th fit (trial 1's third fold, with 5 folds) is interrupted
    side_effect = (
        f"import pathlib; c = pathlib.Path({str(counter)!r}); n = int(c.read_text()) if c.exists() else 0\n"
        "    c.write_text(str(n + 1))\n"
        "    if n + 1 == 8:\n"
        "        raise KeyboardInterrupt"
    )
    kernel = write_kernel(tmp_path, side_effect=side_effect)
    code, _, err = tune(str(kernel), "--trials", "4", "--pruner", "none")
    assert code == 130, err
    rows = json.loads(runner.invoke(app, ["studies", "-f", "json"]).stdout)
    assert rows[0]["trials"] == 1 and rows[0]["failed"] == 0  # the stopped trial is no failure
    code, out, err = tune(str(kernel), "--trials", "4", "--pruner", "none", "-f", "json")
    assert code == 0, err
    assert json.loads(out)["trials"] == 4


@pytest.mark.slow
def test_ctrl_c_of_two_workers_exits_130_keeps_trials_leaves_no_worker_and_resumes(
    ws: Workspace, tmp_path: Path
) -> None:
    """Ctrl-C in a terminal reaches the whole process group: `compete tune` and its workers."""
    import os
    import signal
    import subprocess
    import sys
    import time

    from harness.tuning.run import counts
    from harness.tuning.study import find

    kernel = write_kernel(tmp_path, side_effect="import time; time.sleep(0.3)")  # about 1.5 s a trial
    command = [sys.executable, "-c", "from harness.cli import main; main()", "tune", str(kernel)]
    command += ["--trials", "8", "--workers", "2", "--pruner", "none", "-f", "json"]
    env = {**os.environ, ENV_VAR: str(ws.root)}
    # As from a terminal: Ctrl-C's default action, even when this test runs in a background job
    # (whose shell starts it with SIGINT ignored, which a child would inherit).
    proc = subprocess.Popen(
        command,
        env=env,
        start_new_session=True,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        preexec_fn=lambda: signal.signal(signal.SIGINT, signal.SIG_DFL),
    )
    group = os.getpgid(proc.pid)
    deadline = time.monotonic() + 600  # a loaded machine starts three Pythons slowly
    finished = 0
    while finished < 1 and proc.poll() is None and time.monotonic() < deadline:
        time.sleep(0.5)
        try:
            finished = counts(find(ws, "titanic/fast", None)[0]).complete
        except Exception:  # the study is not created yet
            continue
    assert proc.poll() is None and finished >= 1, "the study finished or stalled before Ctrl-C"
    assert counts(find(ws, "titanic/fast", None)[0]).complete < 8, "the study finished before Ctrl-C"
    os.killpg(group, signal.SIGINT)
    out, err = proc.communicate(timeout=120)
    assert proc.returncode == 130, (out, err)
    assert "Traceback" not in err.decode()
    for _ in range(50):  # the group empties once every worker has exited
        try:
            os.killpg(group, 0)
        except ProcessLookupError:
            break
        time.sleep(0.2)
    else:
        raise AssertionError("a worker process outlived Ctrl-C")
    after = counts(find(ws, "titanic/fast", None)[0])
    assert after.complete >= finished and after.failed == 0  # stopped trials are not failures
    done = subprocess.run(command, env=env, capture_output=True, text=True, timeout=900, check=False)
    assert done.returncode == 0, done.stderr
    resumed = json.loads(done.stdout)
    assert resumed["created"] is False and resumed["trials"] == 8
    study, _ = find(ws, "titanic/fast", None)
    assert counts(study).complete == 8


def test_two_local_workers_fill_the_study_exactly(ws: Workspace, tmp_path: Path) -> None:
    kernel = write_kernel(tmp_path)
    code, out, err = tune(str(kernel), "--trials", "6", "--workers", "2", "--pruner", "none", "-f", "json")
    assert code == 0, err
    assert json.loads(out)["trials"] == 6
    from harness.tuning.study import find

    study, _ = find(ws, "titanic/fast", None)
    assert sorted(t.number for t in study.trials) == list(range(6))


def test_study_show_reports_folds_gain_and_writes_plots(ws: Workspace, tmp_path: Path) -> None:
    kernel = write_kernel(tmp_path)
    assert tune(str(kernel), "--trials", "5", "--seed", "1", "--pruner", "none")[0] == 0
    result = runner.invoke(app, ["study", "show", "titanic/fast", "-f", "json"])
    assert result.exit_code == 0, result.stderr
    data = json.loads(result.stdout)
    best = data["top_trials"][0]
    assert best["value"] == data["best_value"] and len(best["fold_scores"]) == 5
    assert best["fold_std"] > 0
    gain = data["gain"]
    assert gain["gain"] >= 0 and gain["within_noise"] == (gain["gain"] <= gain["fold_std"])
    assert set(data["plots"]) >= {"history", "slices"}
    for path in data["plots"].values():
        assert Path(path).read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    page = Path(data["page"]).read_text(encoding="utf-8")
    assert page.count("data:image/png;base64,") == len(data["plots"])
    assert Path(data["page"]).is_relative_to(ws.reports_dir("titanic") / "studies")
    table = runner.invoke(app, ["study", "show", "titanic/fast", "--no-plots"])
    assert "gain over the defaults" in table.stdout and "compete theory hyperparameter-tuning" in table.stdout


def test_study_submit_records_the_study_trial_and_cv_score(ws: Workspace, tmp_path: Path) -> None:
    from harness.ledger import submissions

    kernel = write_kernel(tmp_path)
    assert tune(str(kernel), "--trials", "3", "--pruner", "none", "--folds", "3")[0] == 0
    result = runner.invoke(
        app, ["study", "submit", "titanic/fast", "--trial", "1", "-m", "tuned", "-f", "json"]
    )
    assert result.exit_code == 0, result.stderr
    data = json.loads(result.stdout)
    assert data["study_id"] == "titanic/fast#1" and data["cv_again"] == data["cv_score"]
    [recorded] = submissions(ws, "titanic")
    assert recorded.study_id == "titanic/fast#1" and recorded.cv_score == data["cv_score"]
    assert recorded.cv_folds == data["cv_folds"] == 3  # the study's folds, not the card's 5
    assert recorded.kernel == "titanic/fast" and recorded.message == "tuned"
    listed = runner.invoke(app, ["submissions", "titanic"])
    assert "titanic/fast#1" in listed.stdout
    assert any("titanic/fast#1" in line and "(3 folds)" in line for line in listed.stdout.splitlines())
    code = runner.invoke(app, ["study", "submit", "titanic/fast", "--trial", "9"])
    assert code.exit_code == 1 and "no trial 9" in code.stderr


# --- bad input: one line, no traceback, exit != 0 -----------------------------------------------------


def _fails(args: list[str], *needles: str) -> None:
    result = runner.invoke(app, args)
    assert result.exit_code not in (0, None), result.stdout
    assert (
        "Traceback" not in result.stderr
        and result.exception is None
        or isinstance(result.exception, SystemExit)
    )
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    for needle in needles:
        assert needle in lines[0], lines[0]


def test_an_unknown_kernel_or_study(ws: Workspace) -> None:
    _fails(["tune", "titanic/nope"], "unknown kernel 'titanic/nope'")
    _fails(["study", "show", "nope"], "unknown study 'nope'")
    _fails(["study", "submit", "nope"], "unknown study 'nope'")


def test_a_kernel_without_search_space_says_how_to_add_one(ws: Workspace) -> None:
    _fails(["tune", "titanic/baseline"], "defines no search_space(trial)", "def search_space(trial)")


def test_a_search_space_that_raises(ws: Workspace, tmp_path: Path) -> None:
    kernel = write_kernel(tmp_path, body=FAST.replace('trial.suggest_float("cut", 0.0, 1.0)', "1 / 0"))
    _fails(["tune", str(kernel)], "search_space(trial) raised ZeroDivisionError")


def test_a_storage_that_cannot_be_reached_or_lacks_its_driver(ws: Workspace, tmp_path: Path) -> None:
    kernel = str(write_kernel(tmp_path))
    _fails(
        ["tune", kernel, "--storage", "postgresql+psycopg://nobody@127.0.0.1:1/none"],
        "cannot reach the storage",
    )
    _fails(["tune", kernel, "--storage", "mysql+mysqldb://u@localhost/db"], "not installed")
    _fails(["tune", kernel, "--storage", "nosuchdb://u@localhost/db"], "driver")


def test_a_study_name_already_used_for_another_kernel(ws: Workspace, tmp_path: Path) -> None:
    first = write_kernel(tmp_path, "first")
    second = write_kernel(tmp_path, "second")
    assert tune(str(first), "--trials", "1", "--study", "shared")[0] == 0
    _fails(["tune", str(second), "--study", "shared"], "tunes titanic/first, not titanic/second")


def test_bad_numbers_of_workers_and_trials(ws: Workspace, tmp_path: Path) -> None:
    kernel = str(write_kernel(tmp_path))
    _fails(["tune", kernel, "--workers", "0"], "--workers must be 1 or more")
    _fails(["tune", kernel, "--trials", "-1"], "--trials must be 0 or more")
    _fails(["tune", kernel, "--sampler", "grid"], "unknown sampler 'grid'")


def test_tuning_an_unprepared_competition(workspace: Workspace) -> None:
    _fails(["tune", "spam/lgbm-features"], "not prepared yet", "compete prepare spam")


def _study_with(values: list[dict[int, float]], direction: str = "maximize") -> object:
    """A study of complete trials with the given intermediate values (step -> value)."""
    import optuna

    study = optuna.create_study(direction=direction)
    for steps in values:
        study.add_trial(
            optuna.trial.create_trial(
                value=list(steps.values())[-1],
                intermediate_values=steps,
                state=optuna.trial.TrialState.COMPLETE,
            )
        )
    return study


def test_the_fold_pruner_compares_the_same_folds_at_this_step_not_a_best_over_steps() -> None:
    from harness.tuning.pruners import FoldMedianPruner

    # five complete trials: CV score so far 0.80 after fold 1, 0.70 after folds 1-2 (fold 2 is harder)
    study = _study_with([{1: 0.80 + d, 2: 0.70 + d} for d in (-0.02, -0.01, 0.0, 0.01, 0.02)])
    pruner = FoldMedianPruner()

    def judged(steps: dict[int, float]) -> bool:
        return bool(pruner.prune(study, _running(steps)))  # type: ignore[arg-type]

    assert judged({1: 0.79}) and not judged({1: 0.81})
    # after fold 2 it is judged by its 0.69, though its 0.81 after fold 1 beats every fold-2 value
    # (Optuna's MedianPruner takes a trial's best over all its steps, and would keep it)
    assert judged({1: 0.81, 2: 0.69}) and not judged({1: 0.79, 2: 0.71})
    assert not FoldMedianPruner(n_startup_trials=6).prune(study, study.trials[0])  # type: ignore[attr-defined]
    loss = _study_with([{1: 0.10 + d} for d in (-0.02, -0.01, 0.0, 0.01, 0.02)], "minimize")
    assert pruner.prune(loss, _running({1: 0.11}))  # type: ignore[arg-type]
    assert not pruner.prune(loss, _running({1: 0.09}))  # type: ignore[arg-type]


def _running(steps: dict[int, float]) -> object:
    import optuna

    return optuna.trial.create_trial(
        intermediate_values=steps, state=optuna.trial.TrialState.RUNNING, params={}, distributions={}
    )


SWITCHED = """
KERNEL = {"competition": "titanic", "title": "The sex model, or nobody survives", "techniques": ["baseline"]}
PARAMS = {"bad": 0}


def search_space(trial):
    return {"bad": trial.suggest_int("bad", 0, 1)}


def fit_predict(train, test, params):
    return (test["Sex"] == "female").astype(int) * (1 - params["bad"])
"""


def test_a_trial_worse_than_the_median_after_its_first_fold_is_pruned_there(
    ws: Workspace, tmp_path: Path
) -> None:
    import optuna

    from harness.kernels import load_kernel
    from harness.tuning.objective import Objective
    from harness.tuning.run import make_pruner

    kernel = load_kernel(ws, write_kernel(tmp_path, "switched", body=SWITCHED))
    study = optuna.create_study(direction="maximize", pruner=make_pruner("median"))
    for bad in (0, 0, 0, 0, 0, 1):
        study.enqueue_trial({"bad": bad})
    study.optimize(Objective(ws, kernel, None), n_trials=6)
    good, poor = study.trials[0], study.trials[5]
    assert [t.state for t in study.trials[:5]] == [optuna.trial.TrialState.COMPLETE] * 5
    scores = good.user_attrs["fold_scores"]
    # the CV score so far after each fold: the running mean of the fold scores
    assert list(good.intermediate_values) == [1, 2, 3, 4, 5]
    for k, value in good.intermediate_values.items():
        assert value == pytest.approx(sum(scores[:k]) / k)
    assert poor.state == optuna.trial.TrialState.PRUNED
    assert list(poor.intermediate_values) == [1] and len(poor.user_attrs["fold_scores"]) == 1


def test_an_unknown_pruner_lists_the_choices(ws: Workspace, tmp_path: Path) -> None:
    _fails(
        ["tune", str(write_kernel(tmp_path)), "--pruner", "patient"],
        "unknown pruner 'patient'",
        "median, rounds",
    )
