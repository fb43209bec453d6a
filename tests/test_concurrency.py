"""A class at once: many real `compete submit` processes started together all land, each once.

The store's lock is held only for recording a row (the file is copied and scored before), and a
waiting process blocks on the lock file instead of polling; `make bench` measures the wall time and
each submit's latency (benchmarks/concurrency.py).
"""

from __future__ import annotations

import hashlib
import json
import subprocess
from pathlib import Path

import pytest

from harness.session import open_competition
from harness.workspace import Workspace
from tests.test_submit_support import (
    COMPETE,
    repo_python_env,
    sample,
    tiny_fixture,
    tiny_root_fixture,
)

__all__ = ["tiny_fixture", "tiny_root_fixture"]

SLUG = "tiny-binary"
PARTICIPANTS = 20
FILES_EACH = 5


def _flip(line: str) -> str:
    """The row with its 0/1 label the other way: each file differs from the others."""
    row_id, label = line.rsplit(",", 1)
    return f"{row_id},{1 - int(float(label))}"


def _files(ws: Workspace) -> list[Path]:
    """Five different files: the sample with one more row's label flipped each time."""
    lines = sample(ws, SLUG).read_text(encoding="utf-8").splitlines()
    out = []
    for k in range(FILES_EACH):
        changed = [lines[0]] + [_flip(line) if i <= k + 1 else line for i, line in enumerate(lines[1:], 1)]
        path = ws.root / f"preds-{k}.csv"
        path.write_text("\n".join(changed) + "\n", encoding="utf-8")
        out.append(path)
    return out


@pytest.mark.slow
def test_a_hundred_simultaneous_submits_all_land_once(tiny: Workspace) -> None:
    card = tiny.competition_dir(SLUG) / "competition.toml"
    card.write_text(card.read_text().replace("daily_limit = 3", f"daily_limit = {FILES_EACH}"))
    files = _files(tiny)
    env = {k: v for k, v in repo_python_env().items() if k != "COMPETE_LOCK_WAIT"}  # the defaults
    env["OMP_NUM_THREADS"] = "1"
    procs = [
        (
            f"p{who:02d}",
            path,
            subprocess.Popen(
                [*COMPETE, "submit", SLUG, str(path), "--as", f"p{who:02d}", "-f", "json"],
                cwd=tiny.root,
                env=env,
                stdout=subprocess.PIPE,
                stderr=subprocess.PIPE,
                text=True,
            ),
        )
        for who in range(PARTICIPANTS)
        for path in files
    ]
    outcomes = [(who, path, proc, proc.communicate(timeout=900)) for who, path, proc in procs]
    failed = [(who, out[1][-300:]) for who, _, proc, out in outcomes if proc.returncode != 0]
    assert failed == []
    refs = [json.loads(out[0])["ref"] for _, _, _, out in outcomes]
    assert sorted(refs) == [f"s{n:04d}" for n in range(1, len(procs) + 1)]

    with open_competition(tiny, SLUG) as session:
        rows = session.store.execute(
            "SELECT ref, participant, file_name, stored_path, sha256, status FROM submissions ORDER BY seq"
        ).fetchall()
    assert len(rows) == len(procs)
    assert {(who, path.name) for who, path, _, _ in outcomes} == {(r[1], r[2]) for r in rows}
    digest = {path.name: hashlib.sha256(path.read_bytes()).hexdigest() for path in files}
    for ref, _, file_name, stored, sha256, status in rows:
        assert status == "scored", ref
        assert sha256 == digest[file_name]
        assert hashlib.sha256((tiny.root / stored).read_bytes()).hexdigest() == sha256
    kept = sorted(p.name for p in tiny.submissions_dir(SLUG).iterdir())
    assert kept == sorted(Path(r[3]).name for r in rows), "no partial or unrecorded copy is left"
