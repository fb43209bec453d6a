"""`compete new`: a learner's data file becomes a competition that prepares, validates and scores."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from typer.testing import CliRunner

from harness import store, vault
from harness.authoring import new_competition
from harness.checks import check_competition
from harness.competition import Card, load_card
from harness.errors import AuthoringError
from harness.prepare import prepare
from harness.workspace import ENV_VAR, Workspace
from tests.conftest import make_workspace

N = 300


@pytest.fixture
def ws(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Workspace:
    """A workspace whose competitions/ is a real, empty folder (never the repository's)."""
    empty = tmp_path / "empty-competitions"
    empty.mkdir()
    workspace = make_workspace(tmp_path / "ws", competitions=empty)
    monkeypatch.setenv(ENV_VAR, str(workspace.root))
    monkeypatch.chdir(workspace.root)
    return workspace


def binary_frame(n: int = N, seed: int = 0) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    x1 = rng.normal(size=n).round(4)
    x2 = rng.uniform(0, 50, size=n).round(2)
    colour = rng.choice(["red", "green", "blue"], n).astype(object)
    colour[rng.random(n) < 0.1] = None
    y = (x1 + rng.normal(scale=0.8, size=n) > 0).astype(int)
    return pd.DataFrame(
        {"x1": x1, "size in cm": x2, "colour": colour, "count": rng.integers(0, 9, n), "y": y}
    )


def hidden_labels(ws: Workspace, slug: str) -> pd.DataFrame:
    with store.connect(ws, slug, read_only=True) as con:
        return vault.labels_frame(con)


def score(ws: Workspace, card: Card, path: Path) -> tuple[float, float]:
    """Public and private score of a file through the submission scoring library."""
    from harness import scoring

    with store.connect(ws, card.slug) as con:
        result = scoring.score_file(con, card, path)
    return result.public, result.private


def expected(labels: pd.DataFrame, submission: pd.DataFrame, card: Card, metric) -> tuple[float, float]:  # type: ignore[no-untyped-def]
    """sklearn's score on the public and the private rows of the hidden labels."""
    joined = labels.merge(submission, on=card.id_column, suffixes=("", "_pred"))
    out = []
    for usage in (vault.PUBLIC, vault.PRIVATE):
        part = joined[joined["usage"] == usage]
        out.append(metric(part))
    return out[0], out[1]


def test_binary_csv_round_trip_scores_as_sklearn(ws: Workspace, tmp_path: Path) -> None:
    from sklearn.metrics import roc_auc_score

    from harness.ledger import submit

    source = tmp_path / "clicks.csv"
    binary_frame().to_csv(source, index=False)
    authored = new_competition(ws, "clicks", source, "y")
    assert (authored.task, authored.metric, authored.cv_scheme) == ("binary", "roc_auc", "stratified")
    assert authored.id_column == "id" and authored.classes == ("0", "1")
    assert any("task: binary (inferred" in note for note in authored.notes)
    assert any("metric: roc_auc" in note for note in authored.notes)
    assert set(authored.files) >= {
        "competition.toml",
        "schema.py",
        "prepare.py",
        "description.md",
        "source.csv",
    }
    assert authored.data_bytes == source.stat().st_size
    assert not any("__pycache__" in name for name in authored.files)
    description = (authored.folder / "description.md").read_text()
    assert "```\nid,y\n0,0.5\n```" in description
    assert not list(ws.competitions_dir.glob(".*partial*")), "the temporary folder is gone"

    card = load_card(ws, "clicks")
    done = prepare(ws, "clicks")
    assert done.test_rows == round(N * 0.25) and done.train_rows == N - done.test_rows
    train = pd.read_csv(ws.data_dir("clicks") / "train.csv")
    assert list(train["id"]) == sorted(train["id"]) and set(train["id"]) <= set(range(N))
    assert "y" not in pd.read_csv(ws.data_dir("clicks") / "test.csv").columns

    labels = hidden_labels(ws, "clicks")
    rng = np.random.default_rng(1)
    submission = pd.DataFrame({"id": labels["id"], "y": rng.random(len(labels)).round(6)})
    path = tmp_path / "preds.csv"
    submission.to_csv(path, index=False)
    public, private = score(ws, card, path)
    want = expected(labels, submission, card, lambda p: roc_auc_score(p["y"], p["y_pred"]))
    assert public == pytest.approx(want[0], abs=1e-9) and private == pytest.approx(want[1], abs=1e-9)

    outcome = submit(ws, "clicks", path, participant="tester")
    assert not outcome.rejected
    assert outcome.submission.public_score == pytest.approx(want[0], abs=1e-9)
    assert all(r.ok for r in check_competition(ws, "clicks")), check_competition(ws, "clicks")


def test_multiclass_strings_get_log_loss_and_sorted_classes(ws: Workspace, tmp_path: Path) -> None:
    from sklearn.metrics import log_loss

    rng = np.random.default_rng(2)
    frame = pd.DataFrame(
        {
            "Id": np.arange(500, 500 + N),
            "petal": rng.normal(size=N).round(3),
            "species": rng.choice(["setosa", "virginica", "versicolor"], N),
        }
    )
    source = tmp_path / "flowers.csv"
    frame.to_csv(source, index=False)
    authored = new_competition(ws, "flowers", source, "species")
    assert (authored.task, authored.metric, authored.id_column) == ("multiclass", "log_loss", "Id")
    assert authored.classes == ("setosa", "versicolor", "virginica")
    card = load_card(ws, "flowers")
    prepare(ws, "flowers")
    sample = pd.read_csv(ws.data_dir("flowers") / "sample_submission.csv")
    assert list(sample.columns) == ["Id", "setosa", "versicolor", "virginica"]

    labels = hidden_labels(ws, "flowers")
    probs = rng.dirichlet(np.ones(3), size=len(labels)).round(6)
    probs = probs / probs.sum(axis=1, keepdims=True)
    submission = pd.DataFrame(
        {"Id": labels["Id"], **{c: probs[:, i] for i, c in enumerate(card.classes or ())}}
    )
    path = tmp_path / "preds.csv"
    submission.to_csv(path, index=False)
    classes = list(card.classes or ())
    want = expected(
        labels, submission, card, lambda p: log_loss(p["species"], p[classes].to_numpy(), labels=classes)
    )
    public, private = score(ws, card, path)
    assert public == pytest.approx(want[0], abs=1e-6) and private == pytest.approx(want[1], abs=1e-6)


def test_regression_parquet_with_time_column_is_time_ordered(ws: Workspace, tmp_path: Path) -> None:
    from sklearn.metrics import root_mean_squared_error

    rng = np.random.default_rng(3)
    dates = pd.date_range("2024-01-01", periods=N, freq="D")
    frame = pd.DataFrame(
        {
            "day": dates[rng.permutation(N)],
            "temperature": rng.normal(15, 8, N).round(2),
            "riders": rng.normal(1000, 250, N).round(1),
        }
    )
    source = tmp_path / "rides.parquet"
    frame.to_parquet(source, index=False)
    authored = new_competition(ws, "rides", source, "riders", time="day", test_size=0.2)
    assert (authored.task, authored.metric, authored.cv_scheme, authored.cv_column) == (
        "regression",
        "rmse",
        "time",
        "day",
    )
    assert "source.parquet" in authored.files
    card = load_card(ws, "rides")
    assert card.cv.scheme == "time" and card.cv.column == "day"
    prepare(ws, "rides")
    train = pd.read_csv(ws.data_dir("rides") / "train.csv")
    test = pd.read_csv(ws.data_dir("rides") / "test.csv")
    assert train["day"].max() < test["day"].min()
    assert len(test) == round(N * 0.2)
    assert test["day"].min() == dates[-60].strftime("%Y-%m-%d")  # ISO dates: the last 60 of 300 days

    labels = hidden_labels(ws, "rides")
    submission = pd.DataFrame({"id": labels["id"], "riders": 1000.0 + np.arange(len(labels))})
    path = tmp_path / "preds.csv"
    submission.to_csv(path, index=False)
    want = expected(
        labels, submission, card, lambda p: root_mean_squared_error(p["riders"], p["riders_pred"])
    )
    public, private = score(ws, card, path)
    assert public == pytest.approx(want[0], rel=1e-9) and private == pytest.approx(want[1], rel=1e-9)


def test_group_option_keeps_each_group_on_one_side(ws: Workspace, tmp_path: Path) -> None:
    rng = np.random.default_rng(4)
    frame = binary_frame()
    frame["store"] = rng.choice([f"s{i:02d}" for i in range(30)], N)
    source = tmp_path / "shops.csv"
    frame.to_csv(source, index=False)
    authored = new_competition(ws, "shops", source, "y", group="store", metric="accuracy")
    assert (authored.cv_scheme, authored.cv_column, authored.metric) == ("group", "store", "accuracy")
    card = load_card(ws, "shops")
    assert card.cv.scheme == "group" and card.cv.column == "store"
    prepare(ws, "shops")
    train = pd.read_csv(ws.data_dir("shops") / "train.csv")
    test = pd.read_csv(ws.data_dir("shops") / "test.csv")
    assert not set(train["store"]) & set(test["store"])
    assert not set(train["id"]) & set(test["id"])
    assert all(r.ok for r in check_competition(ws, "shops"))


def test_text_column_makes_a_text_task_and_schema_reads_well(ws: Workspace, tmp_path: Path) -> None:
    rng = np.random.default_rng(5)
    words = ["great", "awful", "plot", "actor", "boring", "film", "the", "a", "loved", "it"]
    frame = pd.DataFrame(
        {
            "review": [" ".join(rng.choice(words, 12)) for _ in range(N)],
            "label": rng.choice(["no", "yes"], N),
        }
    )
    source = tmp_path / "reviews.csv"
    frame.to_csv(source, index=False)
    authored = new_competition(ws, "reviews", source, "label")
    assert authored.task == "text-binary" and authored.classes == ("no", "yes")
    schema = (ws.competition_dir("reviews") / "schema.py").read_text()
    assert "class Train(Test):" in schema and "class Submission(pa.DataFrameModel):" in schema
    assert 'label: Series[str] = pa.Field(isin=["no", "yes"])' in schema
    description = (ws.competition_dir("reviews") / "description.md").read_text()
    assert "| review | str (free text) | feature | 0 |" in description
    assert "TODO" in description and "licence" in description.lower()


def test_schema_ranges_categories_nulls_and_aliases(ws: Workspace, tmp_path: Path) -> None:
    source = tmp_path / "data.csv"
    binary_frame().to_csv(source, index=False)
    new_competition(ws, "ranges", source, "y")
    schema = (ws.competition_dir("ranges") / "schema.py").read_text()
    assert 'colour: Series[str] = pa.Field(isin=["blue", "green", "red"], nullable=True)' in schema
    assert 'alias="size in cm"' in schema
    assert "count: Series[int] = pa.Field(ge=0, le=8)" in schema
    assert "y: Series[float] = pa.Field(ge=0, le=1, coerce=True)" in schema  # roc_auc: a probability


def test_cli_new_reports_what_it_inferred(ws: Workspace, tmp_path: Path) -> None:
    from harness.cli import app

    source = tmp_path / "data.csv"
    binary_frame().to_csv(source, index=False)
    result = CliRunner().invoke(app, ["new", "cli-made", "--from", str(source), "--target", "y"])
    assert result.exit_code == 0, result.output
    output = " ".join(result.output.split())
    assert "task: binary (inferred" in output and "metric: roc_auc" in output
    assert "compete check cli-made" in output
    result = CliRunner().invoke(app, ["check", "cli-made", "--format", "json"])
    assert result.exit_code == 0, result.output
    assert all(row["ok"] for row in json.loads(result.stdout))


def test_names_from_the_data_show_as_typed_in_compete_show(ws: Workspace, tmp_path: Path) -> None:
    """Column and file names go into description.md escaped: `[a](b)` is no link, `__x__` no bold."""
    from harness.cli import app

    source = tmp_path / "md_[x](y).csv"
    odd = ["[a](http://x)", "__dunder__", "`tick`", "snake_case"]
    columns = dict(zip(["x1", "size in cm", "colour", "count"], odd, strict=True))
    binary_frame().rename(columns=columns).to_csv(source, index=False)
    assert set(odd) <= set(pd.read_csv(source).columns)
    made = CliRunner().invoke(app, ["new", "odd-names", "--from", str(source), "--target", "y"])
    assert made.exit_code == 0, made.output
    shown = CliRunner().invoke(app, ["show", "odd-names"], env={"COLUMNS": "200"})
    assert shown.exit_code == 0, shown.output
    for text in [*odd, "md_[x](y).csv"]:
        assert text in shown.stdout, text


def test_ids_unique_as_text_but_not_as_numbers_are_refused(ws: Workspace, tmp_path: Path) -> None:
    """From Parquet, '5' and '05' are two ids; the public CSV files would read both as 5."""
    frame = binary_frame()
    frame.insert(0, "id", [f"{i // 2}" if i % 2 else f"0{i // 2}" for i in range(len(frame))])
    assert frame["id"].is_unique
    source = tmp_path / "text-ids.parquet"
    frame.to_parquet(source, index=False)
    with pytest.raises(AuthoringError, match="differ as text but not as numbers, e.g. '00', '0', '01', '1'"):
        new_competition(ws, "text-ids", source, "y")
    assert not ws.competition_dir("text-ids").exists()


@pytest.mark.parametrize(
    ("frame_change", "kwargs", "message"),
    [
        (lambda f: f.assign(y=1), {}, "single value (1) in every row"),
        (lambda f: f, {"target": "label"}, "'label' is not a column of the data; the columns are: x1,"),
        (lambda f: f, {"metric": "rmse"}, "does not fit task 'binary'; metrics that do: "),
        (
            lambda f: f.assign(key=[i // 2 for i in range(len(f))]),
            {"id_column": "key"},
            "150 duplicated values",
        ),
        (lambda f: f, {"group": "shop"}, "the group column 'shop' is not a column"),
        (lambda f: f, {"time": "when"}, "the time column 'when' is not a column"),
        (lambda f: f, {"task": "regression", "folds": "stratified"}, "stratified needs a classification"),
        (lambda f: f, {"folds": "time"}, "--folds time needs the column to time by: add --time COLUMN"),
        (lambda f: f.head(10), {"public": 0.9}, "give 2 test rows of which 2 public: both boards need rows"),
    ],
    ids=[
        "one-value",
        "no-target",
        "wrong-metric",
        "duplicated-ids",
        "no-group",
        "no-time",
        "strat-reg",
        "time",
        "boards",
    ],
)
def test_refusals_say_what_is_wrong(ws: Workspace, tmp_path: Path, frame_change, kwargs, message) -> None:  # type: ignore[no-untyped-def]
    source = tmp_path / "data.csv"
    frame_change(binary_frame()).to_csv(source, index=False)
    options = {"target": "y", **kwargs}
    target = options.pop("target")
    with pytest.raises(AuthoringError, match=None) as exc:
        new_competition(ws, "refused", source, target, **options)
    assert message in str(exc.value)
    assert not ws.competition_dir("refused").exists()
    assert not list(ws.competitions_dir.glob(".*partial*"))


def test_refuses_existing_and_badly_named_slugs(ws: Workspace, tmp_path: Path) -> None:
    source = tmp_path / "data.csv"
    binary_frame().to_csv(source, index=False)
    new_competition(ws, "taken", source, "y")
    with pytest.raises(AuthoringError, match="already exists"):
        new_competition(ws, "taken", source, "y")
    with pytest.raises(AuthoringError, match="not a kebab-case slug"):
        new_competition(ws, "My_Comp", source, "y")
    with pytest.raises(AuthoringError, match="only CSV"):
        new_competition(ws, "other", tmp_path / "data.xlsx", "y")


def test_duplicated_ids_message_gives_count_and_examples(ws: Workspace, tmp_path: Path) -> None:
    frame = binary_frame()
    frame.insert(0, "id", range(len(frame)))
    frame.loc[[5, 6], "id"] = 4
    source = tmp_path / "data.csv"
    frame.to_csv(source, index=False)
    with pytest.raises(AuthoringError) as exc:
        new_competition(ws, "dupes", source, "y")
    assert "the id column 'id' has 1 duplicated values (3 rows), e.g. 4" in str(exc.value)


def test_generated_folder_prepares_deterministically(ws: Workspace, tmp_path: Path) -> None:
    source = tmp_path / "data.csv"
    binary_frame().to_csv(source, index=False)
    new_competition(ws, "twice", source, "y")
    first = prepare(ws, "twice").checksums
    again = prepare(ws, "twice", force=True).checksums
    assert first == again


def test_authored_schemas_reject_corrupted_copies(ws: Workspace, tmp_path: Path) -> None:
    """The same contract as the built-in competitions: duplicated ids and a lost column are refused."""
    from harness import schemas
    from harness.errors import SchemaViolation

    source = tmp_path / "data.csv"
    binary_frame().to_csv(source, index=False)
    new_competition(ws, "strict", source, "y")
    card = load_card(ws, "strict")
    prepare(ws, "strict")
    models = schemas.load_models(card)
    for model, name in (
        ("Train", "train.csv"),
        ("Test", "test.csv"),
        ("Submission", "sample_submission.csv"),
    ):
        frame = pd.read_csv(ws.data_dir("strict") / name)
        schemas.validate(models[model], frame, name)
        with pytest.raises(SchemaViolation, match="'id'"):
            schemas.validate(models[model], pd.concat([frame, frame.head(3)], ignore_index=True), name)
        with pytest.raises(SchemaViolation):
            schemas.validate(models[model], frame.drop(columns=[frame.columns[-1]]), name)
    description = (card.folder / "description.md").read_text()
    assert "roc_auc" in description and "source" in description.lower() and "licence" in description.lower()


def test_group_column_may_not_be_the_target(ws: Workspace, tmp_path: Path) -> None:
    source = tmp_path / "data.csv"
    binary_frame().to_csv(source, index=False)
    with pytest.raises(AuthoringError, match="--group 'y' is the target"):
        new_competition(ws, "grouped", source, "y", group="y")


def ranking_frame(n: int = N, seed: int = 12) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    items = [f"sku{i}" for i in range(25)]
    bought = [" ".join(rng.choice(items, rng.integers(1, 4), replace=False)) for _ in range(n)]
    return pd.DataFrame({"user": rng.integers(0, 40, n), "bought": bought})


@pytest.mark.parametrize("options", [{"task": "ranking"}, {"metric": "map_at_k"}], ids=["task", "metric"])
def test_ranking_competition_scores_map_at_k(ws: Workspace, tmp_path: Path, options: dict) -> None:  # type: ignore[type-arg]
    from harness.metrics.ranking import mapk

    source = tmp_path / "baskets.csv"
    ranking_frame().to_csv(source, index=False)
    authored = new_competition(ws, "baskets", source, "bought", **options)
    assert (authored.task, authored.metric, authored.cv_scheme) == ("ranking", "map_at_k", "kfold")
    card = load_card(ws, "baskets")
    assert card.metric_options == {"k": 12}
    prepare(ws, "baskets")
    sample = pd.read_csv(ws.data_dir("baskets") / "sample_submission.csv")
    assert sample["bought"].nunique() == 1 and len(sample["bought"].iloc[0].split()) == 12

    labels = hidden_labels(ws, "baskets")
    submission = pd.DataFrame({"id": labels["id"], "bought": "sku3 sku7 sku1"})
    path = tmp_path / "preds.csv"
    submission.to_csv(path, index=False)
    want = expected(
        labels,
        submission,
        card,
        lambda p: mapk((y.split() for y in p["bought"]), [q.split() for q in p["bought_pred"]], 12),
    )
    public, private = score(ws, card, path)
    assert public == pytest.approx(want[0], abs=1e-9) and private == pytest.approx(want[1], abs=1e-9)
    assert all(r.ok for r in check_competition(ws, "baskets"))


def test_a_header_shorter_than_its_rows_is_refused_naming_the_lines(ws: Workspace, tmp_path: Path) -> None:
    """scikit-learn's wine_data.csv: a first line of 5 fields above rows of 14. pandas would make the
    first 9 fields an index and the competition would lose them without a word."""
    rng = np.random.default_rng(3)
    rows = [",".join([*(f"{v:.2f}" for v in rng.random(13)), str(i % 3)]) for i in range(60)]
    source = tmp_path / "wine_data.csv"
    source.write_text("60,13,class_0,class_1,class_2\n" + "\n".join(rows) + "\n")
    with pytest.raises(AuthoringError) as info:
        new_competition(ws, "wine", source, "class_2")
    message = str(info.value)
    assert "header (line 1) has 5 fields" in message
    assert "line 2 has 14" in message and "line 3 has 14" in message
    assert not ws.competition_dir("wine").exists()


def test_a_header_longer_than_some_rows_is_refused(ws: Workspace, tmp_path: Path) -> None:
    source = tmp_path / "short.csv"
    binary_frame(40).to_csv(source, index=False)
    lines = source.read_text().splitlines()
    lines[7] = ",".join(lines[7].split(",")[:3])
    source.write_text("\n".join(lines) + "\n")
    with pytest.raises(AuthoringError, match=r"line 8 has 3"):
        new_competition(ws, "short", source, "y")


def test_a_header_of_numbers_only_is_refused_as_a_row_of_data(ws: Workspace, tmp_path: Path) -> None:
    source = tmp_path / "headless.csv"
    frame = binary_frame(40)[["x1", "count", "y"]]
    frame.to_csv(source, index=False, header=False)
    with pytest.raises(AuthoringError, match="looks like a row of data"):
        new_competition(ws, "headless", source, str(frame["y"].iloc[0]))
