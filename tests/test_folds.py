"""Time-ordered folds: rows of one time move together; with one row a time, scikit-learn's cuts."""

from __future__ import annotations

import dataclasses

import numpy as np
import pandas as pd
import pytest

from harness.competition import Card, CVScheme, load_card
from harness.errors import KernelError
from harness.folds import make_folds
from harness.workspace import Workspace
from tests.conftest import FIXTURES


def _card(k: int) -> Card:
    card = load_card(Workspace(FIXTURES), "tiny-regression")
    return dataclasses.replace(card, cv=CVScheme("time", k, 0, column="date"))


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
