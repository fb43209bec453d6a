"""Each big submission's public row values, kept by its submit for the post-mortem.

A submit that scores a file clean keeps the file's public row values (`reports.rows.keep_at_submit`)
under the name a post-mortem looks for; the report is the same with them, without them, and with
them damaged, stale or cut short; a rejected file keeps nothing; a killed submit leaves no file that a
post-mortem would trust, and its partial file goes with the next command that writes.
"""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import sys
from datetime import timedelta
from typing import Any

import numpy as np
import pytest

from harness import intake, ledger, lifecycle
from harness.reports import postmortem
from harness.session import open_competition
from harness.workspace import Workspace
from tests.test_reports import DAY0, ME, History, binary, clean_history
from tests.test_submit_support import (
    perfect,
    repo_python_env,
    tiny_fixture,
    tiny_root_fixture,
    write_csv,
)

__all__ = ["tiny_fixture", "tiny_root_fixture"]

SLUG = "tiny-binary"


@pytest.fixture(name="keeping")
def keeping_fixture(tiny: Workspace, monkeypatch: pytest.MonkeyPatch) -> Workspace:
    """`tiny`, where every submit keeps its values (the fixtures are far below the real threshold)."""
    monkeypatch.setattr(intake, "KEEP_VALUES_FROM", 1)
    return tiny


def _kept(ws: Workspace, slug: str = SLUG) -> dict[str, bytes]:
    folder = ws.kept_values_dir(slug)
    return {p.name: p.read_bytes() for p in sorted(folder.glob("*.npz"))} if folder.is_dir() else {}


def _report_from_the_files(ws: Workspace, slug: str = SLUG) -> dict[str, Any]:
    """The post-mortem with no value kept: every file read again. The kept values are put back after."""
    return _from_the_files(ws, slug)[0]


def _from_the_files(ws: Workspace, slug: str = SLUG) -> tuple[dict[str, Any], dict[str, bytes]]:
    """`_report_from_the_files`, and the values that post-mortem kept."""
    folder = ws.kept_values_dir(slug)
    aside = folder.with_name("aside")
    if folder.is_dir():
        folder.rename(aside)
    try:
        return postmortem.build(ws, slug, ME).as_dict(), _kept(ws, slug)
    finally:
        shutil.rmtree(folder, ignore_errors=True)
        if aside.is_dir():
            aside.rename(folder)


def test_a_submit_keeps_the_values_the_post_mortem_reads_and_the_report_is_the_same(
    keeping: Workspace,
) -> None:
    clean_history(keeping)
    at_submit = _kept(keeping)
    assert len(at_submit) == 3  # one per scored file, before any post-mortem
    lifecycle.close(keeping, SLUG)
    with_kept = postmortem.build(keeping, SLUG, ME).as_dict()
    assert _kept(keeping) == at_submit  # found under their names: none worked out again
    from_the_files, worked_out = _from_the_files(keeping)
    assert from_the_files == with_kept
    assert worked_out == at_submit  # the same values, byte for byte


def test_damaged_cut_short_or_misshapen_kept_values_are_worked_out_again(keeping: Workspace) -> None:
    clean_history(keeping)
    lifecycle.close(keeping, SLUG)
    expected = _report_from_the_files(keeping)
    garbage, cut, short = sorted(keeping.kept_values_dir(SLUG).glob("*.npz"))
    garbage.write_bytes(b"PK\x03\x04 not a zip archive at all")
    cut.write_bytes(cut.read_bytes()[: len(cut.read_bytes()) // 2])
    np.savez(short, values=np.zeros(3), hard=np.array(False))  # another number of public rows
    assert postmortem.build(keeping, SLUG, ME).as_dict() == expected
    again = _kept(keeping)  # each worked out again, and kept whole
    assert len(again) == 3 and all(len(b) > 100 for b in again.values())
    assert postmortem.build(keeping, SLUG, ME).as_dict() == expected


def test_values_kept_before_a_new_split_are_not_served(keeping: Workspace) -> None:
    clean_history(keeping)
    before = set(_kept(keeping))
    lifecycle.reopen(keeping, SLUG, reseed=True)  # the files are scored again on another split
    lifecycle.close(keeping, SLUG)
    report = postmortem.build(keeping, SLUG, ME).as_dict()
    assert report == _report_from_the_files(keeping)
    assert len(set(_kept(keeping)) - before) == 3  # the new split's values, beside the old ones


def test_a_rejected_file_or_a_small_one_keeps_nothing(
    tiny: Workspace, monkeypatch: pytest.MonkeyPatch
) -> None:
    h = History(tiny, SLUG)
    h.submit(binary(tiny, 3, 4))  # tiny-binary has a few dozen public rows: below the threshold
    assert _kept(tiny) == {}
    monkeypatch.setattr(intake, "KEEP_VALUES_FROM", 1)
    short = write_csv(tiny.root / "short.csv", perfect(tiny, SLUG).iloc[:-5])
    outcome = ledger.submit(tiny, SLUG, short, participant=ME, now=DAY0 + timedelta(days=40))
    assert outcome.submission.status == "rejected"
    assert _kept(tiny) == {}
    h.submit(binary(tiny, 5, 4))
    assert len(_kept(tiny)) == 1


def test_a_metric_that_is_not_a_mean_over_rows_keeps_nothing(keeping: Workspace) -> None:
    h = History(keeping, "tiny-proba")  # ROC AUC: the bootstrap scores each replicate's rows
    h.submit(perfect(keeping, "tiny-proba"))
    assert _kept(keeping, "tiny-proba") == {}


KILLED_WHILE_KEEPING = """
import os, signal, sys
from datetime import UTC, datetime
from pathlib import Path
import numpy as np
from harness import intake, ledger
from harness.workspace import Workspace

intake.KEEP_VALUES_FROM = 1

def killed(file, **arrays):
    file.write(b"PK\\x03\\x04 half of it")
    file.flush()
    os.kill(os.getpid(), signal.SIGKILL)

np.savez = killed
ws = Workspace(Path(sys.argv[1]))
ledger.submit(ws, sys.argv[2], sys.argv[3], participant="learner", now=datetime(2026, 1, 5, 12, tzinfo=UTC))
"""


def test_a_submit_killed_while_keeping_leaves_nothing_trusted_and_its_partial_file_goes(
    keeping: Workspace,
) -> None:
    path = write_csv(keeping.root / "killed.csv", binary(keeping, 2, 3))
    run = subprocess.run(
        [sys.executable, "-c", KILLED_WHILE_KEEPING, str(keeping.root), SLUG, str(path)],
        env=repo_python_env(),
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert run.returncode == -signal.SIGKILL, run.stderr
    folder = keeping.kept_values_dir(SLUG)
    assert _kept(keeping) == {}
    partial = [p.name for p in folder.iterdir()]
    assert len(partial) == 1 and partial[0].startswith(".") and ".npz.partial-" in partial[0]
    with open_competition(keeping, SLUG, write=True):  # the next command that writes
        pass
    assert list(folder.iterdir()) == []
    h = History(keeping, SLUG)
    h.submit(binary(keeping, 2, 3))  # the same file again: it was never recorded
    lifecycle.close(keeping, SLUG)
    assert len(_kept(keeping)) == 1
    assert postmortem.build(keeping, SLUG, ME).as_dict() == _report_from_the_files(keeping)


def test_a_live_process_partial_file_stays(keeping: Workspace) -> None:
    folder = keeping.kept_values_dir(SLUG)
    folder.mkdir(parents=True)
    alive = folder / f".x-y.npz.partial-{os.getppid()}"  # another process, still writing
    alive.write_bytes(b"being written")
    with open_competition(keeping, SLUG, write=True):
        pass
    assert alive.exists()
