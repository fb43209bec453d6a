"""Scoring's fast path (typed read, one join) and its checked path (text read, `check`) agree.

For a good file both give the same score; for a broken one the fast path declines (returns None)
and `score_file` gives the checked path's message, word for word. Odd spellings of ids and numbers
must not be read one way by the fast path and another by the checks.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from harness import scoring, store
from harness.competition import load_card
from harness.errors import SubmissionRejected
from harness.validation import load_rules
from harness.workspace import Workspace
from tests.test_submit import REJECTIONS, _case
from tests.test_submit_support import (  # noqa: F401
    labels,
    perfect,
    sample,
    tiny_fixture,
    tiny_root_fixture,
    write_csv,
)

SLUGS = ["tiny-binary", "tiny-proba", "tiny-multiclass", "tiny-regression"]


# Matching by position pairs a small file in DuckDB (POSITIONAL JOIN) and a big one in Arrow.
PAIRINGS = {"in DuckDB": 10**9, "in Arrow": 0}


@pytest.fixture(params=list(PAIRINGS))
def pairing(request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch) -> str:
    monkeypatch.setattr(scoring, "ARROW_PAIRING_MIN_ROWS", PAIRINGS[request.param])
    return str(request.param)


def _outcome(ws: Workspace, slug: str, path: Path, *, fast: bool) -> scoring.Score | str:
    """The score by `score_file`, or the rejection message."""
    card = load_card(ws, slug)
    with store.connect(ws, slug) as con:
        try:
            return scoring.score_file(con, card, path, fast=fast)
        except SubmissionRejected as exc:
            return str(exc)


def _fast(ws: Workspace, slug: str, path: Path) -> scoring.Score | None:
    card = load_card(ws, slug)
    with store.connect(ws, slug) as con:
        return scoring.score_fast(con, card, path, load_rules(con, card))


def _same(a: scoring.Score | str, b: scoring.Score | str) -> bool:
    if isinstance(a, str) or isinstance(b, str):
        return a == b
    return (
        a.public == pytest.approx(b.public, rel=1e-12, abs=1e-15)
        and a.private == pytest.approx(b.private, rel=1e-12, abs=1e-15)
        and (a.rows, a.public_rows, a.private_rows, a.file_format)
        == (b.rows, b.public_rows, b.private_rows, b.file_format)
    )


def _noisy(ws: Workspace, slug: str) -> pd.DataFrame:
    """A good submission that is not perfect: the perfect one, its numbers moved a little."""
    frame = perfect(ws, slug)
    card = load_card(ws, slug)
    rng = range(len(frame))
    for column in frame.columns[1:]:
        if card.metric in ("roc_auc", "log_loss"):
            frame[column] = [
                abs(v - 0.1 * ((i * 7) % 10) / 10) for i, v in zip(rng, frame[column], strict=True)
            ]
        elif card.metric == "rmse":
            frame[column] = [v + ((i * 3) % 5) / 7 for i, v in zip(rng, frame[column], strict=True)]
        else:
            frame.loc[frame.index[::4], column] = 1 - frame.loc[frame.index[::4], column]
    return frame


# ------------------------------------------------------------------------------------- good files
@pytest.mark.parametrize("slug", SLUGS)
def test_good_files_score_the_same_by_either_path(tiny: Workspace, slug: str, pairing: str) -> None:
    files = {
        "sample.csv": sample(tiny, slug),
        "perfect.csv": write_csv(tiny.root / "perfect.csv", perfect(tiny, slug)),
        "noisy.csv": write_csv(tiny.root / "noisy.csv", _noisy(tiny, slug)),
    }
    files["noisy.parquet"] = tiny.root / "noisy.parquet"
    _noisy(tiny, slug).to_parquet(files["noisy.parquet"], index=False)
    for name, path in files.items():
        fast = _fast(tiny, slug, path)
        assert fast is not None, f"{name}: the fast path declined a good file"
        slow = _outcome(tiny, slug, path, fast=False)
        assert isinstance(slow, scoring.Score), slow
        assert _same(fast, slow), (name, fast, slow)
        assert _same(_outcome(tiny, slug, path, fast=True), slow), name


def test_parquet_of_other_types_scores_the_same(tiny: Workspace) -> None:
    """Float32 predictions, int32 ids, ids and numbers as strings: each as the checks read them."""
    frame = _noisy(tiny, "tiny-regression")
    variants = {
        "float32": frame.astype({"y": "float32"}),
        "int32 ids": frame.astype({"id": "int32"}),
        "text": frame.astype({"id": str, "y": str}),
        "float ids": frame.astype({"id": float}),
    }
    for name, variant in variants.items():
        path = tiny.root / f"{name}.parquet"
        variant.to_parquet(path, index=False)
        fast = _outcome(tiny, "tiny-regression", path, fast=True)
        slow = _outcome(tiny, "tiny-regression", path, fast=False)
        assert isinstance(slow, scoring.Score), (name, slow)
        assert _same(fast, slow), (name, fast, slow)
    # float32 goes through its text (as the checks read it), not through float32 -> double
    path = tiny.root / "float32.parquet"
    assert _fast(tiny, "tiny-regression", path) is not None


# -------------------------------------------------------------------------------------- bad files
@pytest.mark.parametrize("kind", list(REJECTIONS))
def test_each_broken_file_gets_the_checks_message_by_either_path(
    tiny: Workspace, kind: str, pairing: str
) -> None:
    slug, content = _case(tiny, kind)
    path = tiny.root / "broken.csv"
    path.write_bytes(content)
    try:
        declined = _fast(tiny, slug, path) is None
    except SubmissionRejected:
        declined = True  # sniffed before any read (empty, binary, not UTF-8): the same check
    assert declined, f"{kind}: the fast path scored a broken file"
    fast = _outcome(tiny, slug, path, fast=True)
    slow = _outcome(tiny, slug, path, fast=False)
    assert isinstance(slow, str) and REJECTIONS[kind] in slow
    assert fast == slow


@pytest.mark.parametrize("value", ["1e200", "1.7e308"])
def test_a_score_that_overflows_is_a_rejection_by_either_path(
    tiny: Workspace, value: str, pairing: str
) -> None:
    """Every value passes the checks (finite numbers), but the sum of their squares is infinite."""
    frame = perfect(tiny, "tiny-regression").astype({"y": str})
    frame["y"] = value
    path = write_csv(tiny.root / "huge.csv", frame)
    fast = _outcome(tiny, "tiny-regression", path, fast=True)
    slow = _outcome(tiny, "tiny-regression", path, fast=False)
    assert isinstance(slow, str) and "too large to score: their rmse overflows" in slow
    assert fast == slow


def test_a_duplicate_standing_in_for_a_missing_id_is_caught(tiny: Workspace, pairing: str) -> None:
    """As many rows as labels, every row a known id, yet one id twice and one missing."""
    frame = perfect(tiny, "tiny-regression")
    frame.loc[frame.index[1], "id"] = frame["id"].iloc[0]
    path = write_csv(tiny.root / "dupe.csv", frame)
    assert _fast(tiny, "tiny-regression", path) is None
    message = _outcome(tiny, "tiny-regression", path, fast=True)
    assert isinstance(message, str)
    assert "1 id appears more than once" in message and "1 id of the test set has no row" in message
    assert message == _outcome(tiny, "tiny-regression", path, fast=False)


def test_bad_values_beside_bad_ids_get_every_problem_by_either_path(tiny: Workspace, pairing: str) -> None:
    """The checked path skips the id checks only when the fast path paired every id with its label."""
    frame = perfect(tiny, "tiny-regression").astype({"y": str})
    frame.loc[frame.index[2], "y"] = "NaN"
    path = write_csv(tiny.root / "nan.csv", frame)
    message = _outcome(tiny, "tiny-regression", path, fast=True)
    assert isinstance(message, str) and "has 1 problem" in message and "NaN value" in message
    assert message == _outcome(tiny, "tiny-regression", path, fast=False)
    frame.loc[frame.index[1], "id"] = frame["id"].iloc[0]  # and an id twice, another missing
    path = write_csv(tiny.root / "nan_dupe.csv", frame)
    message = _outcome(tiny, "tiny-regression", path, fast=True)
    assert isinstance(message, str) and "has 3 problems" in message, message
    assert "1 id appears more than once" in message and "1 id of the test set has no row" in message
    assert message == _outcome(tiny, "tiny-regression", path, fast=False)


ID_SPELLINGS = ["{}", " {} ", "+{}", "0{}", "{}.0", "{}e0", "{}.4", "{}.5", "0x{:x}", "{}.", "'{}'", "{}_0"]
NUMBER_SPELLINGS = [
    "0.25",
    " 0.25 ",
    ".25",
    "+.25",
    "2.5e-1",
    "25e-2",
    "0x1p-2",
    "1_0",
    "-0",
    "nan",
    "NaN",
    "inf",
    "-Infinity",
    "1e400",
    "",
    " ",
    "NULL",
    "none",
    "n/a",
    "0.25.",
    "'0.25'",
    "1,5",
]


@pytest.mark.parametrize("spelling", ID_SPELLINGS)
def test_odd_ids_are_read_alike_by_either_path(tiny: Workspace, spelling: str, pairing: str) -> None:
    frame = _noisy(tiny, "tiny-regression").astype({"y": str})
    ids = [str(i) for i in frame["id"]]
    first = int(ids[0])
    ids[0] = spelling.format(first)
    text = "id,y\n" + "".join(f"{i},{y}\n" for i, y in zip(ids, frame["y"], strict=True))
    path = tiny.root / "odd.csv"
    path.write_text(text)
    fast = _outcome(tiny, "tiny-regression", path, fast=True)
    slow = _outcome(tiny, "tiny-regression", path, fast=False)
    assert _same(fast, slow), (spelling, fast, slow)


@pytest.mark.parametrize("spelling", NUMBER_SPELLINGS)
@pytest.mark.parametrize("slug", ["tiny-proba", "tiny-regression"])
def test_odd_numbers_are_read_alike_by_either_path(tiny: Workspace, slug: str, spelling: str) -> None:
    frame = _noisy(tiny, slug).astype(str)
    column = frame.columns[1]
    frame.loc[frame.index[2], column] = f'"{spelling}"' if "," in spelling else spelling
    text = ",".join(frame.columns) + "\n" + "".join(",".join(row) + "\n" for row in frame.to_numpy())
    path = tiny.root / "odd.csv"
    path.write_text(text)
    fast = _outcome(tiny, slug, path, fast=True)
    slow = _outcome(tiny, slug, path, fast=False)
    assert _same(fast, slow), (spelling, fast, slow)


HEADER_SPELLINGS = {
    "plain": b"id,y\n",
    "CRLF": b"id,y\r\n",
    "a byte-order mark": b"\xef\xbb\xbfid,y\n",
    "blank lines first": b"\n\nid,y\n",
    "Excel's sep line": b"sep=,\nid,y\n",
    "quoted names": b'"id","y"\n',
    "spaces around names": b" id , y\n",
    "a tab before a name": b"id,\ty\n",
    "the columns swapped": b"y,id\n",
    "a name repeated": b"id,id\n",
    "an empty name": b"id,\n",
    "another separator": b"id;y\n",
}


@pytest.mark.parametrize("spelling", list(HEADER_SPELLINGS))
def test_odd_headers_are_read_alike_by_either_path(tiny: Workspace, spelling: str) -> None:
    """The fast path reads a plain header line itself (`Sniffed.header`) and any other with read_csv;
    either way it takes the names the checks take."""
    frame = _noisy(tiny, "tiny-regression")
    header = HEADER_SPELLINGS[spelling]
    swapped = spelling == "the columns swapped"
    rows = "".join(
        f"{y},{i}\n" if swapped else f"{i},{y}\n" for i, y in zip(frame["id"], frame["y"], strict=True)
    )
    ending = b"\r\n" if b"\r\n" in header else b"\n"
    path = tiny.root / "odd.csv"
    path.write_bytes(header + rows.encode().replace(b"\n", ending))
    fast = _outcome(tiny, "tiny-regression", path, fast=True)
    slow = _outcome(tiny, "tiny-regression", path, fast=False)
    assert _same(fast, slow), (spelling, fast, slow)
    if spelling in (
        "plain",
        "CRLF",
        "a byte-order mark",
        "blank lines first",
        "Excel's sep line",
        "the columns swapped",
    ):
        assert not isinstance(slow, str) and _fast(tiny, "tiny-regression", path) is not None, spelling


def test_a_plain_header_is_named_as_read_csv_names_it(tmp_path: Path) -> None:
    from harness import engine
    from harness.validation import CSV_OPTIONS, sniff

    con = engine.connect()
    for line in (b"id,y", b"Id,Survived,class_2", b"a b,c.d,e-f", b"\xc3\xa9t\xc3\xa9,y"):
        path = tmp_path / "head.csv"
        path.write_bytes(line + b"\r\n" + b",".join([b"1"] * (line.count(b",") + 1)) + b"\r\n")
        sniffed = sniff(path)
        sql = f"SELECT * FROM read_csv($path, all_varchar = true, {CSV_OPTIONS}) LIMIT 0"
        names = [d[0] for d in con.execute(sql, sniffed.csv_params(path)).description or []]
        assert sniffed.header is not None and list(sniffed.header) == names, line
    for line in (b'"id",y', b"id, y", b"id,,y"):
        path = tmp_path / "head.csv"
        path.write_bytes(line + b"\n1,2,3\n")
        assert sniff(path).header is None, line
    path.write_bytes(b"id,y")  # no whole line: read_csv names it
    assert sniff(path).header is None


def test_plain_numbers_take_the_fast_path(tiny: Workspace) -> None:
    """The agreement tests above mean something only if the fast path scores the plain spellings."""
    frame = _noisy(tiny, "tiny-proba")
    frame.loc[frame.index[2], "label"] = 0.25
    for spelling in ("0.25", ".25", "2.5e-1"):
        text = frame.to_csv(index=False, lineterminator="\n").replace(",0.25\n", f",{spelling}\n")
        path = tiny.root / "plain.csv"
        path.write_text(text)
        assert _fast(tiny, "tiny-proba", path) is not None, spelling


def test_scoring_puts_the_connection_settings_back_and_keeps_a_callers_limit(
    tiny: Workspace, monkeypatch: pytest.MonkeyPatch
) -> None:
    card = load_card(tiny, "tiny-binary")
    broken = tiny.root / "broken.csv"
    broken.write_bytes(_case(tiny, "missing ids")[1])
    query = "SELECT current_setting('memory_limit'), current_setting('preserve_insertion_order')"
    seen = []
    score = scoring._score

    def watched(con, *args):  # type: ignore[no-untyped-def]
        seen.append(con.execute(query).fetchall()[0])
        return score(con, *args)

    monkeypatch.setattr(scoring, "_score", watched)
    with store.connect(tiny, "tiny-binary") as con:
        default = con.execute(query).fetchall()
        scoring.score_file(con, card, sample(tiny, "tiny-binary"))
        assert seen == [("488.2 MiB", False)]  # MEMORY_LIMIT, as DuckDB shows it
        assert con.execute(query).fetchall() == default
        con.execute("SET memory_limit = '2GB'")
        before = con.execute(query).fetchall()
        scoring.score_file(con, card, sample(tiny, "tiny-binary"))
        with pytest.raises(SubmissionRejected):
            scoring.score_file(con, card, broken)
        assert con.execute(query).fetchall() == before
    assert seen[-1] == (before[0][0], False)


def test_inside_a_transaction_a_broken_file_is_rejected_and_the_transaction_lives(tiny: Workspace) -> None:
    """Rescoring runs in the caller's transaction: a failing typed read would abort it."""
    slug, content = _case(tiny, "text where numbers are expected")
    broken = tiny.root / "broken.csv"
    broken.write_bytes(content)
    card = load_card(tiny, slug)
    with store.connect(tiny, slug) as con:
        rules = load_rules(con, card)
        assert scoring.score_fast(con, card, broken, rules) is None  # outside: the typed read fails
        con.execute("BEGIN TRANSACTION")
        with pytest.raises(SubmissionRejected, match="expects a number"):
            scoring.score_file(con, card, broken, rules)
        score = scoring.score_file(con, card, sample(tiny, slug), rules)
        con.execute("COMMIT")
    assert score.rows == len(labels(tiny, slug))


# ----------------------------------------------------------------------- matching rows to labels
def _store_order(ws: Workspace, slug: str, frame: pd.DataFrame) -> pd.DataFrame:
    """`frame` (one row per id) in the order the labels are stored: test.csv's order."""
    card = load_card(ws, slug)
    with store.connect(ws, slug, read_only=True) as con:
        ids = [r[0] for r in con.execute(f'SELECT "{card.id_column}" FROM labels').fetchall()]
    by_id = frame.set_index(card.id_column)
    return by_id.loc[ids].reset_index()


@pytest.mark.parametrize("slug", SLUGS)
def test_each_way_of_matching_rows_gives_the_checked_score(tiny: Workspace, slug: str, pairing: str) -> None:
    ordered = _store_order(tiny, slug, _noisy(tiny, slug))
    in_order = write_csv(tiny.root / "in_order.csv", ordered)
    shuffled = write_csv(tiny.root / "shuffled.csv", ordered.sample(frac=1, random_state=3))
    card = load_card(tiny, slug)
    want = _outcome(tiny, slug, in_order, fast=False)
    assert isinstance(want, scoring.Score), want
    with store.connect(tiny, slug) as con:
        rules = load_rules(con, card)
        by_position = scoring.score_fast(con, card, in_order, rules, match=scoring.Match.BY_POSITION)
        by_id = [
            scoring.score_fast(con, card, p, rules, match=scoring.Match.BY_ID) for p in (in_order, shuffled)
        ]
        declined = scoring.score_fast(con, card, shuffled, rules, match=scoring.Match.BY_POSITION)
    assert by_position is not None and _same(by_position, want)
    assert all(s is not None and _same(s, want) for s in by_id)
    assert declined is None  # out of order: no row pairs with its own label


def _matches_used(ws: Workspace, slug: str, path: Path, monkeypatch: pytest.MonkeyPatch) -> list[str]:
    used: list[str] = []
    score = scoring._score

    def watched(con, card, rules, source, match):  # type: ignore[no-untyped-def]
        used.append(match.name)
        return score(con, card, rules, source, match)

    monkeypatch.setattr(scoring, "_score", watched)
    result = _outcome(ws, slug, path, fast=True)
    monkeypatch.setattr(scoring, "_score", score)
    assert result == _outcome(ws, slug, path, fast=False) or _same(
        result, _outcome(ws, slug, path, fast=False)
    )
    return used


def test_a_file_in_the_labels_order_is_matched_by_position_and_any_other_by_id(
    tiny: Workspace, monkeypatch: pytest.MonkeyPatch
) -> None:
    slug = "tiny-regression"
    ordered = _store_order(tiny, slug, _noisy(tiny, slug))
    # A small file is matched by id at once: reading its first rows again would cost more.
    assert _matches_used(tiny, slug, sample(tiny, slug), monkeypatch) == ["BY_ID"]
    monkeypatch.setattr(scoring, "POSITION_MIN_ROWS", 0)  # as if the file were large
    assert _matches_used(tiny, slug, sample(tiny, slug), monkeypatch) == ["BY_POSITION"]
    in_order = write_csv(tiny.root / "in_order.csv", ordered)
    assert _matches_used(tiny, slug, in_order, monkeypatch) == ["BY_POSITION"]
    reversed_ = write_csv(tiny.root / "reversed.csv", ordered.iloc[::-1])
    assert _matches_used(tiny, slug, reversed_, monkeypatch) == ["BY_ID"]
    # In order for its first rows only: the probe guesses wrong, every id is compared, matched by id.
    monkeypatch.setattr(scoring, "ORDER_PROBE_ROWS", 2)
    strays = ordered.copy()
    strays.iloc[[3, 4]] = strays.iloc[[4, 3]].to_numpy()
    strays_path = write_csv(tiny.root / "strays.csv", strays)
    assert _matches_used(tiny, slug, strays_path, monkeypatch) == ["BY_POSITION", "BY_ID"]


@pytest.mark.parametrize("cut", ["last row missing", "one row too many", "last row twice"])
def test_a_file_in_order_with_rows_missing_or_extra_gets_the_checks_message(
    tiny: Workspace, cut: str, pairing: str
) -> None:
    slug = "tiny-regression"
    ordered = _store_order(tiny, slug, _noisy(tiny, slug))
    if cut == "last row missing":
        frame = ordered.iloc[:-1]
    elif cut == "one row too many":
        frame = pd.concat([ordered, ordered.iloc[[-1]].assign(id=10**6)])
    else:
        frame = pd.concat([ordered, ordered.iloc[[-1]]])
    path = write_csv(tiny.root / "cut.csv", frame)
    card = load_card(tiny, slug)
    with store.connect(tiny, slug) as con:
        rules = load_rules(con, card)
        for match in scoring.Match.BY_POSITION, scoring.Match.BY_ID:
            assert scoring.score_fast(con, card, path, rules, match=match) is None, (cut, match)
    message = _outcome(tiny, slug, path, fast=True)
    assert isinstance(message, str) and message == _outcome(tiny, slug, path, fast=False)


@pytest.mark.slow
def test_a_big_file_in_order_is_paired_in_arrow_row_by_row(tmp_path: Path) -> None:
    """A file big enough to be read in parallel, in chunks, still pairs each row with its own label."""
    from benchmarks.scoring import build

    rows = 300_000
    assert rows >= scoring.ARROW_PAIRING_MIN_ROWS
    fx = build(tmp_path, rows, rows)
    ws = Workspace(fx.root)
    # Numbers (ROC AUC, CSV and Parquet) and text (MAP@12: its checks compare text with null tokens).
    for slug, paths in ("bench-auc", [fx.csv, fx.parquet, fx.tied_csv]), ("bench-map", [fx.map_csv]):
        card = load_card(ws, slug)
        with store.connect(ws, slug) as con:
            rules = load_rules(con, card)
            for path in paths:
                by_position = scoring.score_fast(con, card, path, rules, match=scoring.Match.BY_POSITION)
                by_id = scoring.score_fast(con, card, path, rules, match=scoring.Match.BY_ID)
                assert by_position is not None and by_id is not None, path
                assert by_position.rows == rows and _same(by_position, by_id), path


@pytest.mark.slow
def test_the_same_big_file_always_gets_the_same_score(tmp_path: Path) -> None:
    """Floats added up on several threads in a changing order would move the last digits; so would
    the same rows in another order (the shuffled copy, matched by id).

    ROC AUC (`exact_in_parallel`) adds up only whole numbers on every core, for both of its forms.
    """
    import duckdb

    from benchmarks.scoring import build

    fx = build(tmp_path, 400_000, 400_000)
    ws = Workspace(fx.root)
    shuffled = {}
    for path in fx.csv, fx.tied_csv, fx.map_csv:
        shuffled[path] = tmp_path / f"shuffled-{path.name}"
        duckdb.sql(f"COPY (FROM read_csv('{path}') ORDER BY hash(id)) TO '{shuffled[path]}'")
    files = [("bench-logloss", fx.csv), ("bench-rmse", fx.csv), ("bench-map", fx.map_csv)]
    for slug, path in [*files, ("bench-auc", fx.csv), ("bench-auc", fx.tied_csv)]:
        card = load_card(ws, slug)
        with store.connect(ws, slug) as con:
            rules = load_rules(con, card)
            scores = {scoring.score_fast(con, card, shuffled[path], rules) for _ in range(2)}
            for match in scoring.Match.BY_POSITION, scoring.Match.BY_ID:
                scores |= {scoring.score_fast(con, card, path, rules, match=match) for _ in range(4)}
            assert len(scores) == 1 and None not in scores, (slug, scores)


@pytest.mark.parametrize("slug", ["tiny-regression", "tiny-multiclass"])
def test_the_same_predictions_in_any_row_order_get_the_same_score(tiny: Workspace, slug: str) -> None:
    """To the last bit, by every way of matching rows: a float sum depends on the order of its terms,
    so rows matched by id are added up in the labels' order, as rows matched by position are."""
    frame = perfect(tiny, slug)
    if slug == "tiny-regression":  # off by noise of every size, from 1e-6 to 100
        rng = np.random.default_rng(3)
        noise = rng.standard_normal(len(frame)) * 10.0 ** rng.integers(-6, 3, len(frame))
        frame["y"] = frame["y"] + noise
    else:
        frame = _noisy(tiny, slug)
    scores = set()
    for seed in range(6):
        shuffled = frame if seed == 0 else frame.sample(frac=1, random_state=seed)
        path = write_csv(tiny.root / f"shuffled-{seed}.csv", shuffled)
        for fast in True, False:
            score = _outcome(tiny, slug, path, fast=fast)
            assert isinstance(score, scoring.Score), score
            scores.add((score.public, score.private))
    assert len(scores) == 1, scores
