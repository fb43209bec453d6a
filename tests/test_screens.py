"""Every table at 80 columns: no value is broken across lines, free text is cut first, then columns go."""

from __future__ import annotations

import json
from collections.abc import Iterator

import pytest
from typer.testing import CliRunner

from harness.cli import _render, app
from harness.workspace import Workspace

WIDTH = 80


@pytest.fixture
def narrow(monkeypatch: pytest.MonkeyPatch) -> Iterator[CliRunner]:
    """A runner whose terminal is 80 columns wide (the shared console made afresh at that width)."""
    monkeypatch.setattr(_render, "_CONSOLE", None)
    monkeypatch.setenv("COLUMNS", str(WIDTH))
    yield CliRunner(env={"COLUMNS": str(WIDTH)})
    monkeypatch.setattr(_render, "_CONSOLE", None)


def _lines(output: str) -> list[str]:
    return output.splitlines()


def _whole(output: str, value: str) -> bool:
    """Whether `value` appears on one line of `output`, unbroken."""
    return any(value in line for line in _lines(output))


def test_every_table_fits_80_columns_and_keeps_values_whole(
    prepared_workspace: Workspace, narrow: CliRunner
) -> None:
    invoke = narrow.invoke
    message = "added family size, the deck from the cabin and a title from each passenger's name"
    long_name = "a-participant-with-a-rather-long-name"
    sample = prepared_workspace.data_dir("titanic") / "sample_submission.csv"
    submitted = invoke(
        app, ["submit", "titanic", str(sample), "-m", message, "--as", long_name, "-f", "json"]
    )
    assert submitted.exit_code == 0, submitted.output
    score = f"{json.loads(submitted.stdout)['public_score']:.6g}"
    ran = invoke(app, ["run", "titanic/lgbm-features", "--folds", "2", "--submit"])
    assert ran.exit_code == 0, ran.output
    assert all(len(line) <= WIDTH for line in _lines(ran.stdout)), ran.stdout
    assert _whole(ran.stdout, "titanic/lgbm-features")
    assert any("cv score" in line and "(2 folds)" in line for line in _lines(ran.stdout)), ran.stdout
    commands = {
        "list": ["list"],
        "kernels list": ["kernels", "list"],
        "submissions": ["submissions", "titanic"],
        "leaderboard": ["leaderboard", "titanic"],
        "select": ["select", "titanic", "--as", long_name],
        "theory": ["theory"],
        "prepare": ["prepare", "titanic"],
        "show": ["show", "titanic"],
        "check": ["check", "titanic"],
        "compare": ["compare", "titanic/baseline", "titanic/lgbm-features", "-k", "2"],
        "explain": ["explain", "titanic/baseline", "-k", "2", "--no-report", "--learning-curve"],
    }
    outputs = {}
    for name, args in commands.items():
        result = invoke(app, args)
        assert result.exit_code == 0, (name, result.output)
        too_wide = [line for line in _lines(result.stdout) if len(line) > WIDTH]
        assert not too_wide, (name, too_wide)
        outputs[name] = result.stdout
    assert _whole(outputs["kernels list"], "titanic/lgbm-features")
    assert _whole(outputs["kernels list"], "house-prices/scratch-gradient-boosting")
    for name in ("submissions", "leaderboard", "select"):
        assert _whole(outputs[name], "s0001") and _whole(outputs[name], score), name
    assert _whole(outputs["submissions"], long_name) and _whole(outputs["leaderboard"], long_name)
    assert _whole(outputs["leaderboard"], "reference/titanic/lgbm-features")
    assert "…" in outputs["kernels list"], "free text is cut with an ellipsis"
    assert message not in outputs["submissions"] and "left out at this width" in outputs["submissions"]
    assert _whole(outputs["list"], "house-prices") and _whole(outputs["list"], "chicago-ridership")


def test_columns_are_left_out_by_priority_and_said_so(
    narrow: CliRunner, capsys: pytest.CaptureFixture[str]
) -> None:
    from harness.cli._render import Format, render_rows

    rows = [{"ref": "s0001", "date": "2026-12-01 22:00:00", "public_score": 0.0261074, "note": "x" * 30}]
    columns = ["ref", "date", "note", "public_score"]
    render_rows(rows * 2, Format.table, columns, priority=["ref", "public_score"])
    wide = capsys.readouterr().out
    assert _whole(wide, "0.0261074") and _whole(wide, "2026-12-01 22:00:00")
    many = [{**rows[0], **{f"extra_{k}": f"value-{k}-" * 2 for k in range(8)}}]
    render_rows(
        many, Format.table, [*columns, *(f"extra_{k}" for k in range(8))], priority=["ref", "public_score"]
    )
    narrow_out = capsys.readouterr().out
    assert _whole(narrow_out, "s0001") and _whole(narrow_out, "0.0261074")
    assert "left out at this width:" in narrow_out and "extra_7" in narrow_out
    assert all(len(line) <= WIDTH for line in _lines(narrow_out))
