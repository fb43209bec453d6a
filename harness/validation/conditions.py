"""The row checks as SQL conditions: for each problem a row can have, what is wrong and what to do,
the condition that finds it and the value shown in the examples. `check` counts them in one scan;
scoring's fast path ORs them into one `bad` flag.
"""

from __future__ import annotations

from typing import Any

from harness.metrics import Prediction
from harness.validation.rules import ColumnRule, SubmissionRules
from harness.validation.sql import label_sql


def row_conditions(
    rules: SubmissionRules, columns: dict[str, tuple[str, str | None]], params: dict[str, Any]
) -> list[tuple[str, str, str]]:
    """(what is wrong and what to do, condition, value shown in the examples) for every row check.

    The conditions are over a relation with `id_text`, and per prediction column i its trimmed text
    (`columns[name][0]`), its number (`columns[name][1]`) and its null flag `z_i`.
    """
    conditions: list[tuple[str, str, str]] = [
        (
            f"rows have no id in {rules.id_column!r}; give every row the id of its test row",
            "id_text IS NULL",
            "NULL",  # the row number says it all
        )
    ]
    # Class labels where the probability of the positive class is scored (text labels; 0/1 labels
    # are numbers, scored, and warned about afterwards: see `harness.advice`).
    labels = rules.classes if rules.prediction == Prediction.PROBABILITY.value else None
    for i, rule in enumerate(rules.prediction_rules):
        text, num = columns[rule.name]
        conditions += _column_conditions(rule, text, num, f"z_{i}", f"p{i}", params, labels)
    if rules.prediction == Prediction.CLASS_PROBABILITIES.value:
        total = " + ".join(f"coalesce({columns[r.name][1]}, 0)" for r in rules.prediction_rules)
        conditions.append(
            (
                "rows give probability 0 to every class; each row's probabilities must have a "
                "positive sum (ideally 1)",
                f"({total}) = 0",
                "'all zero'",
            )
        )
        if rules.row_sum_tolerance is not None:  # the competition's own rule, as its grader's
            params["row_sum_tolerance"] = rules.row_sum_tolerance
            conditions.append(
                (
                    f"rows whose probabilities do not sum to 1 within {rules.row_sum_tolerance:g}, which "
                    "this competition requires; divide each row by its sum (pandas: "
                    "`probs.div(probs.sum(axis=1), axis=0)`)",
                    f"abs(({total}) - 1) > $row_sum_tolerance",
                    f"CAST(({total}) AS VARCHAR)",
                )
            )
    return conditions


def _column_conditions(
    rule: ColumnRule,
    text: str,
    num: str | None,
    null: str,
    prefix: str,
    params: dict[str, Any],
    labels: tuple[str, ...] | None = None,
) -> list[tuple[str, str, str]]:
    """(what is wrong, condition, shown value) for each check of one prediction column.

    The rule's values go into `params` under names starting with `prefix`. `labels` are the class
    labels of a column scored on the probability of the positive class (the last of them).
    """
    out: list[tuple[str, str, str]] = []
    name = repr(rule.name)
    if not rule.nullable:
        out.append(
            (
                f"rows have an empty, null or NaN value in column {name}; give a prediction for every row",
                null,
                f"coalesce({text}, 'NULL')",
            )
        )
    present = f"NOT {null}"
    # A column with a list of allowed values has one check for any other value, which names them;
    # text or infinity there would otherwise be reported twice for the same row.
    if num is not None:
        if rule.allowed is None:
            example = "3" if rule.kind == "integer" else "0.25"
            is_text = f"{present} AND {num} IS NULL"
            if labels:
                from harness.advice import labels_where_probability

                params[f"{prefix}_labels"] = list(labels)
                is_label = f"coalesce(list_contains(${prefix}_labels::VARCHAR[], {text}), false)"
                out.append((labels_where_probability(rule.name, labels), f"{is_text} AND {is_label}", text))
                is_text = f"{is_text} AND NOT {is_label}"
            out.append(
                (
                    f"rows have text where column {name} expects a number; "
                    f"write plain numbers such as {example}",
                    is_text,
                    text,
                )
            )
            out.append(
                (
                    f"rows have NaN or infinity in column {name}; predict a finite number for every row",
                    f"{present} AND (isnan({num}) OR isinf({num}))",
                    text,
                )
            )
        finite = f"{present} AND isfinite({num})"
        if rule.kind == "integer" and rule.allowed is None:
            out.append(
                (
                    f"rows have a fraction in column {name}, which expects whole numbers",
                    f"{finite} AND {num} <> round({num})",
                    text,
                )
            )
        bounds = []
        if rule.minimum is not None:
            params[f"{prefix}_min"] = float(rule.minimum)
            bounds.append(f"{num} {'<' if rule.minimum_inclusive else '<='} ${prefix}_min")
        if rule.maximum is not None:
            params[f"{prefix}_max"] = float(rule.maximum)
            bounds.append(f"{num} {'>' if rule.maximum_inclusive else '>='} ${prefix}_max")
        if bounds:
            low = "[" if rule.minimum_inclusive and rule.minimum is not None else "("
            high = "]" if rule.maximum_inclusive and rule.maximum is not None else ")"
            span = f"{low}{_num(rule.minimum, '-inf')}, {_num(rule.maximum, 'inf')}{high}"
            what = "probabilities" if (rule.minimum, rule.maximum) == (0.0, 1.0) else "values"
            out.append(
                (
                    f"rows have {what} outside {span} in column {name}; keep every value within it",
                    f"{finite} AND ({' OR '.join(bounds)})",
                    text,
                )
            )
    if rule.allowed is not None:
        params[f"{prefix}_allowed"] = list(rule.allowed)
        value = label_sql(text, num, rule.allowed)
        known = f"list_contains(${prefix}_allowed::VARCHAR[], {value})"
        kind = "class labels" if rule.allowed else "values"
        unknown = f"{present} AND ({value} IS NULL OR NOT {known})"
        if num is not None:  # probabilities where labels are scored
            fraction = f"coalesce({num} > 0 AND {num} < 1, false)"
            out.append(
                (
                    f"rows have probabilities in column {name}, which is scored on class labels "
                    f"({', '.join(rule.allowed)}); predict the labels themselves (scikit-learn: "
                    "`predict`, or threshold the probabilities)",
                    f"{unknown} AND {fraction}",
                    text,
                )
            )
            unknown = f"{unknown} AND NOT {fraction}"
        if num is not None and sorted(rule.allowed) == ["0", "1"]:  # booleans written as words
            # (the fast read has no text for a number column: NULL there, which must not count)
            boolean = f"coalesce(lower({text}) = 'true' OR lower({text}) = 'false', false)"
            out.append(
                (
                    f"rows have True or False in column {name}, whose labels are 0 and 1; write 1 "
                    "for True and 0 for False (pandas: `.astype(int)`)",
                    f"{present} AND {boolean}",
                    text,
                )
            )
            unknown = f"{unknown} AND NOT {boolean}"
        out.append(
            (
                f"rows have unknown {kind} in column {name}; the allowed values are "
                f"{', '.join(rule.allowed)}",
                unknown,
                text,
            )
        )
    return out


def _num(value: float | None, default: str) -> str:
    return default if value is None else f"{value:g}"
