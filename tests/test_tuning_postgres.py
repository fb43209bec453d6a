"""Workers share one study through a real PostgreSQL server (see tests/pg.py)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections import Counter
from pathlib import Path

import pytest

from harness.workspace import Workspace
from tests.pg import postgres_url  # noqa: F401  (the fixture)
from tests.test_tuning import titanic_root, write_kernel, ws  # noqa: F401  (fixtures)


def _compete(*args: str, root: Path) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "COMPETE_WORKSPACE": str(root), "OMP_NUM_THREADS": "1"}
    code = "from harness.cli import main; main()"
    return subprocess.run(
        [sys.executable, "-c", code, *args], env=env, capture_output=True, text=True, timeout=600, check=False
    )


@pytest.mark.slow
def test_two_workers_add_trials_to_one_study_in_postgresql(
    ws: Workspace,  # noqa: F811
    tmp_path: Path,
    postgres_url: str,  # noqa: F811
) -> None:
    import optuna

    from harness.tuning.storage import open_storage

    kernel = str(write_kernel(tmp_path))
    base = ["tune", kernel, "--storage", postgres_url, "--pruner", "none"]
    done = _compete(*base, "--trials", "10", "--workers", "2", "-f", "json", root=ws.root)
    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout)["trials"] == 10

    study = optuna.load_study(study_name="titanic/fast", storage=open_storage(postgres_url, ws, "titanic"))
    trials = study.get_trials(deepcopy=False)
    assert sorted(t.number for t in trials) == list(range(10))  # none lost, none twice
    assert len({t._trial_id for t in trials}) == 10
    assert all(t.state == optuna.trial.TrialState.COMPLETE for t in trials)
    by_worker = Counter(t.user_attrs["worker"] for t in trials)
    assert sorted(by_worker.values()) == [5, 5], by_worker  # each process ran its own share, in parallel

    # a second machine: the same command joins the study and stops once it is full
    again = _compete(*base, "--trials", "12", "-f", "json", root=ws.root)
    assert again.returncode == 0, again.stderr
    data = json.loads(again.stdout)
    assert (data["created"], data["added"], data["trials"]) == (False, 2, 12)
    listed = _compete("studies", "--storage", postgres_url, "-f", "json", root=ws.root)
    assert [row["trials"] for row in json.loads(listed.stdout)] == [12]
