"""The out-of-fold rows a kernel gets most wrong, with their features and each row's loss."""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    import pandas as pd

    from harness.competition import Card


def worst_oof_rows(
    card: Card, train: pd.DataFrame, oof: pd.DataFrame, plan: Sequence[Any], worst: int
) -> tuple[list[dict[str, Any]], str, int | None]:
    """The `worst` out-of-fold rows by their loss, with their features, the loss's name and (for a label
    metric) how many rows are wrong."""
    import numpy as np

    from harness.metrics import MetricContext, Prediction, prediction_for
    from harness.predictions import as_label

    kind = prediction_for(card)
    positions = oof.index.to_numpy()  # time-ordered folds never hold out the earliest rows
    y = train[card.target].iloc[positions]
    wrong = None
    if kind is Prediction.LABEL:
        truth = y.map(as_label).astype(str).to_numpy()
        loss = (oof.iloc[:, 0].astype(str).to_numpy() != truth).astype(float)
        name, wrong = "wrong label (1) or right (0)", int(loss.sum())
    elif kind is Prediction.TEXT:  # free text, right when it is the answer as written
        from harness.open_label import answer_text

        truth = np.array([answer_text(v) for v in y], dtype=object)
        predicted = np.array([answer_text(v) for v in oof.iloc[:, 0]], dtype=object)
        loss = (predicted != truth).astype(float)
        name, wrong = "wrong text (1) or right (0)", int(loss.sum())
    elif kind is Prediction.PROBABILITY:
        positive = MetricContext.for_card(card).positive
        hit = y.map(as_label).astype(str).to_numpy() == positive
        p = np.clip(oof.iloc[:, 0].to_numpy(dtype=float), 1e-15, 1 - 1e-15)
        loss = -np.log(np.where(hit, p, 1 - p))
        name = "log loss of the row"
    elif kind is Prediction.CLASS_PROBABILITIES:
        assert card.classes is not None
        truth = y.map(as_label).astype(str).tolist()
        index = [list(card.classes).index(t) for t in truth]
        p = oof.to_numpy(dtype=float)[np.arange(len(oof)), index]
        loss = -np.log(np.clip(p, 1e-15, 1))
        name = "log loss of the row"
    elif kind is Prediction.VALUE:
        predicted = oof.iloc[:, 0].to_numpy(dtype=float)
        actual = y.to_numpy(dtype=float)
        if card.metric == "rmsle":
            loss = np.abs(np.log1p(np.clip(predicted, 0, None)) - np.log1p(actual))
            name = "absolute error of log(1 + value)"
        else:
            loss = np.abs(predicted - actual)
            name = "absolute error"
    else:
        return [], "rankings are not scored row by row", None
    fold_of = np.zeros(len(train), dtype=int)
    for fold in plan:
        fold_of[fold.valid_rows] = fold.number
    order = np.argsort(-loss, kind="stable")[:worst]
    rows = []
    for i in order:
        position = int(positions[i])
        record = {str(k): _plain(v) for k, v in train.iloc[position].items()}
        record["fold"] = int(fold_of[position])
        record.update({f"predicted {k}": _plain(v) for k, v in oof.iloc[int(i)].items()})
        record["loss"] = float(loss[i])
        rows.append(record)
    return rows, name, wrong


def _plain(value: Any) -> Any:
    if hasattr(value, "item"):
        value = value.item()
    if isinstance(value, float) and value != value:
        return None
    return value
