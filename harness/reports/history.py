"""What the reports read: the ledger, the selections, the labels and the kept submission files.

`read_history` opens the competition through `session.open_competition` and copies what the reports
need into a `History` (a value) and an in-memory DuckDB database of its own (`History.con`): the
labels (`labels`, with `i`, the row's place in test.csv's order) and, on demand, the predictions of
kept submission files (`load_predictions`, table `preds`). The store is closed before any analysis
starts, so a report never holds the store while it computes.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

from harness import validation
from harness.competition import Card
from harness.ledger import REFERENCE_PREFIX
from harness.metrics import Metric, MetricContext, Prediction
from harness.metrics import get as get_metric
from harness.session import open_competition
from harness.store import as_utc, column_names
from harness.store import quote_identifier as q
from harness.vault import PUBLIC
from harness.workspace import Workspace

if TYPE_CHECKING:
    import duckdb

PREDS = "preds"
# The labels as the reports read them: `i` is the row's place in the labels (test.csv's order).
LABELS_SQL = "SELECT *, CAST(rowid AS INTEGER) AS i FROM labels"
MEMORY_LIMIT = "512MB"


@dataclass(frozen=True)
class Entry:
    """One scored submission as the reports see it (private score None while the competition is open)."""

    ref: str
    seq: int
    participant: str
    submitted_at: datetime
    message: str | None
    public_score: float
    private_score: float | None
    cv_score: float | None
    cv_folds: int | None  # how many folds cv_score is the mean of; None when not told
    kernel: str | None
    study_id: str | None
    stored_path: str | None
    late: bool
    selected: bool
    sha256: str = ""

    @property
    def reference(self) -> bool:
        return self.participant.startswith(REFERENCE_PREFIX)

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)


@dataclass(frozen=True)
class History:
    """A competition's history for the reports. `con` is an in-memory DuckDB of the report's own."""

    ws: Workspace
    card: Card
    closed: bool
    entries: tuple[Entry, ...]
    selections: dict[str, tuple[str, ...]]
    public_rows: int
    private_rows: int
    public_digest: str  # of the public rows and their labels: what a kept row value was worked out on
    con: duckdb.DuckDBPyConnection = field(repr=False, compare=False)

    @property
    def metric(self) -> Metric:
        return get_metric(self.card.metric)

    @property
    def ctx(self) -> MetricContext:
        return MetricContext.for_card(self.card)

    @property
    def kind(self) -> Prediction:
        return self.metric.prediction_for(self.card.task)

    def of(self, participant: str) -> list[Entry]:
        """The on-time submissions of `participant`, in ledger order."""
        return [e for e in self.entries if e.participant == participant and not e.late]

    def references(self) -> list[Entry]:
        return [e for e in self.entries if e.reference and not e.late]

    def finals(self, participant: str) -> list[Entry]:
        """The submissions that stand for `participant`: the selection, or its best public ones."""
        own = self.of(participant)
        chosen = [e for e in own if e.selected]
        if chosen:
            return chosen
        return sorted(own, key=lambda e: (self.sign * e.public_score, e.seq))[
            : self.card.rules.final_selections
        ]

    @property
    def sign(self) -> float:
        """-1 when higher is better: sorting by `sign * score` puts the best first."""
        return -1.0 if self.metric.greater_is_better else 1.0

    def close(self) -> None:
        self.con.close()


def read_history(ws: Workspace, slug: str) -> History:
    """Read `slug`'s ledger and labels (private scores only once it is closed). Raises NotPrepared."""
    with open_competition(ws, slug) as session:
        con = session.store
        closed = session.closed
        folds = "cv_folds" if _kept_folds(con) else "NULL"
        rows = con.execute(
            "SELECT ref, seq, participant, submitted_at, message, public_score, private_score, cv_score, "
            f"kernel, study_id, stored_path, late, sha256, {folds} FROM submissions "
            "WHERE status = 'scored' AND NOT coalesce(stale, false) ORDER BY seq"
        ).fetchall()
        selected: dict[str, list[str]] = {}
        for who, ref in con.execute("SELECT participant, ref FROM selections ORDER BY ref").fetchall():
            selected.setdefault(who, []).append(ref)
        # While open, the report reads only the public rows: nothing of the private part leaves the store.
        where = "" if closed else f" WHERE usage = '{PUBLIC}'"
        labels = con.sql(f"{LABELS_SQL}{where}").to_arrow_table()
        card = session.card
    entries = tuple(
        Entry(
            ref=r[0],
            seq=r[1],
            participant=r[2],
            submitted_at=as_utc(r[3]),
            message=r[4],
            public_score=float(r[5]),
            private_score=float(r[6]) if closed and r[6] is not None else None,
            cv_score=r[7],
            kernel=r[8],
            study_id=r[9],
            stored_path=r[10],
            late=bool(r[11]),
            selected=r[0] in selected.get(r[2], ()),
            sha256=r[12],
            cv_folds=r[13],
        )
        for r in rows
    )
    mem, counts, digest = report_database(card, labels)
    return History(
        ws=ws,
        card=card,
        closed=closed,
        entries=entries,
        selections={k: tuple(v) for k, v in selected.items()},
        public_rows=int(counts.get(PUBLIC, 0)),
        private_rows=int(sum(counts.values()) - counts.get(PUBLIC, 0)),
        public_digest=digest,
        con=mem,
    )


def report_database(
    card: Card, labels: Any = None, *, label_file: Path | None = None
) -> tuple[duckdb.DuckDBPyConnection, dict[str, int], str]:
    """A report's in-memory DuckDB holding the labels (an Arrow table of them with `i`, their row in
    the store; or the public ones of `label_file`, `vault.LABEL_FILE`, read without Arrow), how many
    labels each usage has, and the digest of the public rows and their labels (what a kept row
    value was worked out on, see `History.public_digest`)."""
    from harness import engine

    mem = engine.connect()
    try:
        mem.execute("SET enable_progress_bar = false")
        # As scoring does: beyond this, DuckDB spills to disk rather than hold many files' rows at once.
        mem.execute(f"SET memory_limit = '{MEMORY_LIMIT}'")
        if label_file is not None:
            mem.execute(f"ATTACH {validation.literal(str(label_file))} AS label_file (READ_ONLY)")
            public = LABELS_SQL.replace("FROM labels", "FROM label_file.labels")
            source = f"({public} WHERE usage = '{PUBLIC}')"
        else:
            mem.register("incoming_labels", labels)
            source = "incoming_labels"
        # `j`: a public row's place among the public rows (the bootstrap's row index).
        mem.execute(
            "CREATE TABLE labels AS SELECT *, CASE WHEN usage = 'Public' THEN CAST(row_number() OVER "
            f"(PARTITION BY usage = 'Public' ORDER BY i) - 1 AS INTEGER) END AS j FROM {source}"
        )
        if label_file is not None:
            mem.execute("DETACH label_file")
        else:
            mem.unregister("incoming_labels")
        counts = dict(mem.execute("SELECT usage, count(*) FROM labels GROUP BY usage").fetchall())
        digest = mem.execute(
            f"SELECT CAST(bit_xor(hash(i, CAST({q(card.target)} AS VARCHAR))) AS VARCHAR) || '-' || count(*) "
            f"FROM labels WHERE usage = '{PUBLIC}'"
        ).fetchall()[0][0]
    except BaseException:
        mem.close()
        raise
    return mem, {str(k): int(v) for k, v in counts.items()}, str(digest)


def _kept_folds(con: duckdb.DuckDBPyConnection) -> bool:
    """Whether the ledger keeps each CV score's folds (a store from before, read-only, does not)."""
    return "cv_folds" in column_names(con, "submissions")


def rules_for(ws: Workspace, card: Card) -> validation.SubmissionRules:
    """The submission rules of `card`, as the store keeps them."""
    with open_competition(ws, card.slug, card=card) as session:
        return validation.load_rules(session.store, card)


# What becomes of the matched rows of a group of files: given a SELECT of them and its parameters.
Sink = Callable[[str, dict[str, Any]], None]


def load_predictions(
    history: History,
    entries: list[Entry],
    rules: validation.SubmissionRules,
    *,
    public_only: bool = False,
    into: Sink | None = None,
) -> list[str]:
    """Read the kept files of `entries` into the table `preds` of `history.con`, matched to the labels.

    `preds` holds `ref` and `seq` (the submission's), `i` (the label's row), `j` (the row's place
    among the public rows, NULL for a private row), `pub`, `y` and `p` (or `p_0..p_{K-1}` for
    class probabilities), typed as the metric's relation wants them (see `harness.metrics.Metric`);
    with `public_only`, only the public rows. Rows already there for one of `entries` are replaced.
    Files with the same layout are read by one `read_csv` over all of them: a CSV whose header names
    exactly the submission's columns is read with their types (the id in the labels' type, numeric
    predictions as DOUBLE), without sniffing; any other CSV as text, its columns found by name.
    Returns the refs read; a submission whose kept file is gone is left out.

    `into` takes the matched rows of each group of files instead of `preds` (a query over them that
    keeps only what it needs: see `stats.public_row_values`); its query must read them all.
    """
    from harness import engine

    con = history.con

    def insert(rows: str, params: dict[str, Any]) -> None:
        con.execute(f"INSERT INTO {PREDS} {rows}", params)

    sink = into or insert
    present = [e for e in entries if e.stored_path and (history.ws.root / e.stored_path).is_file()]
    groups: dict[tuple[str, str, int, tuple[str, ...] | None], list[Entry]] = {}
    for entry in present:
        path = history.ws.root / str(entry.stored_path)
        sniffed = validation.sniff(path)
        header = _typed_header(path, sniffed, rules)
        key = (sniffed.format, sniffed.compression, sniffed.lines_before_header, header)
        groups.setdefault(key, []).append(entry)
    _append_nothing(con, history)
    if present:
        refs = [e.ref for e in present]
        con.execute(f"DELETE FROM {PREDS} WHERE list_contains(CAST($refs AS VARCHAR[]), ref)", {"refs": refs})
    read: list[str] = []
    label_types = {str(r[0]): str(r[1]) for r in con.execute("DESCRIBE labels").fetchall()}
    csv = (
        "header = true, delim = ',', quote = '\"', escape = '\"', skip = $skip, comment = '', "
        "compression = $compression"
    )
    for (fmt, compression, skip, header), group in groups.items():
        paths = [str(history.ws.root / str(e.stored_path)) for e in group]
        params: dict[str, Any] = {"paths": paths}
        if fmt == "parquet":
            source = "read_parquet($paths, union_by_name = true)"
        elif header is not None:
            types = _column_types(header, rules, label_types, history.kind)
            source = f"read_csv($paths, auto_detect = false, columns = $columns, {csv})"
            params |= {"skip": skip, "compression": compression, "columns": types}
        else:
            source = f"read_csv($paths, all_varchar = true, union_by_name = true, {csv})"
            params |= {"skip": skip, "compression": compression}
        con.execute(
            "CREATE OR REPLACE TEMP TABLE file_refs AS SELECT unnest(CAST($file_index AS BIGINT[])) AS "
            "file_index, unnest(CAST($ref AS VARCHAR[])) AS ref, unnest(CAST($seq AS INTEGER[])) AS seq",
            {
                "file_index": list(range(len(group))),
                "ref": [e.ref for e in group],
                "seq": [e.seq for e in group],
            },
        )
        # The files stream from the read into `preds`, never stored whole.
        typed = header is not None or fmt == "parquet"
        try:
            _append(con, history, rules, (source, params), sink, typed=typed, public_only=public_only)
        except engine.Error:
            if not typed:
                raise
            # A value that is not of its column's type (an id written 1.0): matched as text.
            if fmt != "parquet":
                source = f"read_csv($paths, all_varchar = true, union_by_name = true, {csv})"
                params.pop("columns", None)
            _append(con, history, rules, (source, params), sink, typed=False, public_only=public_only)
        con.execute("DROP TABLE file_refs")
        read += [e.ref for e in group]
    return read


def _typed_header(
    path: Path, sniffed: validation.Sniffed, rules: validation.SubmissionRules
) -> tuple[str, ...] | None:
    """The file's header when it names exactly the submission's columns, in any order; else None."""
    if sniffed.format != "csv":
        return None
    try:
        with path.open("rb") as file:
            for _ in range(sniffed.lines_before_header):
                file.readline()
            line = file.readline(4096).decode("utf-8")
    except (OSError, UnicodeDecodeError):
        return None
    names = tuple(line.rstrip("\r\n").split(","))
    return names if sorted(names) == sorted(rules.names) else None


def _column_types(
    header: tuple[str, ...], rules: validation.SubmissionRules, label_types: dict[str, str], kind: Prediction
) -> dict[str, str]:
    """The type to read each column of `header` as."""
    by_name = {c.name: c for c in rules.columns}
    numeric = kind in (Prediction.PROBABILITY, Prediction.VALUE, Prediction.CLASS_PROBABILITIES)
    out = {}
    for name in header:
        if name == rules.id_column:
            out[name] = label_types[rules.id_column]
        else:
            out[name] = "DOUBLE" if numeric and by_name[name].numeric else "VARCHAR"
    return out


def _relation_columns(history: History) -> list[str]:
    if history.kind is Prediction.CLASS_PROBABILITIES:
        assert history.card.classes is not None
        return ["y", *(f"p_{i}" for i in range(len(history.card.classes)))]
    return ["y", "p"]


def _append_nothing(con: duckdb.DuckDBPyConnection, history: History) -> None:
    """Make the empty table `preds` if there is none yet."""
    y_type, p_type = _types(history.kind)
    cols = ", ".join(
        f"CAST(NULL AS {y_type if c == 'y' else p_type}) AS {c}" for c in _relation_columns(history)
    )
    con.execute(
        f"CREATE TABLE IF NOT EXISTS {PREDS} AS SELECT '' AS ref, 0 AS seq, 0 AS i, "
        f"CAST(NULL AS INTEGER) AS j, true AS pub, {cols} LIMIT 0"
    )


def _types(kind: Prediction) -> tuple[str, str]:
    return {
        Prediction.LABEL: ("VARCHAR", "VARCHAR"),
        Prediction.PROBABILITY: ("INTEGER", "DOUBLE"),
        Prediction.VALUE: ("DOUBLE", "DOUBLE"),
        Prediction.RANKING: ("VARCHAR", "VARCHAR"),
        Prediction.TEXT: ("VARCHAR", "VARCHAR"),
        Prediction.CLASS_PROBABILITIES: ("VARCHAR", "DOUBLE"),
    }[kind]


def _append(
    con: duckdb.DuckDBPyConnection,
    history: History,
    rules: validation.SubmissionRules,
    read: tuple[str, dict[str, Any]],
    sink: Sink,
    *,
    typed: bool,
    public_only: bool,
) -> None:
    """Match the rows the table function `read` gives (with its parameters) to the labels and hand
    them to `sink` (which appends them to `preds`, or keeps less of them).

    `typed`: the columns have their types (the id the labels' type); else they are text, found by
    name whatever their case or spacing, and the id is matched in canonical text form (1.0 is 1).
    """
    card = history.card
    source, params = read
    names = [str(d[0]) for d in con.execute(f"SELECT * FROM {source} LIMIT 0", params).description or []]

    def column(name: str, trimmed: bool = True) -> str:
        same = [n for n in names if n.strip().casefold() == name.casefold()]
        assert same, f"no column {name!r} among {names}"
        if typed:
            return f"r.{q(same[0])}"
        cast = "trim(CAST(r.{} AS VARCHAR))" if trimmed else "CAST(r.{} AS VARCHAR)"
        return f"coalesce({', '.join(cast.format(q(n)) for n in same)})"

    def number(expr: str) -> str:
        return f"TRY_CAST({expr} AS DOUBLE)"

    label_types = {str(r[0]): str(r[1]) for r in con.execute("DESCRIBE labels").fetchall()}
    target = card.target
    y_text = validation.text_sql(f"l.{q(target)}", label_types[target])
    kind = history.kind
    preds = rules.prediction_rules
    if kind is Prediction.CLASS_PROBABILITIES:
        assert card.classes is not None
        p = ", ".join(f"{number(column(c))} AS p_{i}" for i, c in enumerate(card.classes))
        y = y_text
    elif kind is Prediction.TEXT:  # as written, a missing value as scoring reads it (open_label)
        from harness.open_label import answer_sql

        p, y = (
            f"{answer_sql(f'CAST({column(preds[0].name, trimmed=False)} AS VARCHAR)')} AS p",
            answer_sql(y_text),
        )
    else:
        text = column(preds[0].name)
        if kind is Prediction.LABEL:
            text = f"CAST({text} AS VARCHAR)"
            p, y = (
                f"{validation.canonical_sql(text, number(text) if preds[0].numeric else None)} AS p",
                y_text,
            )
        elif kind is Prediction.PROBABILITY:
            positive = validation.literal(str(history.ctx.positive))
            p, y = f"{number(text)} AS p", f"CASE WHEN {y_text} = {positive} THEN 1 ELSE 0 END"
        elif kind is Prediction.VALUE:
            p, y = f"{number(text)} AS p", f"CAST(l.{q(target)} AS DOUBLE)"
        else:
            p, y = f"CAST({text} AS VARCHAR) AS p", y_text
    id_file = column(card.id_column)
    if typed:
        id_key, label_key = id_file, f"l.{q(card.id_column)}"
    else:
        label_key = validation.text_sql(f"l.{q(card.id_column)}", label_types[card.id_column])
        id_key = id_file
        if label_types[card.id_column].upper() not in ("VARCHAR", "TEXT", "STRING"):
            id_key = validation.canonical_sql(id_file, number(id_file))
    where = f" WHERE l.usage = '{PUBLIC}'" if public_only else ""
    # The truth side is worked out once per label, before the join.
    truth = (
        f"(SELECT l.i, l.j, l.usage = '{PUBLIC}' AS pub, {y} AS y, {label_key} AS key "
        f"FROM labels AS l{where})"
    )
    sink(
        f"SELECT f.ref, f.seq, t.i, t.j, t.pub, t.y, {p} "
        f"FROM (SELECT *, file_index FROM {source}) AS r "
        f"JOIN file_refs AS f ON f.file_index = r.file_index JOIN {truth} AS t ON t.key = {id_key}",
        params,
    )
