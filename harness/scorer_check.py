"""Whether a competition's scorer scores what its metric says: two checks of `compete check`.

    perfect-score   a submission built from the hidden labels themselves gets the metric's best value
                    on the public and the private rows
    sample-formula  sample_submission.csv (usually a constant) scores what the metric's reference
                    formula (scikit-learn or plain Python) gives on the same labels, on both boards

A scorer that reads the labels wrongly (True/False stored as booleans and compared as other text, a
class spelt differently in the labels and in the card) scores every file badly and fails both. The
checks read the store through `session.open_competition`; nothing is recorded in the ledger.
"""

from __future__ import annotations

import math
import re
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from harness.workspace import Workspace

if TYPE_CHECKING:
    import pandas as pd

    from harness.competition import Card

TOLERANCE = 1e-9
NUMBER = re.compile(r"[+-]?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?")  # a plain decimal number, as text


class ScorerMismatch(Exception):
    """The scorer gave another number than the metric says; the message names both."""


@dataclass(frozen=True)
class BoardScores:
    """A file's public and private scores, as the scorer gave them and as the formula says."""

    public: float
    private: float
    expected_public: float | None
    expected_private: float | None


def as_label(value: Any) -> str:
    """A stored target value as the card's classes write it: 1 and 1.0 are '1', True is 'True'."""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def perfect_frame(card: Card, labels: pd.DataFrame) -> pd.DataFrame:
    """The submission that predicts every hidden label exactly, in the columns the metric scores."""
    import pandas as pd

    from harness import metrics
    from harness.metrics import Prediction

    kind = metrics.prediction_for(card)
    target = labels[card.target]
    text = target.map(as_label)
    out = pd.DataFrame({card.id_column: labels[card.id_column]})
    if kind is Prediction.CLASS_PROBABILITIES:
        assert card.classes is not None
        for label in card.classes:
            out[label] = (text == label).astype(float)
    elif kind is Prediction.PROBABILITY:
        positive = metrics.MetricContext.for_card(card).positive
        out[card.target] = (text == positive).astype(float)
    elif kind is Prediction.VALUE:
        out[card.target] = target.astype(float)
    elif kind is Prediction.VALUES:
        for column in card.target_columns:
            out[column] = labels[column].astype(float)
    elif kind is Prediction.PROBABILITIES:
        positive = metrics.MetricContext.for_card(card).positive
        for column in card.target_columns:
            out[column] = (labels[column].map(as_label) == positive).astype(float)
    else:
        out[card.target] = text
    return out


def check_perfect(ws: Workspace, slug: str) -> str:
    """The perfect submission scores the metric's best value on both boards; else ScorerMismatch."""
    from harness import metrics, scoring, vault
    from harness.session import open_competition

    with open_competition(ws, slug, write=True) as session:
        card = session.card
        metric = metrics.get(card.metric)
        labels = vault.labels_frame(session.store)
        with tempfile.TemporaryDirectory(prefix="compete-perfect-") as tmp:
            path = Path(tmp) / "perfect.csv"
            perfect_frame(card, labels).to_csv(path, index=False)
            score = scoring.score_file(session.store, card, path)
    wrong = [
        f"{board} {value!r}"
        for board, value in (("public", score.public), ("private", score.private))
        if not (value == value and math.isclose(value, metric.best, rel_tol=0, abs_tol=1e-6))
    ]
    if wrong:
        raise ScorerMismatch(
            f"a submission of the hidden labels themselves scores {', '.join(wrong)}, not {card.metric}'s "
            f"best ({metric.best:g}): the scorer does not read the labels as the submissions write them "
            f"(compare the classes in the card, {list(card.classes or ())}, with the labels' values)."
        )
    best = f"{metric.best:g} ({card.metric}'s best)"
    return f"the hidden labels submitted as predictions score {best} on both boards"


def check_sample(ws: Workspace, slug: str) -> str:
    """sample_submission.csv scores what the metric's reference formula gives; else ScorerMismatch."""
    from harness import scoring, vault
    from harness.session import open_competition

    with open_competition(ws, slug, write=True) as session:
        card = session.card
        path = ws.data_dir(slug) / "sample_submission.csv"
        score = scoring.score_file(session.store, card, path)
        labels = vault.labels_frame(session.store)
    constant = _constant(card, path)
    expected = reference_scores(card, labels, path, constant=constant is not None)
    got = {"public": score.public, "private": score.private}
    wrong = [
        f"{board} {got[board]!r} where the formula gives {want!r}"
        for board, want in expected.items()
        if want is not None and not math.isclose(got[board], want, rel_tol=0, abs_tol=TOLERANCE)
    ]
    if wrong:
        raise ScorerMismatch(
            f"sample_submission.csv scores {'; '.join(wrong)} ({card.metric}): the scorer and the "
            "metric's formula disagree on these labels."
        )
    shown = ", ".join(f"{board} {got[board]:.6g}" for board in got)
    what = f"a constant {constant}" if constant is not None else "its predictions"
    return f"sample_submission.csv ({what}) scores {shown} ({card.metric}), as the formula says"


def reference_scores(
    card: Card, labels: pd.DataFrame, path: Path, *, constant: bool = False
) -> dict[str, float | None]:
    """The metric's reference value of the file at `path` on each board (None where it is undefined).

    `constant`: the file predicts one constant (per column), so the metric's closed form for a
    constant serves where it has one (no scikit-learn to load)."""
    import pandas as pd

    from harness import metrics, vault
    from harness.metrics import Prediction
    from harness.validation import BOOLEAN_CLASSES

    metric = metrics.get(card.metric)
    ctx = metrics.MetricContext.for_card(card)
    kind = metric.kind(ctx)
    sample = pd.read_csv(path, dtype=str, keep_default_na=False)
    sample[card.id_column] = sample[card.id_column].str.strip()
    sample = sample.add_prefix("pred:")  # the file's columns, apart from the truth's

    def predicted(columns: Any) -> list[str]:
        return [f"pred:{c}" for c in columns]

    truth = {f"truth:{j}": labels[c].map(as_label) for j, c in enumerate(card.target_columns)}
    joined = pd.DataFrame({"key": labels[card.id_column].map(as_label), **truth, "usage": labels["usage"]})
    joined = joined.merge(sample, left_on="key", right_on=f"pred:{card.id_column}", how="left")
    out: dict[str, float | None] = {}
    for board, usage in (("public", vault.PUBLIC), ("private", vault.PRIVATE)):
        part = joined[joined["usage"] == usage]
        several = list(truth)
        y: Any = part["truth:0"].to_numpy()
        if kind is Prediction.VALUES:
            y = part[several].astype(float).to_numpy()
            pred: Any = part[predicted(card.target_columns)].astype(float).to_numpy()
        elif kind is Prediction.PROBABILITIES:
            y = (part[several] == ctx.positive).astype(int).to_numpy()
            pred = part[predicted(card.target_columns)].astype(float).to_numpy()
        elif kind is Prediction.CLASS_PROBABILITIES:
            assert card.classes is not None
            pred = part[predicted(card.classes)].astype(float).to_numpy()
        elif kind is Prediction.PROBABILITY:
            y = (part["truth:0"] == ctx.positive).astype(int).to_numpy()
            pred = part[f"pred:{card.target}"].astype(float).to_numpy()
        elif kind is Prediction.VALUE:
            y = part["truth:0"].astype(float).to_numpy()
            pred = part[f"pred:{card.target}"].astype(float).to_numpy()
        elif kind is Prediction.TEXT:  # free text as written, a missing value as the grader reads it
            from harness.open_label import answer_text

            y = [answer_text(v) for v in part["truth:0"]]
            pred = [answer_text(v) for v in part[f"pred:{card.target}"]]
        else:
            pred = part[f"pred:{card.target}"].map(_canonical_label).to_numpy()
            if tuple(sorted(card.classes or ())) == BOOLEAN_CLASSES:
                pred = [_BOOLEANS.get(str(v).lower(), v) for v in pred]
        try:
            formula = (constant and metric.constant_reference) or metric.reference
            value = float(formula(y, pred, ctx))
        except ValueError:  # undefined on these rows (one class only, ...)
            value = float("nan")
        out[board] = None if value != value else value
    return out


_BOOLEANS = {"true": "True", "1": "True", "false": "False", "0": "False"}


def _canonical_label(value: str) -> str:
    """A predicted label as scoring reads it: whole numbers without a decimal point."""
    if not NUMBER.fullmatch(value.strip()):  # float() would also take "1_000", "inf" or "nan"
        return value
    number = float(value)
    return str(int(number)) if number.is_integer() and abs(number) < 9e15 else value


def _constant(card: Card, path: Path) -> str | None:
    """The one value every prediction of the sample holds, None when they differ."""
    import pandas as pd

    sample = pd.read_csv(path, dtype=str, keep_default_na=False).drop(columns=[card.id_column])
    distinct = sample.drop_duplicates()
    if len(distinct) != 1:
        return None
    values = list(distinct.iloc[0])
    return values[0] if len(values) == 1 else "row"
