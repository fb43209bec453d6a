"""MLE-bench's two preparations whose labels are files, not a table: denoising-dirty-documents (cleaned
PNG images, one answer per pixel) and mlsp-2013-birds (text files of species per recording, one answer
per recording and species). Each imports with a training table made from its files, passes `compete
check`, and scores as its grader's formula (scikit-learn, to 1e-9) on the public, private and whole
test set for a perfect, a constant, a random and a tied submission. The denoising fixture's images
are written here, from code; the birds fixture is text, built by tests/fixtures/mlebench/build.py."""

from __future__ import annotations

import shutil
from collections.abc import Callable
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from harness import ledger, lifecycle
from harness.checks import check_competition
from harness.errors import AuthoringError
from harness.importers import import_mlebench
from harness.prepare import prepare
from harness.whole_test import whole_test_scores
from harness.workspace import Workspace
from tests.conftest import FIXTURES
from tests.test_authoring import hidden_labels, ws  # noqa: F401  (ws is a fixture)

BIRDS = FIXTURES / "mlebench" / "birds"
TRAIN_IMAGES, TEST_IMAGES = (2, 3, 5), (7, 11)  # image names, numbers as the real ones are
HEIGHT, WIDTH = 4, 5


def _levels(rng: np.random.Generator) -> np.ndarray:
    return rng.integers(0, 256, (HEIGHT, WIDTH), dtype=np.uint8)


def _png(path: Path, levels: np.ndarray) -> None:
    from PIL import Image

    path.parent.mkdir(parents=True, exist_ok=True)
    Image.fromarray(levels).save(path)  # 2-D uint8: a grey (L) image


def _denoising(root: Path) -> tuple[Path, Path]:
    """MLE-bench's prepared denoising-dirty-documents in small: train/, train_cleaned/ and test/ of
    4x5 grey PNGs, sampleSubmission.csv (value 1), private/answers.csv (id,value: the cleaned test
    pixels / 255); and the competition's folder of the repository (config.yaml, leaderboard.csv)."""
    rng = np.random.default_rng(7)
    public, private, repo = root / "prepared" / "public", root / "prepared" / "private", root / "repo"
    for image in TRAIN_IMAGES:
        _png(public / "train" / f"{image}.png", _levels(rng))
        _png(public / "train_cleaned" / f"{image}.png", _levels(rng))
    rows = []
    for image in TEST_IMAGES:
        _png(public / "test" / f"{image}.png", _levels(rng))
        clean = _levels(rng) / 255.0
        rows += [(f"{image}_{r + 1}_{c + 1}", clean[r, c]) for r in range(HEIGHT) for c in range(WIDTH)]
    private.mkdir(parents=True)
    answers = pd.DataFrame(rows, columns=["id", "value"])
    answers.to_csv(private / "answers.csv", index=False)
    answers.assign(value=1).to_csv(public / "sampleSubmission.csv", index=False)
    repo.mkdir(parents=True)
    (repo / "config.yaml").write_text(
        "id: denoising-dirty-documents\nname: Denoising Dirty Documents\ncompetition_type: simple\n"
        "awards_medals: false\n\ndataset:\n"
        "  answers: denoising-dirty-documents/prepared/private/answers.csv\n\n"
        "grader:\n  name: root_mean_squared_error\n"
    )
    board = rng.uniform(0.02, 0.2, 40).round(5)
    pd.DataFrame({"teamId": range(40), "score": np.sort(board)}).to_csv(repo / "leaderboard.csv", index=False)
    return root / "prepared", repo


def _rmse(y: np.ndarray, p: np.ndarray) -> float:
    from sklearn.metrics import root_mean_squared_error

    return float(root_mean_squared_error(y.astype(float), p.astype(float)))


def _auc(y: np.ndarray, p: np.ndarray) -> float:
    from sklearn.metrics import roc_auc_score

    return float(roc_auc_score(y.astype(int), p.astype(float)))


def _scores_as_the_grader(
    ws: Workspace,  # noqa: F811
    tmp_path: Path,
    slug: str,
    folder: Path,
    grade: Callable[[np.ndarray, np.ndarray], float],
    submissions: dict[str, np.ndarray],
) -> None:
    """Submit each file, close, and check every board's score and the whole test set's against `grade`."""
    results = check_competition(ws, slug)
    assert all(r.ok for r in results), [r for r in results if not r.ok]
    sample = pd.read_csv(next((folder / "public").glob("*ample*ubmission.csv")), dtype={0: str})
    id_column, target = sample.columns
    truth = pd.read_csv(folder / "private" / "answers.csv", dtype={id_column: str})
    usage = hidden_labels(ws, slug)[[id_column, "usage"]].astype({id_column: str})
    assert set(usage[id_column]) == set(truth[id_column]), "the test set is MLE-bench's"
    expected, refs = {}, {}
    for label, values in {**submissions, "constant": sample[target].to_numpy()}.items():
        frame = pd.DataFrame(
            {id_column: (truth if label != "constant" else sample)[id_column], target: values}
        )
        path = tmp_path / f"{label}.csv"
        frame.to_csv(path, index=False)
        outcome = ledger.submit(ws, slug, path, participant=label)
        assert outcome.submission.status == "scored", (label, outcome.submission.error)
        refs[label] = outcome.submission.ref
        rows = frame.merge(truth, on=id_column, suffixes=("", "__true")).merge(usage, on=id_column)
        assert len(rows) == len(truth)
        boards = [rows[rows["usage"] == u] for u in ("Public", "Private")] + [rows]
        expected[label] = [grade(b[f"{target}__true"].to_numpy(), b[target].to_numpy()) for b in boards]
        assert outcome.submission.public_score == pytest.approx(expected[label][0], abs=1e-9), label
    best = 0.0 if grade is _rmse else 1.0
    assert expected["perfect"] == pytest.approx([best] * 3, abs=1e-9)
    lifecycle.close(ws, slug)
    scored = {s.ref: s for s in ledger.submissions(ws, slug)}
    whole = whole_test_scores(ws, slug)
    for label, (public, private, everything) in expected.items():
        assert scored[refs[label]].public_score == pytest.approx(public, abs=1e-9), label
        assert scored[refs[label]].private_score == pytest.approx(private, abs=1e-9), label
        assert whole[refs[label]] == pytest.approx(everything, abs=1e-9), label


def test_denoising_makes_one_row_per_pixel_and_scores_as_its_rmse_grader(
    ws: Workspace,  # noqa: F811
    tmp_path: Path,
) -> None:
    from PIL import Image

    folder, repo = _denoising(tmp_path / "denoising")
    authored = import_mlebench(ws, folder, from_repo=repo)
    slug = authored.slug
    assert (slug, authored.metric, authored.id_column) == ("denoising-dirty-documents", "rmse", "id")
    assert any("train_cleaned/ marks MLE-bench's cleaned-images layout" in n for n in authored.notes)
    prepare(ws, slug)
    data = ws.data_dir(slug)
    train, test = pd.read_csv(data / "train.csv"), pd.read_csv(data / "test.csv")
    assert list(train.columns) == ["id", "image", "row", "col", "dirty", "value"]
    assert list(test.columns) == ["id", "image", "row", "col", "dirty"]
    assert len(train) == len(TRAIN_IMAGES) * HEIGHT * WIDTH and len(test) == len(TEST_IMAGES) * HEIGHT * WIDTH
    public = folder / "public"
    for _, row in train.sample(12, random_state=0).iterrows():  # each pixel's value, as MLE-bench reads it
        at = (int(row["row"]) - 1, int(row["col"]) - 1)
        dirty = np.asarray(Image.open(public / "train" / f"{row['image']}.png").convert("L")) / 255.0
        clean = np.asarray(Image.open(public / "train_cleaned" / f"{row['image']}.png").convert("L")) / 255.0
        assert row["id"] == f"{row['image']}_{row['row']}_{row['col']}"
        assert (row["dirty"], row["value"]) == (dirty[at], clean[at])
    for name in ("train", "train_cleaned", "test"):  # the images reach data/ as they are
        assert sorted(p.name for p in (data / name).iterdir()) == sorted(
            p.name for p in (public / name).iterdir()
        )
    rng = np.random.default_rng(3)
    n = len(TEST_IMAGES) * HEIGHT * WIDTH
    truth = pd.read_csv(folder / "private" / "answers.csv")["value"].to_numpy()
    submissions = {
        "perfect": truth,
        "random": rng.random(n).round(6),
        "tied": rng.choice([0.0, 0.5, 1.0], n),
    }
    _scores_as_the_grader(ws, tmp_path, slug, folder, _rmse, submissions)


def test_birds_make_one_row_per_recording_and_species_and_score_as_its_auc_grader(
    ws: Workspace,  # noqa: F811
    tmp_path: Path,
) -> None:
    folder, repo = BIRDS / "prepared", BIRDS / "repo"
    authored = import_mlebench(ws, folder, from_repo=repo)
    slug = authored.slug
    assert (slug, authored.metric, authored.id_column) == ("mlsp-2013-birds", "roc_auc", "Id")
    assert any("essential_data/ (MLE-bench's recordings layout)" in n for n in authored.notes)
    prepare(ws, slug)
    data = ws.data_dir(slug)
    train, test = pd.read_csv(data / "train.csv"), pd.read_csv(data / "test.csv")
    assert list(train.columns) == ["Id", "rec_id", "species", "filename", "Probability"]
    assert list(test.columns) == ["Id", "rec_id", "species", "filename"]
    assert (train["Id"] == train["rec_id"] * 100 + train["species"]).all()
    essential = folder / "public" / "essential_data"
    lines = (essential / "rec_labels_test_hidden.txt").read_text().splitlines()[1:]
    listed = {
        int(p[0]): {int(s) for s in p[1:]} for p in (line.split(",") for line in lines) if p[1:] != ["?"]
    }
    assert len(train) == 19 * len(listed) and set(train["rec_id"]) == set(listed)
    want = [int(s in listed[r]) for r, s in zip(train["rec_id"], train["species"], strict=True)]
    assert train["Probability"].tolist() == want and 0 < sum(want) < len(want)
    names = pd.read_csv(essential / "rec_id2filename.txt").set_index("rec_id")["filename"]
    assert (train["filename"] == train["rec_id"].map(names)).all()
    assert (data / "essential_data" / "src_wavs").is_dir() and (
        data / "supplemental_data" / "spectrograms"
    ).is_dir()
    rng = np.random.default_rng(8)
    truth = pd.read_csv(folder / "private" / "answers.csv")["Probability"].to_numpy()
    n = len(truth)
    submissions = {
        "perfect": truth.astype(float),
        "random": rng.random(n).round(6),
        "tied": rng.choice([0.1, 0.5, 0.9], n),
    }
    _scores_as_the_grader(ws, tmp_path, slug, folder, _auc, submissions)


def _copy(tmp_path: Path, source: Path) -> Path:
    copy = tmp_path / "copy"
    shutil.copytree(source, copy)
    return copy


@pytest.mark.parametrize(
    ("remove", "message"),
    [
        ("test", r"has train_cleaned/ \(cleaned images\) but no test/"),
        ("train", r"but no train/"),
        ("train_cleaned/3.png", r"1 images of .*train have no cleaned image of the same name .*3\.png"),
        ("sampleSubmission.csv", r"has no sample_submission\.csv"),
    ],
)
def test_a_denoising_preparation_missing_a_part_is_named(
    ws: Workspace,  # noqa: F811
    tmp_path: Path,
    remove: str,
    message: str,
) -> None:
    folder, repo = _denoising(tmp_path / "denoising")
    gone = folder / "public" / remove
    shutil.rmtree(gone) if gone.is_dir() else gone.unlink()
    with pytest.raises(AuthoringError, match=message):
        import_mlebench(ws, folder, from_repo=repo)
    from typer.testing import CliRunner

    from harness.cli import app

    result = CliRunner().invoke(app, ["import", "mlebench", str(folder), "--from-repo", str(repo)])
    assert result.exit_code != 0 and isinstance(result.exception, SystemExit), result.exception
    assert "Traceback" not in result.output and len(result.output.strip().splitlines()) == 1


def test_a_denoising_image_that_is_not_a_png_or_not_its_dirty_size_is_named(
    ws: Workspace,  # noqa: F811
    tmp_path: Path,
) -> None:
    folder, repo = _denoising(tmp_path / "denoising")
    cleaned = folder / "public" / "train_cleaned" / "5.png"
    _png(cleaned, np.zeros((HEIGHT + 1, WIDTH), dtype=np.uint8))
    with pytest.raises(AuthoringError, match=r"5\.png is 5x5 pixels, and the image it cleans, .* is 5x4"):
        import_mlebench(ws, folder, from_repo=repo)
    cleaned.write_bytes(b"not a png")
    with pytest.raises(AuthoringError, match=r"5\.png is not an image that can be read"):
        import_mlebench(ws, folder, from_repo=repo)


@pytest.mark.parametrize(
    ("remove", "message"),
    [
        ("essential_data/CVfolds_2.txt", r"essential_data has no CVfolds_2\.txt: MLE-bench's recordings"),
        ("essential_data/species_list.txt", r"has no species_list\.txt"),
        ("essential_data/rec_labels_test_hidden.txt", r"has no rec_labels_test_hidden\.txt"),
        ("essential_data/rec_id2filename.txt", r"has no rec_id2filename\.txt"),
    ],
)
def test_a_birds_preparation_missing_a_file_is_named(
    ws: Workspace,  # noqa: F811
    tmp_path: Path,
    remove: str,
    message: str,
) -> None:
    folder = _copy(tmp_path, BIRDS)
    (folder / "prepared" / "public" / remove).unlink()
    with pytest.raises(AuthoringError, match=message):
        import_mlebench(ws, folder / "prepared", from_repo=folder / "repo")


def test_birds_labels_and_sample_that_do_not_fit_are_named(ws: Workspace, tmp_path: Path) -> None:  # noqa: F811
    folder = _copy(tmp_path, BIRDS)
    prepared, repo = folder / "prepared", folder / "repo"
    labels = prepared / "public" / "essential_data" / "rec_labels_test_hidden.txt"
    original = labels.read_text()
    train_line = next(line for line in original.splitlines()[1:] if "," in line and not line.endswith("?"))
    train_rec = train_line.split(",")[0]
    labels.write_text(original + "x,1\n")
    with pytest.raises(AuthoringError, match=r"line \d+: 'x,1' is not rec_id followed by species ids"):
        import_mlebench(ws, prepared, from_repo=repo)
    labels.write_text(original.replace(f"\n{train_line}\n", f"\n{train_rec},?\n", 1))
    with pytest.raises(
        AuthoringError, match=rf"1 training recordings \(fold 0\) have no labels .* {train_rec}\."
    ):
        import_mlebench(ws, prepared, from_repo=repo)
    labels.write_text(original.replace(f"\n{train_line}\n", f"\n{train_line},42\n", 1))
    with pytest.raises(AuthoringError, match="lists species 42, which species_list.txt does not have"):
        import_mlebench(ws, prepared, from_repo=repo)
    labels.write_text(original)
    sample = prepared / "public" / "sample_submission.csv"
    frame = pd.read_csv(sample)
    frame.iloc[:-1].to_csv(sample, index=False)
    with pytest.raises(AuthoringError, match=r"does not name the test rows .* 1 test rows are not in it"):
        import_mlebench(ws, prepared, from_repo=repo)
