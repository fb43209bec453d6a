"""Labels against probabilities, both ways; rescaled rows said; a file already scored is not scored twice."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from harness import ledger, store
from harness.errors import KernelError, RuleViolation
from harness.workspace import Workspace
from tests.test_submit_support import (  # noqa: F401
    cli,
    labels,
    perfect,
    sample,
    tiny_fixture,
    tiny_root_fixture,
    write_csv,
)


def test_text_labels_where_a_probability_is_scored_are_named(tiny: Workspace) -> None:
    truth = labels(tiny, "tiny-proba")
    frame = pd.DataFrame({"id": truth["id"], "label": truth["label"].astype(str)})
    outcome = ledger.submit(tiny, "tiny-proba", write_csv(tiny.root / "labels.csv", frame))
    error = outcome.submission.error or ""
    assert outcome.rejected and "has 1 problem" in error, error
    assert "class labels (no, yes) in column 'label', which is scored on the probability of the " in error
    assert "positive class 'yes'" in error and "predict_proba(X)[:, 1]" in error
    assert "text where" not in error


def test_hard_zero_one_predictions_under_log_loss_are_scored_with_what_clipping_costs(
    prepared_workspace: Workspace,
) -> None:
    truth = labels(prepared_workspace, "food-reviews")
    hard = (np.arange(len(truth)) % 2).astype(int)
    frame = pd.DataFrame({"id": truth["id"], "score": hard})
    result = cli("submit", "food-reviews", str(write_csv(prepared_workspace.root / "hard.csv", frame)))
    assert result.exit_code == 0, result.output  # type: ignore[attr-defined]
    said = " ".join(result.stdout.split())  # type: ignore[attr-defined]
    assert f"{len(truth)} of {len(truth)} rows predict a probability of exactly 0 or 1" in said
    assert "costs 34.5" in said
    text = frame.assign(score=np.where(hard == 1, "great", "other"))
    rejected = ledger.submit(
        prepared_workspace, "food-reviews", write_csv(prepared_workspace.root / "t.csv", text)
    )
    assert "class labels (other, great) in column 'score'" in (rejected.submission.error or "")


def test_rows_not_summing_to_one_are_rescaled_and_said_so(tiny: Workspace) -> None:
    frame = perfect(tiny, "tiny-multiclass")
    frame[["a", "b", "c"]] = frame[["a", "b", "c"]] * 0.6 + 0.2  # rows sum to 1.2
    outcome = ledger.submit(tiny, "tiny-multiclass", write_csv(tiny.root / "wide.csv", frame))
    assert outcome.submission.status == "scored", outcome.submission.error
    assert any(
        f"{len(frame)} rows' probabilities do not sum to 1 (e.g. row 1 sums to 1.2)" in n
        for n in outcome.notes
    )
    assert any("rescaled to sum to 1" in n for n in outcome.notes)
    assert not any("exactly 0 or 1" in n for n in outcome.notes)


def test_a_file_already_scored_is_refused_before_it_spends_a_slot(tiny: Workspace) -> None:
    first = ledger.submit(tiny, "tiny-binary", sample(tiny, "tiny-binary"))
    copy = tiny.root / "again.csv"
    copy.write_bytes(sample(tiny, "tiny-binary").read_bytes())
    with pytest.raises(RuleViolation, match=rf"same, byte for byte .* as {first.submission.ref}"):
        ledger.submit(tiny, "tiny-binary", copy)
    assert [s.ref for s in ledger.submissions(tiny, "tiny-binary")] == [first.submission.ref]
    assert sorted(p.name for p in tiny.submissions_dir("tiny-binary").iterdir()) == [
        Path(first.submission.stored_path or "").name
    ]
    other = ledger.submit(tiny, "tiny-binary", copy, participant="bob")  # someone else's is theirs
    assert other.submission.status == "scored" and other.remaining_today == 2


def test_two_byte_identical_files_are_never_both_final_selections(tiny: Workspace) -> None:
    first = ledger.submit(tiny, "tiny-binary", sample(tiny, "tiny-binary")).submission
    frame = perfect(tiny, "tiny-binary")
    better = ledger.submit(tiny, "tiny-binary", write_csv(tiny.root / "perfect.csv", frame)).submission
    with store.connect(tiny, "tiny-binary") as con:  # a twin recorded before resubmissions were refused
        con.execute(
            "INSERT INTO submissions SELECT 's0009', 9, participant, submitted_at, file_name, stored_path, "
            "sha256, size_bytes, message, status, error, public_score, private_score, cv_score, kernel, "
            "study_id, late, rescored_at, stale, cv_folds FROM submissions WHERE ref = ?",
            [better.ref],
        )
    with pytest.raises(RuleViolation, match=rf"{better.ref} and s0009 are the same file"):
        ledger.select(tiny, "tiny-binary", [better.ref, "s0009"])
    standing = ledger.final_submissions(tiny, "tiny-binary")
    assert standing.refs == (better.ref, first.ref)


def _kernel(tmp_path: Path, competition: str, body: str) -> Path:
    path = tmp_path / "mine.py"
    path.write_text(
        f'KERNEL = {{"competition": "{competition}", "title": "Mine", "techniques": ["baseline"]}}\n'
        "import numpy as np\n" + body,
        encoding="utf-8",
    )
    return path


def test_the_kernel_path_names_labels_and_probabilities_as_submit_does(
    prepared_workspace: Workspace, tmp_path: Path
) -> None:
    from harness.runs import run_kernel

    labels_kernel = _kernel(
        tmp_path,
        "food-reviews",
        "def fit_predict(train, test, params):\n"
        "    return np.where(np.arange(len(test)) % 2, 'great', 'other')\n",
    )
    with pytest.raises(
        KernelError, match=r"class labels \(other, great\) in column 'score', which is scored on"
    ):
        run_kernel(prepared_workspace, labels_kernel, folds=2)
    proba_kernel = _kernel(
        tmp_path,
        "titanic",
        "def fit_predict(train, test, params):\n    return np.full(len(test), 0.3)\n",
    )
    with pytest.raises(KernelError, match=r"look like probabilities, and this metric scores class labels"):
        run_kernel(prepared_workspace, proba_kernel, folds=2)


def test_the_kernel_path_warns_of_hard_predictions_under_log_loss(
    prepared_workspace: Workspace, tmp_path: Path
) -> None:
    from typer.testing import CliRunner

    from harness.cli import app

    path = _kernel(
        tmp_path,
        "food-reviews",
        "def fit_predict(train, test, params):\n    return (np.arange(len(test)) % 2).astype(float)\n",
    )
    result = CliRunner(env={"COLUMNS": "200"}).invoke(app, ["run", str(path), "--folds", "2"])
    assert result.exit_code == 0, result.output
    said = " ".join(result.stdout.split())
    assert "rows predict a probability of exactly 0 or 1" in said and "costs 34.5" in said
