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
DOUBLE) and a per-row condition `bad` built from the same rules (`row_conditions`), with ids keyed
as `check` keys them (`id_key`). It vouches only for files it reads exactly as `check` would; any
doubt (an unreadable typed read, a flagged row) sends the file through `read_file` and `check`.

By concern:
- `rules`: the rules, derived from the card and its `Submission` model, and cached in the store;
- `reading`: the file told by its first bytes and read into a table of text columns;
- `columns`: the file's header against the rules;
- `conditions`: the row checks as SQL conditions;
- `checks`: every check run over the file's table, and its ids against the labels;
- `fast`: scoring's typed read of a clean file;
- `sql`: values as SQL (canonical text, class labels, id keys, nulls).
"""

from harness.validation.checks import TYPED_TABLE, Checked, check
from harness.validation.columns import match_columns
from harness.validation.conditions import row_conditions
from harness.validation.fast import MAX_FAST_ID, FastRead, fast_read
from harness.validation.reading import CSV_OPTIONS, RAW_TABLE, RawFile, Sniffed, read_file, sniff
from harness.validation.rules import (
    EXAMPLES,
    NO_SLOT,
    RULES_VERSION,
    ColumnRule,
    SubmissionRules,
    cache_rules,
    load_rules,
    prediction_kind,
    problems_text,
    rules_from_model,
    rules_key,
)
from harness.validation.sql import (
    BOOLEAN_CLASSES,
    NULL_TOKENS,
    canonical_sql,
    id_key,
    label_sql,
    label_types,
    literal,
    null_sql,
    text_sql,
    used_parameters,
)

__all__ = [
    "BOOLEAN_CLASSES",
    "CSV_OPTIONS",
    "EXAMPLES",
    "MAX_FAST_ID",
    "NO_SLOT",
    "NULL_TOKENS",
    "RAW_TABLE",
    "RULES_VERSION",
    "TYPED_TABLE",
    "Checked",
    "ColumnRule",
    "FastRead",
    "RawFile",
    "Sniffed",
    "SubmissionRules",
    "cache_rules",
    "canonical_sql",
    "check",
    "fast_read",
    "id_key",
    "label_sql",
    "label_types",
    "literal",
    "load_rules",
    "match_columns",
    "null_sql",
    "prediction_kind",
    "problems_text",
    "read_file",
    "row_conditions",
    "rules_from_model",
    "rules_key",
    "sniff",
    "text_sql",
    "used_parameters",
]
