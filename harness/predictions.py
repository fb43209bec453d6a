"""A kernel's predictions: brought to the submission's columns, checked, and scored on a fold with
the competition's own metric SQL (the same SQL `compete submit` runs)."""

from __future__ import annotations

import threading
from typing import TYPE_CHECKING, Any

from harness.competition import Card
from harness.errors import KernelError

if TYPE_CHECKING:
    import numpy as np
    import pandas as pd


def normalize_predictions(
    kernel: str, step: str, card: Card, predicted: Any, test: pd.DataFrame
) -> pd.DataFrame:
    """Check what `fit_predict` returned for the rows of `test` and turn it into the submission's
    prediction columns (`harness.prepare.submission_columns(card)`), one row per test row, in order.

    A DataFrame that carries the id column is matched to the test ids (and refused if they differ).
    Raises KernelError naming the kernel and the step (fold) for any shape, NaN or label problem.
    """
    import numpy as np
    import pandas as pd

    from harness.metrics import Prediction, prediction_for

    where = f"kernel {kernel!r}, {step}"
    kind = prediction_for(card)
    columns = (
        list(card.classes or ()) if kind is Prediction.CLASS_PROBABILITIES else list(card.target_columns)
    )
    n = len(test)
    ids = test[card.id_column]

    if isinstance(predicted, pd.DataFrame) and card.id_column in predicted.columns:
        got = predicted[card.id_column]
        if len(got) != n or set(got.tolist()) != set(ids.tolist()) or got.duplicated().any():
            extra = sorted(set(got.tolist()) - set(ids.tolist()))[:3]
            raise KernelError(
                f"{where}: predicted for the wrong ids ({len(got)} rows; e.g. {extra or 'missing ids'} "
                f"are not the {n} ids of the rows it was given); predict exactly the rows of `test`."
            )
        predicted = predicted.set_index(card.id_column).loc[ids.tolist()].reset_index(drop=True)

    if kind is Prediction.CLASS_PROBABILITIES:
        assert card.classes is not None
        if isinstance(predicted, pd.DataFrame):
            named = {str(c): c for c in predicted.columns}
            lacking = [c for c in card.classes if c not in named]
            if lacking:
                raise KernelError(
                    f"{where}: the returned DataFrame lacks a column for class(es) {lacking}; "
                    f"return one probability column per class: {list(card.classes)}."
                )
            values = predicted[[named[c] for c in card.classes]].to_numpy()
        else:
            values = np.asarray(predicted)
        if values.ndim != 2 or values.shape != (n, len(card.classes)):
            raise KernelError(
                f"{where}: returned shape {values.shape}; expected ({n}, {len(card.classes)}): one row per "
                f"test row and one probability per class in the order {list(card.classes)}."
            )
        values = _as_float(where, values)
        if (values < 0).any() or (values > 1).any():
            raise KernelError(f"{where}: returned probabilities outside [0, 1].")
        return pd.DataFrame(values, columns=columns)

    if isinstance(predicted, pd.DataFrame):
        if predicted.shape[1] != 1:
            raise KernelError(
                f"{where}: returned a DataFrame with columns {list(predicted.columns)}; "
                "return a 1-D array or Series (one prediction per test row)."
            )
        predicted = predicted.iloc[:, 0]
    values = np.asarray(predicted)
    if values.ndim == 2 and values.shape[1] == 1:
        values = values[:, 0]
    if values.ndim != 1 or len(values) != n:
        raise KernelError(
            f"{where}: returned shape {values.shape}; expected ({n},): one prediction per test row, in order."
            + (" For a probability, return predict_proba(X)[:, 1]." if kind is Prediction.PROBABILITY else "")
        )
    column = columns[0]
    if kind is Prediction.TEXT:  # any text; a missing one is read as scoring reads it (open_label)
        from harness.open_label import answer_text

        return pd.DataFrame({column: [answer_text(v) for v in values]})
    if kind is Prediction.LABEL:
        # whole numbers are labels as their text (1 -> "1"), without a call per row
        whole = values.dtype.kind in "iu"
        labels = pd.Series(values.astype(str)) if whole else pd.Series(values).map(as_label)
        if labels.isna().any():
            raise KernelError(f"{where}: returned {int(labels.isna().sum())} missing (NaN/None) labels.")
        assert card.classes is not None
        unknown = sorted(set(labels) - set(card.classes))
        if unknown:
            fractions = pd.to_numeric(pd.Series(unknown), errors="coerce").between(0, 1, inclusive="neither")
            hint = (
                " These look like probabilities, and this metric scores class labels: predict the labels "
                "themselves (scikit-learn: `predict`, or threshold the probabilities)."
                if fractions.any()
                else ""
            )
            raise KernelError(
                f"{where}: predicted label(s) {unknown[:5]} that are not classes of the competition "
                f"({list(card.classes)}).{hint}"
            )
        return pd.DataFrame({column: labels.astype(str).to_numpy()})
    if kind is Prediction.RANKING:
        ranked = pd.Series(values)
        if ranked.isna().any():
            raise KernelError(f"{where}: returned {int(ranked.isna().sum())} missing rankings.")
        return pd.DataFrame({column: ranked.astype(str).to_numpy()})
    if (
        kind is Prediction.PROBABILITY
        and card.classes
        and pd.Series(values).astype(str).isin(card.classes).all()
    ):
        numeric = pd.to_numeric(pd.Series(values), errors="coerce").notna().all()
        if not numeric:  # text labels; 0/1 labels are valid probabilities (scored, see harness.advice)
            from harness.advice import labels_where_probability

            raise KernelError(f"{where}: {labels_where_probability(column, card.classes)}.")
    floats = _as_float(where, values)
    if kind is Prediction.PROBABILITY and ((floats < 0).any() or (floats > 1).any()):
        raise KernelError(f"{where}: returned probabilities outside [0, 1].")
    return pd.DataFrame({column: floats})


def _as_float(where: str, values: np.ndarray) -> np.ndarray:
    import numpy as np

    try:
        floats = np.asarray(values, dtype=float)
    except (TypeError, ValueError):
        raise KernelError(f"{where}: returned values that are not numbers.") from None
    bad = ~np.isfinite(floats)
    if bad.any():
        raise KernelError(f"{where}: returned {int(bad.sum())} NaN or infinite prediction(s).")
    return floats


def as_label(value: Any) -> str | None:
    """A class label as the card spells it: 1, 1.0, True and '1' all become '1'."""
    if value is None:
        return None
    if isinstance(value, bool):
        return str(int(value))
    if isinstance(value, float):
        if value != value:
            return None
        if value.is_integer():
            return str(int(value))
    if hasattr(value, "item") and not isinstance(value, str):
        return as_label(value.item())
    return str(value)


def score_fold(card: Card, y_true: pd.Series, predictions: pd.DataFrame) -> float:
    """Score `predictions` (the submission's prediction columns) against `y_true` with the card's
    metric, through the metric's own DuckDB SQL: the number `compete submit` gives the same rows.

    Raises MetricError when the metric is undefined on these rows (e.g. roc_auc on one class only).
    """
    import pyarrow as pa

    from harness.metrics import MetricContext, Prediction, prediction_for, score_frame
    from harness.metrics import get as get_metric

    ctx = MetricContext.for_card(card)
    kind = prediction_for(card)
    # An Arrow table of the columns' arrays: DuckDB scans it for a fraction of what a pandas frame
    # costs it, and a tuning study scores a fold thousands of times.
    columns: dict[str, Any]
    if kind is not Prediction.VALUE:
        truth = y_true.to_numpy()
        if truth.dtype.kind in "iu":  # whole numbers: their text is the label (1 -> "1"), as below
            labels = truth.astype(str)
        else:
            labels = y_true.map(as_label).astype(str).to_numpy()
    if kind is Prediction.CLASS_PROBABILITIES:
        columns = {"y": labels}
        for i, column in enumerate(predictions.columns):
            columns[f"p_{i}"] = predictions[column].to_numpy(dtype=float)
    else:
        p = predictions.iloc[:, 0].to_numpy()
        if kind is Prediction.PROBABILITY:
            columns = {"y": (labels == ctx.positive).astype(int), "p": p}
        elif kind is Prediction.VALUE:
            columns = {"y": y_true.to_numpy(dtype=float), "p": p}
        else:
            columns = {"y": labels, "p": p}
    rows = pa.table(columns)
    return score_frame(get_metric(card.metric), rows, ctx, con=_scoring_connection())


_SCORING = threading.local()


def _scoring_connection() -> Any:
    """An in-memory DuckDB connection kept for the thread's fold scoring: opening one takes tens of
    milliseconds (over 100 on a busy machine), more than scoring a fold, and a tuning study scores
    thousands of folds. One thread: a fold is small, a float sum then adds up in one order (as
    `compete submit` scores), and a tuning worker stays on its one core."""
    con = getattr(_SCORING, "con", None)
    if con is None:
        from harness import engine

        con = _SCORING.con = engine.connect(config={"threads": 1})
    return con
