"""Values as SQL: a stored or submitted value in canonical text, a class label as the card spells
it, the key an id is matched on, what counts as missing, and the named parameters a query uses.
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING, Any

from harness.store import quote_identifier as q
from harness.validation.rules import SubmissionRules

if TYPE_CHECKING:
    import duckdb

NULL_TOKENS = ("", "na", "n/a", "nan", "null", "none")


def used_parameters(params: dict[str, Any], sql: str) -> dict[str, Any] | None:
    """The named parameters that `sql` uses (DuckDB refuses any other), or None for none."""
    used = {k: v for k, v in params.items() if re.search(rf"\${re.escape(k)}\b", sql)}
    return used or None


def literal(text: str) -> str:
    """`text` as an SQL string literal."""
    return "'" + text.replace("'", "''") + "'"


def id_key(rules: SubmissionRules, id_type: str, id_text: str) -> tuple[str, str]:
    """(SQL of the key an id is matched on, from its trimmed text `id_text`; the labels' side, over `l`).

    Integer ids are matched as BIGINT (a whole number written as 7.0 or 7e0 matches 7); other ids
    as canonical text.
    """
    number = f"TRY_CAST({id_text} AS DOUBLE)"
    if rules.id_rule.numeric and is_integer_type(id_type):
        whole = f"isfinite({number}) AND {number} = round({number})"
        return f"CASE WHEN {whole} THEN TRY_CAST({id_text} AS BIGINT) END", f"l.{q(rules.id_column)}"
    label_key = text_sql(f"l.{q(rules.id_column)}", id_type)
    if not rules.id_rule.numeric:
        return id_text, label_key
    return f"coalesce({canonical_sql(id_text, number)}, {id_text})", label_key


def as_written(rules: SubmissionRules, trimmed: str, raw: str) -> str:
    """A prediction column's text as it is checked and scored: trimmed, except free text (an open-label
    task's), which is compared as written, spaces and all."""
    from harness.metrics import Prediction

    return raw if rules.prediction == Prediction.TEXT.value else trimmed


def null_sql(text: str) -> str:
    """Whether a trimmed text value counts as missing (empty, or a null token such as NA or NaN)."""
    # Equalities, not IN: DuckDB plans an IN list of this size (or list_contains over a constant list)
    # as a join, which does not keep the rows' order, and matching by position reads the file in order.
    tokens = " OR ".join(f"lower({text}) = '{t}'" for t in NULL_TOKENS)
    return f"({text} IS NULL OR {tokens})"


def label_types(con: duckdb.DuckDBPyConnection) -> dict[str, str]:
    return {str(r[0]): str(r[1]) for r in con.execute("DESCRIBE labels").fetchall()}


_INTEGER_TYPES = ("TINYINT", "SMALLINT", "INTEGER", "BIGINT", "UTINYINT", "USMALLINT", "UINTEGER")
_FLOAT_TYPES = ("FLOAT", "DOUBLE", "REAL")


def is_integer_type(sql_type: str) -> bool:
    return sql_type.upper() in _INTEGER_TYPES


def text_sql(expr: str, sql_type: str) -> str:
    """A stored value as canonical text: integers (even when stored as floats) without a decimal point."""
    base = sql_type.upper()
    if base == "BOOLEAN":  # as Python and pandas spell them, which is how a card lists the classes
        return f"CASE WHEN {expr} THEN 'True' WHEN NOT {expr} THEN 'False' END"
    if base in _FLOAT_TYPES or base.startswith("DECIMAL"):
        return (
            f"CASE WHEN {expr} = round({expr}) AND abs({expr}) < 9e15 "
            f"THEN CAST(CAST({expr} AS BIGINT) AS VARCHAR) ELSE CAST({expr} AS VARCHAR) END"
        )
    return f"CAST({expr} AS VARCHAR)"


def canonical_sql(text: str, num: str | None) -> str:
    """A value in canonical text form: whole numbers without a decimal point, other text as is.

    `num` is the value as DOUBLE for a numeric column (None for a text column).
    """
    if num is None:
        return text
    return (
        f"CASE WHEN {num} IS NULL OR NOT isfinite({num}) THEN NULL "
        f"WHEN {num} = round({num}) AND abs({num}) < 9e15 "
        f"THEN CAST(CAST({num} AS BIGINT) AS VARCHAR) ELSE CAST({num} AS VARCHAR) END"
    )


BOOLEAN_CLASSES = ("False", "True")


def label_sql(text: str, num: str | None, classes: tuple[str, ...] | None) -> str:
    """A predicted class label in the spelling of `classes`.

    Labels True and False are read as pandas reads them: any case, or 1 and 0, is the same class.
    """
    value = canonical_sql(text, num)
    if classes is None or tuple(sorted(classes)) != BOOLEAN_CLASSES:
        return value
    return (
        f"CASE WHEN lower({value}) IN ('true', '1') THEN 'True' "
        f"WHEN lower({value}) IN ('false', '0') THEN 'False' ELSE {value} END"
    )
