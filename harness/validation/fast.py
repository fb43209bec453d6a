"""Scoring's fast read of a clean file: typed columns (numbers as DOUBLE) and a per-row `bad` flag
built from the same row conditions as `check`, with ids keyed as `check` keys them. It vouches only
for files it reads exactly as `check` would; any doubt sends the file through `read_file` and `check`.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any, NamedTuple

from harness.store import quote_identifier as q
from harness.validation.conditions import row_conditions
from harness.validation.reading import CSV_OPTIONS, sniff
from harness.validation.rules import SubmissionRules
from harness.validation.sql import as_written, id_key, is_integer_type, label_types, literal, null_sql

if TYPE_CHECKING:
    import duckdb


class FastRead(NamedTuple):
    """A file read with its columns' own types, for the fast path of scoring (see `fast_read`).

    `sql` is a SELECT over the file giving `id_key` and, per prediction column i, `t_i` (trimmed
    text, NULL for a column read as a number), `z_i` (missing) and `n_i` (the number, for a numeric
    column); `columns` maps each rule column to its (text, number) names, as `Checked.columns` does.
    `bad` is a condition over those columns: the row fails a check of `check`. `params` holds the
    named parameters of both.
    """

    sql: str
    params: dict[str, Any]
    bad: str
    columns: dict[str, tuple[str, str | None]]
    label_key: str
    format: str


_PARQUET_INTEGERS = (
    "TINYINT",
    "SMALLINT",
    "INTEGER",
    "BIGINT",
    "UTINYINT",
    "USMALLINT",
    "UINTEGER",
    "UBIGINT",
)
MAX_FAST_ID = 1e15  # integer ids read as DOUBLE are exact (and read as `check` reads them) below this


def fast_read(con: duckdb.DuckDBPyConnection, path: Path, rules: SubmissionRules) -> FastRead | None:
    """The file as typed SQL, or None when only `read_file` + `check` can judge it.

    Nothing is read but the header (or the Parquet schema): the SQL reads the file when it runs. A
    CSV's numeric columns are read as DOUBLE (an integer id too: a whole number below
    `MAX_FAST_ID` is the key `check` gives it), text columns as VARCHAR; a Parquet file's integer
    ids and DOUBLE predictions keep their types, and any other column goes through its text as in
    `check`. The values that `check` accepts come out equal; a file the typed read cannot read, or a
    row `bad` flags, must go to `read_file` + `check`, which names the problem. Raises
    SubmissionRejected only for what `sniff` rejects.
    """
    from harness import engine

    sniffed = sniff(path)
    fmt = sniffed.format
    if any(rule.unique for rule in rules.prediction_rules):
        return None
    params: dict[str, Any] = {"path": str(path)}
    try:
        if fmt == "parquet":
            described = con.execute("DESCRIBE SELECT * FROM read_parquet($path)", params).fetchall()
            types = {str(r[0]): str(r[1]) for r in described}
            names = [str(r[0]) for r in described]
        else:
            params = sniffed.csv_params(path)
            if sniffed.header is not None:
                names = list(sniffed.header)
            else:
                described = con.execute(
                    f"SELECT * FROM read_csv($path, all_varchar = true, {CSV_OPTIONS}) LIMIT 0", params
                ).description
                names = [str(d[0]) for d in described or []]
            types = {}
    except engine.Error:
        return None
    if len(names) != len(rules.names) or set(names) != set(rules.names):
        return None
    id_type = label_types(con)[rules.id_column]
    integer_key = rules.id_rule.numeric and is_integer_type(id_type)
    id_col = q(rules.id_column)
    inner, outer = [], []
    if integer_key and fmt != "parquet":
        types[rules.id_column] = "DOUBLE"
        inner.append(f"{id_col} AS id_num")
        whole = f"isfinite(id_num) AND id_num = round(id_num) AND abs(id_num) < {MAX_FAST_ID:.0f}"
        outer.append(f"CASE WHEN {whole} THEN CAST(id_num AS BIGINT) END AS id_key")
    elif integer_key and types[rules.id_column] in _PARQUET_INTEGERS:
        inner.append(f"TRY_CAST({id_col} AS BIGINT) AS id_key")
        outer.append("id_key")
    else:
        types.setdefault(rules.id_column, "VARCHAR")
        key, _ = id_key(rules, id_type, "id_text")
        inner.append(f"nullif(trim(CAST({id_col} AS VARCHAR)), '') AS id_text")
        outer.append(f"{key} AS id_key")
    columns: dict[str, tuple[str, str | None]] = {}
    for i, rule in enumerate(rules.prediction_rules):
        col, text, num = q(rule.name), f"t_{i}", (f"n_{i}" if rule.numeric else None)
        if num is not None and (fmt != "parquet" or types[rule.name] == "DOUBLE"):
            types[rule.name] = "DOUBLE"
            inner.append(f"{col} AS {num}")
            outer += [f"CAST(NULL AS VARCHAR) AS {text}", f"({num} IS NULL OR isnan({num})) AS z_{i}", num]
        else:
            types.setdefault(rule.name, "VARCHAR")
            cast = f"CAST({col} AS VARCHAR)"
            inner.append(f"{as_written(rules, f'trim({cast})', cast)} AS {text}")
            outer += [text, f"{null_sql(text)} AS z_{i}"]
            if num is not None:
                outer.append(f"TRY_CAST({text} AS DOUBLE) AS {num}")
        columns[rule.name] = (text, num)
    if fmt == "parquet":
        source = "read_parquet($path)"
    else:
        struct = ", ".join(f"{literal(n)}: {literal(types[n])}" for n in names)
        # The names and types are given: read_csv need not sniff the file (a few ms even for a small
        # one). A file that does not read so fails the statement, and goes to `check`.
        source = f"read_csv($path, {CSV_OPTIONS}, columns = {{{struct}}}, auto_detect = false)"
    conditions = row_conditions(rules, columns, params)[1:]  # a row without an id has no id_key
    bad = " OR ".join(f"({cond})" for _, cond, _ in conditions) or "false"
    sql = f"SELECT {', '.join(outer)} FROM (SELECT {', '.join(inner)} FROM {source})"
    _, label_key = id_key(rules, id_type, "id_text")
    return FastRead(sql, params, bad, columns, label_key, fmt)
