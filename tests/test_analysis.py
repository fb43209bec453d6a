"""Why does a kernel work: kept out-of-fold predictions, --params, compare, explain and the leak guard."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from typer.testing import CliRunner

from harness import oof
from harness.analysis.compare import compare, parse_entry
from harness.analysis.explain import explain
from harness.analysis.leakguard import guard
from harness.analysis.paired import paired
from harness.cli import app
from harness.competition import load_card
from harness.errors import AnalysisError, KernelError
from harness.folds import make_folds
from harness.kernels import cross_validate, load_kernel
from harness.predictions import score_fold
from harness.runs import run_kernel
from harness.workspace import Workspace

runner = CliRunner()

HEAD = (
    'KERNEL = {"competition": "titanic", "title": "A test kernel", "techniques": ["baseline"]}\nPARAMS = {}\n'
)
WOMEN = "def fit_predict(train, test, params):\n    return (test['Sex'] == 'female').astype(int)\n"
SEPARABLE = (
    "def fit(train, params):\n"
    "    return train.groupby('Sex')['Survived'].mean().round().astype(int).to_dict()\n"
    "def predict(model, test):\n"
    "    return test['Sex'].map(model).fillna(0).astype(int)\n"
)
LEAKY = (
    "def fit_predict(train, test, params):\n"
    "    return (test['Age'].fillna(0) > test['Age'].median()).astype(int)\n"
)


def _kernel(tmp_path: Path, body: str, head: str = HEAD, name: str = "mine.py") -> Path:
    path = tmp_path / name
    path.write_text(head + body, encoding="utf-8")
    return path


# --- out-of-fold predictions kept ----------------------------------------------------------------------


def test_a_full_run_keeps_one_out_of_fold_prediction_per_train_row(prepared_workspace: Workspace) -> None:
    ws = prepared_workspace
    result = run_kernel(ws, "titanic/baseline")
    [run] = oof.stored_runs(ws, "titanic", "titanic/baseline")
    assert run.path.is_relative_to(ws.private_dir("titanic")) and run.fold_scores == result.fold_scores
    rows = oof.load("titanic", "titanic/baseline", ws=ws)
    card = load_card(ws, "titanic")
    train = pd.read_csv(ws.data_dir("titanic") / "train.csv")
    kept = rows[rows[oof.SET] == "train"].reset_index(drop=True)
    assert kept[card.id_column].tolist() == train[card.id_column].tolist()
    for fold in make_folds(card, train):
        assert set(kept[oof.FOLD].iloc[fold.valid_rows]) == {fold.number}
        scored = score_fold(
            card, train[card.target].iloc[fold.valid_rows], kept[["Survived"]].iloc[fold.valid_rows]
        )
        assert scored == pytest.approx(result.fold_scores[fold.number - 1], abs=1e-12)
    assert (rows[oof.SET] == "test").sum() == result.test_rows
    assert not any(ws.data_dir("titanic").glob("*.parquet"))


def test_a_partial_run_keeps_nothing(prepared_workspace: Workspace) -> None:
    run_kernel(prepared_workspace, "titanic/baseline", rows=300)
    assert oof.stored_runs(prepared_workspace, "titanic") == []
    with pytest.raises(AnalysisError, match=r"compete run titanic/baseline"):
        oof.load("titanic", "titanic/baseline", ws=prepared_workspace)


def test_run_oof_writes_the_csv_and_params_override_for_one_run(prepared_workspace: Workspace) -> None:
    target = prepared_workspace.root / "oof.csv"
    result = runner.invoke(
        app,
        ["run", "titanic/lgbm-features", "-p", "num_leaves=4", "--params", '{"n_estimators": 50}',
         "--oof", str(target), "-f", "json"],
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    assert data["params"]["num_leaves"] == 4 and data["params"]["n_estimators"] == 50
    assert data["oof_path"] == str(target)
    written = pd.read_csv(target)
    assert list(written.columns) == ["PassengerId", "fold", "Survived"]
    assert len(written) == data["train_rows"] and set(written["fold"]) == {1, 2, 3, 4, 5}
    assert "num_leaves" not in load_kernel(prepared_workspace, "titanic/lgbm-features").info.params or (
        load_kernel(prepared_workspace, "titanic/lgbm-features").info.params["num_leaves"] == 8
    )


@pytest.mark.parametrize(
    ("args", "expected"),
    [
        (["-p", "num_leave=4"], "no parameter 'num_leave'"),
        (["--params", "[1]"], "not a JSON object"),
        (["--params", "{oops"], "is not JSON"),
        (["-p", "num_leaves"], "not key=value"),
        (["--oof", "/no/such/folder/oof.csv"], "does not exist"),
    ],
)
def test_bad_run_options_are_one_line_errors(
    prepared_workspace: Workspace, args: list[str], expected: str
) -> None:
    result = runner.invoke(app, ["run", "titanic/lgbm-features", *args])
    assert result.exit_code == 1
    assert expected in result.stderr and "Traceback" not in result.output
    assert len(result.stderr.strip().splitlines()) == 1


# --- fit and predict -------------------------------------------------------------------------------------


def test_a_kernel_with_fit_and_predict_runs_and_keeps_its_fold_models(
    prepared_workspace: Workspace, tmp_path: Path
) -> None:
    kernel = load_kernel(prepared_workspace, _kernel(tmp_path, SEPARABLE))
    assert kernel.separable
    result = cross_validate(prepared_workspace, kernel, folds=3, keep_models=True, predict_test=True)
    assert len(result.models) == 3 and all(m == {"female": 1, "male": 0} for m in result.models)
    women = cross_validate(
        prepared_workspace, load_kernel(prepared_workspace, _kernel(tmp_path, WOMEN, name="w.py")), folds=3
    )
    assert result.fold_scores == women.fold_scores
    assert result.oof is not None and women.oof is not None
    assert result.oof["Survived"].tolist() == women.oof["Survived"].tolist()


# --- paired statistics and compare ---------------------------------------------------------------------


def test_paired_statistics_match_scipy_and_the_verdict_reads_plainly() -> None:
    from scipy import stats

    a = [0.70, 0.72, 0.71, 0.69, 0.73]
    b = [0.74, 0.75, 0.76, 0.72, 0.77]
    result = paired("A", "B", a, b, greater_is_better=True)
    expected = stats.ttest_rel(b, a)
    assert result.t == pytest.approx(expected.statistic) and result.p_value == pytest.approx(expected.pvalue)
    assert result.ci_low <= result.mean <= result.ci_high
    assert result.verdict.startswith("B is better on 5 of 5 folds; the gain is")
    assert "compete theory comparing-models" in result.verdict
    lower = paired("A", "B", a, b, greater_is_better=False)  # the same numbers as an error: B is worse
    assert lower.mean < 0 and lower.verdict.startswith("B is worse on 5 of 5 folds")
    noisy = paired("A", "B", [0.7, 0.8, 0.7, 0.8, 0.7], [0.8, 0.7, 0.75, 0.75, 0.72], greater_is_better=True)
    assert noisy.verdict.startswith("inside the noise") and not noisy.significant


def test_compare_scores_entries_on_the_same_folds(prepared_workspace: Workspace) -> None:
    result = compare(prepared_workspace, ["titanic/baseline", "titanic/lgbm-features@num_leaves=4"], folds=3)
    plain = cross_validate(prepared_workspace, load_kernel(prepared_workspace, "titanic/baseline"), folds=3)
    assert result.entries[0].fold_scores == plain.fold_scores
    assert result.entries[1].params["num_leaves"] == 4
    [pair] = result.pairs
    diffs = np.subtract(result.entries[1].fold_scores, result.entries[0].fold_scores)
    assert pair.differences == pytest.approx(tuple(diffs))
    assert result.folds == ("1", "2", "3")


def test_compare_repeats_use_other_seeds_and_the_cards_folds_first(prepared_workspace: Workspace) -> None:
    once = compare(prepared_workspace, ["titanic/baseline", "titanic/scratch-decision-tree"], folds=2)
    twice = compare(
        prepared_workspace, ["titanic/baseline", "titanic/scratch-decision-tree"], folds=2, repeats=2
    )
    assert twice.folds == ("1.1", "1.2", "2.1", "2.2")
    assert twice.entries[0].fold_scores[:2] == once.entries[0].fold_scores
    assert twice.entries[0].fold_scores[2:] != once.entries[0].fold_scores
    assert twice.pairs[0].corrected and not once.pairs[0].corrected


def test_compare_a_kept_run_with_a_kernel(prepared_workspace: Workspace) -> None:
    run_kernel(prepared_workspace, "titanic/baseline")
    result = compare(prepared_workspace, ["run:titanic/baseline", "titanic/baseline"])
    assert result.entries[0].source == "run"
    assert result.entries[0].fold_scores == result.entries[1].fold_scores
    assert result.pairs[0].verdict.startswith("titanic/baseline and run:titanic/baseline score the same")


def test_compare_json_from_the_command_line(prepared_workspace: Workspace) -> None:
    result = runner.invoke(
        app, ["compare", "titanic/baseline", "titanic/scratch-decision-tree", "-k", "2", "-f", "json"]
    )
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    assert data["theory"] == "comparing-models" and len(data["pairs"]) == 1
    assert {"mean", "std", "t", "p_value", "ci_low", "ci_high", "verdict"} <= set(data["pairs"][0])
    table = runner.invoke(app, ["compare", "titanic/baseline", "titanic/scratch-decision-tree", "-k", "2"])
    assert (
        table.exit_code == 0 and "B - A" in table.stdout and "compete theory comparing-models" in table.stdout
    )


@pytest.mark.parametrize(
    ("entries", "options", "expected"),
    [
        (["titanic/baseline", "spam/baseline"], [], "different competitions"),
        (["titanic/baseline", "titanic/lgbm-features"], ["--repeats", "0"], "--repeats 0"),
        (
            ["run:titanic/baseline", "titanic/baseline"],
            [],
            "a full `compete run titanic/baseline` keeps them",
        ),
        (["titanic/baseline"], [], "at least two entries"),
        (["chicago-ridership/baseline", "chicago-ridership/lgbm-calendar"], ["-r", "2"], "time-ordered"),
    ],
)
def test_bad_compare_inputs_are_one_line_errors(
    prepared_workspace: Workspace, entries: list[str], options: list[str], expected: str
) -> None:
    result = runner.invoke(app, ["compare", *entries, *options])
    assert result.exit_code == 1, result.output
    assert expected in result.stderr and "Traceback" not in result.output
    assert len(result.stderr.strip().splitlines()) == 1


def test_a_run_kept_on_other_folds_is_refused(prepared_workspace: Workspace) -> None:
    run_kernel(prepared_workspace, "titanic/baseline", folds=3)
    with pytest.raises(AnalysisError, match="kept on other folds"):
        compare(prepared_workspace, ["run:titanic/baseline", "titanic/baseline"])
    with pytest.raises(AnalysisError, match="needs kernels, not kept runs"):
        compare(prepared_workspace, ["run:titanic/baseline", "titanic/baseline"], folds=3, repeats=2)


def test_entries_parse_params_as_json_or_pairs() -> None:
    assert parse_entry('titanic/x@{"a": 1}').params == {"a": 1}
    assert parse_entry("titanic/x@a=1,b=0.5,c=gbdt").params == {"a": 1, "b": 0.5, "c": "gbdt"}
    assert parse_entry("run:titanic/x").run == "titanic/x"


# --- explain ---------------------------------------------------------------------------------------------


def test_permutation_importance_finds_the_one_column_a_kernel_uses(
    prepared_workspace: Workspace, tmp_path: Path
) -> None:
    path = _kernel(tmp_path, SEPARABLE)
    result = explain(prepared_workspace, path, folds=3, report=False)
    by_column = {i.column: i for i in result.importances}
    assert set(by_column) == {"Name", "Sex", "Age", "Pclass"}
    assert by_column["Sex"].mean > 0.1 and by_column["Sex"].above_noise
    assert all(by_column[c].folds == (0.0, 0.0, 0.0) for c in ("Name", "Age", "Pclass"))
    assert result.refits.startswith("each fold's model")
    plain = cross_validate(prepared_workspace, load_kernel(prepared_workspace, path), folds=3)
    assert result.fold_scores == plain.fold_scores


def test_a_fit_predict_kernel_is_refitted_and_gets_the_same_importances(
    prepared_workspace: Workspace, tmp_path: Path
) -> None:
    separable = explain(prepared_workspace, _kernel(tmp_path, SEPARABLE), folds=3, report=False)
    women = explain(prepared_workspace, _kernel(tmp_path, WOMEN, name="w.py"), folds=3, report=False)
    assert "refitted" in women.refits
    assert [(i.column, i.folds) for i in women.importances] == [
        (i.column, i.folds) for i in separable.importances
    ]


def test_ablation_worst_rows_learning_curve_and_report(prepared_workspace: Workspace, tmp_path: Path) -> None:
    path = _kernel(tmp_path, WOMEN, name="women.py")
    result = explain(prepared_workspace, path, folds=3, drop=["Sex"], learning_curve=True, worst=5)
    [ablation] = result.ablations
    assert ablation.how == "blanked"  # the kernel reads test['Sex'] by name
    assert ablation.paired.mean < 0 and ablation.paired.wins == 0
    losses = [row["loss"] for row in result.worst_rows]
    assert losses == sorted(losses, reverse=True) and losses[0] == 1.0
    assert result.wrong_rows is not None and result.wrong_rows > 5
    assert {"Name", "Sex", "fold", "predicted Survived"} <= set(result.worst_rows[0])
    assert result.curve is not None and [p.fraction for p in result.curve.points] == [0.1, 0.25, 0.5, 1.0]
    assert "bias" in result.curve.reading  # a rule as simple as this cannot overfit
    assert result.report is not None and result.report.name == "index.html"
    page = result.report.read_text(encoding="utf-8")
    assert page.count("data:image/png;base64,") == 4 and "Permutation importance" in page
    assert result.report.is_relative_to(prepared_workspace.reports_dir("titanic"))


def test_each_ablates_every_feature_column(prepared_workspace: Workspace, tmp_path: Path) -> None:
    result = explain(
        prepared_workspace, _kernel(tmp_path, SEPARABLE), folds=2, each=True, report=False, worst=0
    )
    assert [a.dropped for a in result.ablations] == [("Name",), ("Sex",), ("Age",), ("Pclass",)]
    assert [a.how for a in result.ablations] == ["removed", "blanked", "removed", "removed"]


def test_shift_tells_how_alike_train_and_test_are(prepared_workspace: Workspace, tmp_path: Path) -> None:
    result = explain(prepared_workspace, _kernel(tmp_path, WOMEN), folds=2, shift=True, report=False)
    assert result.shift is not None and 0.3 < result.shift.auc < 0.65
    assert "look alike" in result.shift.reading


@pytest.mark.parametrize(
    ("options", "expected"),
    [
        (["--drop", "Cabin"], "has no column 'Cabin'"),
        (["--drop", "Survived"], "is the target column"),
        (["--drop", "PassengerId"], "is the id column"),
    ],
)
def test_bad_explain_inputs_are_one_line_errors(
    prepared_workspace: Workspace, options: list[str], expected: str
) -> None:
    result = runner.invoke(app, ["explain", "titanic/baseline", *options])
    assert result.exit_code == 1, result.output
    assert expected in result.stderr and "Traceback" not in result.output
    assert len(result.stderr.strip().splitlines()) == 1


def test_explain_from_the_command_line(prepared_workspace: Workspace, tmp_path: Path) -> None:
    path = _kernel(tmp_path, SEPARABLE)
    result = runner.invoke(app, ["explain", str(path), "-k", "2", "--worst", "3"])
    assert result.exit_code == 0, result.output
    text = " ".join(result.stdout.split())
    assert "Permutation importance" in text and "compete theory feature-importance" in text
    assert "report:" in text
    data = json.loads(
        runner.invoke(app, ["explain", str(path), "-k", "2", "--no-report", "-f", "json"]).stdout
    )
    assert data["report"] is None and data["importances"][0]["column"] == "Sex"


# --- the leak guard --------------------------------------------------------------------------------------


def test_the_leak_guard_names_a_kernel_that_learns_from_test(
    prepared_workspace: Workspace, tmp_path: Path
) -> None:
    found = guard(prepared_workspace, load_kernel(prepared_workspace, _kernel(tmp_path, LEAKY)))
    assert not found.ok and not found.exempt and found.changed_rows > 0
    assert "titanic/mine learns from the test rows" in found.message
    assert found.example is not None and found.example["all at once"] != found.example["in two halves"]
    assert "uses_test_features" in found.message


def test_a_declared_kernel_is_exempt_and_the_guard_names_the_declaration(
    prepared_workspace: Workspace, tmp_path: Path
) -> None:
    head = HEAD.replace('"baseline"]}', '"baseline"], "uses_test_features": True}')
    found = guard(prepared_workspace, load_kernel(prepared_workspace, _kernel(tmp_path, LEAKY, head=head)))
    assert found.ok and found.exempt and "declares 'uses_test_features'" in found.message


def test_compete_check_runs_the_leak_guard(prepared_workspace: Workspace) -> None:
    import shutil

    from harness.checks import check_competition
    from tests.conftest import REPO

    link = prepared_workspace.kernels_dir
    link.unlink()
    shutil.copytree(REPO / "kernels", link)
    (link / "titanic" / "leaky.py").write_text(HEAD + LEAKY, encoding="utf-8")
    results = {r.name: r for r in check_competition(prepared_workspace, "titanic")}
    assert (
        not results["leak-guard"].ok
        and "titanic/leaky learns from the test rows" in results["leak-guard"].message
    )
    assert "titanic/lgbm-features" not in results["leak-guard"].message


def test_a_kernel_with_neither_fit_predict_nor_fit_and_predict_is_refused(
    workspace: Workspace, tmp_path: Path
) -> None:
    with pytest.raises(KernelError, match=r"nor the pair fit\(train, params\) and predict\(model, test\)"):
        load_kernel(workspace, _kernel(tmp_path, "def fit(train, params):\n    return None\n"))


def test_a_plain_run_calls_fit_predict_when_defined_and_kept_models_come_from_fit(
    prepared_workspace: Workspace, tmp_path: Path
) -> None:
    # Two paths that disagree on purpose show which one ran (a real kernel makes them agree).
    body = SEPARABLE + "def fit_predict(train, test, params):\n    return np.ones(len(test), dtype=int)\n"
    kernel = load_kernel(prepared_workspace, _kernel(tmp_path, body, head="import numpy as np\n" + HEAD))
    plain = cross_validate(prepared_workspace, kernel, folds=2)
    kept = cross_validate(prepared_workspace, kernel, folds=2, keep_models=True)
    assert plain.oof is not None and set(plain.oof["Survived"]) == {"1"} and plain.models == ()
    assert kept.oof is not None and set(kept.oof["Survived"]) == {"0", "1"} and len(kept.models) == 2


def test_worst_rows_of_time_ordered_folds_are_rows_that_were_held_out(prepared_workspace: Workspace) -> None:
    ws = prepared_workspace
    result = explain(ws, "chicago-ridership/baseline", worst=5, report=False)
    card = load_card(ws, "chicago-ridership")
    train = pd.read_csv(ws.data_dir("chicago-ridership") / "train.csv")
    held = {int(train[card.id_column].iloc[p]) for f in make_folds(card, train) for p in f.valid_rows}
    assert len(result.worst_rows) == 5 and all(row["fold"] >= 1 for row in result.worst_rows)
    assert {row[card.id_column] for row in result.worst_rows} <= held
    for row in result.worst_rows:
        assert row["loss"] == pytest.approx(abs(row["ridership"] - row["predicted ridership"]))
