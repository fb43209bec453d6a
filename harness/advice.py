"""What a learner is told about predictions that are scored, but not as they were likely meant.

Labels and probabilities are easy to mix up. Where labels are scored, probabilities are refused
(see `validation`); where the probability of the positive class is scored:

- class labels written as text (`great`, `other`) are refused with `labels_where_probability`;
- hard 0/1 predictions are numbers, valid probabilities, and scored; but log loss clips them to
  [1e-15, 1 - 1e-15], so every wrong one costs -ln(1e-15) = 34.5, and `notes` says so.

Log loss also rescales a multiclass row that does not sum to 1 (as Kaggle does); `notes` says how
many rows were. `notes` reads the scored file once more, and only for log loss.
"""

from __future__ import annotations

import math
from pathlib import Path
from typing import TYPE_CHECKING

from harness.competition import Card
from harness.metrics import Prediction
from harness.store import quote_identifier as q

if TYPE_CHECKING:
    import duckdb

    from harness.validation import SubmissionRules

CLIP = 1e-15  # log loss clips each probability to [CLIP, 1 - CLIP]
WRONG_AND_CERTAIN = -math.log(CLIP)  # what a wrong prediction of exactly 0 or 1 costs: 34.54
SUM_TOLERANCE = 1e-6  # a row whose probabilities sum this close to 1 is not said to be rescaled
NOTES_TABLE = "submission_advice"


def labels_where_probability(column: str, classes: tuple[str, ...]) -> str:
    """The problem of class labels given in a column scored on the positive class's probability."""
    positive = classes[-1]
    return (
        f"rows have class labels ({', '.join(classes)}) in column {column!r}, which is scored on the "
        f"probability of the positive class {positive!r}; predict that probability, a number in [0, 1] "
        "(scikit-learn: `predict_proba(X)[:, 1]`), not the label"
    )


def hard_predictions_note(count: int, rows: int) -> str:
    """The warning for `count` of `rows` predictions of exactly 0 or 1 under log loss."""
    return (
        f"{count} of {rows} rows predict a probability of exactly 0 or 1: log loss clips them to "
        f"[1e-15, 1 - 1e-15], so each one that is wrong costs {WRONG_AND_CERTAIN:.1f} (a 0.5 costs "
        f"{-math.log(0.5):.2f}), and a few of them outweigh everything else. Predict probabilities "
        "(scikit-learn: `predict_proba`), or soften hard labels (e.g. 0.05 and 0.95)."
    )


def rescaled_note(count: int, example_row: int, example_sum: float) -> str:
    """The note for `count` rows of class probabilities that do not sum to 1."""
    rows = "row's probabilities do" if count == 1 else "rows' probabilities do"
    return (
        f"{count} {rows} not sum to 1 (e.g. row {example_row} sums to {example_sum:.6g}); each was "
        "rescaled to sum to 1 before scoring, as log loss does on Kaggle."
    )


def notes(con: duckdb.DuckDBPyConnection, card: Card, rules: SubmissionRules, path: Path) -> tuple[str, ...]:
    """The warnings for a file that scored under log loss (none under another metric): hard 0/1
    predictions, rows of class probabilities that were rescaled."""
    from harness import validation

    if card.metric != "log_loss":
        return ()
    raw = validation.read_file(con, path, table=NOTES_TABLE)
    try:
        names, _ = validation.match_columns(raw, rules)
        values = [f"TRY_CAST(trim({q(names[r.name])}) AS DOUBLE)" for r in rules.prediction_rules]
        hard = " OR ".join(f"{v} IN (0, 1)" for v in values)
        total = " + ".join(f"coalesce({v}, 0)" for v in values)
        table = q(raw.table)
        count_hard, rows = con.execute(
            f"SELECT count(*) FILTER (WHERE {hard}), count(*) FROM {table}"
        ).fetchall()[0]
        out = []
        if count_hard:
            out.append(hard_predictions_note(int(count_hard), int(rows)))
        if rules.prediction == Prediction.CLASS_PROBABILITIES.value:
            found = con.execute(
                f"SELECT count(*) OVER (), row, s FROM (SELECT rowid + 1 AS row, {total} AS s FROM {table}) "
                f"WHERE abs(s - 1) > {SUM_TOLERANCE} ORDER BY row LIMIT 1"
            ).fetchall()
            if found:
                count, row, row_sum = found[0]
                out.append(rescaled_note(int(count), int(row), float(row_sum)))
        return tuple(out)
    finally:
        con.execute(f"DROP TABLE IF EXISTS {q(raw.table)}")


def prediction_notes(card: Card, predictions: Path) -> tuple[str, ...]:
    """The same warnings for a kernel's predictions file (`compete run`), read with pandas."""
    import pandas as pd

    from harness.metrics import prediction_for

    if card.metric != "log_loss":
        return ()
    frame = pd.read_csv(predictions).drop(columns=[card.id_column])
    values = frame.to_numpy(dtype=float)
    out = []
    hard = int(((values == 0) | (values == 1)).any(axis=1).sum())
    if hard:
        out.append(hard_predictions_note(hard, len(frame)))
    if prediction_for(card) is Prediction.CLASS_PROBABILITIES:
        sums = values.sum(axis=1)
        off = [k for k, total in enumerate(sums) if abs(total - 1) > SUM_TOLERANCE]
        if off:
            out.append(rescaled_note(len(off), off[0] + 1, float(sums[off[0]])))
    return tuple(out)
