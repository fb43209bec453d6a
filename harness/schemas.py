"""A competition's pandera models (`competitions/<slug>/schema.py`) and how their verdicts read.

`schema.py` defines three `pandera.pandas.DataFrameModel` classes: `Train` (features and target),
`Test` (features only) and `Submission` (the id and the prediction columns). They describe the data
and are the source of the submission rules.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from harness.competition import Card, load_module
from harness.errors import CompetitionFolderError, SchemaViolation

if TYPE_CHECKING:
    import pandas as pd

MODELS = ("Train", "Test", "Submission")
EXAMPLES = 5


def load_models(card: Card) -> dict[str, Any]:
    """The `Train`, `Test` and `Submission` models of a competition, by name."""
    module = load_module(card, "schema")
    missing = [name for name in MODELS if not hasattr(module, name)]
    if missing:
        raise CompetitionFolderError(
            f"{card.folder / 'schema.py'} defines no {', '.join(missing)}; it must define "
            f"pandera models named {', '.join(MODELS)}."
        )
    return {name: getattr(module, name) for name in MODELS}


def validate(model: Any, frame: pd.DataFrame, what: str) -> pd.DataFrame:
    """Validate `frame` against a pandera model, all checks at once.

    Raises SchemaViolation naming each failing column and check, with counts and example rows.
    """
    import pandera.errors

    try:
        return model.validate(frame, lazy=True)
    except pandera.errors.SchemaErrors as exc:
        raise SchemaViolation(
            f"{what} does not match its schema:\n{describe_failures(exc.failure_cases)}"
        ) from None
    except pandera.errors.SchemaError as exc:
        raise SchemaViolation(f"{what} does not match its schema: {exc}") from None


def describe_failures(cases: pd.DataFrame) -> str:
    """One line per (column, check): how many rows fail and a few of them."""
    lines = []
    cases = cases.assign(column=cases["column"].fillna("(frame)"))
    for (column, check), group in cases.groupby(["column", "check"], sort=True, dropna=False):
        examples = []
        for _, row in group.head(EXAMPLES).iterrows():
            where = "" if row["index"] is None or str(row["index"]) == "nan" else f"row {row['index']}: "
            examples.append(f"{where}{row['failure_case']!r}")
        lines.append(
            f"  - column {column!r}, check {check}: {len(group)} failing, e.g. {'; '.join(examples)}"
        )
    return "\n".join(lines)
