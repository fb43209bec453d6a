"""The post-mortem of an imported MLE-bench competition: Kaggle's medal beside each private (or
whole-test) score, and reports that hold for several targets scored column by column."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from harness import ledger, lifecycle
from harness.competition import load_card
from harness.importers import import_mlebench
from harness.prepare import prepare
from harness.reports import postmortem
from harness.workspace import Workspace
from tests.test_authoring import ws  # noqa: F401  (ws is a fixture)
from tests.test_mlebench import LAYOUTS, MLEBENCH, _truth


def _closed(ws: Workspace, tmp_path: Path, name: str, split: str = "public-private") -> dict[str, str]:  # noqa: F811
    """Import the fixture, submit a perfect, a random and the sample file, close; their refs by label."""
    id_column, target, _ = LAYOUTS[name]
    import_mlebench(ws, MLEBENCH / name / "prepared", from_repo=MLEBENCH / name / "repo", split=split)
    prepare(ws, name)
    truth = _truth(name, id_column, target)
    rng = np.random.default_rng(3)
    random = truth.copy()
    for column in target.split():
        random[column] = rng.random(len(truth)).round(4)
    files = {
        "perfect": truth,
        "random": random,
        "sample": pd.read_csv(ws.data_dir(name) / "sample_submission.csv"),
    }
    refs = {}
    for label, frame in files.items():
        path = tmp_path / f"{label}.csv"
        frame.to_csv(path, index=False)
        outcome = ledger.submit(ws, name, path, participant="you", message=label)
        assert outcome.submission.status == "scored", outcome.submission.error
        refs[label] = outcome.submission.ref
    lifecycle.close(ws, name)
    return refs


def test_the_postmortem_shows_kaggles_medal_for_each_private_score(ws: Workspace, tmp_path: Path) -> None:  # noqa: F811
    from typer.testing import CliRunner

    from harness.cli import app
    from harness.medals import kaggle_board, standing

    refs = _closed(ws, tmp_path, "cactus")
    result = CliRunner().invoke(app, ["postmortem", "cactus", "--as", "you", "-f", "json"])
    assert result.exit_code == 0, result.output
    written = json.loads(result.stdout)
    report = written["postmortem"]
    board = kaggle_board(load_card(ws, "cactus"))
    assert board is not None and report["kaggle_board"]["teams"] == board.teams == 48
    assert report["kaggle_board"]["scored_on"] == "private"
    rows = {r["ref"]: r for r in report["rows"]}
    for label, ref in refs.items():
        want = standing(board, rows[ref]["private_score"])
        assert rows[ref]["kaggle"] == want.as_dict(), label
    perfect, sample = rows[refs["perfect"]]["kaggle"], rows[refs["sample"]]["kaggle"]
    assert perfect["medal"] == "gold" and perfect["rank"] == 1  # AUC 1 ties Kaggle's 8 perfect teams
    assert sample["medal"] is None and sample["rank"] == 49 and sample["above_median"] is False
    markdown = Path(written["markdown"]).read_text()
    section = markdown.split("## Kaggle's medals")[1].split("## ")[0]
    assert "final private board of 48 teams" in section
    assert f"| {refs['perfect']} | you | 1 | gold | 1 of 49 | yes |" in section
    assert f"| {refs['sample']} | you | 0.5 | none | 49 of 49 | no |" in section
    table = CliRunner().invoke(app, ["postmortem", "cactus", "--as", "you"])
    assert (
        table.exit_code == 0 and "on Kaggle's final board: gold, rank 1 of 49 (private score)" in table.stdout
    )


def test_with_one_board_the_medal_is_the_whole_test_scores(ws: Workspace, tmp_path: Path) -> None:  # noqa: F811
    refs = _closed(ws, tmp_path, "cactus", split="none")
    report = postmortem.build(ws, "cactus", "you").as_dict()
    assert report["kaggle_board"]["scored_on"] == "whole test"
    random = next(r for r in report["rows"] if r["ref"] == refs["random"])
    assert random["kaggle"]["score"] == random["public_score"] == random["private_score"]


def test_a_competition_without_kaggles_board_has_no_medals(ws: Workspace, tmp_path: Path) -> None:  # noqa: F811
    (repo := tmp_path / "repo").mkdir()
    (repo / "config.yaml").write_text((MLEBENCH / "cactus" / "repo" / "config.yaml").read_text())
    id_column, target, _ = LAYOUTS["cactus"]
    import_mlebench(ws, MLEBENCH / "cactus" / "prepared", from_repo=repo)
    prepare(ws, "cactus")
    _truth("cactus", id_column, target).to_csv(tmp_path / "perfect.csv", index=False)
    ledger.submit(ws, "cactus", tmp_path / "perfect.csv", participant="you")
    lifecycle.close(ws, "cactus")
    pm = postmortem.build(ws, "cactus", "you")
    assert pm.kaggle_board is None and all(r.kaggle is None for r in pm.rows)
    assert "No medals: cactus keeps no Kaggle leaderboard" in postmortem.write(ws, pm).markdown.read_text()


@pytest.mark.parametrize("name", ["toxic", "conductors"])
def test_the_postmortem_of_several_targets_says_what_it_leaves_out(
    ws: Workspace,  # noqa: F811
    tmp_path: Path,
    name: str,
) -> None:
    refs = _closed(ws, tmp_path, name)
    pm = postmortem.build(ws, name, "you")
    report = pm.as_dict()
    assert report["skipped"] is not None and set(report["skipped"]) == {"bootstrap", "slices", "calibration"}
    assert report["slices"] == [] and report["calibration"] is None
    rows = {r["ref"]: r for r in report["rows"]}
    assert rows[refs["perfect"]]["private_rank"] == 1 and rows[refs["perfect"]]["public_low"] is None
    assert rows[refs["perfect"]]["kaggle"]["medal"] == "gold"
    written = postmortem.write(ws, pm)
    markdown = written.markdown.read_text()
    for reason in report["skipped"].values():
        assert reason in markdown
    assert "columns over all rows and averages the columns" in written.html.read_text()
    from harness.reports import writeup

    done = writeup.write(ws, name, "you")
    assert done.closed and refs["perfect"] in done.markdown.read_text()
