"""The studies behind the submissions in the post-mortem and the writeup: a history built through
`compete tune`, `compete study submit` and `compete close`, whose reports carry what `compete study
show` reports for the same study, and say so when the study's storage cannot be read."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

from typer.testing import CliRunner

from harness.cli import app
from harness.workspace import Workspace
from tests.test_reports import _assert_links_resolve
from tests.test_tuning import FAST, titanic_root, tune, write_kernel, ws  # noqa: F401

runner = CliRunner()
ME = "learner"
STUDY = "titanic/fast"


def cli(*args: str) -> Any:
    result = runner.invoke(app, list(args))
    assert result.exit_code == 0, result.output
    return json.loads(result.stdout) if "json" in args else result.stdout


def _history(ws: Workspace, tmp_path: Path, close: bool = True) -> dict[str, Any]:  # noqa: F811
    """Tune 4 trials of a kernel whose defaults are beaten, submit the best trial as ME, close (unless
    not `close`); returns `compete study show`'s JSON."""
    kernel = write_kernel(tmp_path, body=FAST.replace('PARAMS = {"cut": 0.5}', 'PARAMS = {"cut": 0.0}'))
    assert tune(str(kernel), "--trials", "4", "--seed", "1", "--pruner", "none")[0] == 0
    cli("study", "submit", STUDY, "--as", ME, "-m", "tuned", "-f", "json")
    if close:
        cli("close", "titanic", "-f", "json")
    return dict(cli("study", "show", STUDY, "--no-plots", "-f", "json"))


def _num(value: float) -> str:
    from harness.reports.render import number

    return number(value)


def test_postmortem_and_writeup_carry_the_studys_numbers(ws: Workspace, tmp_path: Path) -> None:  # noqa: F811
    shown = _history(ws, tmp_path, close=False)
    gain = shown["gain"]
    verdict = "inside the fold noise" if gain["within_noise"] else "beyond the fold noise"
    best = f"Best CV {_num(shown['best_value'])} (trial {shown['best_trial']})"
    assert _timeline()[0].count(best) == 1  # before the close, too
    cli("close", "titanic", "-f", "json")
    out = cli("postmortem", "titanic", "--as", ME, "-f", "json")
    [study] = out["postmortem"]["studies"]
    assert study["study"] == STUDY and study["reachable"] and study["note"] is None
    assert (study["trials"], study["pruned"], study["failed"]) == (shown["trials"], 0, 0) == (4, 0, 0)
    assert study["best_trial"] == shown["best_trial"] and study["best_cv"] == shown["best_value"]
    assert study["best_params"] == shown["best_params"] and set(study["best_params"]) == {"cut"}
    [submitted] = study["submitted"]
    assert submitted["trial"] == shown["best_trial"] and submitted["cv_score"] == shown["best_value"]
    assert study["submitted_best"]
    assert study["gain"] == gain["gain"] and study["fold_std"] == gain["fold_std"]
    assert study["defaults_cv"] == gain["defaults_value"]
    assert study["within_noise"] == gain["within_noise"] == (gain["gain"] <= gain["fold_std"])
    assert study["best_trial"] != 0 and gain["gain"] > 0  # the defaults ran as trial 0, and lost

    md = Path(out["markdown"])
    text = md.read_text(encoding="utf-8").split("## Studies")[1]
    assert f"### Study {STUDY}" in text and "4 trials complete, 0 pruned, 0 failed" in text
    assert best in text
    assert f"cut={_num(shown['best_params']['cut'])}" in text
    assert f"standard deviation over folds of {_num(gain['fold_std'])}" in text
    assert verdict in text and "hyperparameter-tuning.md" in text
    assert _assert_links_resolve(md) >= 6
    html = Path(out["html"])
    assert "hyperparameter-tuning.md" in html.read_text(encoding="utf-8")
    assert _assert_links_resolve(html) >= 4  # the notes; figures are embedded

    table = " ".join(cli("postmortem", "titanic", "--as", ME).split())  # the console wraps long lines
    assert f"study {STUDY}: 4 trials complete, best CV" in table and "the fold noise" in table

    timeline, path = _timeline()
    assert f"**{STUDY}**" in timeline and f"cut={_num(shown['best_params']['cut'])}" in timeline
    assert best in timeline and verdict in timeline and "hyperparameter-tuning.md" in timeline
    assert _assert_links_resolve(path) >= 2


def _timeline() -> tuple[str, Path]:
    """`compete writeup`'s timeline section, and the file."""
    path = Path(cli("writeup", "titanic", "--as", ME, "-f", "json")["markdown"])
    text = path.read_text(encoding="utf-8")
    found = re.search(r"compete:begin timeline -->\n(.*?)<!-- compete:end timeline", text, re.DOTALL)
    assert found is not None
    return found[1], path


def test_a_study_whose_storage_cannot_be_read_is_said_so(ws: Workspace, tmp_path: Path) -> None:  # noqa: F811
    _history(ws, tmp_path)
    journal = ws.private_dir("titanic") / "studies.journal"
    journal.rename(tmp_path / "elsewhere.journal")
    out = cli("postmortem", "titanic", "--as", ME, "-f", "json")
    [study] = out["postmortem"]["studies"]
    assert not study["reachable"] and study["trials"] is None and study["best_cv"] is None
    assert "--storage URL" in study["note"]
    assert study["submitted"][0]["cv_score"] is not None  # the ledger still knows the trial's CV
    text = Path(out["markdown"]).read_text(encoding="utf-8")
    assert "storage could not be read now" in text and _assert_links_resolve(Path(out["markdown"])) >= 6

    down = "postgresql+psycopg://nobody@127.0.0.1:9/none"
    out = cli("postmortem", "titanic", "--as", ME, "--storage", down, "-f", "json")
    [study] = out["postmortem"]["studies"]
    assert not study["reachable"] and "cannot reach the storage" in study["note"]
    written = cli("writeup", "titanic", "--as", ME, "--storage", down, "-f", "json")
    assert "cannot reach the storage" in Path(written["markdown"]).read_text(encoding="utf-8")

    moved = str(tmp_path / "elsewhere.journal")
    out = cli("postmortem", "titanic", "--as", ME, "--storage", moved, "-f", "json")
    [study] = out["postmortem"]["studies"]
    assert study["reachable"] and study["trials"] == 4
