"""The command line: every command has help with an example, output formats, errors without tracebacks."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest
from typer.testing import CliRunner

from harness import __version__, entry
from harness.cli import app
from harness.workspace import Workspace

runner = CliRunner()


def _commands() -> list[list[str]]:
    import typer.main

    group = typer.main.get_command(app)
    out: list[list[str]] = []
    for name, command in group.commands.items():  # type: ignore[attr-defined]
        subcommands = getattr(command, "commands", None)
        if subcommands:
            out += [[name, sub] for sub in subcommands]
        else:
            out.append([name])
    return out


def test_version() -> None:
    result = runner.invoke(app, ["--version"])
    assert result.exit_code == 0
    assert __version__ in result.output


@pytest.mark.parametrize("command", _commands(), ids=lambda c: " ".join(c))
def test_every_command_has_help_ending_with_an_example(command: list[str]) -> None:
    result = runner.invoke(app, [*command, "--help"])
    assert result.exit_code == 0, result.output
    assert "Example: compete" in result.output


@pytest.mark.parametrize("command", _commands(), ids=lambda c: " ".join(c))
def test_help_paragraphs_break_only_where_the_terminal_wraps(command: list[str]) -> None:
    import inspect

    import typer.main

    callback = typer.main.get_command(app)
    for name in command:
        callback = callback.commands[name]  # type: ignore[attr-defined]
    doc = inspect.getdoc(callback.callback) or ""
    assert doc, command
    result = CliRunner(env={"COLUMNS": "400"}).invoke(app, [*command, "--help"])
    lines = [line.strip() for line in result.output.splitlines()]
    for paragraph in doc.split("\n\n"):  # on a wide terminal, each paragraph is one line
        assert " ".join(paragraph.split()) in lines, paragraph


def test_every_command_is_documented_in_the_readme() -> None:
    from tests.conftest import REPO

    readme = (REPO / "README.md").read_text()
    missing = [" ".join(c) for c in _commands() if f"compete {' '.join(c)}" not in readme]
    assert not missing, f"commands not shown in README.md: {missing}"


def test_list_json_has_the_documented_keys(workspace: Workspace) -> None:
    result = runner.invoke(app, ["list", "--format", "json"])
    assert result.exit_code == 0, result.output
    rows = json.loads(result.stdout)
    assert {r["slug"] for r in rows} >= {"titanic"}
    for row in rows:
        assert {"slug", "title", "task", "metric", "state"} <= set(row)
        assert row["state"] == "not prepared"


def test_list_csv_has_a_header_and_a_row_per_competition(workspace: Workspace) -> None:
    result = runner.invoke(app, ["list", "--format", "csv"])
    assert result.exit_code == 0
    lines = result.stdout.strip().splitlines()
    assert lines[0] == "slug,title,task,metric,state"
    assert len(lines) - 1 == len(json.loads(runner.invoke(app, ["list", "-f", "json"]).stdout))


def test_prepare_then_show_reports_files_columns_and_checksums(workspace: Workspace) -> None:
    result = runner.invoke(app, ["prepare", "titanic"])
    assert result.exit_code == 0, result.output
    shown = json.loads(runner.invoke(app, ["show", "titanic", "--format", "json"]).stdout)
    assert {"slug", "task", "metric", "id_column", "target_columns", "data_dir"} <= set(shown)
    assert shown["state"] == "open"
    assert shown["data_dir"] == str(workspace.data_dir("titanic"))
    files = {f["name"]: f for f in shown["files"]}
    assert files["test.csv"]["columns"][0] == "PassengerId"
    assert "Survived" not in files["test.csv"]["columns"]
    assert all(f["intact"] for f in files.values())
    again = json.loads(runner.invoke(app, ["prepare", "titanic", "-f", "json"]).stdout)
    assert again[0]["status"] == "already prepared"
    (workspace.data_dir("titanic") / "train.csv").write_text("tampered\n")
    shown = json.loads(runner.invoke(app, ["show", "titanic", "-f", "json"]).stdout)
    assert {f["name"]: f["intact"] for f in shown["files"]}["train.csv"] is False
    rebuilt = json.loads(runner.invoke(app, ["prepare", "titanic", "-f", "json"]).stdout)
    assert rebuilt[0]["status"] == "prepared"
    shown = json.loads(runner.invoke(app, ["show", "titanic", "-f", "json"]).stdout)
    assert all(f["intact"] for f in shown["files"])


def test_show_table_renders_the_card_and_description(workspace: Workspace) -> None:
    result = runner.invoke(app, ["show", "titanic"])
    assert result.exit_code == 0, result.output
    assert "accuracy" in result.output and "not prepared" in result.output
    assert "Data dictionary" in result.output


def test_an_unknown_slug_is_a_clean_error(workspace: Workspace) -> None:
    result = runner.invoke(app, ["show", "titanik"])
    assert result.exit_code == 1
    assert "unknown competition 'titanik'" in result.output
    assert "titanic" in result.output
    assert "Traceback" not in result.output


def test_prepare_needs_a_slug_or_all(workspace: Workspace) -> None:
    assert runner.invoke(app, ["prepare"]).exit_code != 0
    assert runner.invoke(app, ["prepare", "titanic", "--all"]).exit_code != 0


def test_outside_a_workspace_says_how_to_find_one(tmp_path, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    monkeypatch.delenv("COMPETE_WORKSPACE", raising=False)
    monkeypatch.chdir(tmp_path)
    result = runner.invoke(app, ["list"])
    assert result.exit_code == 1
    assert "COMPETE_WORKSPACE" in result.output


HEAVY = (
    "pydantic",
    "pandas",
    "pandera",
    "sklearn",
    "lightgbm",
    "optuna",
    "scipy",
    "pyarrow",
    "numpy",
    "matplotlib",
)


@pytest.mark.parametrize("argv", [["--help"], ["list"], ["submit", "--help"]], ids=" ".join)
def test_start_up_imports_no_heavy_library(argv: list[str], workspace: Workspace) -> None:
    code = (
        "import sys\n"
        f"sys.argv = ['compete', *{argv!r}]\n"
        "from harness.entry import main\n"
        "try:\n    main()\nexcept SystemExit:\n    pass\n"
        f"print('LOADED:' + ','.join(m for m in {HEAVY!r} if m in sys.modules))\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip().splitlines()[-1] == "LOADED:", out.stdout


ENTRY_PROBE = """
import sys, threading
sys.argv = ['compete', *sys.argv[1:]]
from harness import store
from harness.entry import main
try:
    main()
except SystemExit as exc:
    code = exc.code
else:
    code = 0
started = store._starting is not None
import gc
print(f"STARTED:{started} DUCKDB:{'duckdb' in sys.modules} THREADS:{threading.active_count()} EXIT:{code}"
      f" GC:{gc.get_threshold()[0]}")
"""


@pytest.mark.parametrize(
    ("argv", "starts"),
    [
        (["submit", "titanic", "data/titanic/sample_submission.csv", "--as", "probe"], True),
        (["leaderboard", "titanic"], True),
        (["submissions", "titanic"], True),
        (["select", "titanic"], True),
        (["submit", "titanic", "no-such-file.csv"], True),
        (["leaderboard", "--help"], False),
        (["list"], False),
        (["show", "titanic"], False),
    ],
    ids=lambda value: " ".join(value) if isinstance(value, list) else str(value),
)
def test_the_console_script_starts_duckdb_early_only_for_a_store_command(
    argv: list[str], starts: bool, prepared_workspace: Workspace
) -> None:
    """A store command has its database made on a thread while the CLI loads; the thread is done by
    the end, and the command's outcome is the same as without it. None of them imports the `duckdb`
    package's Python layer (see harness.engine): DuckDB's engine does all a small file needs."""
    out = subprocess.run([sys.executable, "-c", ENTRY_PROBE, *argv], capture_output=True, text=True)
    last = out.stdout.strip().splitlines()[-1]
    assert f"STARTED:{starts}" in last, (out.stdout, out.stderr)
    assert "DUCKDB:False" in last, last
    assert f"GC:{entry.GC_THRESHOLD}" in last, last  # start-up's objects are walked a few times, not 40
    assert "THREADS:1" in last, last  # the thread has ended
    failing = "no-such-file.csv" in argv
    assert ("EXIT:0" in last) != failing, (out.stdout, out.stderr)
    if failing:
        assert "no file at no-such-file.csv" in out.stderr and "Traceback" not in out.stderr
    if argv[0] == "submit" and not failing:
        assert "public score" in out.stdout


def test_json_output_never_holds_nan_or_infinity(capsys: pytest.CaptureFixture[str]) -> None:
    """JSON has no NaN or infinity (Python would write the invalid tokens NaN and Infinity)."""
    from harness.cli._render import emit_json

    emit_json([{"score": float("inf"), "other": float("-inf"), "cv": float("nan"), "ok": 0.5}])

    def refuse(token: str) -> None:
        raise AssertionError(f"{token} in the JSON output")

    assert json.loads(capsys.readouterr().out, parse_constant=refuse) == [
        {"score": None, "other": None, "cv": None, "ok": 0.5}
    ]


@pytest.mark.parametrize("command", _commands(), ids=lambda c: " ".join(c))
def test_flags_show_no_value_placeholder(command: list[str]) -> None:
    result = CliRunner(env={"COLUMNS": "200"}).invoke(app, [*command, "--help"])
    assert "<bool>" not in result.output


@pytest.mark.parametrize("width", [80, 120])
def test_show_puts_the_whole_summary_inside_the_panel(prepared_workspace: Workspace, width: int) -> None:
    from harness.competition import competition_names, load_card

    for slug in competition_names(prepared_workspace):
        result = CliRunner(env={"COLUMNS": str(width)}).invoke(app, ["show", slug])
        assert result.exit_code == 0, result.output
        shown = " ".join(line.strip("│ ") for line in result.stdout.splitlines())
        assert " ".join(load_card(prepared_workspace, slug).summary.split()) in " ".join(shown.split()), slug
