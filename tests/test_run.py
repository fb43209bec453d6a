"""`compete run` and `compete kernels ...` on the command line."""

from __future__ import annotations

import json
import math

from typer.testing import CliRunner

from harness.cli import app
from harness.workspace import Workspace

runner = CliRunner()


def test_run_json_reports_every_fold_and_writes_the_submission(prepared_workspace: Workspace) -> None:
    result = runner.invoke(app, ["run", "titanic/baseline", "--folds", "3", "--format", "json"])
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    assert data["kernel"] == "titanic/baseline" and data["metric"] == "accuracy"
    assert len(data["fold_scores"]) == data["folds"] == 3
    assert math.isclose(data["mean"], sum(data["fold_scores"]) / 3)
    assert data["participant"] == "reference/titanic/baseline"
    assert data["submission"] is None
    assert data["predictions_path"].startswith(str(prepared_workspace.submissions_dir("titanic")))


def test_run_submit_records_the_cv_score_and_kernel_in_the_ledger(prepared_workspace: Workspace) -> None:
    from harness.ledger import submissions

    result = runner.invoke(app, ["run", "titanic/baseline", "--submit", "-m", "first", "-f", "json"])
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    [recorded] = submissions(prepared_workspace, "titanic")
    assert recorded.participant == "reference/titanic/baseline"
    assert recorded.kernel == "titanic/baseline"
    assert recorded.message == "first"
    assert recorded.cv_score == data["mean"]
    assert recorded.cv_folds == data["folds"] == 5  # the card's folds
    assert recorded.public_score == data["submission"]["public_score"]


def test_run_table_and_kernels_list_show_the_last_cv(prepared_workspace: Workspace) -> None:
    result = runner.invoke(app, ["run", "titanic/baseline"])
    assert result.exit_code == 0, result.output
    assert "mean ± std" in result.stdout
    rows = json.loads(runner.invoke(app, ["kernels", "list", "titanic", "-f", "json"]).stdout)
    by_name = {row["name"]: row for row in rows}
    for row in rows:
        assert {"name", "competition", "title", "techniques", "tunable"} <= set(row)
        assert row["competition"] == "titanic"
    assert by_name["titanic/baseline"]["cv"] is not None and by_name["titanic/baseline"]["folds"] == 5


def test_run_of_an_own_file_submits_as_the_user(prepared_workspace: Workspace, tmp_path) -> None:
    from harness.ledger import default_participant

    path = tmp_path / "women-survive.py"
    path.write_text(
        'KERNEL = {"competition": "titanic", "title": "Women survive", "techniques": ["baseline"]}\n'
        "def fit_predict(train, test, params):\n"
        "    return (test['Sex'] == 'female').astype(int)\n",
        encoding="utf-8",
    )
    result = runner.invoke(app, ["run", str(path), "--submit", "-f", "json"])
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    assert data["participant"] == default_participant()
    assert data["submission"]["cv_score"] == data["mean"]


def test_kernels_show_renders_notes_code_and_scores(workspace: Workspace) -> None:
    result = runner.invoke(app, ["kernels", "show", "titanic/baseline"])
    assert result.exit_code == 0, result.output
    assert "Logistic regression on sex, class and age" in result.stdout
    assert "def fit_predict" in result.stdout
    data = json.loads(runner.invoke(app, ["kernels", "show", "titanic/baseline", "-f", "json"]).stdout)
    assert data["name"] == "titanic/baseline"
    assert {c["kind"] for c in data["cells"]} == {"markdown", "code"}
    assert "baseline" in data["techniques"]
    assert data["last_run"] is None


def test_kernel_errors_end_without_a_traceback(workspace: Workspace) -> None:
    result = runner.invoke(app, ["kernels", "new", "titanic", "Bad_Name"])
    assert result.exit_code == 1
    assert "not kebab-case" in result.output and "Traceback" not in result.output
    result = runner.invoke(app, ["run", "titanic/nope"])
    assert result.exit_code == 1 and "unknown kernel" in result.output


def test_run_submit_as_someone_else(prepared_workspace: Workspace) -> None:
    result = runner.invoke(
        app, ["run", "penguins/baseline", "--folds", "2", "--submit", "--as", "alice", "-f", "json"]
    )
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    assert data["participant"] == "alice" and data["submission"]["participant"] == "alice"
    assert data["submission"]["cv_folds"] == 2  # the folds this run used


def test_run_as_someone_else_in_a_table_too_and_a_loud_kernel_keeps_json_clean(
    prepared_workspace: Workspace, tmp_path
) -> None:
    from harness.ledger import submissions

    path = tmp_path / "loud idea.py"
    path.write_text(
        'KERNEL = {"competition": "titanic", "title": "Loud", "techniques": ["baseline"]}\n'
        "def fit_predict(train, test, params):\n"
        "    print('fitting', len(train))\n"
        "    return (test['Sex'] == 'female').astype(int)\n",
        encoding="utf-8",
    )
    quiet = runner.invoke(app, ["run", str(path), "-f", "json"])
    assert quiet.exit_code == 0, quiet.output
    assert json.loads(quiet.stdout)["kernel"] and "fitting" in quiet.stderr
    table = runner.invoke(app, ["run", str(path), "--folds", "2"])
    assert table.exit_code == 0, table.output
    assert f"compete run '{path}' --submit" in " ".join(table.stdout.split())
    table = runner.invoke(app, ["run", str(path), "--folds", "2", "--submit", "--as", "bob"])
    assert table.exit_code == 0, table.output
    assert [s.participant for s in submissions(prepared_workspace, "titanic")] == ["bob"]
    assert table.stdout.count("cv score") == 1
    [line] = [line for line in table.stdout.splitlines() if "cv score" in line]
    assert "(2 folds)" in line, line


def test_a_broken_kernel_run_as_a_script_says_what_compete_run_says(
    prepared_workspace: Workspace, tmp_path
) -> None:
    """`python kernel.py` runs it through the harness: its errors end as in `compete run`."""
    import subprocess
    import sys

    from tests.test_submit_support import repo_python_env

    path = tmp_path / "short.py"
    path.write_text(
        'KERNEL = {"competition": "titanic", "title": "One row short", "techniques": ["baseline"]}\n'
        "def fit_predict(train, test, params):\n"
        "    return (test['Sex'] == 'female').astype(int).iloc[1:]\n"
        'if __name__ == "__main__":\n'
        "    from harness.kernels import main\n"
        "    main(__file__)\n",
        encoding="utf-8",
    )
    by_hand = subprocess.run(
        [sys.executable, str(path)], capture_output=True, text=True, env=repo_python_env(), check=False
    )
    by_run = runner.invoke(app, ["run", str(path)])
    assert by_hand.returncode == by_run.exit_code == 1
    assert "Traceback" not in by_hand.stderr, by_hand.stderr
    assert by_hand.stderr.strip() == by_run.stderr.strip()


WOMEN_SURVIVE = (
    'KERNEL = {"competition": "titanic", "title": "Women survive", "techniques": ["baseline"]}\n'
    "def fit_predict(train, test, params):\n"
    "    return (test['Sex'] == 'female').astype(int)\n"
    'if __name__ == "__main__":\n'
    "    from harness.kernels import main\n"
    "    main(__file__)\n"
)


def test_a_kernel_error_shows_the_kernels_own_lines_and_debug_the_whole_traceback(
    prepared_workspace: Workspace, tmp_path
) -> None:
    path = tmp_path / "raises.py"
    path.write_text(
        'KERNEL = {"competition": "titanic", "title": "Raises", "techniques": ["baseline"]}\n'
        "def features(frame):\n"
        "    return frame[['Fare', 'Fare2']]\n"
        "def fit_predict(train, test, params):\n"
        "    X = features(train)\n"
        "    return X\n",
        encoding="utf-8",
    )
    result = runner.invoke(app, ["run", str(path), "--folds", "2"])
    assert result.exit_code == 1
    assert "raised in fold 1/2: KeyError" in result.stderr
    assert f'File "{path}", line 5, in fit_predict' in result.stderr
    assert f'File "{path}", line 3, in features' in result.stderr
    assert "frame[['Fare', 'Fare2']]" in result.stderr
    assert "harness" not in result.stderr.replace("(`compete --debug", "")
    assert "Traceback" not in result.stderr
    debug = runner.invoke(app, ["--debug", "run", str(path), "--folds", "2"])
    assert debug.exit_code == 1
    assert "Traceback" in debug.stderr and "harness/kernels.py" in debug.stderr
    assert debug.stderr.rstrip().splitlines()[-1] == result.stderr.rstrip().splitlines()[-1]


def test_python_on_a_kernel_outside_the_project_runs_from_inside_it(
    prepared_workspace: Workspace, tmp_path
) -> None:
    import os
    import subprocess
    import sys

    from harness.workspace import ENV_VAR
    from tests.test_submit_support import repo_python_env

    outside = tmp_path / "elsewhere"
    outside.mkdir()
    path = outside / "women.py"
    path.write_text(WOMEN_SURVIVE, encoding="utf-8")
    env = {k: v for k, v in repo_python_env().items() if k != ENV_VAR}
    env["OMP_NUM_THREADS"] = "1"
    done = subprocess.run(
        [sys.executable, str(path)],
        capture_output=True,
        text=True,
        env=env,
        cwd=prepared_workspace.root,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    assert "titanic/women: accuracy" in done.stdout
    assert os.fspath(prepared_workspace.submissions_dir("titanic")) in done.stdout


def test_a_run_on_other_folds_keeps_the_remembered_official_result(prepared_workspace: Workspace) -> None:
    official = runner.invoke(app, ["run", "titanic/baseline"])
    assert official.exit_code == 0, official.output
    assert "5 stratified folds" in official.stdout
    before = json.loads(runner.invoke(app, ["kernels", "list", "titanic", "-f", "json"]).stdout)
    other = runner.invoke(app, ["run", "titanic/baseline", "-k", "3"])
    assert other.exit_code == 0, other.output
    assert "3 stratified folds" in other.stdout and "not kept for" in " ".join(other.stdout.split())
    after = json.loads(runner.invoke(app, ["kernels", "list", "titanic", "-f", "json"]).stdout)
    row = {r["name"]: r for r in after}["titanic/baseline"]
    assert row["folds"] == 5 and row == {r["name"]: r for r in before}["titanic/baseline"]
    table = runner.invoke(app, ["kernels", "list", "titanic"], env={"COLUMNS": "200"})
    assert "folds" in table.stdout
    [line] = [ln for ln in table.stdout.splitlines() if "titanic/baseline " in ln]
    assert "│ 5 " in line and "accuracy" in line


def test_run_and_submit_warn_when_test_csv_changed_since_prepare(
    prepared_workspace: Workspace, tmp_path
) -> None:
    test_csv = prepared_workspace.data_dir("titanic") / "test.csv"
    test_csv.write_text(test_csv.read_text() + "\n")
    path = tmp_path / "women.py"
    path.write_text(WOMEN_SURVIVE, encoding="utf-8")
    ran = runner.invoke(app, ["run", str(path), "--folds", "2"])
    assert ran.exit_code == 0, ran.output
    assert "test.csv" in ran.stderr and "changed since `compete prepare titanic`" in ran.stderr
    sample = prepared_workspace.data_dir("titanic") / "sample_submission.csv"
    submitted = runner.invoke(app, ["submit", "titanic", str(sample)])
    assert submitted.exit_code == 0, submitted.output
    assert "changed since `compete prepare titanic`" in submitted.stderr
