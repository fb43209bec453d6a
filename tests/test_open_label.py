"""The open-label task: MLE-bench's text normalization imports as free-text predictions scored by
accuracy as its grader scores them (pandas reads both files, missing values become 'nan', the texts
are compared as written), on the public rows, the private rows and the whole test set, to 1e-9."""

from __future__ import annotations

import csv
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from harness import ledger, lifecycle
from harness.checks import check_competition
from harness.competition import load_card, parse_card
from harness.errors import CardError
from harness.importers import import_mlebench
from harness.open_label import MISSING, NA_SPELLINGS, answer_text
from harness.whole_test import read_submission, whole_score
from harness.workspace import Workspace
from tests.conftest import FIXTURES
from tests.test_authoring import hidden_labels, score, ws  # noqa: F401  (ws is a fixture)

FOLDER = FIXTURES / "mlebench" / "text-normalization"
NAME = "text-normalization"
ID_FROM = "{sentence_id}_{token_id}"


def grader(submission: Path, answers: pd.DataFrame) -> float:
    """MLE-bench's accuracy grade, in plain pandas as it runs with pandas 2: both files read by
    read_csv (default NA values), sorted by id, each prediction and answer made text by astype(str),
    where a missing value becomes 'nan', and compared as they are."""
    sub = pd.read_csv(submission).sort_values("id")
    ans = answers.sort_values("id")
    assert len(sub) == len(ans) and (sub["id"].to_numpy() == ans["id"].to_numpy()).all()

    def as_text(column: pd.Series) -> np.ndarray:
        return np.array(["nan" if pd.isna(v) else str(v) for v in column], dtype=object)

    return float(np.mean(as_text(sub["after"]) == as_text(ans["after"])))


def _imported(ws: Workspace, **options: str) -> None:  # noqa: F811
    from harness.prepare import prepare

    import_mlebench(ws, FOLDER / "prepared", from_repo=FOLDER / "repo", id_from=ID_FROM, **options)
    prepare(ws, NAME)


def _answers() -> pd.DataFrame:
    return pd.read_csv(FOLDER / "prepared" / "private" / "answers.csv")


def _files(tmp_path: Path, truth: pd.DataFrame) -> dict[str, Path]:
    """Perfect, constant, random-ish, MLE-bench's sample (each token unchanged) and a file of texts
    that differ from the answers only in case, spaces or missing values."""
    rng = np.random.default_rng(11)
    n = len(truth)
    after = np.array(["nan" if pd.isna(v) else str(v) for v in truth["after"]], dtype=object)
    noise = rng.choice(["one", "One", " one", "sil ", "<self>", "two", "", "NA", "null"], n)
    frames = {
        "perfect": truth,
        "constant": truth.assign(after="<self>"),
        "random": truth.assign(after=np.where(rng.random(n) < 0.5, after, noise)),
        "edits": truth.assign(
            after=[[a, a.upper(), f" {a}", f"{a} ", "", "N/A", "nan"][i % 7] for i, a in enumerate(after)]
        ),
    }
    paths = {}
    for label, frame in frames.items():
        paths[label] = tmp_path / f"{label}.csv"
        frame.sample(frac=1.0, random_state=3).to_csv(paths[label], index=False, quoting=csv.QUOTE_NONNUMERIC)
    paths["sample"] = FOLDER / "prepared" / "private" / "sample_submission.csv"
    return paths


def test_text_normalization_imports_as_open_label(ws: Workspace) -> None:  # noqa: F811
    """The sample predicts tokens that are no training output: the import chooses open-label, says why,
    the card has no classes, and `compete check` passes (perfect file best, sample as its formula)."""
    authored = import_mlebench(ws, FOLDER / "prepared", from_repo=FOLDER / "repo", id_from=ID_FROM)
    assert authored.task == "open-label" and authored.metric == "accuracy"
    note = next(n for n in authored.notes if n.startswith("task: open-label"))
    assert "no training row has as its 'after'" in note and "--task multiclass" in note
    card = load_card(ws, NAME)
    assert card.classes is None and card.cv.scheme == "kfold"
    results = check_competition(ws, NAME)
    assert all(r.ok for r in results), [r for r in results if not r.ok]


def test_task_option_forces_a_class_per_output(ws: Workspace) -> None:  # noqa: F811
    authored = import_mlebench(
        ws, FOLDER / "prepared", from_repo=FOLDER / "repo", id_from=ID_FROM, task="multiclass"
    )
    card = load_card(ws, authored.slug)
    assert card.task == "multiclass" and card.classes is not None and "sil" in card.classes


def test_files_score_as_the_grader_on_each_board_and_the_whole_test(
    ws: Workspace,  # noqa: F811
    tmp_path: Path,
) -> None:
    _imported(ws)
    card = load_card(ws, NAME)
    answers = _answers()
    usage = hidden_labels(ws, NAME)[["id", "usage"]].astype(str)
    assert set(usage["id"]) == set(answers["id"])
    boards = {
        u: answers[answers["id"].isin(usage.loc[usage["usage"] == u, "id"])] for u in ("Public", "Private")
    }
    seen = set()
    for label, path in _files(tmp_path, answers[["id", "after"]]).items():
        public, private = score(ws, card, path)
        sub = pd.read_csv(path, keep_default_na=False, dtype=str)
        for board, got in (("Public", public), ("Private", private)):
            part = tmp_path / f"{label}-{board}.csv"
            sub[sub["id"].isin(boards[board]["id"])].to_csv(part, index=False, quoting=csv.QUOTE_NONNUMERIC)
            assert got == pytest.approx(grader(part, boards[board]), abs=1e-9), (label, board)
        labels = hidden_labels(ws, NAME)
        whole = whole_score(card, labels, read_submission(path))
        assert whole == pytest.approx(grader(path, answers), abs=1e-9), label
        seen.add(round(whole, 9))
    assert 1.0 in seen and 0.0 in seen and len(seen) >= 4, "perfect, the sample and the rest differ"


def test_submitted_scores_and_whole_score_after_the_close(ws: Workspace, tmp_path: Path) -> None:  # noqa: F811
    from harness.whole_test import whole_test_scores

    _imported(ws, split="none")
    answers = _answers()
    path = _files(tmp_path, answers[["id", "after"]])["random"]
    outcome = ledger.submit(ws, NAME, path)
    want = grader(path, answers)
    assert outcome.submission.status == "scored"
    assert outcome.submission.public_score == pytest.approx(want, abs=1e-9)
    lifecycle.close(ws, NAME)
    (row,) = ledger.submissions(ws, NAME)
    assert row.private_score == pytest.approx(want, abs=1e-9)
    assert whole_test_scores(ws, NAME)[row.ref] == pytest.approx(want, abs=1e-9)


@pytest.mark.parametrize(
    ("rows", "message"),
    [
        (None, "the file is empty"),
        ("id,text\n0_0,one\n", "prediction column is missing: 'after'"),
        ("id,after\n0_0,one\n0_0,two\n", "more than once"),
        ("id,after\n99_99,one\n", "not in the test set"),
        ("id,after\n0_0,one\n", "ids of the test set have no row"),
    ],
)
def test_a_wrong_file_is_refused_with_one_line(
    ws: Workspace,  # noqa: F811
    tmp_path: Path,
    rows: str | None,
    message: str,
) -> None:
    _imported(ws)
    path = tmp_path / "bad.csv"
    path.write_text(rows or "", encoding="utf-8")
    outcome = ledger.submit(ws, NAME, path)
    assert outcome.submission.status == "rejected"
    assert message in str(outcome.submission.error)


def test_any_text_and_an_empty_prediction_are_accepted(ws: Workspace, tmp_path: Path) -> None:  # noqa: F811
    """No class list: text never seen in training, an empty field and an NA spelling are scored."""
    _imported(ws)
    answers = _answers()
    odd = answers.assign(
        after=["", "NA", "never seen", "ÉTÉ, 12 €"] * (len(answers) // 4) + [""] * (len(answers) % 4)
    )
    path = tmp_path / "odd.csv"
    odd.to_csv(path, index=False)
    outcome = ledger.submit(ws, NAME, path)
    assert outcome.submission.status == "scored", outcome.submission.error


def test_answer_text_reads_missing_values_as_pandas_2() -> None:
    from pandas._libs.parsers import STR_NA_VALUES

    assert set(NA_SPELLINGS) == set(STR_NA_VALUES), "pandas' own list"
    assert [answer_text(v) for v in (None, float("nan"), "", "NA", "null", "na", " NA", "One")] == [
        MISSING,
        MISSING,
        MISSING,
        MISSING,
        MISSING,
        "na",
        " NA",
        "One",
    ]


def test_card_of_open_label_refuses_classes_and_other_metrics(tmp_path: Path) -> None:
    text = (FIXTURES / "competitions" / "tiny-binary" / "competition.toml").read_text(encoding="utf-8")
    lines = [
        line for line in text.splitlines() if not line.startswith(("task", "metric ", "metric=", "classes"))
    ]
    base = "\n".join(['task = "open-label"', *lines])
    path = tmp_path / "competition.toml"
    path.write_text('metric = "accuracy"\nclasses = ["a", "b"]\n' + base, encoding="utf-8")
    with pytest.raises(CardError, match="classes.*open-label"):
        parse_card(path, "free")
    path.write_text('metric = "f1_macro"\n' + base, encoding="utf-8")
    with pytest.raises(CardError, match="does not fit task 'open-label'"):
        parse_card(path, "free")
    path.write_text('metric = "accuracy"\n' + base, encoding="utf-8")
    assert parse_card(path, "free").task == "open-label"


KERNEL = """
KERNEL = {"competition": "text-normalization", "title": "Each token as it is", "techniques": ["baseline"]}


def fit_predict(train, test, params):
    common = train.groupby("before")["after"].agg(lambda s: s.mode().iloc[0])
    return test["before"].map(common)  # an unseen token: missing
"""


def test_a_kernel_runs_and_its_run_is_scored_as_the_grader(ws: Workspace, tmp_path: Path) -> None:  # noqa: F811
    """A kernel predicting free text (a missing value among them) cross-validates, writes a submission
    and the submission scores as the grader; the post-mortem is made, with no reliability curve."""
    from harness.reports import postmortem
    from harness.runs import run_kernel

    _imported(ws)
    kernel = tmp_path / "as-is.py"  # kernels/ is the repository's: the kernel stays outside it
    kernel.write_text(KERNEL, encoding="utf-8")
    result = run_kernel(ws, kernel)
    assert 0 < result.mean < 1 and len(result.fold_scores) == load_card(ws, NAME).cv.k
    assert result.predictions_path is not None
    outcome = ledger.submit(ws, NAME, result.predictions_path)
    assert outcome.submission.status == "scored"
    lifecycle.close(ws, NAME)
    (row,) = ledger.submissions(ws, NAME)
    whole = whole_score(
        load_card(ws, NAME), hidden_labels(ws, NAME), read_submission(result.predictions_path)
    )
    want = grader(result.predictions_path, _answers())
    assert 0 < want < 1 and whole == pytest.approx(want, abs=1e-9)
    pm = postmortem.build(ws, NAME, row.participant)
    assert pm.slices and pm.calibration is None and not pm.skipped
    written = postmortem.write(ws, pm)
    assert "does not score probabilities" in written.markdown.read_text(encoding="utf-8")
    from harness.reports import writeup

    assert row.ref in writeup.write(ws, NAME, row.participant).markdown.read_text(encoding="utf-8")


def test_cli_refuses_an_empty_file_in_one_line(ws: Workspace, tmp_path: Path) -> None:  # noqa: F811
    from typer.testing import CliRunner

    from harness.cli import app

    _imported(ws)
    path = tmp_path / "empty.csv"
    path.write_text("", encoding="utf-8")
    result = CliRunner().invoke(app, ["submit", NAME, str(path)])
    assert result.exit_code != 0 and "Traceback" not in result.output
    assert "the file is empty" in result.output


def test_missing_answers_are_the_text_nan_as_the_grader_reads_them(ws: Workspace, tmp_path: Path) -> None:  # noqa: F811
    """The real data hold a few outputs pandas reads as missing (NA): the import keeps those rows, their
    answer compares as 'nan', `compete check` passes, and files score as the grader on the whole test."""
    import io
    import shutil
    import zipfile

    from harness.prepare import prepare

    copy = tmp_path / "tn"
    shutil.copytree(FOLDER, copy)
    public, answers_path = copy / "prepared" / "public", copy / "prepared" / "private" / "answers.csv"
    with zipfile.ZipFile(public / "en_train.csv.zip") as zf:
        train = pd.read_csv(io.BytesIO(zf.read("en_train.csv")))
    train.loc[train.index[:3], "after"] = "NA"
    with zipfile.ZipFile(public / "en_train.csv.zip", "w") as zf:
        zf.writestr("en_train.csv", train.to_csv(index=False, quoting=csv.QUOTE_NONNUMERIC))
    answers = _answers()
    answers.loc[answers.index[:4], "after"] = ["NA", "", "null", "n/a"]
    answers.to_csv(answers_path, index=False, quoting=csv.QUOTE_NONNUMERIC)
    authored = import_mlebench(ws, copy / "prepared", from_repo=copy / "repo", id_from=ID_FROM)
    assert authored.task == "open-label"
    prepare(ws, NAME)
    results = check_competition(ws, NAME)
    assert all(r.ok for r in results), [r for r in results if not r.ok]
    truth = pd.read_csv(answers_path)
    card, labels = load_card(ws, NAME), hidden_labels(ws, NAME)
    for label, path in _files(tmp_path, truth[["id", "after"]]).items():
        want = grader(path, truth)
        assert whole_score(card, labels, read_submission(path)) == pytest.approx(want, abs=1e-9), label
        public, private = score(ws, card, path)
        assert min(public, private) <= want <= max(public, private), label


def test_task_option_forces_open_label_where_outputs_are_classes(ws: Workspace) -> None:  # noqa: F811
    """The `normalization` layout's sample predicts a training output (32 classes): multiclass by
    itself, open-label when --task says so."""
    folder = FIXTURES / "mlebench" / "normalization"
    authored = import_mlebench(ws, folder / "prepared", from_repo=folder / "repo", task="open-label")
    card = load_card(ws, authored.slug)
    assert card.task == "open-label" and card.classes is None
    results = check_competition(ws, authored.slug)
    assert all(r.ok for r in results), [r for r in results if not r.ok]


def test_import_reason_names_its_rule(tmp_path: Path) -> None:
    from harness.open_label import MAX_CLASS_OUTPUTS, import_reason

    train, sample = tmp_path / "train.csv", tmp_path / "sample.csv"
    many = [f"word {i}" for i in range(MAX_CLASS_OUTPUTS + 1)]
    pd.DataFrame({"id": range(len(many)), "after": many}).to_csv(train, index=False)
    pd.DataFrame({"id": [1, 2], "after": ["word 1", "word 2"]}).to_csv(sample, index=False)
    assert (
        import_reason(train, sample, "after")
        == f"{len(many)} distinct texts in 'after', too many for a list of classes"
    )
    assert import_reason(train, sample, "after", metric="roc_auc") == "", "a metric of no open-label task"
    pd.DataFrame({"id": [1, 2], "after": [0.5, 0.5]}).to_csv(sample, index=False)
    assert import_reason(train, sample, "after") == "", "probabilities are no texts"
    pd.DataFrame({"id": range(3), "after": ["a", "b", "a"]}).to_csv(train, index=False)
    pd.DataFrame({"id": [1, 2], "after": ["a", "c"]}).to_csv(sample, index=False)
    assert "predicts 1 text that no training row has as its 'after' (e.g. 'c')" in import_reason(
        train, sample, "after"
    )
    pd.DataFrame({"id": [1, 2], "after": ["a", "b"]}).to_csv(sample, index=False)
    assert import_reason(train, sample, "after") == "", "a few outputs, all of them training outputs"
