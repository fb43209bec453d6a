"""The kernel contract: every kernel in kernels/ runs it; errors name the kernel and the fold; folds."""

from __future__ import annotations

import math
import shutil
from pathlib import Path

import pandas as pd
import pytest

from harness.competition import CVScheme, competition_names, load_card
from harness.errors import KernelError, UnknownName
from harness.folds import make_folds
from harness.kernel_study import kernel_cells, list_kernels, new_kernel
from harness.kernels import TECHNIQUES, Kernel, cross_validate, kernel_names, load_kernel
from harness.runs import run_kernel
from harness.workspace import Workspace
from tests import declared
from tests.conftest import REPO, make_workspace

ALL_KERNELS = declared.KERNELS  # the project's own; a learner's kernels are not held to these tests
SAMPLE_ROWS, SAMPLE_FOLDS = 300, 2


def test_kernels_are_discovered_and_the_template_is_not_a_kernel() -> None:
    found = kernel_names(Workspace(REPO))
    assert "titanic/baseline" in found
    assert not any(name.rpartition("/")[2].startswith("_") for name in found)
    assert all(name.count("/") == 1 for name in found)


def test_every_declared_kernel_exists_and_the_template_is_not_declared() -> None:
    assert set(ALL_KERNELS) <= set(kernel_names(Workspace(REPO)))
    assert not any(name.rpartition("/")[2].startswith("_") for name in ALL_KERNELS)
    template = (REPO / "kernels" / "_template.py").read_text(encoding="utf-8")
    assert '"reference"' not in template, "a kernel made from the template is the learner's, not a reference"


def test_every_competition_has_a_baseline_and_a_strong_reference_kernel() -> None:
    for slug in competition_names(Workspace(REPO)):
        names = declared.kernels_of(slug)
        assert f"{slug}/baseline" in names, slug
        strong = [n for n in names if not n.endswith(("/baseline",)) and "/scratch-" not in n]
        assert strong, f"{slug} has no strong reference kernel"


def _run_members(ws: Workspace, kernel: Kernel) -> int | None:
    """For a kernel that blends others' kept predictions (KERNEL["members"]): run the members in full
    and give the card's number of folds, which the blend must share with them (else None)."""
    members = kernel.module.KERNEL.get("members")
    if not members:
        return None
    for member in members:
        run_kernel(ws, member)
    return load_card(ws, kernel.info.competition).cv.k


# A blend first runs every kernel it blends: its contract runs with the slow tests.
CONTRACT_KERNELS = [
    pytest.param(n, marks=pytest.mark.slow) if n.endswith("/blend-oof") else n for n in ALL_KERNELS
]


@pytest.mark.parametrize("name", CONTRACT_KERNELS)
class TestKernelContract:
    """What every declared reference kernel must do (a sample of its competition, two folds)."""

    def test_declares_valid_metadata(self, name: str) -> None:
        ws = Workspace(REPO)
        info = load_kernel(ws, name).info
        assert info.name == name
        assert info.competition in competition_names(ws)
        assert info.title.strip()
        assert info.techniques and set(info.techniques) <= set(TECHNIQUES)
        assert isinstance(info.params, dict)
        assert info.reference
        if name.endswith("/baseline"):
            assert "baseline" in info.techniques

    def test_is_a_percent_notebook_with_markdown_notes(self, name: str) -> None:
        info = load_kernel(Workspace(REPO), name).info
        cells = kernel_cells(info.path.read_text(encoding="utf-8"))
        assert any(c.kind == "markdown" for c in cells), "annotate the kernel with markdown cells"
        assert any("def fit_predict" in c.source for c in cells if c.kind == "code")

    def test_names_its_theory_notes_and_the_formulas_of_its_model_and_metric(self, name: str) -> None:
        info = load_kernel(Workspace(REPO), name).info
        cells = kernel_cells(info.path.read_text(encoding="utf-8"))
        markdown = "\n".join(c.source for c in cells if c.kind == "markdown")
        assert markdown.count("compete theory ") >= 2, "name the theory notes it relies on"
        assert "$$" in markdown, "give the key formula of its model or metric"
        assert "**The metric**" in markdown, "state the metric and its formula"

    def test_meets_the_contract_a_learner_checks_with_compete_kernels_check(
        self, name: str, prepared_workspace: Workspace
    ) -> None:
        from harness.contracts import check_kernel

        ws = prepared_workspace
        members_folds = _run_members(ws, load_kernel(ws, name))
        # A blend reads its members' kept runs: it needs all rows and the same folds as they had.
        checks = (
            check_kernel(ws, name, rows=None, folds=members_folds)
            if members_folds
            else check_kernel(ws, name)
        )
        failed = [r for r in checks if not r.ok]
        assert not failed, failed

    def test_learns_nothing_from_the_test_rows_it_predicts(
        self, name: str, prepared_workspace: Workspace
    ) -> None:
        """The leak guard: test predicted all at once and in two halves gives the same predictions,
        unless KERNEL declares `uses_test_features` (and then the guard names the declaration)."""
        from harness.analysis.leakguard import declares_test_features, guard

        kernel = load_kernel(prepared_workspace, name)
        _run_members(prepared_workspace, kernel)
        found = guard(prepared_workspace, kernel, train_rows=SAMPLE_ROWS)
        assert found.ok, found.message
        assert found.exempt == declares_test_features(kernel)
        if found.exempt:
            assert "uses_test_features" in found.message


# --- errors ------------------------------------------------------------------------------------------

KERNEL_HEAD = """
import numpy as np
import pandas as pd

KERNEL = {"competition": "titanic", "title": "A test kernel", "techniques": ["baseline"]}
PARAMS = {}
"""


def _kernel_file(tmp_path: Path, body: str, head: str = KERNEL_HEAD, name: str = "mine.py") -> Path:
    path = tmp_path / name
    path.write_text(head + body, encoding="utf-8")
    return path


TUNABLE = [name for name in ALL_KERNELS if load_kernel(Workspace(REPO), name).info.tunable]


def test_every_strong_reference_kernel_is_tunable() -> None:
    for slug in competition_names(Workspace(REPO)):
        strong = [n for n in declared.kernels_of(slug) if not n.endswith("/baseline")]
        assert any(n in TUNABLE for n in strong), f"{slug} has no tunable kernel"


@pytest.mark.parametrize("name", TUNABLE)
def test_search_space_gives_a_dict_of_params(name: str) -> None:
    kernel = load_kernel(Workspace(REPO), name)
    import optuna

    optuna.logging.set_verbosity(optuna.logging.WARNING)
    params = kernel.search_space(optuna.create_study().ask())
    assert isinstance(params, dict) and params


@pytest.mark.parametrize(
    ("body", "expected"),
    [
        (
            "def fit_predict(train, test, params):\n    raise ValueError('boom')\n",
            r"raised in fold 1/2: ValueError: boom",
        ),
        (
            "def fit_predict(train, test, params):\n    return np.zeros(len(test) - 1, dtype=int)\n",
            r"fold 1/2: returned shape",
        ),
        (
            "def fit_predict(train, test, params):\n    return np.full(len(test), np.nan)\n",
            r"fold 1/2: returned .*missing",
        ),
        (
            "def fit_predict(train, test, params):\n    return np.full(len(test), 7)\n",
            r"fold 1/2: predicted label\(s\) \['7'\]",
        ),
        (
            "def fit_predict(train, test, params):\n"
            "    return pd.DataFrame({'PassengerId': test['PassengerId'] + 100000, 'Survived': 0})\n",
            r"fold 1/2: predicted for the wrong ids",
        ),
    ],
    ids=["raises", "wrong-length", "nan", "unknown-label", "wrong-ids"],
)
def test_a_broken_kernel_names_itself_and_the_fold(
    prepared_workspace: Workspace, tmp_path: Path, body: str, expected: str
) -> None:
    path = _kernel_file(tmp_path, body)
    with pytest.raises(KernelError, match=expected) as info:
        run_kernel(prepared_workspace, path, folds=2, rows=200)
    assert "'titanic/mine'" in str(info.value)


def test_nan_in_a_value_prediction_is_refused(prepared_workspace: Workspace, tmp_path: Path) -> None:
    head = KERNEL_HEAD.replace('"titanic"', '"house-prices"')
    path = _kernel_file(
        tmp_path, "def fit_predict(train, test, params):\n    return np.full(len(test), np.nan)\n", head
    )
    with pytest.raises(KernelError, match=r"fold 1/2: returned \d+ NaN"):
        run_kernel(prepared_workspace, path, folds=2, rows=200)


def test_a_dataframe_with_the_ids_is_matched_to_the_test_rows(
    prepared_workspace: Workspace, tmp_path: Path
) -> None:
    body = (
        "def fit_predict(train, test, params):\n"
        "    women = test['Sex'] == 'female'\n"
        "    out = pd.DataFrame({'PassengerId': test['PassengerId'], 'Survived': women})\n"
        "    return out.iloc[::-1]\n"
    )
    result = run_kernel(prepared_workspace, _kernel_file(tmp_path, body), folds=2)
    assert result.mean > 0.7  # "women survive" scores about 0.78: the reversed rows were put back in order


@pytest.mark.parametrize(
    ("head", "expected"),
    [
        ("PARAMS = {}\n", r"defines no KERNEL dict"),
        ('KERNEL = {"competition": "titanic", "title": "x"}\n', r"KERNEL lacks 'techniques'"),
        (
            'KERNEL = {"competition": "titanik", "title": "x", "techniques": ["baseline"]}\n',
            r"'titanik', which is not a competition",
        ),
        (
            'KERNEL = {"competition": "titanic", "title": "x", "techniques": ["deep-magic"]}\n',
            r"unknown technique tag\(s\) 'deep-magic'",
        ),
        ("raise RuntimeError('at import')\n", r"failed to load: RuntimeError: at import"),
    ],
    ids=["no-kernel-dict", "missing-key", "unknown-competition", "unknown-technique", "import-error"],
)
def test_bad_metadata_is_refused(workspace: Workspace, tmp_path: Path, head: str, expected: str) -> None:
    path = _kernel_file(tmp_path, "def fit_predict(train, test, params):\n    return None\n", head=head)
    with pytest.raises(KernelError, match=expected):
        load_kernel(workspace, path)


def test_an_unknown_kernel_name_lists_the_valid_ones(workspace: Workspace) -> None:
    with pytest.raises(
        UnknownName, match=r"unknown kernel 'titanic/basline'.*Did you mean 'titanic/baseline'"
    ):
        load_kernel(workspace, "titanic/basline")


# --- folds -------------------------------------------------------------------------------------------


def test_folds_are_identical_across_calls_and_cover_every_row_once(prepared_workspace: Workspace) -> None:
    card = load_card(prepared_workspace, "titanic")
    train = pd.read_csv(prepared_workspace.data_dir("titanic") / "train.csv")
    first, second = make_folds(card, train), make_folds(card, train)
    assert len(first) == card.cv.k
    for a, b in zip(first, second, strict=True):
        assert a.valid_rows.tolist() == b.valid_rows.tolist()
    valid = sorted(i for fold in first for i in fold.valid_rows.tolist())
    assert valid == list(range(len(train)))
    # stratified: each fold's survival rate is close to the whole's
    rate = train["Survived"].mean()
    for fold in first:
        assert abs(train["Survived"].iloc[fold.valid_rows].mean() - rate) < 0.02


def test_group_folds_never_split_a_group(prepared_workspace: Workspace) -> None:
    card = load_card(prepared_workspace, "titanic")._replace(cv=CVScheme("group", 3, 1, column="Pclass"))
    train = pd.read_csv(prepared_workspace.data_dir("titanic") / "train.csv")
    for fold in make_folds(card, train):
        fit = set(train["Pclass"].iloc[fold.train_rows])
        assert not fit & set(train["Pclass"].iloc[fold.valid_rows])


def test_time_folds_only_look_backwards(prepared_workspace: Workspace) -> None:
    card = load_card(prepared_workspace, "chicago-ridership")
    train = pd.read_csv(prepared_workspace.data_dir("chicago-ridership") / "train.csv")
    folds = make_folds(card, train)
    assert len(folds) == card.cv.k
    for fold in folds:
        assert train["date"].iloc[fold.train_rows].max() < train["date"].iloc[fold.valid_rows].min()
    assert [len(f.train_rows) for f in folds] == sorted(len(f.train_rows) for f in folds)


def test_too_many_folds_is_a_clear_error(prepared_workspace: Workspace) -> None:
    card = load_card(prepared_workspace, "titanic")
    train = pd.read_csv(prepared_workspace.data_dir("titanic") / "train.csv").head(6)
    with pytest.raises(KernelError, match="use fewer folds"):
        make_folds(card, train, 10)


# --- the CV score is the submit score -----------------------------------------------------------------


def test_cv_scoring_matches_the_submission_scorer(prepared_workspace: Workspace) -> None:
    """Scoring the test predictions the way CV scores a fold gives the numbers `compete submit` gives."""
    from harness import ledger, scoring, store, vault
    from harness.predictions import normalize_predictions, score_fold

    ws = prepared_workspace
    for slug, name in [("penguins", "penguins/lgbm-features"), ("spam", "spam/baseline")]:
        result = run_kernel(ws, name)
        assert result.predictions_path is not None
        public = ledger.submit(
            ws, slug, result.predictions_path, participant="tester"
        ).submission.public_score
        card = load_card(ws, slug)
        with store.connect(ws, slug) as con:
            labels = vault.labels_frame(con)
            private = scoring.score_file(con, card, result.predictions_path).private
        predictions = pd.read_csv(result.predictions_path)
        merged = predictions.merge(labels, on=card.id_column, suffixes=("", "_true"))
        target = card.target + "_true" if card.target in predictions.columns else card.target
        for usage, expected in (("Public", public), ("Private", private)):
            rows = merged[merged["usage"] == usage].reset_index(drop=True)
            frame = normalize_predictions(name, "check", card, rows.drop(columns=[target, "usage"]), rows)
            assert score_fold(card, rows[target], frame) == pytest.approx(expected, abs=1e-12)


# --- kernels new -------------------------------------------------------------------------------------


@pytest.fixture
def own_kernels(prepared_workspace: Workspace) -> Workspace:
    """The prepared workspace with its own kernels/ folder (a copy), so a test may add files."""
    link = prepared_workspace.kernels_dir
    link.unlink()
    shutil.copytree(REPO / "kernels", link)
    return prepared_workspace


@pytest.mark.parametrize("slug", competition_names(Workspace(REPO)))
def test_a_new_kernel_from_the_template_runs_on_every_competition(own_kernels: Workspace, slug: str) -> None:
    path = new_kernel(own_kernels, slug, "my-first-model")
    assert path == own_kernels.kernels_dir / slug / "my-first-model.py"
    text = path.read_text(encoding="utf-8")
    assert "__" + "COMPETITION__" not in text and f'"competition": "{slug}"' in text
    assert f"{slug}/my-first-model" in kernel_names(own_kernels, slug)
    result = run_kernel(own_kernels, f"{slug}/my-first-model", folds=2, rows=SAMPLE_ROWS)
    assert math.isfinite(result.mean)


def test_a_learners_kernel_in_kernels_submits_as_the_learner_not_as_a_reference(
    own_kernels: Workspace,
) -> None:
    from harness.ledger import default_participant
    from harness.runs import participant_for

    new_kernel(own_kernels, "titanic", "mine")
    mine = load_kernel(own_kernels, "titanic/mine").info
    assert mine.in_workspace and not mine.reference
    assert participant_for(mine) == default_participant()
    reference = load_kernel(own_kernels, "titanic/baseline").info
    assert reference.in_workspace and reference.reference
    assert participant_for(reference) == "reference/titanic/baseline"


def test_every_declared_kernel_says_it_is_a_reference() -> None:
    for name in ALL_KERNELS:
        assert load_kernel(Workspace(REPO), name).info.reference, name


@pytest.mark.parametrize(
    ("slug", "name", "expected"),
    [
        ("titanic", "My_Model", "not kebab-case"),
        ("titanic", "baseline", "already exists"),
        ("titanik", "mine", "unknown competition"),
    ],
)
def test_kernels_new_refuses(own_kernels: Workspace, slug: str, name: str, expected: str) -> None:
    before = (own_kernels.kernels_dir / "titanic" / "baseline.py").read_bytes()
    with pytest.raises((KernelError, UnknownName), match=expected):
        new_kernel(own_kernels, slug, name)
    assert (own_kernels.kernels_dir / "titanic" / "baseline.py").read_bytes() == before


def test_a_broken_kernel_is_listed_with_its_error(own_kernels: Workspace) -> None:
    (own_kernels.kernels_dir / "titanic" / "broken.py").write_text("KERNEL = 3\n", encoding="utf-8")
    rows = {row.name: row for row in list_kernels(own_kernels, "titanic")}
    assert rows["titanic/broken"].error and "KERNEL" in rows["titanic/broken"].error
    assert rows["titanic/baseline"].error is None


def test_percent_cells_are_split_and_markdown_unprefixed() -> None:
    cells = kernel_cells("import x\n# %% [markdown]\n# # Title\n#\n# text\n\n# %%\ny = 1\n")
    assert [(c.kind, c.source) for c in cells] == [
        ("code", "import x"),
        ("markdown", "# Title\n\ntext"),
        ("code", "y = 1"),
    ]


def test_make_workspace_links_the_repository_kernels(tmp_path: Path) -> None:
    ws = make_workspace(tmp_path / "ws")
    assert kernel_names(ws) == kernel_names(Workspace(REPO))


def test_on_score_sees_each_fold_and_may_stop_the_run(prepared_workspace: Workspace) -> None:
    kernel = load_kernel(prepared_workspace, "titanic/baseline")
    seen: list[tuple[int, float]] = []
    result = cross_validate(prepared_workspace, kernel, folds=3, on_score=lambda i, s: seen.append((i, s)))
    assert seen == list(enumerate(result.fold_scores, start=1))

    class Stop(Exception):
        pass

    def stop(fold: int, score: float) -> None:
        raise Stop

    with pytest.raises(Stop):
        cross_validate(prepared_workspace, kernel, folds=3, on_score=stop)


def test_an_own_kernel_outside_kernels_has_no_remembered_run(
    prepared_workspace: Workspace, tmp_path: Path
) -> None:
    from harness.runs import last_run

    run_kernel(prepared_workspace, "titanic/baseline")
    copy = tmp_path / "baseline.py"
    copy.write_text(
        (REPO / "kernels" / "titanic" / "baseline.py").read_text(encoding="utf-8"), encoding="utf-8"
    )
    assert last_run(prepared_workspace, load_kernel(prepared_workspace, "titanic/baseline").info) is not None
    assert last_run(prepared_workspace, load_kernel(prepared_workspace, copy).info) is None


def test_the_template_pins_its_threads_and_fits_the_task(own_kernels: Workspace) -> None:
    penguins = new_kernel(own_kernels, "penguins", "mine").read_text(encoding="utf-8")
    spam = new_kernel(own_kernels, "spam", "mine").read_text(encoding="utf-8")
    for text in (penguins, spam):
        assert "threadpool_limits(limits=1)" in text
    assert "POSITIVE" not in penguins, "no positive class in a multiclass competition"
    assert 'POSITIVE = "1"' in spam
    for slug in ("penguins", "spam"):
        assert "baseline" not in load_kernel(own_kernels, f"{slug}/mine").info.techniques


def test_kernels_show_credits_a_kernel_only_with_its_own_submissions(own_kernels: Workspace) -> None:
    from harness.kernel_study import describe_kernel
    from harness.ledger import submit
    from harness.runs import run_and_submit

    new_kernel(own_kernels, "titanic", "mine")
    sample = own_kernels.data_dir("titanic") / "sample_submission.csv"
    submit(own_kernels, "titanic", sample)  # by hand, as the learner
    assert describe_kernel(own_kernels, "titanic/mine").leaderboard is None, "never run, never submitted"
    outcome = run_and_submit(own_kernels, "titanic/mine", folds=2, submit=True)
    entry = describe_kernel(own_kernels, "titanic/mine").leaderboard
    assert entry is not None and entry["ref"] == outcome.submission.submission.ref
    assert entry["submissions"] == 1
