"""Every MLE-bench layout under tests/fixtures/mlebench imports, passes `compete check`, and scores as
the competition's grader formula does (scikit-learn or plain Python, to 1e-9), on the public and the
private rows, before and after the close, for a perfect, a constant, a random and a tied submission."""

from __future__ import annotations

import math
from collections.abc import Callable
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from harness import ledger, lifecycle
from harness.checks import check_competition
from harness.competition import load_card
from harness.importers import import_mlebench
from harness.workspace import Workspace
from tests.conftest import FIXTURES
from tests.test_authoring import hidden_labels, ws  # noqa: F401  (ws is a fixture)

MLEBENCH = FIXTURES / "mlebench"
EPS = float(np.finfo(float).eps)  # the clip of scikit-learn's log_loss, which MLE-bench's graders call


def _auc(y: np.ndarray, p: np.ndarray) -> float:
    from sklearn.metrics import roc_auc_score

    return float(roc_auc_score(y.astype(int), p.astype(float)))


def _log_loss(y: np.ndarray, p: np.ndarray, classes: list[str]) -> float:
    probs = np.clip(p.astype(float), EPS, 1 - EPS)  # each probability clipped, rows not rescaled
    index = {c: i for i, c in enumerate(classes)}
    return float(-np.mean([math.log(probs[r, index[str(label)]]) for r, label in enumerate(y)]))


def _rmsle(y: np.ndarray, p: np.ndarray) -> float:
    return float(np.sqrt(np.mean((np.log1p(p.astype(float)) - np.log1p(y.astype(float))) ** 2)))


def _accuracy(y: np.ndarray, p: np.ndarray) -> float:
    return float(np.mean([str(a) == str(b) for a, b in zip(y, p, strict=True)]))


# fixture: (id column, target (several: space-separated), the kind of prediction its grader scores)
LAYOUTS: dict[str, tuple[str, str, str]] = {
    "insults": ("Comment", "Insult", "probability"),
    "cactus": ("id", "has_cactus", "probability"),
    "dog-breeds": ("id", "breed", "classes"),
    "conductors": ("id", "formation_energy_ev_natom bandgap_energy_ev", "values"),
    "normalization": ("id", "after", "label"),
    "toxic": ("id", "toxic obscene insult", "probabilities"),
    "pizza": ("request_id", "requester_received_pizza", "probability"),
    "dogs-vs-cats": ("id", "label", "probability"),
    "whale": ("clip", "probability", "probability"),
}
# what the import must be told besides the folders (the id the tables lack, made from two columns)
# and the labels that are in the training files' names
IMPORT_OPTIONS: dict[str, dict[str, str]] = {
    "text-normalization": {"id_from": "{sentence_id}_{token_id}"},
    "dogs-vs-cats": {
        "labels_from_names": r"train/(?P<label>cat|dog)\.\d+\.jpg",
        "label_values": "cat=0,dog=1",
    },
    "whale": {"labels_from_names": r"train2\.zip/train2/.+_(?P<label>[01])\.aif"},
}


def _truth(name: str, id_column: str, target: str) -> pd.DataFrame:
    """The test labels as the fixture's private folder holds them: id and target."""
    private = MLEBENCH / name / "prepared" / "private"
    answers = pd.read_csv(
        next(p for n in ("answers.csv", "test.csv") if (p := private / n).is_file()), dtype={id_column: str}
    )
    if target.split()[0] not in answers.columns:  # one-hot columns, one per class
        classes = [c for c in answers.columns if c != id_column]
        answers[target] = answers[classes].idxmax(axis=1)
    return answers[[id_column, *target.split()]]


def _submissions(
    name: str, truth: pd.DataFrame, id_column: str, target: str, kind: str
) -> dict[str, pd.DataFrame]:
    rng = np.random.default_rng(len(name))
    public = MLEBENCH / name / "prepared" / "public"
    sample = pd.read_csv(next(public.glob("*ample*ubmission*.csv*")), dtype={id_column: str})  # zipped or not
    if kind != "classes":  # the columns the sample copies from the test file (a date) are not scored
        sample = sample[[id_column, *target.split()]]
    ids = truth[[id_column]]
    n = len(truth)
    if kind in ("values", "probabilities"):
        targets = target.split()
        if kind == "values":
            random, tied = (
                rng.uniform(0.01, 6, (n, len(targets))).round(4),
                rng.choice([0.5, 1.0, 2.0], (n, len(targets))),
            )
        else:
            random, tied = rng.random((n, len(targets))).round(6), rng.choice([0.2, 0.7], (n, len(targets)))
        frames = {"perfect": truth.copy()}
        frames.update(
            {
                label: ids.assign(**{t: v[:, j] for j, t in enumerate(targets)})
                for label, v in (("random", random), ("tied", tied))
            }
        )
        frames["constant"] = sample
        return frames
    y = truth[target]
    if kind == "probability":
        positive = y.astype(bool).astype(float)
        out = {
            "perfect": positive,
            "random": pd.Series(rng.random(n).round(6)),
            "tied": pd.Series(rng.choice([0.1, 0.5, 0.9], n)),
        }
        frames = {k: ids.assign(**{target: v.to_numpy()}) for k, v in out.items()}
    elif kind == "value":
        frames = {
            "perfect": ids.assign(**{target: y.to_numpy()}),
            "random": ids.assign(**{target: rng.uniform(0.1, 6, n).round(4)}),
            "tied": ids.assign(**{target: rng.choice([1.0, 2.0, 3.0], n)}),
        }
    elif kind == "label":
        values = sorted(set(y))
        frames = {
            "perfect": ids.assign(**{target: y.to_numpy()}),
            "random": ids.assign(**{target: rng.choice(values, n)}),
            "tied": ids.assign(**{target: rng.choice(values[:2], n)}),
        }
    else:
        classes = [c for c in sample.columns if c != id_column]
        onehot = np.array([[1.0 if c == label else 0.0 for c in classes] for label in y])
        random = _summing_to_one(rng.dirichlet(np.ones(len(classes)), n).round(6))
        tied = _summing_to_one(np.tile(rng.dirichlet(np.ones(len(classes))).round(4), (n, 1)))
        frames = {
            label: ids.assign(**{c: probs[:, i] for i, c in enumerate(classes)})
            for label, probs in (("perfect", onehot), ("random", random), ("tied", tied))
        }
    frames["constant"] = sample
    return frames


def _summing_to_one(probs: np.ndarray) -> np.ndarray:
    """Rounded rows whose last class takes up the rest, as the grader requires rows summing to 1."""
    probs[:, -1] = 1 - probs[:, :-1].sum(axis=1)
    return probs


def _grader(name: str, classes: list[str]) -> Callable[[pd.DataFrame, str, str], float]:
    def score(rows: pd.DataFrame, target: str, kind: str) -> float:
        if name == "conductors":  # the mean of each column's RMSLE
            return float(
                np.mean([_rmsle(rows[f"{t}__true"].to_numpy(), rows[t].to_numpy()) for t in target.split()])
            )
        if name == "toxic":  # the mean of each column's ROC AUC
            return float(
                np.mean([_auc(rows[f"{t}__true"].to_numpy(), rows[t].to_numpy()) for t in target.split()])
            )
        y = rows[f"{target}__true"].to_numpy()
        if name in ("insults", "cactus", "pizza", "whale"):
            return _auc(y.astype(bool), rows[target].to_numpy())
        if name == "dogs-vs-cats":  # the grader's scikit-learn log_loss of P(dog)
            from sklearn.metrics import log_loss

            return float(log_loss(y.astype(int), rows[target].to_numpy(dtype=float), labels=[0, 1]))
        if name == "dog-breeds":
            return _log_loss(y, rows[classes].to_numpy(), classes)
        return _accuracy(y, rows[target].to_numpy())

    return score


# The fast run imports one layout of one probability and one of several values; the rest take longest.
FAST_LAYOUTS = {"cactus", "conductors"}


@pytest.mark.parametrize(
    "name",
    [n if n in FAST_LAYOUTS else pytest.param(n, marks=pytest.mark.slow) for n in sorted(LAYOUTS)],
)
def test_layout_imports_and_scores_as_its_grader(ws: Workspace, tmp_path: Path, name: str) -> None:  # noqa: F811
    id_column, target, kind = LAYOUTS[name]
    authored = import_mlebench(
        ws, MLEBENCH / name / "prepared", from_repo=MLEBENCH / name / "repo", **IMPORT_OPTIONS.get(name, {})
    )
    assert authored.slug == name and authored.id_column == id_column
    results = check_competition(ws, name)
    assert all(r.ok for r in results), [r for r in results if not r.ok]
    card = load_card(ws, name)
    public_folder = MLEBENCH / name / "prepared" / "public"
    for item in public_folder.iterdir():  # what the import does not read reaches data/<slug>/ as it is
        if item.is_dir():
            given = sorted(p.name for p in item.iterdir())
            assert sorted(p.name for p in (ws.data_dir(name) / item.name).iterdir()) == given
    usage = hidden_labels(ws, name)[[id_column, "usage"]]
    usage[id_column] = usage[id_column].astype(str)
    truth = _truth(name, id_column, target)
    assert set(truth[id_column]) == set(usage[id_column]), "the test set is MLE-bench's"
    sample = pd.read_csv(
        next((MLEBENCH / name / "prepared" / "public").glob("*ample*ubmission*.csv*")), nrows=0
    )
    classes = [c for c in sample.columns if c != id_column]
    grader = _grader(name, classes)

    expected: dict[str, tuple[float, float]] = {}
    whole: dict[str, float] = {}
    refs: dict[str, str] = {}
    for label, frame in _submissions(name, truth, id_column, target, kind).items():
        path = tmp_path / f"{label}.csv"
        frame.to_csv(path, index=False)
        outcome = ledger.submit(ws, name, path, participant=label)
        assert outcome.submission.status == "scored", (label, outcome.submission.error)
        refs[label] = outcome.submission.ref
        joined = frame.astype({id_column: str}).merge(
            truth.rename(columns={t: f"{t}__true" for t in target.split()}), on=id_column
        )
        joined = joined.merge(usage, on=id_column)
        public, private = (grader(joined[joined["usage"] == u], target, kind) for u in ("Public", "Private"))
        expected[label] = (public, private)
        whole[label] = grader(joined, target, kind)
        assert outcome.submission.public_score == pytest.approx(public, abs=1e-9), label
    best = expected["perfect"]
    metric_best = 0.0 if card.metric in ("log_loss", "mean_columnwise_rmsle") else 1.0
    assert best == pytest.approx((metric_best, metric_best), abs=1e-9)

    from harness.whole_test import whole_test_scores

    assert whole_test_scores(ws, name) == {}, "the whole-test score waits for the close"
    lifecycle.close(ws, name)
    scored = {s.ref: s for s in ledger.submissions(ws, name)}
    whole_scores = whole_test_scores(ws, name)
    for label, (public, private) in expected.items():
        assert scored[refs[label]].public_score == pytest.approx(public, abs=1e-9), label
        assert scored[refs[label]].private_score == pytest.approx(private, abs=1e-9), label
        assert whole_scores[refs[label]] == pytest.approx(whole[label], abs=1e-9), label


def test_a_fixture_is_rebuilt_byte_for_byte(tmp_path: Path) -> None:
    """build.py writes the fixtures in this folder deterministically (so they can be made again)."""
    import importlib.util
    import shutil

    copy = tmp_path / "mlebench"
    shutil.copytree(MLEBENCH, copy)
    spec = importlib.util.spec_from_file_location("build_fixtures", copy / "build.py")
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    module.main()
    for path in MLEBENCH.rglob("*"):
        if path.is_file() and "__pycache__" not in path.parts:
            assert (copy / path.relative_to(MLEBENCH)).read_bytes() == path.read_bytes(), path


# --- medals ---------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("teams", "positions"),
    [
        (1, (1, 1, 1)),
        (9, (1, 1, 3)),
        (50, (5, 10, 20)),
        (99, (9, 19, 39)),
        (100, (10, 20, 40)),
        (249, (10, 49, 99)),
        (250, (10, 50, 100)),
        (999, (11, 50, 100)),
        (1000, (12, 50, 100)),
        (4000, (18, 200, 400)),
    ],
)
def test_kaggle_medal_positions_by_team_count(teams: int, positions: tuple[int, int, int]) -> None:
    from harness.medals import medal_positions

    assert medal_positions(teams) == positions


def test_a_score_wins_the_medal_of_the_team_it_equals_in_the_metrics_direction() -> None:
    from harness.medals import board_from_scores, standing

    higher = board_from_scores([0.5 + i / 100 for i in range(50)], greater_is_better=True)  # 50 teams
    assert (higher.gold, higher.silver, higher.bronze) == pytest.approx((0.95, 0.90, 0.80))  # 5th, 10th, 20th
    assert standing(higher, 0.99).medal == "gold" and standing(higher, 0.99).rank == 1
    assert standing(higher, higher.gold).medal == "gold" and standing(higher, 0.93).medal == "silver"
    assert standing(higher, higher.bronze).medal == "bronze" and standing(higher, 0.7999).medal is None
    assert standing(higher, 0.1).text == "no medal, 51 of 51"
    lower = board_from_scores([0.1 * i for i in range(1, 11)], greater_is_better=False)  # 10 teams, log loss
    assert standing(lower, 0.1).medal == "gold" and standing(lower, 0.15).medal == "silver"
    assert standing(lower, 0.35).medal == "bronze" and standing(lower, 0.45).medal is None
    assert standing(lower, 0.54).above_median is True and standing(lower, 0.55).above_median is False


def test_the_private_board_and_the_ledger_show_kaggles_medal(ws: Workspace, tmp_path: Path) -> None:  # noqa: F811
    import json

    from typer.testing import CliRunner

    from harness.cli import app
    from harness.prepare import prepare

    import_mlebench(ws, MLEBENCH / "toxic" / "prepared", from_repo=MLEBENCH / "toxic" / "repo")
    prepare(ws, "toxic")
    perfect = _truth("toxic", "id", "toxic obscene insult")
    perfect.to_csv(tmp_path / "perfect.csv", index=False)
    runner = CliRunner()
    for path in (tmp_path / "perfect.csv", ws.data_dir("toxic") / "sample_submission.csv"):
        assert runner.invoke(app, ["submit", "toxic", str(path)]).exit_code == 0
    lifecycle.close(ws, "toxic")
    board = json.loads(runner.invoke(app, ["leaderboard", "toxic", "--private", "-f", "json"]).stdout)
    assert [row["medal"] for row in board] == ["gold, 1 of 4001"]
    rows = json.loads(runner.invoke(app, ["submissions", "toxic", "-f", "json"]).stdout)
    assert sorted(row["medal"] for row in rows) == ["gold, 1 of 4001", "no medal, 4001 of 4001"]
    header = runner.invoke(app, ["submissions", "toxic", "-f", "csv"]).stdout.splitlines()[0].split(",")
    assert header[-2:] == ["whole_score", "medal"]
    assert runner.invoke(app, ["submissions", "toxic"]).exit_code == 0


def test_a_row_that_does_not_sum_to_one_breaks_the_graders_rule(ws: Workspace, tmp_path: Path) -> None:  # noqa: F811
    from harness.prepare import prepare

    authored = import_mlebench(
        ws, MLEBENCH / "dog-breeds" / "prepared", from_repo=MLEBENCH / "dog-breeds" / "repo"
    )
    assert load_card(ws, authored.slug).rules.row_sum_tolerance == 1e-6
    assert load_card(ws, authored.slug).metric_options == {"clip": 2.220446049250313e-16, "rescale": False}
    prepare(ws, authored.slug)
    sample = pd.read_csv(ws.data_dir(authored.slug) / "sample_submission.csv")
    classes = [c for c in sample.columns if c != "id"]
    sample.loc[3, classes] = sample.loc[3, classes] * 1.001  # a row summing to 1.001
    path = tmp_path / "off.csv"
    sample.to_csv(path, index=False)
    outcome = ledger.submit(ws, authored.slug, path)
    assert outcome.submission.status == "rejected"
    assert "do not sum to 1 within 1e-06, which this competition requires" in str(outcome.submission.error)


@pytest.mark.parametrize("value", ["-1e-6", "2", "true", '"small"'])
def test_a_bad_row_sum_tolerance_is_named(tmp_path: Path, value: str) -> None:
    from harness.competition import parse_card
    from harness.errors import CardError

    card = (FIXTURES / "competitions" / "tiny-proba" / "competition.toml").read_text()
    path = tmp_path / "tiny-proba" / "competition.toml"
    path.parent.mkdir()
    path.write_text(card.replace("[rules]\n", f"[rules]\nrow_sum_tolerance = {value}\n"))
    with pytest.raises(CardError, match="rules.row_sum_tolerance"):
        parse_card(path, "tiny-proba")


def test_split_none_scores_the_whole_test_set_on_one_board(ws: Workspace, tmp_path: Path) -> None:  # noqa: F811
    from sklearn.metrics import roc_auc_score

    from harness.errors import AuthoringError
    from harness.prepare import prepare

    with pytest.raises(AuthoringError, match="--split 'half' is not a split"):
        import_mlebench(
            ws, MLEBENCH / "cactus" / "prepared", from_repo=MLEBENCH / "cactus" / "repo", split="half"
        )
    authored = import_mlebench(
        ws, MLEBENCH / "cactus" / "prepared", from_repo=MLEBENCH / "cactus" / "repo", split="none"
    )
    assert load_card(ws, authored.slug).split.public_fraction == 1.0
    done = prepare(ws, authored.slug)
    assert done.public_rows == done.test_rows
    results = check_competition(ws, authored.slug)
    assert all(r.ok for r in results), [r for r in results if not r.ok]
    truth = _truth("cactus", "id", "has_cactus")
    rng = np.random.default_rng(5)
    submission = truth.assign(has_cactus=rng.random(len(truth)).round(4))
    submission.to_csv(tmp_path / "random.csv", index=False)
    outcome = ledger.submit(ws, authored.slug, tmp_path / "random.csv")
    want = roc_auc_score(truth["has_cactus"], submission["has_cactus"])
    assert outcome.submission.public_score == pytest.approx(want, abs=1e-9)
    lifecycle.close(ws, authored.slug)
    (row,) = ledger.submissions(ws, authored.slug)
    assert row.private_score == pytest.approx(want, abs=1e-9), "one board: the private score is the same"


def test_text_normalization_imports_from_zipped_prefixed_tables_with_a_made_id(
    ws: Workspace,  # noqa: F811
    tmp_path: Path,
) -> None:
    """en_train.csv.zip and en_test_2.csv.zip are read, the id is made as --id-from says, and a file
    scores as the grader's accuracy on both boards; its sample (each token unchanged) predicts words
    that are no training output, so the task is open-label and the sample is scored (0 here), as the
    grader scores it (tests/test_open_label.py checks every board against the grader)."""
    from harness.errors import AuthoringError

    name, (id_column, target, _) = "text-normalization", ("id", "after", "label")
    folder, repo = MLEBENCH / name / "prepared", MLEBENCH / name / "repo"
    with pytest.raises(AuthoringError, match="no column 'sentence'"):
        import_mlebench(ws, folder, from_repo=repo, id_from="{sentence}_{token_id}")
    authored = import_mlebench(ws, folder, from_repo=repo, **IMPORT_OPTIONS[name])
    assert authored.id_column == id_column and authored.metric == "accuracy"
    assert any("train.csv is en_train.csv" in n for n in authored.notes)
    assert any("read from en_test_2.csv.zip (unzipped)" in n for n in authored.notes)
    assert any("is made as {sentence_id}_{token_id}" in n for n in authored.notes)
    results = check_competition(ws, name)
    assert all(r.ok for r in results), [r for r in results if not r.ok]
    truth = _truth(name, id_column, target)
    usage = hidden_labels(ws, name)[[id_column, "usage"]].astype(str)
    assert set(truth[id_column]) == set(usage[id_column]), "the test set is MLE-bench's"
    rng = np.random.default_rng(4)
    guess = truth.assign(after=np.where(rng.random(len(truth)) < 0.6, truth["after"], "sil"))
    guess.to_csv(tmp_path / "guess.csv", index=False)
    outcome = ledger.submit(ws, name, tmp_path / "guess.csv")
    joined = guess.merge(truth, on=id_column, suffixes=("", "__true")).merge(usage, on=id_column)
    want = {
        u: _accuracy(p["after__true"].to_numpy(), p["after"].to_numpy()) for u, p in joined.groupby("usage")
    }
    assert outcome.submission.public_score == pytest.approx(want["Public"], abs=1e-9)
    lifecycle.close(ws, name)
    (row,) = ledger.submissions(ws, name)
    assert row.private_score == pytest.approx(want["Private"], abs=1e-9)
    theirs = ledger.submit(ws, name, folder / "private" / "sample_submission.csv")  # MLE-bench's sample
    assert theirs.submission.status == "scored" and theirs.submission.late
    assert authored.task == "open-label"


def test_labels_in_file_names_make_the_training_table_with_each_files_path(ws: Workspace) -> None:  # noqa: F811
    """dogs-vs-cats ships no training table: the import refuses naming --labels-from-names; with it,
    train.csv holds each image's path and its label as the answers spell it (dog = 1), test.csv each
    test image's path; label texts the answers do not use must be mapped with --label-values."""
    from harness.errors import AuthoringError
    from harness.prepare import prepare

    folder, repo = MLEBENCH / "dogs-vs-cats" / "prepared", MLEBENCH / "dogs-vs-cats" / "repo"
    with pytest.raises(AuthoringError, match=r"no training table .*--labels-from-names PATTERN"):
        import_mlebench(ws, folder, from_repo=repo)
    pattern = IMPORT_OPTIONS["dogs-vs-cats"]["labels_from_names"]
    with pytest.raises(AuthoringError, match=r"the labels 'cat', 'dog' .* --label-values"):
        import_mlebench(ws, folder, from_repo=repo, labels_from_names=pattern)
    with pytest.raises(AuthoringError, match="has no group"):
        import_mlebench(ws, folder, from_repo=repo, labels_from_names=r"train/.*\.jpg")
    with pytest.raises(AuthoringError, match="matches no file"):
        import_mlebench(ws, folder, from_repo=repo, labels_from_names=r"(?P<label>cat)\.jpg")
    authored = import_mlebench(ws, folder, from_repo=repo, **IMPORT_OPTIONS["dogs-vs-cats"])
    assert any("training rows are numbered from 100" in n for n in authored.notes), authored.notes
    prepare(ws, authored.slug)
    data = ws.data_dir(authored.slug)
    train, test = pd.read_csv(data / "train.csv"), pd.read_csv(data / "test.csv")
    assert list(train.columns) == ["id", "path", "label"] and list(test.columns) == ["id", "path"]
    is_dog = train["path"].str.startswith("train/dog.")
    assert (train["label"] == is_dog.astype(int)).all() and 0 < is_dog.sum() < len(train)
    assert all((data / p).is_file() for p in [*train["path"], *test["path"]])
    assert set(test["path"]) <= {f"test/{i}.jpg" for i in range(1, 41)}


def test_whale_clips_in_zip_archives_are_found_by_their_member_paths(ws: Workspace) -> None:  # noqa: F811
    from harness.prepare import prepare

    name = "whale"
    authored = import_mlebench(
        ws, MLEBENCH / name / "prepared", from_repo=MLEBENCH / name / "repo", **IMPORT_OPTIONS[name]
    )
    prepare(ws, authored.slug)
    train = pd.read_csv(ws.data_dir(name) / "train.csv")
    assert train["clip"].str.endswith(".aif").all()
    assert (train["path"] == "train2.zip/train2/" + train["clip"]).all()
    assert (train["probability"] == train["clip"].str[-5].astype(int)).all()
    test = pd.read_csv(ws.data_dir(name) / "test.csv")
    assert (test["path"] == "test2.zip/test2/" + test["clip"]).all()
