"""The small slips a newcomer meets: each message says only what is true, and says it cleanly."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest
from typer.testing import CliRunner

from harness.authoring import new_competition
from harness.checks import check_competition
from harness.cli import app
from harness.competition import load_card
from harness.errors import AuthoringError, KernelError
from harness.folds import make_folds
from harness.importers import import_kaggle
from harness.kernels import load_kernel
from harness.workspace import Workspace
from tests.test_authoring import binary_frame, ws  # noqa: F401  (ws is a fixture)
from tests.test_import import kaggle_folder

runner = CliRunner()


def test_an_import_points_to_a_task_option_it_has(ws: Workspace, tmp_path: Path) -> None:  # noqa: F811
    folder, _ = kaggle_folder(tmp_path / "downloads")
    authored = import_kaggle(ws, folder, metric="roc_auc")
    assert any("override with --task" in note for note in authored.notes), authored.notes
    for command in ("kaggle", "mlebench"):
        help_text = CliRunner(env={"COLUMNS": "200"}).invoke(app, ["import", command, "--help"]).output
        assert "--task" in help_text, command


def test_submissions_help_says_without_as_everyone_is_listed() -> None:
    result = CliRunner(env={"COLUMNS": "200"}).invoke(app, ["submissions", "--help"])
    assert "Only this participant's submissions (default: everyone's)" in result.output
    assert "OS user" not in result.output


def test_the_missing_kernel_dict_message_has_no_stray_brace(workspace: Workspace, tmp_path: Path) -> None:
    path = tmp_path / "bare.py"
    path.write_text("def fit_predict(train, test, params):\n    return None\n", encoding="utf-8")
    with pytest.raises(KernelError) as info:
        load_kernel(workspace, path)
    assert "'techniques': [...]} at module level" in str(info.value)
    assert "}}" not in str(info.value)


def test_too_many_folds_reads_cleanly(prepared_workspace: Workspace) -> None:
    card = load_card(prepared_workspace, "titanic")
    train = pd.read_csv(prepared_workspace.data_dir("titanic") / "train.csv").head(240)
    with pytest.raises(KernelError) as info:
        make_folds(card, train, 300)
    assert ".;" not in str(info.value) and "use fewer folds" in str(info.value)


def test_run_prints_no_empty_line_before_an_error(prepared_workspace: Workspace, tmp_path: Path) -> None:
    path = tmp_path / "raises.py"
    path.write_text(
        'KERNEL = {"competition": "titanic", "title": "R", "techniques": ["baseline"]}\n'
        "def fit_predict(train, test, params):\n    return train['nope']\n",
        encoding="utf-8",
    )
    result = runner.invoke(app, ["run", str(path), "--folds", "2"])
    assert result.exit_code == 1
    assert result.stderr.startswith("error: kernel"), repr(result.stderr[:40])


def test_a_submission_without_its_id_column_is_told_any_order_will_do(
    prepared_workspace: Workspace, tmp_path: Path
) -> None:
    from harness import ledger

    sample = pd.read_csv(prepared_workspace.data_dir("titanic") / "sample_submission.csv")
    swapped = tmp_path / "swapped.csv"
    sample[["Survived", "PassengerId"]].to_csv(swapped, index=False)
    assert ledger.submit(prepared_workspace, "titanic", swapped).submission.status == "scored"
    renamed = tmp_path / "renamed.csv"
    sample.rename(columns={"PassengerId": "passenger"}).to_csv(renamed, index=False)
    error = ledger.submit(prepared_workspace, "titanic", renamed).submission.error or ""
    assert "in any column order" in error and "the first column must" not in error


def test_a_target_in_other_case_gets_a_did_you_mean(ws: Workspace, tmp_path: Path) -> None:  # noqa: F811
    source = tmp_path / "data.csv"
    binary_frame(60).rename(columns={"y": "target"}).to_csv(source, index=False)
    with pytest.raises(
        AuthoringError, match=r"'Target' is not a column of the data; .* Did you mean 'target'\?"
    ):
        new_competition(ws, "cased", source, "Target")


def test_check_shows_todo_placeholders_as_to_do_not_as_ok(ws: Workspace, tmp_path: Path) -> None:  # noqa: F811
    source = tmp_path / "data.csv"
    binary_frame(120).to_csv(source, index=False)
    new_competition(ws, "todos", source, "y")
    description = {r.name: r for r in check_competition(ws, "todos")}["description"]
    assert description.ok and description.todo and "TODO placeholders left" in description.message
    result = CliRunner(env={"COLUMNS": "200"}).invoke(app, ["check", "todos"])
    assert result.exit_code == 0, result.output
    [line] = [ln for ln in result.stdout.splitlines() if "│ description " in ln]
    assert "TODO" in line and " ok " not in line
