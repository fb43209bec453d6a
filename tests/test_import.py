"""`compete import kaggle` and `compete import mlebench`: the source's test set (and split, if any)."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from typer.testing import CliRunner

from harness.competition import load_card
from harness.errors import AuthoringError
from harness.importers import import_kaggle, import_mlebench, metric_from_grader
from harness.prepare import prepare
from harness.workspace import Workspace
from tests.test_authoring import hidden_labels, score, ws  # noqa: F401  (ws is a fixture)

N_TRAIN, N_TEST = 240, 120


def kaggle_folder(root: Path, with_solution: bool = True, ignored: int = 10) -> tuple[Path, pd.DataFrame]:
    """A binary competition in Kaggle's download layout; returns the folder and the full solution."""
    rng = np.random.default_rng(7)
    n = N_TRAIN + N_TEST
    frame = pd.DataFrame(
        {
            "PassengerId": np.arange(1, n + 1),
            "Age": rng.uniform(1, 80, n).round(1),
            "Port": rng.choice(["C", "Q", "S"], n),
            "Survived": rng.integers(0, 2, n),
        }
    )
    folder = root / "titanic-like"
    folder.mkdir(parents=True)
    train, test = frame.iloc[:N_TRAIN], frame.iloc[N_TRAIN:]
    train.assign(Cabin="x").to_csv(folder / "train.csv", index=False)  # a column test.csv lacks
    test.drop(columns="Survived").to_csv(folder / "test.csv", index=False)
    test[["PassengerId"]].assign(Survived=0).to_csv(folder / "sample_submission.csv", index=False)
    usage = np.array(["Public"] * 40 + ["Private"] * 70 + ["Ignored"] * ignored)
    usage = usage[rng.permutation(N_TEST)] if ignored else usage[:N_TEST]
    solution = test[["PassengerId", "Survived"]].assign(Usage=usage)
    if with_solution:
        solution.to_csv(folder / "solution.csv", index=False)
    return folder, solution


def test_kaggle_import_reproduces_public_and_private_scores(ws: Workspace, tmp_path: Path) -> None:  # noqa: F811
    from sklearn.metrics import roc_auc_score

    folder, solution = kaggle_folder(tmp_path / "downloads")
    authored = import_kaggle(ws, folder, metric="roc_auc")
    assert authored.slug == "titanic-like"
    assert (authored.id_column, authored.target_columns, authored.task) == (
        "PassengerId",
        ("Survived",),
        "binary",
    )
    assert any("dropped columns only in train.csv: Cabin" in n for n in authored.notes)
    assert "source/solution.csv" in authored.files
    card = load_card(ws, "titanic-like")
    assert card.split.public_fraction == round(40 / 110, 4), "the card states Kaggle's public share"
    done = prepare(ws, "titanic-like")
    assert (done.train_rows, done.test_rows, done.public_rows) == (N_TRAIN, 110, 40)
    assert "Cabin" not in pd.read_csv(ws.data_dir("titanic-like") / "train.csv").columns

    labels = hidden_labels(ws, "titanic-like")
    scored = solution[solution["Usage"] != "Ignored"].sort_values("PassengerId").reset_index(drop=True)
    assert list(labels["PassengerId"]) == list(scored["PassengerId"])
    assert list(labels["usage"]) == list(scored["Usage"]), "Kaggle's own public/private split"

    rng = np.random.default_rng(8)
    test_ids = pd.read_csv(ws.data_dir("titanic-like") / "test.csv")["PassengerId"]
    submission = pd.DataFrame({"PassengerId": test_ids, "Survived": rng.random(len(test_ids)).round(5)})
    path = tmp_path / "submission.csv"
    submission.to_csv(path, index=False)
    joined = scored.merge(submission, on="PassengerId", suffixes=("", "_pred"))
    want = [
        roc_auc_score(part["Survived"], part["Survived_pred"])
        for part in (joined[joined["Usage"] == u] for u in ("Public", "Private"))
    ]
    public, private = score(ws, card, path)
    assert public == pytest.approx(want[0], abs=1e-9)
    assert private == pytest.approx(want[1], abs=1e-9)


def test_kaggle_without_solution_explains_what_is_needed(ws: Workspace, tmp_path: Path) -> None:  # noqa: F811
    folder, _ = kaggle_folder(tmp_path / "downloads", with_solution=False)
    with pytest.raises(AuthoringError) as exc:
        import_kaggle(ws, folder)
    message = str(exc.value)
    assert "has no solution.csv" in message and "Usage column" in message
    assert f"compete new titanic-like --from {folder / 'train.csv'} --target COLUMN" in message
    assert not ws.competition_dir("titanic-like").exists()


def test_kaggle_solution_needs_a_usage_column(ws: Workspace, tmp_path: Path) -> None:  # noqa: F811
    folder, solution = kaggle_folder(tmp_path / "downloads")
    solution.drop(columns="Usage").to_csv(folder / "solution.csv", index=False)
    with pytest.raises(AuthoringError, match="has no 'Usage' column"):
        import_kaggle(ws, folder)


def multiclass_layout(root: Path) -> tuple[pd.DataFrame, pd.DataFrame, pd.DataFrame, pd.DataFrame]:
    rng = np.random.default_rng(9)
    n = N_TRAIN + N_TEST
    classes = ["MWS", "EAP", "HPL"]  # the sample's order, not sorted
    frame = pd.DataFrame(
        {
            "id": [f"id{i:05d}" for i in range(n)],
            "text": [
                " ".join(rng.choice(["the", "dark", "night", "house", "old", "sea"], 9)) for _ in range(n)
            ],
            "author": rng.choice(classes, n),
        }
    )
    train, test = frame.iloc[:N_TRAIN], frame.iloc[N_TRAIN:]
    sample = test[["id"]].assign(**dict.fromkeys(classes, 1 / 3))
    onehot = test[["id"]].assign(**{c: (test["author"] == c).astype(int) for c in classes})
    return train, test, sample, onehot


def test_mlebench_import_maps_the_grader_and_one_hot_answers(ws: Workspace, tmp_path: Path) -> None:  # noqa: F811
    from sklearn.metrics import log_loss

    folder = tmp_path / "spooky" / "prepared"
    (folder / "public").mkdir(parents=True)
    (folder / "private").mkdir()
    train, test, sample, onehot = multiclass_layout(folder)
    train.to_csv(folder / "public" / "train.csv", index=False)
    test.drop(columns="author").to_csv(folder / "public" / "test.csv", index=False)
    sample.to_csv(folder / "public" / "sample_submission.csv", index=False)
    (folder / "public" / "description.md").write_text("# Spooky\nWho wrote it?\n")
    onehot.to_csv(folder / "private" / "test.csv", index=False)
    (folder / "config.yaml").write_text(
        "id: spooky-author-identification\nname: Spooky Author Identification\n"
        "dataset:\n  answers: spooky-author-identification/prepared/private/test.csv\n"
        "grader:\n  name: multi-class-log-loss  # the grader\n  grade_fn: x.grade:grade\n"
    )
    authored = import_mlebench(ws, folder)
    assert authored.slug == "spooky-author-identification"
    assert (authored.task, authored.metric) == ("text-multiclass", "log_loss")
    assert authored.classes == ("MWS", "EAP", "HPL"), "the sample submission's column order"
    assert any("from config.yaml's grader 'multi-class-log-loss'" in n for n in authored.notes)
    card = load_card(ws, authored.slug)
    assert card.title == "Spooky Author Identification"
    description = (card.folder / "description.md").read_text()
    assert "Who wrote it?" in description

    done = prepare(ws, authored.slug)
    assert (done.train_rows, done.test_rows) == (N_TRAIN, N_TEST)
    labels = hidden_labels(ws, authored.slug)
    assert dict(zip(labels["id"], labels["author"], strict=True)) == dict(
        zip(test["id"], test["author"], strict=True)
    )
    assert (labels["usage"] == "Public").sum() == round(N_TEST * card.split.public_fraction)

    classes = list(card.classes or ())
    rng = np.random.default_rng(10)
    probs = rng.dirichlet(np.ones(3), size=N_TEST).round(6)
    probs = probs / probs.sum(axis=1, keepdims=True)
    submission = pd.DataFrame({"id": labels["id"], **{c: probs[:, i] for i, c in enumerate(classes)}})
    path = tmp_path / "sub.csv"
    submission.to_csv(path, index=False)
    joined = labels.merge(submission, on="id")
    want = [
        log_loss(part["author"], part[sorted(classes)].to_numpy(), labels=sorted(classes))
        for part in (joined[joined["usage"] == u] for u in ("Public", "Private"))
    ]
    public, private = score(ws, card, path)
    assert public == pytest.approx(want[0], abs=1e-6) and private == pytest.approx(want[1], abs=1e-6)


def test_mlebench_unknown_grader_lists_the_supported_names(ws: Workspace, tmp_path: Path) -> None:  # noqa: F811
    folder = tmp_path / "comp"
    (folder / "public").mkdir(parents=True)
    (folder / "private").mkdir()
    train, test, sample, onehot = multiclass_layout(folder)
    train.to_csv(folder / "public" / "train.csv", index=False)
    test.drop(columns="author").to_csv(folder / "public" / "test.csv", index=False)
    sample.to_csv(folder / "public" / "sample_submission.csv", index=False)
    onehot.to_csv(folder / "private" / "answers.csv", index=False)
    (folder / "config.yaml").write_text("grader:\n  name: dice-coefficient\n")
    with pytest.raises(AuthoringError) as exc:
        import_mlebench(ws, folder)
    assert "grader 'dice-coefficient' maps to no metric" in str(exc.value)
    assert "multi-class-log-loss" in str(exc.value) and "--metric" in str(exc.value)
    authored = import_mlebench(ws, folder, metric="accuracy")  # --metric overrides
    assert authored.metric == "accuracy" and authored.slug == "comp"


def test_mlebench_without_answers_says_where_they_belong(ws: Workspace, tmp_path: Path) -> None:  # noqa: F811
    folder = tmp_path / "comp"
    (folder / "public").mkdir(parents=True)
    for name in ("train.csv", "test.csv", "sample_submission.csv"):
        (folder / "public" / name).write_text("id,y\n1,0\n")
    with pytest.raises(AuthoringError, match="holds no answers.csv or test.csv"):
        import_mlebench(ws, folder)


@pytest.mark.parametrize(
    ("grader", "ours"),
    [
        ("auc", "roc_auc"),
        ("roc-auc", "roc_auc"),
        ("AUC-ROC", "roc_auc"),
        ("logloss", "log_loss"),
        ("log-loss", "log_loss"),
        ("rmse", "rmse"),
        ("RMSLE", "rmsle"),
        ("accuracy", "accuracy"),
        ("map@5", "map_at_k"),
        ("qwk", "quadratic_weighted_kappa"),
        ("quadratic_weighted_kappa", "quadratic_weighted_kappa"),
        ("mean absolute error", "mae"),
        ("macro-f1-score", "f1_macro"),
        ("map-at-5", "map_at_k"),
        ("multi-class-classification-accuracy", "accuracy"),
        ("root_mean_squared_error", "rmse"),
        ("multi-class-log-loss", "log_loss"),
    ],
)
def test_grader_names_map_to_the_registry(grader: str, ours: str) -> None:
    assert metric_from_grader(grader) == ours


def test_cli_import_kaggle(ws: Workspace, tmp_path: Path) -> None:  # noqa: F811
    from harness.cli import app

    folder, _ = kaggle_folder(tmp_path / "downloads")
    result = CliRunner().invoke(
        app, ["import", "kaggle", str(folder), "--slug", "kg", "--metric", "accuracy"]
    )
    assert result.exit_code == 0, result.output
    assert "test set and public/private split: Kaggle's" in " ".join(result.output.split())
    result = CliRunner().invoke(app, ["import", "kaggle", str(folder), "--slug", "kg"])
    assert result.exit_code == 1 and "already exists" in result.output


def test_kaggle_regression_with_text_ids_passes_the_check(ws: Workspace, tmp_path: Path) -> None:  # noqa: F811
    from harness.checks import check_competition

    rng = np.random.default_rng(11)
    n = N_TRAIN + N_TEST
    frame = pd.DataFrame(
        {
            "house": [f"h-{i:04d}" for i in range(n)],
            "area": rng.uniform(40, 250, n).round(1),
            "SalePrice": rng.uniform(5e4, 5e5, n).round(0),
        }
    )
    folder = tmp_path / "house-prices-advanced"
    folder.mkdir()
    frame.iloc[:N_TRAIN].to_csv(folder / "train.csv", index=False)
    test = frame.iloc[N_TRAIN:]
    test.drop(columns="SalePrice").to_csv(folder / "test.csv", index=False)
    test[["house"]].assign(SalePrice=180000.0).to_csv(folder / "sample_submission.csv", index=False)
    test[["house", "SalePrice"]].assign(Usage=["Public", "Private"] * (N_TEST // 2)).to_csv(
        folder / "solution.csv", index=False
    )
    authored = import_kaggle(ws, folder, metric="rmsle", slug="houses")
    assert (authored.task, authored.metric, authored.cv_scheme) == ("regression", "rmsle", "kfold")
    results = check_competition(ws, "houses")
    assert all(r.ok for r in results), [r for r in results if not r.ok]
    labels = hidden_labels(ws, "houses")
    assert (labels["usage"] == "Public").sum() == N_TEST // 2


def test_mlebench_map_at_k_grader_makes_a_ranking_task(ws: Workspace, tmp_path: Path) -> None:  # noqa: F811
    from harness.checks import check_competition
    from tests.test_authoring import ranking_frame

    frame = ranking_frame(N_TRAIN + N_TEST).reset_index(names="customer")
    folder = tmp_path / "baskets"
    (folder / "public").mkdir(parents=True)
    (folder / "private").mkdir()
    frame.iloc[:N_TRAIN].to_csv(folder / "public" / "train.csv", index=False)
    test = frame.iloc[N_TRAIN:]
    test.drop(columns="bought").to_csv(folder / "public" / "test.csv", index=False)
    test[["customer"]].assign(bought="sku1").to_csv(folder / "public" / "sample_submission.csv", index=False)
    test[["customer", "bought"]].to_csv(folder / "private" / "answers.csv", index=False)
    (folder / "config.yaml").write_text("id: baskets\ngrader:\n  name: MAP@5\n")
    authored = import_mlebench(ws, folder)
    assert (authored.task, authored.metric) == ("ranking", "map_at_k")
    assert load_card(ws, "baskets").metric_options == {"k": 5}
    results = check_competition(ws, "baskets")
    assert all(r.ok for r in results), [r for r in results if not r.ok]


def test_columns_only_in_test_csv_are_named_as_dropped(ws: Workspace, tmp_path: Path) -> None:  # noqa: F811
    folder, _ = kaggle_folder(tmp_path / "downloads")
    test = pd.read_csv(folder / "test.csv")
    test.assign(Ticket="T").to_csv(folder / "test.csv", index=False)
    authored = import_kaggle(ws, folder, metric="roc_auc")
    assert any("dropped columns only in test.csv: Ticket" in n for n in authored.notes)
    assert "columns only in test.csv are dropped: Ticket" in load_card(ws, "titanic-like").source.changes


def boolean_folder(root: Path, grader: str) -> tuple[Path, pd.DataFrame]:
    """An MLE-bench preparation whose labels are True/False; returns the folder and the answers."""
    rng = np.random.default_rng(21)
    n = N_TRAIN + N_TEST
    frame = pd.DataFrame(
        {"id": np.arange(n), "x": rng.normal(size=n).round(4), "insult": rng.random(n) < 0.4}
    )
    folder = root / "insults"
    (folder / "public").mkdir(parents=True)
    (folder / "private").mkdir()
    train, test = frame.iloc[:N_TRAIN], frame.iloc[N_TRAIN:]
    train.to_csv(folder / "public" / "train.csv", index=False)
    test.drop(columns="insult").to_csv(folder / "public" / "test.csv", index=False)
    test[["id"]].assign(insult=False).to_csv(folder / "public" / "sample_submission.csv", index=False)
    test[["id", "insult"]].to_csv(folder / "private" / "test.csv", index=False)
    (folder / "config.yaml").write_text(f"id: insults\nname: Insults\ngrader:\n  name: {grader}\n")
    return folder, test[["id", "insult"]].reset_index(drop=True)


@pytest.mark.parametrize("spelling", ["True", "true", "1"])
def test_boolean_labels_score_as_labels(ws: Workspace, tmp_path: Path, spelling: str) -> None:  # noqa: F811
    folder, answers = boolean_folder(tmp_path / "src", "accuracy")
    authored = import_mlebench(ws, folder)
    assert authored.classes == ("False", "True")
    prepare(ws, authored.slug)
    card = load_card(ws, authored.slug)
    truth = {True: spelling, False: {"True": "False", "true": "false", "1": "0"}[spelling]}
    perfect = answers.assign(insult=answers["insult"].map(truth))
    path = tmp_path / "perfect.csv"
    perfect.to_csv(path, index=False)
    assert score(ws, card, path) == (1.0, 1.0)

    labels = hidden_labels(ws, authored.slug)
    constant = labels[labels["usage"] == "Public"]
    public, _ = score(ws, card, ws.data_dir(authored.slug) / "sample_submission.csv")
    assert public == pytest.approx((~constant["insult"].astype(bool)).mean(), abs=1e-12)


def test_boolean_labels_with_roc_auc(ws: Workspace, tmp_path: Path) -> None:  # noqa: F811
    from sklearn.metrics import roc_auc_score

    folder, answers = boolean_folder(tmp_path / "src", "auc")
    authored = import_mlebench(ws, folder)
    prepare(ws, authored.slug)
    card = load_card(ws, authored.slug)
    rng = np.random.default_rng(3)
    submission = answers.assign(insult=rng.random(len(answers)).round(3))
    path = tmp_path / "random.csv"
    submission.to_csv(path, index=False)
    labels = hidden_labels(ws, authored.slug).merge(submission, on="id", suffixes=("", "_pred"))
    want = [
        roc_auc_score(part["insult"].astype(int), part["insult_pred"])
        for part in (labels[labels["usage"] == u] for u in ("Public", "Private"))
    ]
    public, private = score(ws, card, path)
    assert public == pytest.approx(want[0], abs=1e-9) and private == pytest.approx(want[1], abs=1e-9)


def test_check_fails_a_scorer_that_misreads_boolean_labels(
    ws: Workspace,  # noqa: F811
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    from harness import validation
    from harness.checks import check_competition

    folder, _ = boolean_folder(tmp_path / "src", "accuracy")
    authored = import_mlebench(ws, folder)
    results = {r.name: r for r in check_competition(ws, authored.slug)}
    assert results["perfect-score"].ok and results["sample-formula"].ok, results

    def misread(expr: str, sql_type: str) -> str:  # what scoring once did: true/false in lower case
        return f"CAST({expr} AS VARCHAR)"

    monkeypatch.setattr(validation, "text_sql", misread)
    results = {r.name: r for r in check_competition(ws, authored.slug)}
    assert not results["perfect-score"].ok
    assert "scores public 0.0, private 0.0, not accuracy's best (1)" in results["perfect-score"].message
    assert not results["sample-formula"].ok and "the formula gives" in results["sample-formula"].message


def test_mlebench_without_a_grader_refuses_and_lists_the_metrics(ws: Workspace, tmp_path: Path) -> None:  # noqa: F811
    folder, _ = boolean_folder(tmp_path / "src", "accuracy")
    (folder / "config.yaml").unlink()
    with pytest.raises(AuthoringError) as exc:
        import_mlebench(ws, folder)
    message = str(exc.value)
    assert "does not guess a metric" in message and "--from-repo DIR" in message
    assert "--metric: " in message and "roc_auc" in message and "map_at_k" in message
    assert not ws.competition_dir("insults").exists()
    authored = import_mlebench(ws, folder, metric="f1", task="binary")
    assert (authored.metric, authored.task) == ("f1", "binary")


def test_mlebench_from_repo_takes_config_leaderboard_and_description(ws: Workspace, tmp_path: Path) -> None:  # noqa: F811
    folder, _ = boolean_folder(tmp_path / "src", "accuracy")
    (folder / "config.yaml").unlink()
    repo = tmp_path / "mle-bench" / "mlebench" / "competitions" / "insults"
    repo.mkdir(parents=True)
    (repo / "config.yaml").write_text(
        "id: detecting-insults\nname: Detecting Insults\ngrader:\n  name: auc-roc\n"
        "  grade_fn: mlebench.competitions.detecting-insults.grade:grade\n"
    )
    (repo / "leaderboard.csv").write_text("scoreNullable,teamId,hasTeamName,submissionDate,score,hasScore\n")
    (repo / "description.md").write_text("# Detecting insults\nIs this comment an insult?\n")
    with pytest.raises(AuthoringError, match="has no config.yaml"):
        import_mlebench(ws, folder, from_repo=tmp_path)
    authored = import_mlebench(ws, folder, from_repo=repo)
    assert (authored.slug, authored.metric) == ("detecting-insults", "roc_auc")
    card = load_card(ws, authored.slug)
    assert (card.folder / "leaderboard.csv").read_text().startswith("scoreNullable,teamId")
    assert "Is this comment an insult?" in (card.folder / "description.md").read_text()


def test_cli_import_mlebench_task_and_from_repo(ws: Workspace, tmp_path: Path) -> None:  # noqa: F811
    from harness.cli import app

    folder, _ = boolean_folder(tmp_path / "src", "accuracy")
    (folder / "config.yaml").unlink()
    result = CliRunner().invoke(app, ["import", "mlebench", str(folder)])
    assert result.exit_code == 1 and "does not guess a metric" in " ".join(result.output.split())
    result = CliRunner().invoke(
        app, ["import", "mlebench", str(folder), "--metric", "accuracy", "--task", "multiclass"]
    )
    assert result.exit_code == 0, result.output
    assert load_card(ws, "insults").task == "multiclass"


def test_kaggle_import_reads_kaggles_usage_spellings_booleans_and_ids_in_the_sample(
    ws: Workspace,  # noqa: F811
    tmp_path: Path,
) -> None:
    from harness.checks import check_competition

    rng = np.random.default_rng(31)
    n = N_TRAIN + N_TEST
    frame = pd.DataFrame({"clip": [f"c{i:04d}.aif" for i in range(n)], "whale": rng.random(n) < 0.3})
    folder = tmp_path / "whales"
    folder.mkdir()
    train, test = frame.iloc[:N_TRAIN], frame.iloc[N_TRAIN:]
    train.to_csv(folder / "train.csv", index=False)  # no test.csv: the test ids are the sample's
    test[["clip"]].assign(whale=0.5).to_csv(folder / "sample_submission.csv", index=False)
    usage = np.array(["PublicTest"] * 40 + ["PrivateTest"] * 70 + ["Ignored"] * 10)[rng.permutation(N_TEST)]
    test.assign(Usage=usage).to_csv(folder / "solution.csv", index=False)
    authored = import_kaggle(ws, folder, metric="roc_auc")
    assert authored.classes == ("False", "True")
    results = check_competition(ws, "whales")
    assert all(r.ok for r in results), [r for r in results if not r.ok]
    labels = hidden_labels(ws, "whales")
    scored = test.assign(Usage=usage)[usage != "Ignored"]
    assert len(labels) == len(scored) and (labels["usage"] == "Public").sum() == 40
    by_clip = dict(zip(scored["clip"], scored["Usage"].str.removesuffix("Test"), strict=True))
    assert all(by_clip[c] == u for c, u in zip(labels["clip"], labels["usage"], strict=True))
