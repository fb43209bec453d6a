"""What the reports read: the ledger, the selections, the labels and the kept submission files.

`read_history` opens the competition through `session.open_competition` and copies what the reports
need into a `History` (a value) and an in-memory DuckDB database of its own (`History.con`): the
labels (`labels`, with `i`, the row's place in test.csv's order) and, on demand, the predictions of
kept submission files (`load_predictions`, table `preds`). The store is closed before any analysis
starts, so a report never holds the store while it computes.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from datetime import datetime
from typing import TYPE_CHECKING, Any

from harness import validation
from harness.competition import Card
from harness.ledger import REFERENCE_PREFIX
from harness.metrics import Metric, MetricContext, Prediction
from harness.metrics import get as get_metric
from harness.session import open_competition
from harness.store import as_utc
from harness.store import quote_identifier as q
from harness.vault import PUBLIC
from harness.workspace import Workspace

if TYPE_CHECKING:
    import duckdb

PREDS = "preds"


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
    kernel: str | None
    study_id: str | None
    stored_path: str | None
    late: bool
    selected: bool

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
    import duckdb

    with open_competition(ws, slug) as session:
        con = session.store
        closed = session.closed
        rows = con.execute(
            "SELECT ref, seq, participant, submitted_at, message, public_score, private_score, cv_score, "
            "kernel, study_id, stored_path, late FROM submissions "
            "WHERE status = 'scored' AND NOT coalesce(stale, false) ORDER BY seq"
        ).fetchall()
        selected: dict[str, list[str]] = {}
        for who, ref in con.execute("SELECT participant, ref FROM selections ORDER BY ref").fetchall():
            selected.setdefault(who, []).append(ref)
        # While open, the report reads only the public rows: nothing of the private part leaves the store.
        where = "" if closed else f" WHERE usage = '{PUBLIC}'"
        labels = con.sql(f"SELECT *, CAST(rowid AS INTEGER) AS i FROM labels{where}").to_arrow_table()
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
        )
        for r in rows
    )
    mem = duckdb.connect()
    mem.execute("SET enable_progress_bar = false")
    mem.register("incoming_labels", labels)
    mem.execute("CREATE TABLE labels AS SELECT * FROM incoming_labels")
    mem.unregister("incoming_labels")
    counts = dict(mem.execute("SELECT usage, count(*) FROM labels GROUP BY usage").fetchall())
    return History(
        ws=ws,
        card=card,
        closed=closed,
        entries=entries,
        selections={k: tuple(v) for k, v in selected.items()},
        public_rows=int(counts.get(PUBLIC, 0)),
        private_rows=int(sum(counts.values()) - counts.get(PUBLIC, 0)),
        con=mem,
    )


def rules_for(ws: Workspace, card: Card) -> validation.SubmissionRules:
    """The submission rules of `card`, as the store keeps them."""
    with open_competition(ws, card.slug, card=card) as session:
        return validation.load_rules(session.store, card)


def load_predictions(history: History, entries: list[Entry], rules: validation.SubmissionRules) -> list[str]:
    """Read the kept files of `entries` into the table `preds` of `history.con`, matched to the labels.

    `preds` holds `ref`, `i` (the label's row), `pub`, `y` and `p` (or `p_0..p_{K-1}` for class
    probabilities), typed as the metric's relation wants them (see `harness.metrics.Metric`). CSV
    files that share a layout are read by one `read_csv` over all of them; any other file on its own.
    Returns the refs read; a submission whose kept file is gone is left out.
    """
    con = history.con
    present = [e for e in entries if e.stored_path and (history.ws.root / e.stored_path).is_file()]
    groups: dict[tuple[str, str, int], list[Entry]] = {}
    for entry in present:
        sniffed = validation.sniff(history.ws.root / str(entry.stored_path))
        groups.setdefault((sniffed.format, sniffed.compression, sniffed.lines_before_header), []).append(
            entry
        )
    con.execute(f"DROP TABLE IF EXISTS {PREDS}")
    read: list[str] = []
    for (fmt, compression, skip), group in groups.items():
        paths = [str(history.ws.root / str(e.stored_path)) for e in group]
        if fmt == "parquet":
            source = "read_parquet($paths, union_by_name = true, filename = true)"
            params: dict[str, Any] = {"paths": paths}
        else:
            source = (
                "read_csv($paths, all_varchar = true, header = true, delim = ',', quote = '\"', "
                "escape = '\"', skip = $skip, comment = '', compression = $compression, "
                "union_by_name = true, filename = true)"
            )
            params = {"paths": paths, "skip": skip, "compression": compression}
        con.execute(f"CREATE OR REPLACE TEMP TABLE raw_files AS SELECT * FROM {source}", params)
        by_file = {path: e.ref for path, e in zip(paths, group, strict=True)}
        con.register("file_refs", _refs_frame(by_file))
        _append(con, history, rules)
        con.unregister("file_refs")
        read += [e.ref for e in group]
    con.execute("DROP TABLE IF EXISTS raw_files")
    if not read:
        _append_nothing(con, history)
    return read


def _refs_frame(by_file: dict[str, str]) -> Any:
    import pyarrow as pa

    return pa.table({"filename": list(by_file), "ref": list(by_file.values())})


def _relation_columns(history: History) -> list[str]:
    if history.kind is Prediction.CLASS_PROBABILITIES:
        assert history.card.classes is not None
        return ["y", *(f"p_{i}" for i in range(len(history.card.classes)))]
    return ["y", "p"]


def _append_nothing(con: duckdb.DuckDBPyConnection, history: History) -> None:
    y_type, p_type = _types(history.kind)
    cols = ", ".join(
        f"CAST(NULL AS {y_type if c == 'y' else p_type}) AS {c}" for c in _relation_columns(history)
    )
    con.execute(
        f"CREATE TABLE IF NOT EXISTS {PREDS} AS SELECT '' AS ref, 0 AS i, true AS pub, {cols} LIMIT 0"
    )


def _types(kind: Prediction) -> tuple[str, str]:
    return {
        Prediction.LABEL: ("VARCHAR", "VARCHAR"),
        Prediction.PROBABILITY: ("INTEGER", "DOUBLE"),
        Prediction.VALUE: ("DOUBLE", "DOUBLE"),
        Prediction.RANKING: ("VARCHAR", "VARCHAR"),
        Prediction.CLASS_PROBABILITIES: ("VARCHAR", "DOUBLE"),
    }[kind]


def _append(con: duckdb.DuckDBPyConnection, history: History, rules: validation.SubmissionRules) -> None:
    """Match the rows of `raw_files` to the labels and append them to `preds`."""
    card = history.card
    names = [str(d[0]) for d in con.execute("SELECT * FROM raw_files LIMIT 0").description or []]

    def column(name: str) -> str:
        # The same column may be spelt with another case or spacing in another file.
        same = [n for n in names if n.strip().casefold() == name.casefold()]
        assert same, f"no column {name!r} among {names}"
        return f"coalesce({', '.join(f'trim(CAST(r.{q(n)} AS VARCHAR))' for n in same)})"

    label_types = {str(r[0]): str(r[1]) for r in con.execute("DESCRIBE labels").fetchall()}
    target = card.target
    y_text = validation.text_sql(f"l.{q(target)}", label_types[target])
    id_text = validation.text_sql(f"l.{q(card.id_column)}", label_types[card.id_column])
    kind = history.kind
    preds = rules.prediction_rules
    if kind is Prediction.CLASS_PROBABILITIES:
        assert card.classes is not None
        p = ", ".join(f"TRY_CAST({column(c)} AS DOUBLE) AS p_{i}" for i, c in enumerate(card.classes))
        y = y_text
    else:
        text = column(preds[0].name)
        if kind is Prediction.LABEL:
            num = f"TRY_CAST({text} AS DOUBLE)" if preds[0].numeric else None
            p, y = f"{validation.canonical_sql(text, num)} AS p", y_text
        elif kind is Prediction.PROBABILITY:
            positive = validation.literal(str(history.ctx.positive))
            p, y = f"TRY_CAST({text} AS DOUBLE) AS p", f"CASE WHEN {y_text} = {positive} THEN 1 ELSE 0 END"
        elif kind is Prediction.VALUE:
            p, y = f"TRY_CAST({text} AS DOUBLE) AS p", f"CAST(l.{q(target)} AS DOUBLE)"
        else:
            p, y = f"{text} AS p", y_text
    id_file = column(card.id_column)
    id_key = id_file
    if label_types[card.id_column].upper() not in ("VARCHAR", "TEXT", "STRING"):
        # A numeric id written as 1.0 for 1 matches too: compared in canonical text form.
        id_key = validation.canonical_sql(id_file, f"TRY_CAST({id_file} AS DOUBLE)")
    select = (
        f"SELECT f.ref, l.i, l.usage = '{PUBLIC}' AS pub, {y} AS y, {p} "
        f"FROM raw_files AS r JOIN file_refs AS f ON f.filename = r.filename "
        f"JOIN labels AS l ON {id_text} = {id_key}"
    )
    exists = con.execute(
        "SELECT count(*) FROM duckdb_tables() WHERE table_name = ? AND NOT temporary", [PREDS]
    ).fetchall()[0][0]
    con.execute(f"INSERT INTO {PREDS} {select}" if exists else f"CREATE TABLE {PREDS} AS {select}")
