"""The whole-test score: a submission scored on every test row at once, public and private together.

That is the number MLE-bench (and a competition without a public/private split) reports. It is shown
once the competition is closed, beside the public and the private score, and computed then from the
submission's kept copy (`submissions/<slug>/`) with the metric's own SQL: the file passed the
submission checks when it was scored, so it is only read, matched to the labels by id and scored.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any

from harness.scorer_check import NUMBER
from harness.workspace import Workspace

if TYPE_CHECKING:
    import pandas as pd

    from harness.competition import Card


def whole_test_scores(ws: Workspace, slug: str) -> dict[str, float]:
    """Each scored submission's whole-test score, by ref; empty while the competition is open.

    A submission whose kept copy is gone (or no longer reads) is left out.
    """
    from harness import vault
    from harness.session import open_competition

    with open_competition(ws, slug) as session:
        if not session.closed:
            return {}
        card = session.card
        labels = vault.labels_frame(session.store)
        kept = session.store.execute(
            "SELECT ref, stored_path FROM submissions WHERE status = 'scored' AND stored_path IS NOT NULL"
        ).fetchall()
    out: dict[str, float] = {}
    for ref, stored in kept:
        path = ws.root / str(stored)
        if not path.is_file():
            continue
        try:
            out[str(ref)] = whole_score(card, labels, read_submission(path))
        except (ValueError, KeyError):  # a file only DuckDB's reader understood, or a gap in it
            continue
    return out


def read_submission(path: Path) -> pd.DataFrame:
    """A kept submission (CSV, gzipped CSV or Parquet) as text columns."""
    import pandas as pd

    if path.suffix == ".parquet":
        return pd.read_parquet(path).astype(str)
    return pd.read_csv(path, dtype=str, keep_default_na=False, encoding="utf-8-sig")


def whole_score(card: Card, labels: pd.DataFrame, submission: pd.DataFrame) -> float:
    """The metric over every labelled row, the submission matched to the labels by id."""
    from harness import metrics
    from harness.metrics import Prediction
    from harness.scorer_check import as_label
    from harness.validation import BOOLEAN_CLASSES

    metric = metrics.get(card.metric)
    ctx = metrics.MetricContext.for_card(card)
    kind = metric.kind(ctx)
    submission = submission.rename(columns=lambda c: str(c).strip())
    by_id = submission.set_index(submission[card.id_column].str.strip().map(_canonical))
    keys = labels[card.id_column].map(as_label)
    rows = by_id.loc[keys]  # KeyError for an id the file lacks
    y: Any
    pred: Any
    if kind in (Prediction.VALUES, Prediction.PROBABILITIES):
        y = labels[list(card.target_columns)].map(as_label).to_numpy()
        pred = rows[list(card.target_columns)].astype(float).to_numpy()
    elif kind is Prediction.CLASS_PROBABILITIES:
        assert card.classes is not None
        y, pred = labels[card.target].map(as_label).to_numpy(), rows[list(card.classes)].astype(float)
    elif kind in (Prediction.PROBABILITY, Prediction.VALUE):
        y, pred = labels[card.target].map(as_label).to_numpy(), rows[card.target].astype(float).to_numpy()
        if kind is Prediction.VALUE:
            y = y.astype(float)
    elif kind is Prediction.TEXT:  # as written: relation_frame reads a missing value as the grader does
        y, pred = labels[card.target].to_numpy(dtype=object), rows[card.target].to_numpy(dtype=object)
    else:
        y = labels[card.target].map(as_label).to_numpy()
        pred = [_canonical(str(v).strip()) for v in rows[card.target]]
        if tuple(sorted(card.classes or ())) == BOOLEAN_CLASSES:
            booleans = {"true": "True", "1": "True", "false": "False", "0": "False"}
            pred = [booleans.get(v.lower(), v) for v in pred]
    return metrics.score_predictions(metric, y, pred, ctx)


def _canonical(text: str) -> str:
    """An id or label as scoring reads it: whole numbers without a decimal point."""
    if not NUMBER.fullmatch(text.strip()):  # float() would also take "1_000", "inf" or "nan"
        return text
    number = float(text)
    return str(int(number)) if number.is_integer() and abs(number) < 9e15 else text
