"""A learner's own kernels and notes: checked on demand like the project's, never breaking `make test`.

The project's tests hold only the files declared in tests/declared.toml to the contracts. A learner's
kernel (from `compete kernels new`, or an own `scratch-*` file) and an own note in theory/ are checked by
`compete kernels check` and `compete theory --check`, with the same checks the declared files pass.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from typer.testing import CliRunner

from harness.cli import app
from harness.kernels import kernel_names
from harness.theory import topic_names
from harness.workspace import Workspace
from tests import declared
from tests.conftest import REPO

runner = CliRunner()

OWN_NOTE = """---
title: My note on target leakage through families
tags: [validation]
covers: []
prerequisites: [leakage]
related: []
---

## Intuition

What I learned.

## Key formulas

$$
s_i = \\operatorname{mean}\\{y_{i'} : i' \\in \\text{fam}(i), i' \\ne i\\}
$$

## Assumptions

Families are known.

## How it fails and how that shows in scores

Own labels leak.

## Where it is used

`kernels/titanic/lgbm-features.py`.
"""


def _learner_files(ws_root: Path) -> None:
    """What a learner following the README adds: a kernel from the template, an own scratch kernel, a
    kernel that does not load yet, a finished note and a note just begun."""
    env = {**os.environ, "COMPETE_WORKSPACE": str(ws_root)}
    compete = Path(sys.executable).with_name("compete")
    subprocess.run([compete, "kernels", "new", "titanic", "my-model"], check=True, env=env, cwd=ws_root)
    template = (ws_root / "kernels" / "titanic" / "my-model.py").read_text(encoding="utf-8")
    (ws_root / "kernels" / "titanic" / "scratch-mine.py").write_text(template, encoding="utf-8")
    (ws_root / "kernels" / "spam" / "half-done.py").write_text("KERNEL = dict(\n", encoding="utf-8")
    (ws_root / "theory" / "my-family-note.md").write_text(OWN_NOTE, encoding="utf-8")
    (ws_root / "theory" / "draft.md").write_text("# just begun\n", encoding="utf-8")


def test_declared_files_exclude_what_a_learner_adds(tmp_path: Path) -> None:
    root = tmp_path / "ws"
    root.mkdir()
    for name in ("competitions", "kernels", "theory"):
        shutil.copytree(REPO / name, root / name)
    _learner_files(root)
    ws = Workspace(root)
    own_kernels = set(kernel_names(ws)) - set(declared.KERNELS)
    assert own_kernels == {"titanic/my-model", "titanic/scratch-mine", "spam/half-done"}
    assert set(topic_names(ws)) - set(declared.NOTES) == {"my-family-note", "draft"}


@pytest.mark.slow
def test_make_tests_pass_with_a_learners_files_in_the_workspace(tmp_path: Path) -> None:
    """The tests that look at kernels/ and theory/ run in a copy of the project holding a learner's files."""
    copy = tmp_path / "project"
    copy.mkdir()
    for name in ("harness", "tests", "competitions", "kernels", "theory"):
        shutil.copytree(REPO / name, copy / name, ignore=shutil.ignore_patterns("__pycache__"))
    for name in ("pyproject.toml", "README.md"):
        shutil.copy(REPO / name, copy / name)
    _learner_files(copy)
    selection = [
        "tests/test_theory.py",
        "tests/test_theory_examples.py",
        "tests/test_scratch.py::test_every_declared_scratch_kernel_is_checked_here",
        "tests/test_kernels.py::test_kernels_are_discovered_and_the_template_is_not_a_kernel",
        "tests/test_kernels.py::test_every_declared_kernel_exists_and_the_template_is_not_declared",
        "tests/test_kernels.py::test_every_competition_has_a_baseline_and_a_strong_reference_kernel",
        "tests/test_kernels.py::test_every_declared_kernel_says_it_is_a_reference",
        "tests/test_kernels.py::test_every_strong_reference_kernel_is_tunable",
        "tests/test_kernels.py::TestKernelContract::test_declares_valid_metadata",
        "tests/test_kernels.py::TestKernelContract::test_is_a_percent_notebook_with_markdown_notes",
    ]
    env = {**os.environ, "OMP_NUM_THREADS": "1", "PYTHONPATH": str(copy)}
    env.pop("COMPETE_WORKSPACE", None)
    done = subprocess.run(
        [sys.executable, "-m", "pytest", "-q", "-x", "-p", "no:cacheprovider", "-m", "not slow", *selection],
        cwd=copy,
        env=env,
        capture_output=True,
        text=True,
    )
    assert done.returncode == 0, done.stdout[-3000:] + done.stderr[-2000:]
    assert " passed" in done.stdout and "skipped" not in done.stdout


def test_compete_kernels_check_passes_a_new_kernel_and_names_what_is_wrong(
    prepared_workspace: Workspace,
) -> None:
    link = prepared_workspace.kernels_dir
    link.unlink()
    shutil.copytree(REPO / "kernels", link)
    assert runner.invoke(app, ["kernels", "new", "titanic", "my-model"]).exit_code == 0

    result = runner.invoke(app, ["kernels", "check", "titanic/my-model", "--format", "json"])
    assert result.exit_code == 0, result.output
    assert "cross-validates" in result.stdout and "FAILED" not in result.stdout

    path = link / "titanic" / "my-model.py"
    fresh = path.read_text(encoding="utf-8")
    unknown_tag = re.sub(r'"techniques": \[[^]]*\]', '"techniques": ["deep-magic"]', fresh)
    assert unknown_tag != fresh
    path.write_text(unknown_tag, encoding="utf-8")
    result = runner.invoke(app, ["kernels", "check", "titanic/my-model", "-f", "json"])
    assert result.exit_code == 1
    assert "FAILED" in result.stdout and "deep-magic" in result.stdout

    one_short = "\n\n_fit_predict = fit_predict\n\n\ndef fit_predict(train, test, params):\n"
    one_short += "    return _fit_predict(train, test, params)[:-1]\n"
    path.write_text(fresh + one_short, encoding="utf-8")
    result = runner.invoke(app, ["kernels", "check", "titanic/my-model", "-f", "csv"])
    assert result.exit_code == 1
    assert "cross-validates,FAILED" in result.stdout and "returned shape" in result.stdout


def test_compete_theory_check_passes_a_complete_note_and_fails_a_draft(workspace: Workspace) -> None:
    link = workspace.theory_dir
    link.unlink()
    shutil.copytree(REPO / "theory", link)
    (link / "my-family-note.md").write_text(OWN_NOTE, encoding="utf-8")
    (link / "draft.md").write_text("---\ntitle: Draft\ntags: [x]\n---\n\n## Intuition\n\nsoon\n")

    result = runner.invoke(app, ["theory", "my-family-note", "--check"])
    assert result.exit_code == 0, result.output
    result = runner.invoke(app, ["theory", "draft", "--check"])
    assert result.exit_code == 1
    assert "Key formulas" in result.output
