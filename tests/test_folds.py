"""Time-ordered folds: rows of one time move together; with one row a time, scikit-learn's cuts."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from harness.competition import Card, CVScheme, load_card
from harness.errors import KernelError
from harness.folds import check_foldable, make_folds
from harness.workspace import Workspace
from tests.conftest import FIXTURES


def _card(k: int) -> Card:
    card = load_card(Workspace(FIXTURES), "tiny-regression")
    return card._replace(cv=CVScheme("time", k, 0, column="date"))


def _frame(dates: list[int], seed: int = 0) -> pd.DataFrame:
    """Rows in a shuffled order, ids unrelated to the dates: the folds must order them by time."""
    rng = np.random.default_rng(seed)
    frame = pd.DataFrame({"id": rng.permutation(len(dates)) + 100, "date": dates, "y": 0.0})
    return frame.sample(frac=1.0, random_state=seed).reset_index(drop=True)


def _dates(frame: pd.DataFrame, rows: np.ndarray) -> list[int]:
    return sorted(set(frame["date"].iloc[rows].tolist()))


def test_rows_of_one_date_never_sit_on_both_sides() -> None:
    frame = _frame([1, 1, 2, 2, 2, 3, 3, 3, 3, 4, 4, 5])
    folds = make_folds(_card(3), frame)
    assert [(_dates(frame, f.train_rows), _dates(frame, f.valid_rows)) for f in folds] == [
        ([1], [2]),
        ([1, 2], [3]),
        ([1, 2, 3], [4, 5]),
    ]
    for fold in folds:
        assert len(fold.train_rows) == frame["date"].isin(_dates(frame, fold.train_rows)).sum()
        assert len(fold.valid_rows) == frame["date"].isin(_dates(frame, fold.valid_rows)).sum()


@pytest.mark.parametrize("seed", range(20))
def test_random_dates_always_split_between_two_times(seed: int) -> None:
    rng = np.random.default_rng(seed)
    dates = sorted(rng.integers(0, 15, size=int(rng.integers(30, 80))).tolist())
    frame = _frame(dates, seed)
    folds = make_folds(_card(4), frame)
    assert len(folds) == 4
    for fold in folds:
        assert frame["date"].iloc[fold.train_rows].max() < frame["date"].iloc[fold.valid_rows].min()
    ends = [frame["date"].iloc[f.valid_rows].max() for f in folds]
    assert ends == sorted(ends) and ends[-1] == max(dates)  # the blocks walk forward to the last time


def test_one_row_a_time_keeps_scikit_learns_cuts() -> None:
    from sklearn.model_selection import TimeSeriesSplit

    frame = pd.DataFrame({"id": np.arange(23), "date": np.arange(23) * 7, "y": 0.0})
    ours = [(f.train_rows.tolist(), f.valid_rows.tolist()) for f in make_folds(_card(5), frame)]
    theirs = [(a.tolist(), b.tolist()) for a, b in TimeSeriesSplit(n_splits=5).split(frame)]
    assert ours == theirs


def test_too_few_times_for_the_folds_is_a_clear_error() -> None:
    frame = _frame([1, 1, 1, 1, 2, 2, 2, 2, 2, 2])
    with pytest.raises(KernelError, match="use fewer folds"):
        make_folds(_card(3), frame)


def _foldable_cases() -> list[tuple[str, int, pd.DataFrame]]:
    rng = np.random.default_rng(7)
    cases = []
    for n in (1, 3, 4, 5, 7, 12, 53):
        for k in (2, 3, 5, 8):
            labels = rng.choice(["a", "b", "c"], n, p=[0.7, 0.2, 0.1])
            frame = pd.DataFrame(
                {
                    "id": np.arange(n) + 100,
                    "y": labels,
                    "date": rng.integers(0, max(n // 2, 1), n),
                    "g": rng.integers(0, max(n // 3, 1), n),
                }
            )
            for scheme in ("kfold", "stratified", "group", "time"):
                cases.append((scheme, k, frame))
    return cases


@pytest.mark.filterwarnings("ignore:The least populated class:UserWarning")
@pytest.mark.parametrize("scheme", ["kfold", "stratified", "group", "time"])
def test_the_folds_check_agrees_with_making_the_folds(scheme: str) -> None:
    """check_foldable (no scikit-learn) refuses exactly what make_folds refuses, with the same
    message, and gives the size of the smallest validation fold where it can tell it."""
    base = load_card(Workspace(FIXTURES), "tiny-binary")
    refused = accepted = 0
    for case_scheme, k, frame in _foldable_cases():
        if case_scheme != scheme:
            continue
        column = {"group": "g", "time": "date"}.get(scheme)
        card = base._replace(target_columns=("y",), cv=CVScheme(scheme, k, 3, column=column))
        try:
            folds = make_folds(card, frame)
        except KernelError as exc:
            refused += 1
            with pytest.raises(KernelError) as caught:
                check_foldable(card, frame)
            assert str(caught.value) == str(exc), (scheme, k, len(frame))
            continue
        accepted += 1
        smallest = check_foldable(card, frame)
        if scheme == "group":
            assert smallest is None
        else:
            assert smallest == min(len(f.valid_rows) for f in folds), (scheme, k, len(frame))
    assert refused and accepted, "the cases hold both outcomes"


def _carve_card(fraction: float) -> Card:
    card = _card(3)
    return card._replace(split=card.split._replace(test_fraction=fraction))


@pytest.mark.parametrize(
    ("fraction", "test_dates"),
    [(0.3, [4, 5]), (0.4, [3, 4, 5]), (0.5, [3, 4, 5]), (0.2, [4, 5]), (0.1, [5]), (0.95, [2, 3, 4, 5])],
)
def test_the_test_set_is_carved_between_two_dates(fraction: float, test_dates: list[int]) -> None:
    """Several rows a date: the cut moves to the nearest edge between two dates (the earlier when
    both are as near), and never leaves a side empty."""
    from harness.prepare import carve

    frame = _frame([1, 1, 2, 2, 2, 3, 3, 3, 3, 4, 4, 5])
    train, test = carve(frame, _carve_card(fraction))
    assert sorted(set(test["date"])) == test_dates
    assert train["date"].max() < test["date"].min()
    assert len(train) + len(test) == len(frame) and set(train["id"]).isdisjoint(test["id"])


def test_one_row_a_date_carves_the_latest_rows_as_before() -> None:
    from harness.prepare import carve

    frame = _frame(list(range(40)))
    train, test = carve(frame, _carve_card(0.2))
    assert sorted(test["date"]) == list(range(32, 40)) and len(train) == 32


def test_a_single_date_cannot_be_carved() -> None:
    from harness.errors import CompetitionFolderError
    from harness.prepare import carve

    with pytest.raises(CompetitionFolderError, match="the same 'date'"):
        carve(_frame([7] * 10), _carve_card(0.2))
