"""Running the checks: every rule over the file's table, and its ids against the hidden labels.

The raw text table is typed once (row number, id key, each prediction as text, number and null
flag) and each row check is a condition over it (`conditions`), all counted in one scan; the ids'
problems (repeated, unknown, missing) and repeated values of unique columns are queried apart.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, NamedTuple

from harness.errors import SubmissionRejected
from harness.store import quote_identifier as q
from harness.validation.columns import match_columns
from harness.validation.conditions import row_conditions
from harness.validation.reading import RawFile
from harness.validation.rules import EXAMPLES, SubmissionRules, problems_text
from harness.validation.sql import as_written, id_key, label_types, null_sql, used_parameters

if TYPE_CHECKING:
    import duckdb


class Checked(NamedTuple):
    """A file that passed every check, as the typed table `table` (see `check`)."""

    raw: RawFile
    table: str
    rows: int
    columns: dict[str, tuple[str, str | None]]  # rule column -> (text column, number column or None)
    label_key: str  # SQL over `labels AS l` giving the id matched against the table's `id_key`


TYPED_TABLE = "submission_typed"


def check(
    con: duckdb.DuckDBPyConnection, raw: RawFile, rules: SubmissionRules, *, ids_paired: bool = False
) -> Checked:
    """Run every rule over the file's table, and its ids against the hidden labels.

    The raw text table is typed once into `submission_typed` (row number, id as text and as the
    key it is matched on, each prediction as trimmed text, as a number, and whether it is null), so
    each check is a cheap condition. Raises SubmissionRejected listing every problem found.
    `ids_paired` says the caller has found every row's id to be a distinct label's, and every
    label's id in a row (scoring's fast path): the id checks are skipped, as they would pass.
    """
    names, column_problems = match_columns(raw, rules)
    if raw.rows == 0:
        raise SubmissionRejected(
            problems_text(
                [*column_problems, "the file has a header but no rows; write one row per id of test.csv."],
                rules,
            )
        )
    key, label_key = id_key(rules, label_types(con)[rules.id_column], "id_text")
    if column_problems:
        # The columns are wrong, but the ids say whether it is the right file at all (train.csv has
        # other columns and none of test.csv's ids): one message gives both.
        if rules.id_column in names:
            ids = (
                f"(SELECT rowid + 1 AS row, nullif(trim({q(names[rules.id_column])}), '') "
                f"AS id_text FROM {q(raw.table)})"
            )
            column_problems += _id_problems(
                con, f"(SELECT row, id_text, {key} AS id_key FROM {ids})", label_key
            )
        raise SubmissionRejected(problems_text(column_problems, rules))
    id_raw = q(names[rules.id_column])

    columns: dict[str, tuple[str, str | None]] = {}
    inner = ["rowid + 1 AS row", f"nullif(trim({id_raw}), '') AS id_text"]
    outer = ["row", "id_text", f"{key} AS id_key"]
    for i, rule in enumerate(rules.prediction_rules):
        text, num = f"t_{i}", (f"n_{i}" if rule.numeric else None)
        inner.append(f"{as_written(rules, f'trim({q(names[rule.name])})', q(names[rule.name]))} AS {text}")
        outer += [text, f"{null_sql(text)} AS z_{i}"]
        if num is not None:
            outer.append(f"TRY_CAST({text} AS DOUBLE) AS {num}")
        columns[rule.name] = (text, num)
    table = q(TYPED_TABLE)
    con.execute(
        f"CREATE OR REPLACE TEMP TABLE {table} AS SELECT {', '.join(outer)} "
        f"FROM (SELECT {', '.join(inner)} FROM {q(raw.table)})"
    )

    params: dict[str, Any] = {}  # the rules' values (bounds, allowed labels), as named parameters
    conditions = row_conditions(rules, columns, params)
    problems: list[str] = []
    counts_sql = ", ".join(f"count(*) FILTER (WHERE {cond})" for _, cond, _ in conditions)
    counts = con.execute(f"SELECT {counts_sql} FROM {table}", params or None).fetchall()[0]
    for (text, cond, shown), count in zip(conditions, counts, strict=True):
        if count:
            rows = con.execute(
                f"SELECT row, id_text, CAST({shown} AS VARCHAR) FROM {table} "
                f"WHERE {cond} ORDER BY row LIMIT {EXAMPLES}",
                used_parameters(params, cond),
            ).fetchall()
            examples = "; ".join(_example(r, i, v) for r, i, v in rows)
            problems.append(f"{count} {_singular(text) if count == 1 else text}. E.g. {examples}.")
    if not ids_paired:
        problems += _id_problems(con, table, label_key)
    for rule in rules.prediction_rules:
        if rule.unique:
            col = columns[rule.name][0]
            dupes = con.execute(
                f"SELECT count(*) OVER (), v FROM (SELECT {col} AS v FROM {table} "
                f"GROUP BY v HAVING count(*) > 1) ORDER BY v LIMIT {EXAMPLES}"
            ).fetchall()
            if dupes:
                problems.append(
                    f"{dupes[0][0]} values of column {rule.name!r} appear more than once, e.g. "
                    f"{', '.join(repr(v) for _, v in dupes)}; the column must hold distinct values."
                )
    if problems:
        raise SubmissionRejected(problems_text(problems, rules))
    return Checked(raw, TYPED_TABLE, raw.rows, columns, label_key)


def _id_problems(con: duckdb.DuckDBPyConnection, table: str, label_key: str) -> list[str]:
    """The file's repeated ids, its ids that are not the test set's, and the test set's it lacks.

    `table` (a table or a parenthesised query) gives `row` (its number in the file), `id_text` and
    `id_key`; `label_key` is what `id_key` is compared with, over `labels AS l`. The examples of the
    file's ids come in the file's order, those of the labels' in the labels'.
    """
    problems = []
    duplicates = con.execute(
        f"SELECT count(*) OVER (), k, n FROM (SELECT any_value(id_text ORDER BY row) AS k, count(*) AS n, "
        f"min(row) AS first FROM {table} WHERE id_key IS NOT NULL GROUP BY id_key HAVING count(*) > 1) "
        f"ORDER BY first LIMIT {EXAMPLES}"
    ).fetchall()
    if duplicates:
        examples = ", ".join(f"{k} ({n} times)" for _, k, n in duplicates)
        count = duplicates[0][0]
        problems.append(
            f"{count} {'id appears' if count == 1 else 'ids appear'} more than once, e.g. {examples}. "
            "Keep one row per id."
        )
    unknown = con.execute(
        f"SELECT count(*) OVER (), k FROM (SELECT id_text AS k, min(row) AS first FROM {table} AS t "
        f"WHERE id_text IS NOT NULL AND NOT EXISTS (SELECT 1 FROM labels AS l WHERE {label_key} = t.id_key) "
        f"GROUP BY id_text) ORDER BY first LIMIT {EXAMPLES}"
    ).fetchall()
    if unknown:
        examples = ", ".join(str(k) for _, k in unknown)
        count = unknown[0][0]
        problems.append(
            f"{count} {'id is' if count == 1 else 'ids are'} not in the test set, e.g. {examples}. "
            "Predict only the ids of test.csv."
        )
    missing = con.execute(
        f"SELECT count(*) OVER (), k FROM (SELECT {label_key} AS k, l.rowid AS first FROM labels AS l "
        f"WHERE NOT EXISTS (SELECT 1 FROM {table} AS t WHERE t.id_key = {label_key})) "
        f"ORDER BY first LIMIT {EXAMPLES}"
    ).fetchall()
    if missing:
        examples = ", ".join(str(k) for _, k in missing)
        count = missing[0][0]
        problems.append(
            f"{count} {'id' if count == 1 else 'ids'} of the test set {'has' if count == 1 else 'have'} "
            f"no row, e.g. {examples}. Predict every id of test.csv."
        )
    return problems


def _example(row: int, id_text: str | None, shown: str | None) -> str:
    """One example row of a problem: its number, its id and the value at fault."""
    where = f"row {row} ({'no id' if id_text is None else f'id {id_text}'})"
    return where if shown is None else f"{where}: {shown!r}"


def _singular(text: str) -> str:
    """'rows have …' as 'row has …', for a count of one."""
    for many, one in (("rows have ", "row has "), ("rows give ", "row gives ")):
        if text.startswith(many):
            return one + text[len(many) :]
    return text
