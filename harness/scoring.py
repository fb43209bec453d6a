"""Submission file → validated → joined to the hidden labels in DuckDB → public and private score.

Everything happens on the caller's store connection. `_score` matches the file's rows to `labels`;
each row then holds what the metric needs (`pub`, `y`, `p` or `p_0..`) and two flags: `matched` (the
row found its label) and `bad` (it fails a check). The counts that say whether the file is clean and
the public and the private score come out together:

- a metric with an `aggregate` form (a mean of a per-row term, such as log loss or RMSE) is computed
  in one GROUP BY on `pub`, beside the counts, as the rows stream out of the match: the file is read
  once and nothing is stored (but for a metric that adds up floats, such as RMSE, over rows matched
  by id: those are stored in the labels' order first, see below);
- any other metric reads its rows more than once: once for the counts (and, for ROC AUC, an
  estimate of how many predictions are distinct, which picks its form), then, if the file is clean,
  once for both splits' scores (ROC AUC, a `split_sql` form) or once per split (F1 and the rest).
  Rows matched by a join are stored in a temporary table first; rows matched by position are stored
  already (in Arrow, for a big file).

There are two ways to `_score`, giving the same result:

- the fast path (`score_fast`): the file is read with its columns' own types (ids and predictions
  as numbers, `validation.fast_read`). When the file starts in the labels' order (the order of
  test.csv and sample_submission.csv, which is how most submissions are written), its rows are
  matched by position (`Match.BY_POSITION`): no hash table. Every row's id is still compared
  with its label's, so a file that strays from that order is matched again, by id (a FULL JOIN).
  The file is clean when no row is unmatched or bad and it has as many rows as there are labels
  (with every row matched to a distinct label, that rules out missing, unknown and repeated ids).
- the checked path: the file is read once as text (`validation.read_file`), checked against the
  competition's rules (`validation.check`), which names every problem, and joined to `labels` by id.

`score_file` tries the fast path and falls back to the checked path when the typed read fails (a
text where a number belongs, a ragged row, an odd header …) or the file is not clean; so a rejection
message always comes from `check`, whichever path noticed the problem first. When the fast path
paired every row with its own label and only row checks failed, `check` is told so and skips the
id checks, which would pass.

A query that adds up floats in a metric's score runs on one thread, in the labels' order, so that the
same predictions always get the same score, in whatever order the file lists them: rows matched by
position come in that order, and rows matched by id are stored sorted so. A metric whose SQL adds
up only whole numbers declares `exact_in_parallel` and keeps every core (`_summing_in_order`).

While scoring, the connection runs with `preserve_insertion_order = false` (no query here depends
on row order but the two reads that pair rows by position, which set it back to true) and
`memory_limit = MEMORY_LIMIT` (DuckDB spills to the store's temporary folder beyond it); both are
RESET before `score_file` returns. A connection that has its own value for either (a memory limit
set by the caller) keeps it.
"""

from __future__ import annotations

import math
from collections.abc import Iterator
from contextlib import AbstractContextManager, contextmanager, nullcontext, suppress
from enum import StrEnum
from pathlib import Path
from typing import TYPE_CHECKING, Any, NamedTuple

from harness import validation
from harness.competition import Card
from harness.errors import MetricError, SubmissionRejected, is_interrupt
from harness.metrics import MetricContext, Prediction, SplitRows
from harness.metrics import get as get_metric
from harness.store import duckdb_default
from harness.store import quote_identifier as q
from harness.validation import SubmissionRules
from harness.vault import PRIVATE, PUBLIC

if TYPE_CHECKING:
    import duckdb

MEMORY_LIMIT = "512MB"
_SETTINGS = {"preserve_insertion_order": "false", "memory_limit": MEMORY_LIMIT}
SCORED_TABLE = "submission_scored"
ORDER_PROBE_ROWS = 1000  # the file's first rows compared with the labels' before matching by position
# Matching by position holds the file's columns and the labels' in memory (about 30 bytes a row),
# outside DuckDB's memory limit; beyond this many labels the file is matched by id, which spills.
POSITION_MAX_ROWS = 20_000_000
# Below this many labels a join on the id costs less than reading the file's first rows once more
# to see whether it is in the labels' order: a small file is matched by id at once.
POSITION_MIN_ROWS = 50_000
ARROW_PAIRING_MIN_ROWS = 100_000  # fewer labels than this are paired by DuckDB's POSITIONAL JOIN
PAIRED_VIEW = "submission_paired"


class Match(StrEnum):
    """How the file's rows (`s`) are matched to the labels (`labels AS l`)."""

    # Row i with label i, every id compared. No hash table. For a big file the file's columns and the
    # labels' are read into Arrow arrays, each in its own order, and lined up side by side
    # (`_paired_rows`): every step after the two reads runs on every core, where everything after
    # DuckDB's POSITIONAL JOIN runs on one.
    BY_POSITION = "position"
    BY_ID = "FULL JOIN"  # a hash join on the id, keeping the rows of either side without a match
    CHECKED = "JOIN"  # the checked path: every id is known to be a label's, once


class Score(NamedTuple):
    """The public and private score of one submission, and how many rows each covers."""

    public: float
    private: float
    rows: int
    public_rows: int
    private_rows: int
    file_format: str


class _Source(NamedTuple):
    """The file as SQL for `_score`: `sql` (a table or subquery, `s`) gives `id_key` and the columns
    named in `columns`; `label_key` is what `id_key` is compared with, over `labels AS l`; `bad` is a
    condition over `s` (the row fails a check); `params` holds the named parameters."""

    sql: str
    columns: dict[str, tuple[str, str | None]]
    label_key: str
    params: dict[str, Any]
    bad: str
    file_format: str


class _Outcome(NamedTuple):
    """What `_score` found: the score when the file is clean, else why not."""

    score: Score | None
    unmatched: int  # rows without a label, and labels without a row
    bad: int  # matched rows that fail a check


def score_file(
    con: duckdb.DuckDBPyConnection,
    card: Card,
    path: Path,
    rules: SubmissionRules | None = None,
    *,
    fast: bool = True,
) -> Score:
    """Validate the file at `path` and score it on the public and the private rows.

    Raises SubmissionRejected (with every problem found) for a file that fails a check, or whose
    predictions are so large that the score overflows to infinity. `fast=False`
    skips the fast path (the result is the same; for tests and comparisons). Inside an explicit
    transaction (rescoring at close) the fast path is skipped too: a typed read that fails would
    abort the caller's transaction.
    """
    rules = rules or validation.load_rules(con, card)
    with _scoring_settings(con):
        ids_paired = False
        if fast and not _in_transaction(con):
            outcome = _fast_outcome(con, card, path, rules)
            if outcome is not None and outcome.score is not None:
                return outcome.score
            # Every row found its own label, once: only row checks failed, the ids need no new look.
            ids_paired = outcome is not None and outcome.unmatched == 0
        raw = validation.read_file(con, path)
        checked = validation.check(con, raw, rules, ids_paired=ids_paired)
        source = _Source(q(checked.table), checked.columns, checked.label_key, {}, "false", raw.format)
        outcome = _score(con, card, rules, source, Match.CHECKED)
        assert outcome.score is not None, f"a checked file did not score: {outcome}"
        return outcome.score


def _in_transaction(con: duckdb.DuckDBPyConnection) -> bool:
    """Whether the connection is inside an explicit transaction (its statements share one id)."""
    ids = [con.execute("SELECT txid_current()").fetchall()[0][0] for _ in range(2)]
    return ids[0] == ids[1]


def score_fast(
    con: duckdb.DuckDBPyConnection,
    card: Card,
    path: Path,
    rules: SubmissionRules,
    *,
    match: Match | None = None,
) -> Score | None:
    """The score by the fast path, or None when the file needs the checked path (see the module doc).

    `match` forces one way of matching rows (for tests); by default a file that starts in the labels'
    order is matched by position, and by id if that finds a row out of order. Raises
    SubmissionRejected only for what `validation.sniff` rejects (an empty or binary file …) and for
    a score that overflows, and MetricError as `score_file` does.
    """
    outcome = _fast_outcome(con, card, path, rules, match=match)
    return None if outcome is None else outcome.score


def _fast_outcome(
    con: duckdb.DuckDBPyConnection,
    card: Card,
    path: Path,
    rules: SubmissionRules,
    *,
    match: Match | None = None,
) -> _Outcome | None:
    """`score_fast`'s outcome, with the counts of unmatched and bad rows when it is not clean; None
    when the typed read cannot read the file."""
    from harness import engine

    read = validation.fast_read(con, path, rules)
    if read is None:
        return None
    # `bad` is worked out beside the read, which DuckDB runs on every core, not in the match.
    with_bad = f"(SELECT *, {read.bad} AS bad FROM ({read.sql}))"
    source = _Source(with_bad, read.columns, read.label_key, read.params, "s.bad", read.format)
    try:
        if match is not None:
            matches = [match]
        elif POSITION_MIN_ROWS <= _label_count(con) <= POSITION_MAX_ROWS and starts_in_label_order(
            con, source
        ):
            matches = [Match.BY_POSITION, Match.BY_ID]
        else:
            matches = [Match.BY_ID]
        for way in matches:
            outcome = _score(con, card, rules, source, way)
            if outcome.score is not None or outcome.bad:
                break
    except engine.Error as exc:
        if is_interrupt(exc):  # the connection was interrupted: stop, do not try the checked path
            raise
        return None
    return outcome


def starts_in_label_order(con: duckdb.DuckDBPyConnection, source: _Source) -> bool:
    """Whether the file's first `ORDER_PROBE_ROWS` ids are the labels' first ones, in order.

    Only a guess at the whole file's order, read from its first rows; matching by position checks
    every row.
    """
    n = ORDER_PROBE_ROWS
    sql = (
        f"SELECT count(*) FROM (SELECT id_key FROM {source.sql} LIMIT {n}) AS s "
        f"POSITIONAL JOIN (SELECT * FROM labels LIMIT {n}) AS l "
        f"WHERE s.id_key IS DISTINCT FROM {source.label_key}"
    )
    return con.execute(sql, validation.used_parameters(source.params, sql)).fetchall()[0][0] == 0


def _score(
    con: duckdb.DuckDBPyConnection, card: Card, rules: SubmissionRules, source: _Source, match: Match
) -> _Outcome:
    """Match the file's rows to the labels, check them and score both splits.

    The matched rows (`_matched_rows`) hold `pub` (public row or not), `y`, `p` or `p_0..`,
    `matched` and `bad`. A metric with an `aggregate` form takes them into one GROUP BY on `pub`,
    beside the counts. For any other, one query counts them; a clean file's rows are then scored by
    one more: a `split_sql` form over the rows of both splits (told how many rows each split has
    and an estimate of the distinct predictions), or the metric's SQL over each split.
    """
    metric = get_metric(card.metric)
    ctx = metric_context(card)
    params = {**source.params, **metric.parameters(ctx)}
    y, p, cols = _truth_and_prediction(con, card, rules, source.columns, params)
    labels = _label_count(con)
    once = metric.aggregate is not None
    id_column = rules.id_column
    in_order = not metric.exact_in_parallel
    matched = _matched_rows(
        con, source, match, id_column, (y, p, cols), params, labels, once=once, in_order=in_order
    )
    with matched as rows:
        if rows is None:  # another number of rows than labels: at least one row cannot pair
            return _Outcome(None, 1, 0)
        counts = "count(*) FILTER (WHERE NOT matched), count(*) FILTER (WHERE matched AND bad), count(*)"
        if metric.aggregate is not None:
            sql = f"SELECT pub, {counts}, {metric.aggregate(ctx)} FROM {rows} GROUP BY pub"
            with _summing_in_order(con, in_order):
                groups = con.execute(sql, validation.used_parameters(params, sql)).fetchall()
            unmatched, bad, n = (sum(g[i] for g in groups) for i in (1, 2, 3))
            split = {g[0]: g for g in groups}
            public_rows = split[True][3] if True in split else 0
            public = split[True][4] if True in split else None
            private = split[False][4] if False in split else None
        else:
            # The rows are stored: count them first, and score them only when the file is clean.
            has_p = metric.split_sql is not None and "p" in cols.split(", ")
            distinct = "approx_count_distinct(p)" if has_p else "NULL"  # HyperLogLog: one pass, little memory
            sql = f"SELECT {counts}, count(*) FILTER (WHERE pub), {distinct} FROM {rows}"
            row = con.execute(sql, validation.used_parameters(params, sql)).fetchall()[0]
            unmatched, bad, n, public_rows, distinct_p = row
            if unmatched or bad or n != labels:
                return _Outcome(None, int(unmatched) + abs(int(labels) - int(n)), int(bad))
            if metric.split_sql is not None:
                counted = SplitRows(int(public_rows), int(n - public_rows), distinct_p)
                scores = metric.split_sql(rows, ctx, counted)
            else:
                scores = (
                    f"WITH public_rows AS (SELECT {cols} FROM {rows} WHERE pub), "
                    f"private_rows AS (SELECT {cols} FROM {rows} WHERE NOT pub) "
                    f"SELECT ({metric.query('public_rows', ctx)}), ({metric.query('private_rows', ctx)})"
                )
            with _summing_in_order(con, in_order):
                score_row = con.execute(scores, validation.used_parameters(params, scores)).fetchall()
            public, private = score_row[0]
    if unmatched or bad or n != labels:
        return _Outcome(None, int(unmatched) + abs(int(labels) - int(n)), int(bad))
    if int(n) == int(public_rows):  # one board (public_fraction 1): the private board is the same rows
        private = public
    if public is None or private is None or math.isnan(public) or math.isnan(private):
        part = "public" if public is None or math.isnan(public) else "private"
        needs = metric.requires or "rows it can be computed on"
        raise MetricError(
            f"{card.metric} is undefined on the {part} rows of {card.slug} (it needs {needs}); "
            "the competition's split cannot be scored. Prepare it again with another split seed."
        )
    if math.isinf(public) or math.isinf(private):  # a sum over the rows went past the largest double
        raise SubmissionRejected(
            validation.problems_text(
                [
                    f"the predictions are too large to score: their {card.metric} overflows a "
                    "64-bit float (it comes out infinite). Check the scale of your predictions "
                    "against the target's in train.csv."
                ],
                rules,
            )
        )
    score = Score(
        float(public), float(private), int(n), int(public_rows), int(n - public_rows), source.file_format
    )
    return _Outcome(score, 0, 0)


def _label_count(con: duckdb.DuckDBPyConnection) -> int:
    return int(con.execute("SELECT count(*) FROM labels").fetchall()[0][0])


@contextmanager
def _matched_rows(
    con: duckdb.DuckDBPyConnection,
    source: _Source,
    match: Match,
    id_column: str,
    columns: tuple[str, str, str],
    params: dict[str, Any],
    labels: int,
    *,
    once: bool,
    in_order: bool,
) -> Iterator[str | None]:
    """SQL (a parenthesised query or a table) of the matched rows: `pub`, `y`, `p`.., `matched`, `bad`.

    The rows come out of a join; a caller that reads them more than once (`once` false) gets them
    stored in the temporary table `SCORED_TABLE`, dropped after the block. Matched by position, from
    `ARROW_PAIRING_MIN_ROWS` labels up, the rows are paired in Arrow (`_paired_rows`), stored
    already; None then means the file has another number of rows than there are labels, so that no
    row can be paired with its own label. Below that, DuckDB's POSITIONAL JOIN pairs them: one
    core, but no pyarrow to import for a small file. `columns` are `_truth_and_prediction`'s SQL for
    `y`, the prediction(s) and the metric's column list. `in_order`: rows matched by id are stored
    (whether `once` or not) on one thread, in the labels' order (`_summing_in_order`).
    """
    y, p, cols = columns
    usage = f"CASE l.usage WHEN '{PUBLIC}' THEN true WHEN '{PRIVATE}' THEN false END"
    if match is Match.BY_POSITION and labels >= ARROW_PAIRING_MIN_ROWS:
        with _paired_rows(con, source, f"{usage} AS pub, {y} AS y", p, params, labels) as paired:
            yield None if paired is None else f"(SELECT pub, {cols}, matched, bad FROM {paired})"
        return
    if match is Match.BY_POSITION:
        join = f"labels AS l POSITIONAL JOIN {source.sql} AS s"
        matched = f"coalesce(s.id_key = {source.label_key}, false)"
    else:
        join = f"{source.sql} AS s {match} labels AS l ON {source.label_key} = s.id_key"
        matched = f"(s.id_key IS NOT NULL AND l.{q(id_column)} IS NOT NULL)"
    rows = (
        f"SELECT {usage} AS pub, {y} AS y, {p}, {matched} AS matched, coalesce({source.bad}, true) AS bad "
        f"FROM {join}"
    )
    if in_order and match is not Match.BY_POSITION:  # added up in the labels' order, as if by position
        rows, once = f"{rows} ORDER BY l.rowid", False
    if once:
        yield f"({rows})"
        return
    table = q(SCORED_TABLE)
    store_rows = f"CREATE OR REPLACE TEMP TABLE {table} AS {rows}"
    with _summing_in_order(con, in_order):
        con.execute(store_rows, validation.used_parameters(params, store_rows))
    with _afterwards(con, [f"DROP TABLE IF EXISTS {table}"]):
        yield table


@contextmanager
def _paired_rows(
    con: duckdb.DuckDBPyConnection, source: _Source, truth: str, p: str, params: dict[str, Any], labels: int
) -> Iterator[str | None]:
    """The file's row i beside label i, as the view `PAIRED_VIEW`, with `matched` (the ids agree).

    The file's columns (`s.id_key`, the prediction `p`, `bad`) and the labels' (`truth`, the id as
    `label_key`) are read each in its own order (test.csv's, for the labels) into Arrow tables,
    which are put side by side without a copy. Both reads run in parallel; so does every query over
    the view. Yields None when the file has another number of rows than `labels`.
    """
    import pyarrow as pa

    file_sql = f"SELECT s.id_key, {p}, coalesce({source.bad}, true) AS bad FROM {source.sql} AS s"
    labels_sql = f"SELECT {truth}, {source.label_key} AS label_key FROM labels AS l"
    with _rows_in_order(con):
        file = con.sql(file_sql, params=validation.used_parameters(params, file_sql)).to_arrow_table()
        if file.num_rows != labels:
            yield None
            return
        truth_rows = con.sql(
            labels_sql, params=validation.used_parameters(params, labels_sql)
        ).to_arrow_table()
    side_by_side = pa.Table.from_arrays(
        [*file.columns, *truth_rows.columns], names=[*file.column_names, *truth_rows.column_names]
    )
    con.register(PAIRED_VIEW, side_by_side)
    try:
        yield f"(SELECT *, coalesce(id_key = label_key, false) AS matched FROM {q(PAIRED_VIEW)})"
    finally:
        con.unregister(PAIRED_VIEW)


def _rows_in_order(con: duckdb.DuckDBPyConnection) -> AbstractContextManager[None]:
    """Inside the block, a query's rows come out in the order they are read (file order, storage order).

    Only for a plan that keeps it: DuckDB reorders the rows of a join (an IN list of a few constants
    is planned as one, hence `validation.null_sql`). Pairing compares every id, so a reordered read
    costs a second match, by id, never a wrong score.
    """
    return _set_in_block(con, "preserve_insertion_order", "true")


def _truth_and_prediction(
    con: duckdb.DuckDBPyConnection,
    card: Card,
    rules: SubmissionRules,
    columns: dict[str, tuple[str, str | None]],
    params: dict[str, Any],
) -> tuple[str, str, str]:
    """SQL for `y` (the label, over `l`), the prediction column(s) (over `s`) and the metric's columns.

    May add the positive label to `params`.
    """
    label_types = {str(r[0]): str(r[1]) for r in con.execute("DESCRIBE labels").fetchall()}
    kind = Prediction(rules.prediction)
    if kind in (Prediction.VALUES, Prediction.PROBABILITIES):
        return _several_targets(con, card, kind, label_types, columns, params)
    assert len(card.target_columns) == 1, "scoring supports one target column"
    target = q(card.target)
    label_type = label_types[card.target]
    label_text = validation.text_sql(f"l.{target}", label_type)
    if kind is Prediction.CLASS_PROBABILITIES:
        assert card.classes is not None
        p = ", ".join(f"s.{columns[label][1]} AS p_{i}" for i, label in enumerate(card.classes))
        return label_text, p, ", ".join(["y", *(f"p_{i}" for i in range(len(card.classes)))])
    predictions = rules.prediction_rules
    assert len(predictions) == 1, "one prediction column expected"
    text, num = columns[predictions[0].name]
    text, num = f"s.{text}", (f"s.{num}" if num is not None else None)
    if kind is Prediction.LABEL:
        return label_text, f"{validation.label_sql(text, num, card.classes)} AS p", "y, p"
    if kind is Prediction.TEXT:
        from harness.open_label import answer_sql

        return answer_sql(label_text), f"{answer_sql(text)} AS p", "y, p"
    if kind is Prediction.PROBABILITY:
        positive = _is_positive(con, f"l.{target}", label_type, label_text, metric_context(card), params)
        return f"CASE WHEN {positive} THEN 1 ELSE 0 END", f"{num} AS p", "y, p"
    if kind is Prediction.VALUE:
        return f"CAST(l.{target} AS DOUBLE)", f"{num} AS p", "y, p"
    return label_text, f"{text} AS p", "y, p"


def _several_targets(
    con: duckdb.DuckDBPyConnection,
    card: Card,
    kind: Prediction,
    label_types: dict[str, str],
    columns: dict[str, tuple[str, str | None]],
    params: dict[str, Any],
) -> tuple[str, str, str]:
    """`_truth_and_prediction` for one prediction column per target: `y_j` and `p_j` per target.

    The callers alias the truth expression `AS y`; here it is the list of the `y_j` (label side),
    whose last item, an unused NULL, takes that alias.
    """
    truths = []
    for j, column in enumerate(card.target_columns):
        target, label_type = f"l.{q(column)}", label_types[column]
        if kind is Prediction.VALUES:
            truths.append(f"CAST({target} AS DOUBLE) AS y_{j}")
        else:
            label_text = validation.text_sql(target, label_type)
            positive = _is_positive(con, target, label_type, label_text, metric_context(card), params)
            truths.append(f"CASE WHEN {positive} THEN 1 ELSE 0 END AS y_{j}")
    predictions = [f"s.{columns[column][1]} AS p_{j}" for j, column in enumerate(card.target_columns)]
    names = [f"y_{j}" for j in range(len(truths))] + [f"p_{j}" for j in range(len(truths))]
    return ", ".join([*truths, "NULL"]), ", ".join(predictions), ", ".join(names)


def _is_positive(
    con: duckdb.DuckDBPyConnection,
    label: str,
    label_type: str,
    label_text: str,
    ctx: MetricContext,
    params: dict[str, Any],
) -> str:
    """SQL: the label is the positive class, compared in the label's own type when that is exact.

    The positive label (text) is cast to the label column's type once; if that value's text is the
    positive label again, comparing typed values equals comparing the labels' text.
    """
    from harness import engine

    params["positive"] = ctx.positive
    try:
        typed = con.execute(
            f"SELECT {validation.text_sql('v', label_type)} "
            f"FROM (SELECT TRY_CAST($positive AS {label_type}) AS v)",
            {"positive": ctx.positive},
        ).fetchall()[0][0]
    except engine.Error:
        typed = None
    if typed == ctx.positive:
        return f"{label} = CAST($positive AS {label_type})"
    return f"{label_text} = $positive"


@contextmanager
def _scoring_settings(con: duckdb.DuckDBPyConnection) -> Iterator[None]:
    """Set `_SETTINGS` on the connection for the block and put the previous values back after it.

    A setting the connection has changed from DuckDB's default (a memory limit of its own) is left
    as it is; the others are RESET after the block.
    """
    now = con.execute("SELECT " + ", ".join(f"current_setting('{name}')" for name in _SETTINGS)).fetchall()[0]
    changed = [name for name, value in zip(_SETTINGS, now, strict=True) if str(value) == duckdb_default(name)]
    if not changed:
        yield
        return
    with _afterwards(con, ["; ".join(f"RESET {name}" for name in changed)]):
        con.execute("; ".join(f"SET {name} = {validation.literal(_SETTINGS[name])}" for name in changed))
        yield


def _summing_in_order(con: duckdb.DuckDBPyConnection, needed: bool) -> AbstractContextManager[None]:
    """Inside the block, the connection runs on one thread if `needed` (the metric is not
    `exact_in_parallel`).

    DuckDB adds up the parts of a sum that its threads made in whatever order they finish, and a
    sum of floats depends on that order in its last bits: on several threads, the same file could
    score 0.37531337215484434 once and 0.37531337215484445 the next time, and a resubmission
    could pass for a better one. On one thread the rows are added in their order: the labels'
    order, whichever order the file has (`_matched_rows`).
    """
    return _set_in_block(con, "threads", "1") if needed else nullcontext()


@contextmanager
def _set_in_block(con: duckdb.DuckDBPyConnection, name: str, value: str) -> Iterator[None]:
    """Inside the block, the connection's setting `name` is `value`; its value before comes back after."""
    before = _setting(con, name)
    con.execute(f"SET {name} = {value}")
    with _afterwards(con, [f"SET {name} = {before}"]):
        yield


@contextmanager
def _afterwards(con: duckdb.DuckDBPyConnection, statements: list[str]) -> Iterator[None]:
    """Run `statements` after the block.

    When the block raises, its error is the one the caller must see: an interrupt that aborted the
    caller's transaction (rescoring at a reseed) makes every statement fail until the ROLLBACK, and
    their failure must not hide it. They are tried then, and their errors let go.
    """
    from harness import engine

    try:
        yield
    except BaseException:
        for sql in statements:
            with suppress(engine.Error):
                con.execute(sql)
        raise
    for sql in statements:
        con.execute(sql)


def _setting(con: duckdb.DuckDBPyConnection, name: str) -> str:
    return str(con.execute(f"SELECT current_setting('{name}')").fetchall()[0][0])


def metric_context(card: Card) -> MetricContext:
    """The metric's context for `card`: classes, metric options and task."""
    return MetricContext.for_card(card)
