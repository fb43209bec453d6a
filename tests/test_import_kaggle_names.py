"""`compete import kaggle --labels-from-names`: a Kaggle download whose labels are in the training
files' names (dogs-vs-cats: train/cat.0.jpg) gets its training table made from them, through the same
code as `import mlebench` (harness/import_names.py)."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from typer.testing import CliRunner

from harness.checks import check_competition
from harness.errors import AuthoringError
from harness.importers import import_kaggle
from harness.prepare import prepare
from harness.workspace import Workspace
from tests.test_authoring import ws  # noqa: F401  (ws is a fixture)

PATTERN = r"train/(?P<label>cat|dog)\.\d+\.jpg"
N_TRAIN, N_TEST = 60, 30


def names_folder(root: Path) -> Path:
    """Kaggle's dogs-vs-cats layout, small: train/{cat,dog}.N.jpg, test/N.jpg, a sample predicting
    P(dog) as `label`, and the solution (dog = 1) with Kaggle's Usage column."""
    rng = np.random.default_rng(3)
    folder = root / "dogs-vs-cats-redux-kernels-edition"
    (folder / "train").mkdir(parents=True)
    (folder / "test").mkdir()
    for i, animal in enumerate(rng.choice(["cat", "dog"], N_TRAIN)):
        (folder / "train" / f"{animal}.{i}.jpg").write_bytes(b"\xff\xd8 " + animal.encode())
    ids = np.arange(1, N_TEST + 1)
    for i in ids:
        (folder / "test" / f"{i}.jpg").write_bytes(b"\xff\xd8 test")
    pd.DataFrame({"id": ids, "label": 0.5}).to_csv(folder / "sample_submission.csv", index=False)
    usage = rng.permutation(["Public"] * 12 + ["Private"] * (N_TEST - 12))
    labels = rng.permutation([0, 1] * (N_TEST // 2))
    pd.DataFrame({"id": ids, "label": labels, "Usage": usage}).to_csv(folder / "solution.csv", index=False)
    return folder


def test_labels_from_names_make_the_training_table_of_a_kaggle_download(
    ws: Workspace,  # noqa: F811
    tmp_path: Path,
) -> None:
    folder = names_folder(tmp_path)
    with pytest.raises(AuthoringError, match=r"no training table .*--labels-from-names PATTERN"):
        import_kaggle(ws, folder, metric="log_loss")
    with pytest.raises(AuthoringError, match=r"--label-values 'cat=0,dog=1' needs --labels-from-names"):
        import_kaggle(ws, folder, metric="log_loss", label_values="cat=0,dog=1")
    with pytest.raises(AuthoringError, match=r"the labels 'cat', 'dog' .* --label-values"):
        import_kaggle(ws, folder, metric="log_loss", labels_from_names=PATTERN)
    authored = import_kaggle(
        ws, folder, metric="log_loss", labels_from_names=PATTERN, label_values="cat=0,dog=1", slug="dvc"
    )
    assert any(n.startswith(f"training table: made from {N_TRAIN} file names") for n in authored.notes)
    assert any("test set and public/private split: Kaggle's" in n for n in authored.notes)
    prepare(ws, "dvc")
    data = ws.data_dir("dvc")
    train, test = pd.read_csv(data / "train.csv"), pd.read_csv(data / "test.csv")
    assert list(train.columns) == ["id", "path", "label"] and list(test.columns) == ["id", "path"]
    is_dog = train["path"].str.startswith("train/dog.")
    assert (train["label"] == is_dog.astype(int)).all() and 0 < is_dog.sum() < len(train)
    assert all((data / p).is_file() for p in [*train["path"], *test["path"]]), "the files are copied"
    assert not list(data.rglob("solution.csv")), "the solution never reaches data/"
    results = check_competition(ws, "dvc")
    assert all(r.ok for r in results), [r for r in results if not r.ok]


def test_cli_import_kaggle_takes_the_same_options(ws: Workspace, tmp_path: Path) -> None:  # noqa: F811
    from harness.cli import app

    folder = names_folder(tmp_path)
    options = ["--labels-from-names", PATTERN, "--label-values", "cat=0,dog=1"]
    result = CliRunner().invoke(
        app, ["import", "kaggle", str(folder), "--slug", "dvc", "--metric", "log_loss", *options]
    )
    assert result.exit_code == 0, result.output
    assert "made from 60 file names" in " ".join(result.output.split())
    result = CliRunner().invoke(
        app, ["import", "kaggle", str(folder), "--slug", "dvc2", "--metric", "log_loss"]
    )
    assert result.exit_code == 1 and "Traceback" not in result.output
    assert "--labels-from-names PATTERN" in " ".join(result.output.split())
