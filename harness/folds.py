"""The cross-validation folds of a competition, built from its card's `[cv]` table.

Every kernel, every `compete run` and every tuning trial is scored on the same folds: they depend only
on the training file, the scheme, `k` and the seed, never on the kernel.

    stratified  StratifiedKFold on the target (shuffled, seeded)
    kfold       KFold (shuffled, seeded)
    group       GroupKFold by the card's column: a group never sits on both sides (shuffled, seeded)
    time        expanding window: rows ordered by the card's column (then the id); fold i trains on
                everything before its validation block, which always lies in the future
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from harness.competition import Card
from harness.errors import KernelError

if TYPE_CHECKING:
    import numpy as np
    import pandas as pd


@dataclass(frozen=True)
class Fold:
    """One fold: row positions (into the training frame) to fit on and to score on."""

    number: int
    train_rows: np.ndarray
    valid_rows: np.ndarray


def make_folds(card: Card, train: pd.DataFrame, k: int | None = None) -> list[Fold]:
    """The folds of `train` under the card's CV scheme; `k` overrides the card's number of folds.

    Raises KernelError when the data cannot be split that way (too few rows, groups or members of a class).
    """
    import numpy as np
    from sklearn.model_selection import GroupKFold, KFold, StratifiedKFold, TimeSeriesSplit

    k = k or card.cv.k
    if k < 2:
        raise KernelError(f"cross-validation needs at least 2 folds, not {k}; pass --folds 2 or more.")
    scheme, seed = card.cv.scheme, card.cv.seed
    positions = np.arange(len(train))
    try:
        if scheme == "stratified":
            splits = StratifiedKFold(n_splits=k, shuffle=True, random_state=seed).split(
                positions, train[card.target].astype(str)
            )
        elif scheme == "kfold":
            splits = KFold(n_splits=k, shuffle=True, random_state=seed).split(positions)
        elif scheme == "group":
            assert card.cv.column is not None
            groups = train[card.cv.column].astype(str).to_numpy()
            splits = GroupKFold(n_splits=k, shuffle=True, random_state=seed).split(positions, groups=groups)
        elif scheme == "time":
            assert card.cv.column is not None
            ordered = train.reset_index(drop=True).sort_values(
                [card.cv.column, card.id_column], kind="stable"
            )
            order = ordered.index.to_numpy()
            splits = ((order[fit], order[valid]) for fit, valid in TimeSeriesSplit(n_splits=k).split(order))
        else:  # pragma: no cover - the card parser refuses other schemes
            raise AssertionError(f"unknown CV scheme {scheme!r}")
        folds = [
            Fold(number, np.sort(fit), np.sort(valid)) for number, (fit, valid) in enumerate(splits, start=1)
        ]
    except ValueError as exc:
        raise KernelError(
            f"{card.slug}: cannot make {k} {scheme} folds of {len(train)} training rows: {exc}; "
            "use fewer folds (--folds)."
        ) from None
    return folds
