"""The open-label task: each prediction is free text, right when it is the answer as written.

An open-label competition (`task = "open-label"`) has no list of classes: any text is a prediction,
and accuracy counts the rows whose prediction is the answer, character for character (case and
spaces count; nothing is trimmed). A missing value is read as pandas reads a CSV, because that is
how MLE-bench's text-normalization graders read both the submission and the answers
(`pandas.read_csv`, then `astype(str)`, with pandas 2): an empty field, or a field that is exactly
one of pandas' NA spellings (`NA`, `N/A`, `null`, `NaN`, `None`, ...), is missing and reads as the
text `nan`. So a missing prediction is accepted, and it is right exactly where the answer is
missing too (or is one of those spellings).

One rule, two forms: `answer_text` in Python (the reference the tests and `compete check` use) and
`answer_sql` in SQL (what scoring runs).
"""

from __future__ import annotations

import math
from pathlib import Path
from typing import Any

TASK = "open-label"
MISSING = "nan"  # what pandas 2's astype(str) makes of a missing value
# pandas' default NA spellings for read_csv (pandas._libs.parsers.STR_NA_VALUES), matched exactly
NA_SPELLINGS = (
    "",
    "#N/A",
    "#N/A N/A",
    "#NA",
    "-1.#IND",
    "-1.#QNAN",
    "-NaN",
    "-nan",
    "1.#IND",
    "1.#QNAN",
    "<NA>",
    "N/A",
    "NA",
    "NULL",
    "NaN",
    "None",
    "n/a",
    "nan",
    "null",
)
_SPELLINGS = frozenset(NA_SPELLINGS)


def answer_text(value: Any) -> str:
    """A stored or submitted value as the grader compares it: missing (None, NaN, an NA spelling)
    becomes 'nan'; any other text stays as it is."""
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return MISSING
    text = value if isinstance(value, str) else _as_text(value)
    return MISSING if text in _SPELLINGS else text


def _as_text(value: Any) -> str:
    import pandas as pd

    if pd.isna(value):  # pd.NA, NaT
        return MISSING
    return str(value)


def with_missing_as_text(frame: Any, columns: Any) -> Any:
    """`frame` (pandas) with each missing value of `columns` as the text 'nan', which is what the
    grader compares a missing answer as: a target of an open-label task is never missing."""
    out = frame.copy()
    for column in columns:
        out[column] = out[column].astype(object).where(out[column].notna(), MISSING)
    return out


def answer_sql(expr: str) -> str:
    """SQL: the VARCHAR `expr` as the grader compares it (see `answer_text`)."""
    # Equalities, not IN: DuckDB plans an IN list of this size as a join, which does not keep the
    # rows' order, and scoring pairs the file's rows with the labels' by position.
    spelled = " OR ".join(f"{expr} = '{s}'" for s in NA_SPELLINGS)
    return f"CASE WHEN {expr} IS NULL OR {spelled} THEN '{MISSING}' ELSE {expr} END"


MAX_CLASS_OUTPUTS = 1000  # a text target with more distinct training outputs is no class list


def import_reason(train: Path, sample: Path, target: str, metric: str | None = None) -> str:
    """Why an imported competition's text target is open-label, or '' when it is not.

    Open-label when the sample submission predicts a value that no training row has as its target
    (its grader then scores free text: MLE-bench's text-normalization sample copies each token), or
    when the training target holds more than MAX_CLASS_OUTPUTS distinct texts. Never for a numeric
    target, a sample of numbers (probabilities) or without the target's column (one column per
    class), nor under a `metric` that does not score open-label predictions (roc_auc).
    """
    import pandas as pd

    from harness import metrics

    if metric is not None and metric in metrics.metric_names() and TASK not in metrics.get(metric).tasks:
        return ""
    outputs = pd.read_csv(train, usecols=[target])[target].dropna()
    if pd.api.types.is_numeric_dtype(outputs) or pd.api.types.is_bool_dtype(outputs):
        return ""
    if target not in pd.read_csv(sample, nrows=0).columns:
        return ""
    known = set(outputs.astype(str))
    predicted = pd.read_csv(sample, usecols=[target])[target].dropna()
    if pd.api.types.is_numeric_dtype(predicted):
        return ""
    predicted = predicted.astype(str)
    unseen = sorted(set(predicted) - known)
    if unseen:
        shown = ", ".join(repr(v) for v in unseen[:3])
        return (
            f"the sample submission predicts {len(unseen)} {'text' if len(unseen) == 1 else 'texts'} "
            f"that no training row has as its {target!r} (e.g. {shown}), so any text is a prediction"
        )
    if len(known) > MAX_CLASS_OUTPUTS:
        return f"{len(known)} distinct texts in {target!r}, too many for a list of classes"
    return ""
