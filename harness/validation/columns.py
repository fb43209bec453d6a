"""The file's header against the rules: which file column is which rule column, and what is wrong
with the rest (a missing header, another separator, repeated, missing or extra columns), each with
what to do.
"""

from __future__ import annotations

import re

from harness.errors import SubmissionRejected
from harness.metrics import Prediction
from harness.validation.reading import RawFile
from harness.validation.rules import EXAMPLES, SubmissionRules, problems_text


def match_columns(raw: RawFile, rules: SubmissionRules) -> tuple[dict[str, str], list[str]]:
    """Map each rule column the file has to its file column, and list the column problems.

    Rejects at once a file without a header or with another separator (no column can be right).
    """
    cleaned = {c.strip().lstrip("\ufeff").strip(): c for c in raw.columns if c not in raw.repeated}
    expected = rules.names
    missing = [c for c in expected if c not in cleaned]
    extra = [c for c in cleaned if c not in expected]
    header = ",".join(expected)
    if missing and len(missing) == len(expected) and all(_looks_like_value(c, rules) for c in cleaned):
        first = ", ".join(map(repr, list(cleaned)[:EXAMPLES]))
        raise SubmissionRejected(
            problems_text(
                [
                    f"the file has no header: its first line ({first}) holds values, not column "
                    f"names. Add the header line `{header}` at the top."
                ],
                rules,
            )
        )
    if len(raw.columns) == 1 and len(expected) > 1:
        from harness.csvlines import separator_problem

        # The one problem: read with commas, no column is right. (Every row read as one field: no
        # decimal commas, or read_csv would have failed, see `csvlines`.)
        separated = separator_problem(raw.columns[0], decimal_comma=False)
        if separated is not None:
            raise SubmissionRejected(problems_text([separated + "."], rules))
    problems = []
    if raw.repeated:
        problems.append(_repeats_problem(raw))
    if rules.id_column in missing:
        problems.append(
            f"the id column {rules.id_column!r} is missing; add a column named {rules.id_column!r} "
            "holding the test ids from test.csv (in any column order; first is usual)."
        )
    missing_predictions = [c for c in missing if c != rules.id_column]
    if missing_predictions:
        problem, explained = _missing_predictions(missing_predictions, extra, rules)
        problems.append(problem)
        extra = [name for name in extra if name not in explained]
    if extra:
        hints = [
            f"{name!r} ({_extra_hint(name, missing, raw.columns, cleaned)})" for name in extra[:EXAMPLES]
        ]
        count = len(extra)
        problems.append(
            f"{count} {'column is' if count == 1 else 'columns are'} not part of a submission: "
            f"{', '.join(hints)}{' …' if count > EXAMPLES else ''}."
        )
    return {name: cleaned[name] for name in expected if name in cleaned}, problems


def _missing_predictions(
    missing: list[str], extra: list[str], rules: SubmissionRules
) -> tuple[str, list[str]]:
    """The problem of the missing prediction columns, and the extra columns it accounts for.

    Class probabilities in place of the expected columns (predict_proba's numbered columns, a label
    column where one probability per class is scored, or two where one is) get the fix.
    """
    count = len(missing)
    hint, explained = "", []
    numbered = [c for c in extra if c.isdigit()]
    if rules.prediction == Prediction.CLASS_PROBABILITIES.value and count == len(rules.prediction_rules):
        if len(numbered) == count:
            explained = numbered
            hint = (
                f" The columns {', '.join(numbered)} look like predict_proba's: name each after its "
                "class (scikit-learn orders them as `model.classes_`)."
            )
        elif len(extra) == 1:
            explained = extra
            hint = (
                f" Instead of one column of predicted labels ({extra[0]!r}), give one probability "
                "per class, one column each (scikit-learn: `predict_proba`)."
            )
    misnamed = {_loose(c) for c in rules.names} & {_loose(c) for c in extra}  # `ID` for `id`: not a class
    if rules.prediction == Prediction.PROBABILITY.value and len(extra) == 2 and not misnamed:
        explained = extra
        hint = (
            f" Instead of a probability per class ({extra[0]!r}, {extra[1]!r}), give one column: "
            "the probability of the positive class (scikit-learn: `predict_proba(X)[:, 1]`)."
        )
    problem = (
        f"{count} prediction {'column is' if count == 1 else 'columns are'} missing: "
        f"{', '.join(map(repr, missing[:EXAMPLES]))}{' …' if count > EXAMPLES else ''}.{hint}"
    )
    return problem, explained


def _repeats_problem(raw: RawFile) -> str:
    """The problem of a header that names a column more than once (in one case or in several)."""
    groups: dict[str, list[str]] = {}
    for column in raw.columns:
        name = raw.repeated.get(column, column)
        groups.setdefault(name.casefold(), []).append(name)
    shown = []
    for names in (g for g in groups.values() if len(g) > 1):
        if len(set(names)) == 1:
            shown.append(f"{names[0]!r} ({len(names)} times)")
        else:
            shown.append(" and ".join(map(repr, dict.fromkeys(names))) + " (one name, but for case)")
    return (
        f"the header repeats a column name: {', '.join(shown[:EXAMPLES])}; keep one column of each "
        "name (names are compared without case here)."
    )


def _loose(name: str) -> str:
    """A column name as a person might mean it: any case, without quotes or spaces around it."""
    return name.strip().strip("'\"").strip().casefold()


def _extra_hint(name: str, missing: list[str], read: tuple[str, ...], cleaned: dict[str, str]) -> str:
    """What to do about a column that is not part of a submission (`read`: the file's own names)."""
    import difflib

    close = [c for c in missing if c.lower() == name.lower()]
    if close:
        return f"rename it {close[0]!r}: names are case-sensitive"
    quoted = [c for c in missing if _loose(c) == _loose(name)]
    if quoted:  # 'id' in single quotes: CSV quotes with double quotes only
        return f"rename it {quoted[0]!r}: a CSV quotes a name with double quotes, if at all"
    near = difflib.get_close_matches(name, missing, n=1, cutoff=0.75)
    if near:
        return f"a misspelling of {near[0]!r}? rename it"
    if _unnamed(name) and cleaned[name] == read[-1] and len(read) > 1:
        return "a column without a name at the end: does each line end with a comma?"
    if _unnamed(name):
        return "a column without a name: pandas' index? use to_csv(index=False)"
    if re.fullmatch(r"__index_level_\d+__", name):
        return "pandas' index: use to_parquet(index=False)"
    return "drop it"


def _unnamed(name: str) -> bool:
    """DuckDB's name for an empty header cell (column0, column1, …), or pandas' 'Unnamed: 0'."""
    return (name.startswith("column") and name[6:].isdigit()) or name.startswith("Unnamed:")


def _looks_like_value(text: str, rules: SubmissionRules) -> bool:
    if _unnamed(text):
        return True
    try:
        float(text)
        return True
    except ValueError:
        pass
    allowed = {v for r in rules.prediction_rules for v in (r.allowed or ())}
    return text in allowed
