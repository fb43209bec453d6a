"""Submits score with no lock against the label file, and queue on the lock file only to record.

The label file follows the store (a reseed, a prepare, rules cached since); a submit scored against
labels that changed before it recorded is scored again under the lock; a process waiting for the
store sleeps inside flock(2) rather than polling.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import time
from pathlib import Path

import pytest

from harness import intake, lifecycle, scoring, vault
from harness.competition import load_card
from harness.session import open_competition
from harness.workspace import Workspace
from tests.test_submit_support import (
    COMPETE,
    cli,
    perfect,
    repo_python_env,
    sample,
    tiny_fixture,
    tiny_root_fixture,
)

__all__ = ["tiny_fixture", "tiny_root_fixture"]

SLUG = "tiny-binary"
FLOCK = {"x86_64": 73, "aarch64": 32}  # the flock(2) syscall's number


def _label_file(ws: Workspace) -> Path:
    return ws.private_dir(SLUG) / vault.LABEL_FILE


def _version_in_store(ws: Workspace) -> str:
    with open_competition(ws, SLUG) as session:
        return vault.labels_version(session.store)


def _store_score(ws: Workspace, path: Path) -> tuple[float, float]:
    with open_competition(ws, SLUG) as session:  # read-only: the label file is left as it is
        score = scoring.score_file(session.store, session.card, path)
    return score.public, score.private


def _hold_lock(ws: Workspace) -> subprocess.Popen[str]:
    """Another process holding the competition's lock file, as a submit recording its row does."""
    script = (
        "import fcntl, os, sys, time; fd = os.open(sys.argv[1], os.O_RDWR | os.O_CREAT); "
        "fcntl.flock(fd, fcntl.LOCK_EX); print('held', flush=True); time.sleep(60)"
    )
    holder = subprocess.Popen(
        [sys.executable, "-c", script, str(ws.private_dir(SLUG) / "store.lock")],
        stdout=subprocess.PIPE,
        text=True,
    )
    assert holder.stdout is not None and holder.stdout.readline().strip() == "held"
    return holder


def test_prepare_writes_the_label_file_of_the_store_version(tiny: Workspace) -> None:
    assert _label_file(tiny).is_file()
    with vault.open_label_file(tiny, SLUG) as found:
        assert found is not None
        con, version = found
        assert version == _version_in_store(tiny)
        in_file = con.execute("SELECT * FROM labels").fetchall()
    with open_competition(tiny, SLUG) as session:
        assert session.store.execute("SELECT * FROM labels").fetchall() == in_file  # same rows, same order


def test_the_labels_are_read_and_scored_while_another_process_holds_the_lock(tiny: Workspace) -> None:
    card = load_card(tiny, SLUG)
    holder = _hold_lock(tiny)
    try:
        verdict = intake.prejudge(tiny, card, sample(tiny, SLUG))
    finally:
        holder.kill()
        holder.wait()
    assert verdict is not None and verdict.status == "scored"
    assert (verdict.public, verdict.private) == _store_score(tiny, sample(tiny, SLUG))


def test_a_reseed_rewrites_the_label_file_and_a_stale_one_is_caught_when_recording(tiny: Workspace) -> None:
    good = tiny.root / "perfect.csv"
    frame = perfect(tiny, SLUG)
    frame.loc[frame.index[:30], "label"] = 1 - frame.loc[frame.index[:30], "label"].astype(int)
    frame.to_csv(good, index=False)
    old = tiny.root / "old-labels.duckdb"
    shutil.copyfile(_label_file(tiny), old)
    before = _version_in_store(tiny)

    lifecycle.reopen(tiny, SLUG, reseed=True, seed=12345)
    after = _version_in_store(tiny)
    assert after != before
    with vault.open_label_file(tiny, SLUG) as found:
        assert found is not None and found[1] == after

    shutil.copyfile(old, _label_file(tiny))  # as a submit that read the labels just before the reseed
    expected = _store_score(tiny, good)
    stale = intake.prejudge(tiny, load_card(tiny, SLUG), good)
    assert stale is not None and stale.labels_version == before
    assert (stale.public, stale.private) != expected, "the old split scores this file otherwise"
    result = cli("submit", SLUG, str(good), "-f", "json")
    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout)["public_score"] == expected[0]
    with open_competition(tiny, SLUG) as session:
        assert session.store.execute("SELECT private_score FROM submissions").fetchall() == [(expected[1],)]
    with vault.open_label_file(tiny, SLUG) as found:
        assert found is not None and found[1] == after, "the next command that writes made it again"


def test_a_missing_label_file_only_puts_the_scoring_under_the_lock(tiny: Workspace) -> None:
    _label_file(tiny).unlink()
    result = cli("submit", SLUG, str(sample(tiny, SLUG)), "-f", "json")
    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout)["public_score"] == _store_score(tiny, sample(tiny, SLUG))[0]
    assert _label_file(tiny).is_file()


def test_rules_of_a_changed_card_are_derived_outside_and_kept(tiny: Workspace) -> None:
    card_file = tiny.competition_dir(SLUG) / "competition.toml"
    card_file.write_text(card_file.read_text().replace("daily_limit = 3", "daily_limit = 4"))
    verdict = intake.prejudge(tiny, load_card(tiny, SLUG), sample(tiny, SLUG))
    assert verdict is not None and verdict.new_rules is not None and verdict.status == "scored"
    assert cli("submit", SLUG, str(sample(tiny, SLUG)), "--as", "alice").exit_code == 0
    # The next one's door copies the new rules into the label file.
    assert cli("submit", SLUG, str(sample(tiny, SLUG)), "--as", "bob").exit_code == 0
    again = intake.prejudge(tiny, load_card(tiny, SLUG), sample(tiny, SLUG))
    assert again is not None and again.new_rules is None


def test_a_waiting_process_sleeps_in_flock_instead_of_polling(tiny: Workspace) -> None:
    number = FLOCK.get(os.uname().machine)
    assert number is not None, f"add flock's syscall number for {os.uname().machine}"
    holder = _hold_lock(tiny)
    waiting = subprocess.Popen(
        [*COMPETE, "leaderboard", SLUG],
        cwd=tiny.root,
        env=repo_python_env(),
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        calls = []
        for _ in range(600):  # until it is blocked (start-up takes a moment)
            syscall = Path(f"/proc/{waiting.pid}/syscall").read_text().split()
            state = Path(f"/proc/{waiting.pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
            calls.append((syscall[0], state))
            if syscall[0] == str(number) and state == "S":
                break
            time.sleep(0.05)
        assert calls[-1] == (str(number), "S"), calls[-5:]
        assert waiting.poll() is None
    finally:
        holder.kill()
        holder.wait()
    out, err = waiting.communicate(timeout=120)
    assert waiting.returncode == 0, err
    assert "Leaderboard" in out or "no" in out.lower()


def test_a_queue_held_too_long_gives_a_clear_message(tiny: Workspace) -> None:
    holder = _hold_lock(tiny)
    try:
        result = subprocess.run(
            [*COMPETE, "submissions", SLUG],
            capture_output=True,
            text=True,
            cwd=tiny.root,
            env={**repo_python_env(), "COMPETE_LOCK_WAIT": "1"},
            timeout=120,
        )
    finally:
        holder.kill()
        holder.wait()
    assert result.returncode == 1 and "Traceback" not in result.stderr
    assert "other compete processes have held" in result.stderr


@pytest.mark.slow  # starts a real submit process, which a loaded machine takes a minute to start
def test_a_submit_killed_while_it_waits_to_record_leaves_nothing_after_the_next_write(
    tiny: Workspace,
) -> None:
    holder = _hold_lock(tiny)
    proc = subprocess.Popen(
        [*COMPETE, "submit", SLUG, str(sample(tiny, SLUG))],
        cwd=tiny.root,
        env=repo_python_env(),
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    folder = tiny.submissions_dir(SLUG)
    try:
        deadline = time.monotonic() + 300  # a loaded machine starts Python slowly
        while not list(folder.glob(".incoming.partial-*")) and proc.poll() is None:
            assert time.monotonic() < deadline, "the submit never copied its file"
            time.sleep(0.02)
        assert proc.poll() is None, "the submit waits for the lock with its copy made"
        proc.kill()
        proc.wait()
    finally:
        holder.kill()
        holder.wait()
    assert list(folder.glob(".incoming.partial-*")), "killed, it left its copy"
    assert cli("submit", SLUG, str(sample(tiny, SLUG)), "--as", "next").exit_code == 0
    assert sorted(p.name for p in folder.iterdir()) == ["s0001.csv"]


def test_only_the_partial_copies_of_ended_processes_are_removed(tiny: Workspace) -> None:
    """A submit copies its file before it takes the lock: a live one's copy must stay."""
    ended = subprocess.Popen([sys.executable, "-c", "pass"])
    ended.wait()
    alive = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(60)"])
    folder = tiny.submissions_dir(SLUG)
    folder.mkdir(parents=True, exist_ok=True)
    try:
        gone = folder / f".incoming.partial-{ended.pid}-0a1b2c3d"
        live = folder / f".incoming.partial-{alive.pid}-0a1b2c3d"
        old_style = folder / f".s0001.csv.partial-{ended.pid}"
        for path in (gone, live, old_style):
            path.write_text("id,label\n")
        assert cli("submit", SLUG, str(sample(tiny, SLUG))).exit_code == 0
        assert not gone.exists() and not old_style.exists()
        assert live.exists()
    finally:
        alive.kill()
        alive.wait()
