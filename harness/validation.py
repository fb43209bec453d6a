"""Submission checks: is this file a well-formed answer to this competition's test set?

The rules come from the competition's pandera `Submission` model (column names, numeric or text,
nullability, `isin`, ranges, `unique`) plus what the metric itself needs (probabilities in [0, 1],
class labels from the card). Deriving them imports pandera, which is slow, so the derived rules are
cached as JSON in the store (`submission_rules`, keyed by the checksum of the card and schema.py).

The checks run in DuckDB, so they keep up with files of millions of rows: the file is read once,
every column as text, into a temporary table; that table is typed once (row number, id key, each
prediction as text, number and null flag) and each rule is an SQL condition over it, all counted in
one scan. Column names from the file enter SQL only through `store.quote_identifier`; the rules'
values (bounds, allowed labels) go in as named parameters.
A failing file raises `SubmissionRejected` whose message names every problem, with counts, up to
five example rows, and what to do.

Scoring reads a clean file faster: `fast_read` gives SQL reading it with typed columns (numbers as
DOUBLE) and a per-row condition `bad` built from the same rules (`_conditions`), with ids keyed as
`check` keys them (`_id_key`). It vouches only for files it reads exactly as `check` would; any
doubt (an unreadable typed read, a flagged row) sends the file through `read_file` and `check`.
"""

from __future__ import annotations

import codecs
import gzip
import hashlib
import itertools
import json
import re
import zlib
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from harness.competition import Card
from harness.errors import SubmissionRejected, is_interrupt
from harness.metrics import Prediction
from harness.metrics import get as get_metric
from harness.store import quote_identifier as q
from harness.store import utc_now

if TYPE_CHECKING:
    import duckdb

RULES_VERSION = "3"  # a new version re-derives every cached rule set (2: predictions_above; 3: row sums)
EXAMPLES = 5
RAW_TABLE = "submission_raw"
NULL_TOKENS = ("", "na", "n/a", "nan", "null", "none")
SNIFF_BYTES = 1 << 16

PARQUET_MAGIC = b"PAR1"
GZIP_MAGIC = b"\x1f\x8b"
ZIP_MAGIC = b"PK\x03\x04"  # also the start of .xlsx and .docx files
OTHER_FORMATS = {  # first bytes → what the file is, for the rejection message
    b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1": "an Excel .xls workbook (or another old Office file)",
    b"ARROW1": "an Arrow IPC (Feather) file",
    b"FEA1": "a Feather file",
    b"\x93NUMPY": "a NumPy .npy array",
    **{bytes([0x80, protocol]): "a Python pickle" for protocol in (2, 3, 4, 5)},
}
JSON_START = re.compile(rb"\s*(\[\s*)?\{\s*\"")  # an object, or a list of records


# --------------------------------------------------------------------------------------------- rules
@dataclass(frozen=True)
class ColumnRule:
    """What one column of a submission must hold.

    `kind` is 'integer', 'number' or 'string'. `allowed` lists the permitted values in their
    canonical text form (integers without a decimal point). Bounds are inclusive unless the
    `*_inclusive` flag says otherwise.
    """

    name: str
    kind: str
    nullable: bool = False
    unique: bool = False
    allowed: tuple[str, ...] | None = None
    minimum: float | None = None
    minimum_inclusive: bool = True
    maximum: float | None = None
    maximum_inclusive: bool = True

    @property
    def numeric(self) -> bool:
        return self.kind in ("integer", "number")


@dataclass(frozen=True)
class SubmissionRules:
    """The columns a submission must have (id first) and what the metric expects of them."""

    id_column: str
    columns: tuple[ColumnRule, ...]
    prediction: str
    classes: tuple[str, ...] | None = None
    row_sum_tolerance: float | None = None  # class probabilities: each row sums to 1 within this

    @property
    def id_rule(self) -> ColumnRule:
        return self.columns[0]

    @property
    def prediction_rules(self) -> tuple[ColumnRule, ...]:
        return self.columns[1:]

    @property
    def names(self) -> list[str]:
        return [c.name for c in self.columns]

    def to_json(self) -> str:
        return json.dumps(asdict(self), sort_keys=True)

    @classmethod
    def from_json(cls, text: str) -> SubmissionRules:
        raw = json.loads(text)
        columns = tuple(
            ColumnRule(**{**c, "allowed": tuple(c["allowed"]) if c["allowed"] is not None else None})
            for c in raw["columns"]
        )
        classes = tuple(raw["classes"]) if raw["classes"] is not None else None
        return cls(raw["id_column"], columns, raw["prediction"], classes, raw.get("row_sum_tolerance"))


def prediction_kind(card: Card) -> Prediction:
    """The shape of prediction the card's metric scores for the card's task."""
    from harness import metrics

    return metrics.prediction_for(card)


def rules_from_model(card: Card, model: Any) -> SubmissionRules:
    """Derive the rules from a pandera `Submission` model and the card's metric."""
    schema = model.to_schema()
    kind = prediction_kind(card)
    columns: list[ColumnRule] = []
    for name, column in schema.columns.items():
        col_kind = _kind_of(str(column.dtype))
        rule: dict[str, Any] = {
            "name": str(name),
            "kind": col_kind,
            "nullable": bool(column.nullable),
            "unique": bool(column.unique),
        }
        for check in column.checks:
            stats = dict(check.statistics or {})
            if check.name == "isin":
                rule["allowed"] = tuple(_canonical(v, col_kind) for v in stats["allowed_values"])
            elif check.name == "in_range":
                rule["minimum"], rule["maximum"] = float(stats["min_value"]), float(stats["max_value"])
                rule["minimum_inclusive"] = bool(stats.get("include_min", True))
                rule["maximum_inclusive"] = bool(stats.get("include_max", True))
            elif check.name in ("greater_than_or_equal_to", "greater_than"):
                rule["minimum"] = float(stats["min_value"])
                rule["minimum_inclusive"] = check.name == "greater_than_or_equal_to"
            elif check.name in ("less_than_or_equal_to", "less_than"):
                rule["maximum"] = float(stats["max_value"])
                rule["maximum_inclusive"] = check.name == "less_than_or_equal_to"
        columns.append(ColumnRule(**rule))
    by_name = {c.name: c for c in columns}
    if card.id_column not in by_name:
        raise AssertionError(f"{card.slug}: the Submission model has no id column {card.id_column!r}")
    ordered = [by_name.pop(card.id_column), *by_name.values()]
    ordered = [ordered[0], *(_add_metric_needs(c, kind, card) for c in ordered[1:])]
    tolerance = card.rules.row_sum_tolerance if kind is Prediction.CLASS_PROBABILITIES else None
    return SubmissionRules(card.id_column, tuple(ordered), kind.value, card.classes, tolerance)


def _add_metric_needs(rule: ColumnRule, kind: Prediction, card: Card) -> ColumnRule:
    """What the metric needs even if the model forgot to say it."""
    from dataclasses import replace

    if kind in (Prediction.PROBABILITY, Prediction.CLASS_PROBABILITIES, Prediction.PROBABILITIES):
        lower = 0.0 if rule.minimum is None else max(rule.minimum, 0.0)
        upper = 1.0 if rule.maximum is None else min(rule.maximum, 1.0)
        return replace(rule, kind="number", nullable=False, minimum=lower, maximum=upper)
    if kind is Prediction.LABEL and card.classes and rule.allowed is None:
        return replace(rule, allowed=tuple(card.classes), nullable=False)
    if kind in (Prediction.VALUE, Prediction.VALUES):
        rule = replace(rule, kind=rule.kind if rule.numeric else "number", nullable=False)
        above = get_metric(card.metric).predictions_above
        if above is not None and (rule.minimum is None or rule.minimum <= above):
            rule = replace(rule, minimum=above, minimum_inclusive=False)
        return rule
    return replace(rule, nullable=False)


def _kind_of(dtype: str) -> str:
    text = dtype.lower()
    if "int" in text:
        return "integer"
    if "float" in text or "double" in text or "decimal" in text:
        return "number"
    return "string"


def _canonical(value: Any, kind: str) -> str:
    if kind in ("integer", "number") and isinstance(value, int | float) and not isinstance(value, bool):
        return str(int(value)) if float(value).is_integer() else repr(float(value))
    return str(value)


def load_rules(con: duckdb.DuckDBPyConnection, card: Card) -> SubmissionRules:
    """The submission rules of `card`, from the store's cache or derived (and cached) from schema.py."""
    key = rules_key(card)
    rows = con.execute("SELECT rules FROM submission_rules WHERE source_sha256 = ?", [key]).fetchall()
    if rows:
        return SubmissionRules.from_json(rows[0][0])
    from harness import schemas

    return cache_rules(con, card, schemas.load_models(card)["Submission"])


def cache_rules(con: duckdb.DuckDBPyConnection, card: Card, model: Any) -> SubmissionRules:
    """Derive the rules from `model` and keep them in the store, so a submit need not import pandera.

    `compete prepare`, which has the models loaded anyway, may call this; otherwise the first submit
    does it.
    """
    rules = rules_from_model(card, model)
    con.execute(
        "INSERT INTO submission_rules VALUES (?, ?, ?) ON CONFLICT DO NOTHING",
        [rules_key(card), utc_now(), rules.to_json()],
    )
    return rules


def rules_key(card: Card) -> str:
    """The checksum the cached rules are filed under: the card, schema.py and the rules' version."""
    digest = hashlib.sha256(RULES_VERSION.encode())
    for path in (card.path, card.folder / "schema.py"):
        digest.update(path.read_bytes() if path.is_file() else b"")
    return digest.hexdigest()


# ------------------------------------------------------------------------------------- reading files
@dataclass(frozen=True)
class RawFile:
    """A submission file read into the DuckDB table `table`, every column as text.

    `repeated` maps the names DuckDB gave the second and later columns of a name the header repeats
    (`spam_1` for a second `spam`) to that name.
    """

    table: str
    format: str
    columns: tuple[str, ...]
    rows: int
    repeated: dict[str, str] = field(default_factory=dict)


CSV_OPTIONS = (
    "header = true, delim = ',', quote = '\"', escape = '\"', skip = $skip, comment = '', "
    "compression = $compression"
)


@dataclass(frozen=True)
class Sniffed:
    """What a file's first bytes tell: its format ('parquet', 'csv' or 'csv.gz'), its compression as
    read_csv names it and, for a CSV, how many lines before its header are to be skipped: blank
    lines, and the `sep=,` line Excel writes to name its separator."""

    format: str
    compression: str
    lines_before_header: int = 0

    def csv_params(self, path: Path) -> dict[str, Any]:
        """The parameters of `CSV_OPTIONS` (and the path) for this file. The lines before the header
        are skipped: after blank lines, read_csv would take its names from the header but read it as
        a row too."""
        return {"path": str(path), "compression": self.compression, "skip": self.lines_before_header}


def sniff(path: Path) -> Sniffed:
    """The file at `path`, told by its first bytes, not its name.

    Raises SubmissionRejected for an empty file, a file that is neither CSV nor Parquet, or text
    that is not UTF-8.
    """
    size = path.stat().st_size
    with path.open("rb") as fh:
        head = fh.read(8)
    if size == 0:
        raise SubmissionRejected(
            "the file is empty (0 bytes). Write a header line and one row per test id, "
            "as in the competition's sample_submission.csv." + NO_SLOT
        )
    if head[:4] == PARQUET_MAGIC:
        return Sniffed("parquet", "none")
    if head[:4] == ZIP_MAGIC:
        raise SubmissionRejected(
            "the file is a ZIP archive (an Excel .xlsx workbook is one too), not a CSV or Parquet "
            "file. Submit the CSV inside the archive, or save the sheet as 'CSV UTF-8'." + NO_SLOT
        )
    other = next((what for magic, what in OTHER_FORMATS.items() if head.startswith(magic)), None)
    if other is not None:
        raise SubmissionRejected(
            f"the file is {other}, not a CSV or Parquet file. Write your predictions with pandas "
            "`to_csv(index=False)` or `to_parquet(index=False)` (in a spreadsheet, save as "
            "'CSV UTF-8')." + NO_SLOT
        )
    compression = "gzip" if head[:2] == GZIP_MAGIC else "none"
    sample = _sample(path, compression)
    if sample.startswith(codecs.BOM_UTF8):
        sample = sample[len(codecs.BOM_UTF8) :]
    if not sample.strip():
        raise SubmissionRejected(
            "the file holds no text (only blank space). Write a header line and one row per test "
            "id, as in the competition's sample_submission.csv." + NO_SLOT
        )
    if JSON_START.match(sample):
        raise SubmissionRejected(
            "the file is JSON, not CSV or Parquet. Write your predictions with pandas "
            "`to_csv(index=False)` or `to_parquet(index=False)`." + NO_SLOT
        )
    utf16 = sample.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE))
    if utf16 or (b"\x00" not in sample and not _looks_like_text(sample)):
        from harness.csvlines import first_line_not_utf8

        found = None if utf16 else first_line_not_utf8(sample)
        where = f" (line {found[0]}: {found[1]})" if found else ""
        raise SubmissionRejected(
            f"the file is text but not UTF-8{where} (perhaps Latin-1 or UTF-16 from a spreadsheet). "
            "Save it as UTF-8 CSV, e.g. pandas `to_csv(index=False)`, and submit it again." + NO_SLOT
        )
    if not _looks_like_text(sample):
        raise SubmissionRejected(
            "the file is neither CSV nor Parquet: it holds binary data. Submit a CSV (optionally "
            "gzipped) or a Parquet file, such as one written by pandas `to_csv(index=False)`." + NO_SLOT
        )
    lines = sample.split(b"\n")
    before = len(list(itertools.takewhile(lambda line: not line.strip(), lines)))
    if before < len(lines) - 1 and lines[before].strip() == b"sep=,":  # and blank lines after it
        before += 1 + len(list(itertools.takewhile(lambda line: not line.strip(), lines[before + 1 :])))
    return Sniffed("csv.gz" if compression == "gzip" else "csv", compression, before)


def read_file(con: duckdb.DuckDBPyConnection, path: Path, table: str = RAW_TABLE) -> RawFile:
    """Read a CSV, gzipped CSV or Parquet file once into a temporary table of text columns.

    The format is told by the file's first bytes, not its name. Raises SubmissionRejected for an
    empty file, a file that is neither CSV nor Parquet, or a malformed CSV.
    """
    import duckdb

    sniffed = sniff(path)
    fmt = sniffed.format
    name = q(table)
    if fmt == "parquet":
        try:
            described = con.execute("SELECT * FROM read_parquet(?) LIMIT 0", [str(path)]).description
            names = [str(d[0]) for d in described or []]
            casts = ", ".join(f"CAST({q(c)} AS VARCHAR) AS {q(c)}" for c in names)
            con.execute(
                f"CREATE OR REPLACE TEMP TABLE {name} AS SELECT {casts} FROM read_parquet(?)", [str(path)]
            )
        except duckdb.Error as exc:
            if is_interrupt(exc):  # not the file's fault: nothing to record
                raise
            raise SubmissionRejected(
                f"the file starts like Parquet but cannot be read as Parquet ({_first_line(exc, path)}). "
                "Write it again with pandas `to_parquet` or submit a CSV." + NO_SLOT
            ) from None
    else:
        try:
            con.execute(
                f"CREATE OR REPLACE TEMP TABLE {name} AS SELECT * FROM read_csv($path, all_varchar = true, "
                f"{CSV_OPTIONS})",
                sniffed.csv_params(path),
            )
        except duckdb.Error as exc:
            if is_interrupt(exc):  # not the file's fault: nothing to record
                raise
            from harness import csvlines

            found = csvlines.first_problem(path, sniffed.compression)
            if found is not None:
                raise SubmissionRejected(
                    f"the file cannot be read as a comma-separated CSV: {found}." + NO_SLOT
                ) from None
            raise SubmissionRejected(
                f"the file cannot be read as a comma-separated CSV ({_csv_problem(exc)}). Check that "
                "every line has the same number of comma-separated fields as the header." + NO_SLOT
            ) from None
    described = con.execute(f"SELECT * FROM {name} LIMIT 0").description or []
    columns = tuple(str(d[0]) for d in described)
    rows = int(con.execute(f"SELECT count(*) FROM {name}").fetchall()[0][0])
    return RawFile(table, fmt, columns, rows, _repeated(con, path, sniffed, columns))


def _repeated(
    con: duckdb.DuckDBPyConnection, path: Path, sniffed: Sniffed, columns: tuple[str, ...]
) -> dict[str, str]:
    """`RawFile.repeated`: DuckDB's names for the repeats of a name (in any case: DuckDB's names are
    case-insensitive), mapped to the file's own names for those columns, read from its header."""
    known = {c.casefold() for c in columns}
    renamed = [
        column
        for column in columns
        if column.rpartition("_")[2].isdigit() and column.rpartition("_")[0].casefold() in known
    ]
    if not renamed:
        return {}
    if sniffed.format == "parquet":
        schema = con.execute("SELECT name FROM parquet_schema(?)", [str(path)]).fetchall()
        header = [str(r[0]) for r in schema[1:]]  # the first is the schema's root
    else:
        from harness.csvlines import header_names

        header = header_names(path, sniffed.compression, sniffed.lines_before_header)
    if len(header) != len(columns):
        return {}
    seen: set[str] = set()
    repeated = {}
    for column, name in zip(columns, header, strict=True):
        if column in renamed and name.casefold() in seen:
            repeated[column] = name
        seen.add(name.casefold())
    return repeated


NO_SLOT = " A rejected file costs no submission."


def _sample(path: Path, compression: str) -> bytes:
    if compression == "none":
        with path.open("rb") as fh:
            return fh.read(SNIFF_BYTES)
    try:
        with gzip.open(path, "rb") as fh:
            return fh.read(SNIFF_BYTES)
    except (OSError, EOFError, zlib.error) as exc:
        raise SubmissionRejected(
            f"the file starts like gzip but cannot be decompressed ({exc}). Compress it again "
            "(gzip file.csv) or submit the plain CSV." + NO_SLOT
        ) from None


def _looks_like_text(sample: bytes) -> bool:
    if b"\x00" in sample:
        return False
    try:
        codecs.getincrementaldecoder("utf-8")().decode(sample, final=False)
    except UnicodeDecodeError:
        return False
    return True


def _csv_problem(exc: BaseException) -> str:
    """The useful part of DuckDB's CSV error: the line, its text (cut short) and the field counts."""
    keep = ("CSV Error on Line", "Original Line", "Expected Number of Columns", "Invalid unicode")
    lines = []
    for line in str(exc).splitlines():
        start = min((line.find(k) for k in keep if k in line), default=-1)
        if start >= 0:
            kept = line[start:].strip().removeprefix("CSV Error ")
            lines.append(kept if len(kept) <= 100 else kept[:99] + "…")
    if lines:
        return "; ".join(lines)
    return "its rows do not have the same number of comma-separated fields"


def _first_line(exc: BaseException, path: Path) -> str:
    """The first line of DuckDB's message, without the path (the kept copy, not the learner's file)."""
    text = str(exc).strip().splitlines()
    first = text[0] if text else type(exc).__name__
    return first.replace(f" '{path}'", "").replace(str(path), "the file")


# ------------------------------------------------------------------------------------------- checks
@dataclass(frozen=True)
class Checked:
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
    names, column_problems = _match_columns(raw, rules)
    if raw.rows == 0:
        raise SubmissionRejected(
            problems_text(
                [*column_problems, "the file has a header but no rows; write one row per id of test.csv."],
                rules,
            )
        )
    key, label_key = _id_key(rules, _label_types(con)[rules.id_column], "id_text")
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
        inner.append(f"trim({q(names[rule.name])}) AS {text}")
        outer += [text, f"{_null_sql(text)} AS z_{i}"]
        if num is not None:
            outer.append(f"TRY_CAST({text} AS DOUBLE) AS {num}")
        columns[rule.name] = (text, num)
    table = q(TYPED_TABLE)
    con.execute(
        f"CREATE OR REPLACE TEMP TABLE {table} AS SELECT {', '.join(outer)} "
        f"FROM (SELECT {', '.join(inner)} FROM {q(raw.table)})"
    )

    params: dict[str, Any] = {}  # the rules' values (bounds, allowed labels), as named parameters
    conditions = _conditions(rules, columns, params)
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


@dataclass(frozen=True)
class FastRead:
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
    import duckdb

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
            described = con.execute(
                f"SELECT * FROM read_csv($path, all_varchar = true, {CSV_OPTIONS}) LIMIT 0", params
            ).description
            names = [str(d[0]) for d in described or []]
            types = {}
    except duckdb.Error:
        return None
    if len(names) != len(rules.names) or set(names) != set(rules.names):
        return None
    id_type = _label_types(con)[rules.id_column]
    integer_key = rules.id_rule.numeric and _is_integer_type(id_type)
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
        key, _ = _id_key(rules, id_type, "id_text")
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
            inner.append(f"trim(CAST({col} AS VARCHAR)) AS {text}")
            outer += [text, f"{_null_sql(text)} AS z_{i}"]
            if num is not None:
                outer.append(f"TRY_CAST({text} AS DOUBLE) AS {num}")
        columns[rule.name] = (text, num)
    if fmt == "parquet":
        source = "read_parquet($path)"
    else:
        struct = ", ".join(f"{literal(n)}: {literal(types[n])}" for n in names)
        source = f"read_csv($path, {CSV_OPTIONS}, columns = {{{struct}}})"
    conditions = _conditions(rules, columns, params)[1:]  # a row without an id has no id_key
    bad = " OR ".join(f"({cond})" for _, cond, _ in conditions) or "false"
    sql = f"SELECT {', '.join(outer)} FROM (SELECT {', '.join(inner)} FROM {source})"
    _, label_key = _id_key(rules, id_type, "id_text")
    return FastRead(sql, params, bad, columns, label_key, fmt)


def used_parameters(params: dict[str, Any], sql: str) -> dict[str, Any] | None:
    """The named parameters that `sql` uses (DuckDB refuses any other), or None for none."""
    used = {k: v for k, v in params.items() if re.search(rf"\${re.escape(k)}\b", sql)}
    return used or None


def literal(text: str) -> str:
    """`text` as an SQL string literal."""
    return "'" + text.replace("'", "''") + "'"


def _id_key(rules: SubmissionRules, id_type: str, id_text: str) -> tuple[str, str]:
    """(SQL of the key an id is matched on, from its trimmed text `id_text`; the labels' side, over `l`).

    Integer ids are matched as BIGINT (a whole number written as 7.0 or 7e0 matches 7); other ids
    as canonical text.
    """
    number = f"TRY_CAST({id_text} AS DOUBLE)"
    if rules.id_rule.numeric and _is_integer_type(id_type):
        whole = f"isfinite({number}) AND {number} = round({number})"
        return f"CASE WHEN {whole} THEN TRY_CAST({id_text} AS BIGINT) END", f"l.{q(rules.id_column)}"
    label_key = text_sql(f"l.{q(rules.id_column)}", id_type)
    if not rules.id_rule.numeric:
        return id_text, label_key
    return f"coalesce({canonical_sql(id_text, number)}, {id_text})", label_key


def _null_sql(text: str) -> str:
    """Whether a trimmed text value counts as missing (empty, or a null token such as NA or NaN)."""
    # Equalities, not IN: DuckDB plans an IN list of this size (or list_contains over a constant list)
    # as a join, which does not keep the rows' order, and matching by position reads the file in order.
    tokens = " OR ".join(f"lower({text}) = '{t}'" for t in NULL_TOKENS)
    return f"({text} IS NULL OR {tokens})"


def _example(row: int, id_text: str | None, shown: str | None) -> str:
    """One example row of a problem: its number, its id and the value at fault."""
    where = f"row {row} ({'no id' if id_text is None else f'id {id_text}'})"
    return where if shown is None else f"{where}: {shown!r}"


def _conditions(
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


def _singular(text: str) -> str:
    """'rows have …' as 'row has …', for a count of one."""
    for many, one in (("rows have ", "row has "), ("rows give ", "row gives ")):
        if text.startswith(many):
            return one + text[len(many) :]
    return text


def _label_types(con: duckdb.DuckDBPyConnection) -> dict[str, str]:
    return {str(r[0]): str(r[1]) for r in con.execute("DESCRIBE labels").fetchall()}


_INTEGER_TYPES = ("TINYINT", "SMALLINT", "INTEGER", "BIGINT", "UTINYINT", "USMALLINT", "UINTEGER")
_FLOAT_TYPES = ("FLOAT", "DOUBLE", "REAL")


def _is_integer_type(sql_type: str) -> bool:
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


def _match_columns(raw: RawFile, rules: SubmissionRules) -> tuple[dict[str, str], list[str]]:
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


def problems_text(problems: list[str], rules: SubmissionRules) -> str:
    header = ",".join(rules.names)
    lead = "1 problem" if len(problems) == 1 else f"{len(problems)} problems"
    body = "\n".join(f"  - {p}" for p in problems)
    return (
        f"the submission has {lead}:\n{body}\n"
        f"Fix the file and submit again; it needs the columns {header} and one row per id of "
        "test.csv (see sample_submission.csv)." + NO_SLOT
    )
