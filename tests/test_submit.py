"""`compete submit`: validation before scoring, dialects, scoring in DuckDB against reference metrics."""

from __future__ import annotations

import csv
import gzip
import hashlib
import io
import json
import subprocess
import sys
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from sklearn.metrics import accuracy_score, log_loss, roc_auc_score, root_mean_squared_error

from harness import ledger, store
from harness.competition import load_card
from harness.workspace import Workspace
from tests.test_submit_support import (  # noqa: F401
    another_copy,
    cli,
    labels,
    perfect,
    repo_python_env,
    sample,
    tiny_fixture,
    tiny_root_fixture,
    write_csv,
)


def _json(result: object) -> dict:
    return json.loads(result.stdout)  # type: ignore[attr-defined]


# ------------------------------------------------------------------------------------------ scoring
def test_sample_submission_scores_and_is_kept(tiny: Workspace) -> None:
    result = cli("submit", "tiny-binary", str(sample(tiny, "tiny-binary")), "-m", "baseline", "-f", "json")
    assert result.exit_code == 0, result.output
    out = _json(result)
    assert {"ref", "competition", "status", "public_score", "private_score", "error"} <= set(out)
    assert out["status"] == "scored" and out["error"] is None
    assert out["private_score"] is None  # hidden while open
    assert out["public_rank"] == 1 and out["is_best"] is True
    assert out["remaining_today"] == 2 and out["daily_limit"] == 3
    kept = tiny.root / out["stored_path"]
    assert kept.parent == tiny.submissions_dir("tiny-binary") and kept.name.startswith(out["ref"])
    assert kept.read_bytes() == sample(tiny, "tiny-binary").read_bytes()
    assert out["sha256"] == hashlib.sha256(kept.read_bytes()).hexdigest()
    with store.connect(tiny, "tiny-binary", read_only=True) as con:
        private = con.execute("SELECT private_score FROM submissions").fetchall()[0][0]
    assert private is not None  # computed and stored, never shown before close


def test_table_output_shows_ref_score_rank_best_and_slots(tiny: Workspace) -> None:
    result = cli("submit", "tiny-binary", str(sample(tiny, "tiny-binary")))
    assert result.exit_code == 0, result.output
    for text in ("s0001", "public score", "public rank", "1 of 1", "your best", "left today", "2 of 3"):
        assert text in result.stdout
    assert "private" not in result.stdout


@pytest.mark.parametrize(
    ("slug", "cv", "says"),
    [
        ("tiny-proba", "0.25", "better"),  # ROC AUC of the sample submission: higher is better
        ("tiny-proba", "0.99", "worse"),
        ("tiny-regression", "0", "worse"),  # RMSE: lower is better
        ("tiny-regression", "1e9", "better"),
    ],
)
def test_table_output_compares_the_public_score_with_the_cv_score(
    tiny: Workspace, slug: str, cv: str, says: str
) -> None:
    result = cli("submit", slug, str(sample(tiny, slug)), "--cv", cv)
    assert result.exit_code == 0, result.output
    line = next(line for line in result.stdout.splitlines() if "cv score" in line)
    public = float(next(line for line in result.stdout.splitlines() if "public score" in line).split()[2])
    assert f"the public score is {abs(public - float(cv)):.4g} {says}" in line, line


def test_the_number_of_folds_goes_with_the_cv_score_in_every_format(
    tiny: Workspace, monkeypatch: pytest.MonkeyPatch
) -> None:
    from harness.cli import _render

    monkeypatch.setattr(_render, "_CONSOLE", None)  # wide enough for every column of the ledger
    monkeypatch.setenv("COLUMNS", "200")
    told = cli("submit", "tiny-binary", str(sample(tiny, "tiny-binary")), "--cv", "0.75", "--cv-folds", "5")
    assert told.exit_code == 0, told.output
    line = next(line for line in told.stdout.splitlines() if "cv score" in line)
    assert "0.75 (5 folds)" in line, line
    frame = perfect(tiny, "tiny-binary")
    untold = cli("submit", "tiny-binary", str(write_csv(tiny.root / "p.csv", frame)), "--cv", "0.8")
    assert untold.exit_code == 0, untold.output
    line = next(line for line in untold.stdout.splitlines() if "cv score" in line)
    assert "0.8  (" in line and "folds" not in line, line  # not known: the score alone
    regression = str(sample(tiny, "tiny-regression"))
    outcome = _json(
        cli("submit", "tiny-regression", regression, "--cv", "2", "--cv-folds", "3", "-f", "json")
    )
    assert outcome["cv_score"] == 2 and outcome["cv_folds"] == 3
    proba = str(sample(tiny, "tiny-proba"))
    written = cli("submit", "tiny-proba", proba, "--cv", "0.5", "--cv-folds", "10", "-f", "csv").stdout
    [row] = csv.DictReader(io.StringIO(written))
    assert row["cv_folds"] == "10"

    listed = {r["ref"]: r for r in json.loads(cli("submissions", "tiny-binary", "-f", "json").stdout)}
    assert (listed["s0001"]["cv_score"], listed["s0001"]["cv_folds"]) == (0.75, 5)
    assert (listed["s0002"]["cv_score"], listed["s0002"]["cv_folds"]) == (0.8, None)
    by_ref = {
        r["ref"]: r
        for r in csv.DictReader(io.StringIO(cli("submissions", "tiny-binary", "-f", "csv").stdout))
    }
    assert by_ref["s0001"]["cv_folds"] == "5" and by_ref["s0002"]["cv_folds"] == ""
    table = cli("submissions", "tiny-binary").stdout
    s1 = next(line for line in table.splitlines() if "s0001" in line)
    s2 = next(line for line in table.splitlines() if "s0002" in line)
    assert "0.75 (5 folds)" in s1 and "0.8 " in s2 and "folds" not in s2, table


@pytest.mark.parametrize(
    ("options", "says"),
    [
        (["--cv-folds", "5"], "5 folds were given without a CV score"),
        (["--cv", "0.7", "--cv-folds", "1"], "a whole number of at least 2, not 1"),
        (["--cv", "0.7", "--cv-folds", "0"], "a whole number of at least 2, not 0"),
    ],
)
def test_folds_without_a_score_or_fewer_than_two_are_refused_before_anything_is_recorded(
    tiny: Workspace, options: list[str], says: str
) -> None:
    result = cli("submit", "tiny-binary", str(sample(tiny, "tiny-binary")), *options)
    assert result.exit_code == 1 and says in result.stderr, result.output
    assert "Traceback" not in result.output
    assert json.loads(cli("submissions", "tiny-binary", "-f", "json").stdout) == []


def test_a_ledger_from_before_the_folds_were_kept_reads_them_as_unknown(tiny: Workspace) -> None:
    assert cli("submit", "tiny-binary", str(sample(tiny, "tiny-binary")), "--cv", "0.7").exit_code == 0
    with store.connect(tiny, "tiny-binary") as con:  # back to the schema an older compete wrote
        con.execute("ALTER TABLE submissions DROP COLUMN cv_folds")
        con.execute("DELETE FROM schema_migrations WHERE version = 5")
    [old] = json.loads(cli("submissions", "tiny-binary", "-f", "json").stdout)  # read-only: not migrated
    assert (old["cv_score"], old["cv_folds"]) == (0.7, None)
    frame = perfect(tiny, "tiny-binary")
    path = write_csv(tiny.root / "p.csv", frame)
    assert cli("submit", "tiny-binary", str(path), "--cv", "0.9", "--cv-folds", "4").exit_code == 0
    rows = json.loads(cli("submissions", "tiny-binary", "-f", "json").stdout)
    assert [(r["ref"], r["cv_folds"]) for r in rows] == [("s0002", 4), ("s0001", None)]


@pytest.mark.parametrize("slug", ["tiny-binary", "tiny-proba", "tiny-multiclass", "tiny-regression"])
def test_scores_match_the_reference_metric_on_each_split(tiny: Workspace, slug: str) -> None:
    from harness.competition import load_card

    card = load_card(tiny, slug)
    truth = labels(tiny, slug)
    rng = np.random.default_rng(0)
    frame = perfect(tiny, slug)
    if slug == "tiny-binary":
        flip = rng.random(len(frame)) < 0.3
        frame.loc[flip, "label"] = 1 - frame.loc[flip, "label"]
    elif slug == "tiny-proba":
        frame["label"] = rng.random(len(frame)).round(3)
    elif slug == "tiny-multiclass":
        raw = rng.random((len(frame), 3)) + 0.05
        raw = raw / raw.sum(axis=1, keepdims=True)
        frame[["a", "b", "c"]] = raw
    else:
        frame["y"] = frame["y"] + rng.normal(size=len(frame))
    path = write_csv(tiny.root / "preds.csv", frame.sample(frac=1, random_state=1))  # any row order
    outcome = ledger.submit(tiny, slug, path, participant="alice")
    assert outcome.submission.status == "scored", outcome.submission.error
    with store.connect(tiny, slug, read_only=True) as con:
        public, private = con.execute("SELECT public_score, private_score FROM submissions").fetchall()[0]
    merged = truth.merge(frame, on=card.id_column, suffixes=("", "_pred"))
    for usage, got in (("Public", public), ("Private", private)):
        part = merged[merged["usage"] == usage]
        if slug == "tiny-binary":
            want = accuracy_score(part["label"], part["label_pred"])
        elif slug == "tiny-proba":
            want = roc_auc_score(part["label"] == "yes", part["label_pred"])
        elif slug == "tiny-multiclass":
            want = log_loss(part["kind"], part[["a", "b", "c"]].to_numpy(), labels=["a", "b", "c"])
        else:
            want = root_mean_squared_error(part["y"], part["y_pred"])
        assert got == pytest.approx(want, abs=1e-9), usage


def test_perfect_submission_gets_the_best_score(tiny: Workspace) -> None:
    path = write_csv(tiny.root / "perfect.csv", perfect(tiny, "tiny-proba"))
    outcome = ledger.submit(tiny, "tiny-proba", path)
    assert outcome.submission.public_score == pytest.approx(1.0)


# ---------------------------------------------------------------------------------------- rejections
def _ids(ws: Workspace, slug: str = "tiny-binary") -> list[str]:
    return [str(i) for i in labels(ws, slug)["id"]]


def _binary(ws: Workspace, rows: list[tuple[str, str]] | None = None, header: str = "id,label") -> str:
    body = rows if rows is not None else [(i, "1") for i in _ids(ws)]
    return header + "\n" + "".join(f"{a},{b}\n" for a, b in body)


def _case(ws: Workspace, kind: str) -> tuple[str, bytes]:
    """(slug, file content) for each kind of broken file."""
    ids = _ids(ws)
    if kind == "empty":
        return "tiny-binary", b""
    if kind == "binary junk":
        return "tiny-binary", bytes(range(256)) * 8
    if kind == "a zipped CSV":
        import io
        import zipfile

        archive = io.BytesIO()
        with zipfile.ZipFile(archive, "w", zipfile.ZIP_DEFLATED) as zf:
            zf.writestr("submission.csv", _binary(ws))
        return "tiny-binary", archive.getvalue()
    if kind in ("JSON", "an old Excel workbook", "a pickle", "a Feather file"):
        import pickle

        records = [{"id": i, "label": 1} for i in ids]
        return "tiny-binary", {
            "JSON": json.dumps(records).encode(),
            "an old Excel workbook": b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(504),
            "a pickle": pickle.dumps(records, protocol=5),
            "a Feather file": b"ARROW1\x00\x00" + bytes(64),
        }[kind]
    if kind == "a header that starts like a binary format":  # a column named ARRONDISSEMENT: no Feather
        return "tiny-binary", ("ARROND,label\n" + "".join(f"{i},1\n" for i in ids)).encode()
    if kind == "no header":
        return "tiny-binary", "".join(f"{i},1\n" for i in ids).encode()
    if kind == "header only":
        return "tiny-binary", b"id,label\n"
    if kind == "missing id column":
        return "tiny-binary", _binary(ws, header="ident,label").encode()
    if kind == "missing prediction column":
        return "tiny-binary", ("id\n" + "".join(f"{i}\n" for i in ids)).encode()
    if kind == "extra column":
        return "tiny-binary", ("id,label,notes\n" + "".join(f"{i},1,x\n" for i in ids)).encode()
    if kind == "duplicated ids":
        return "tiny-binary", _binary(ws, [(i, "1") for i in ids] + [(ids[0], "0"), (ids[1], "0")]).encode()
    if kind == "ids not in the test set":
        return "tiny-binary", _binary(
            ws, [(i, "1") for i in ids] + [(str(9000 + k), "1") for k in range(8)]
        ).encode()
    if kind == "missing ids":
        return "tiny-binary", _binary(ws, [(i, "1") for i in ids[7:]]).encode()
    if kind == "nulls":
        return "tiny-binary", _binary(ws, [(i, "" if k < 3 else "1") for k, i in enumerate(ids)]).encode()
    if kind == "unknown class labels":
        return "tiny-binary", _binary(ws, [(i, "2" if k < 4 else "1") for k, i in enumerate(ids)]).encode()
    if kind == "semicolons":
        return "tiny-binary", ("id;label\n" + "".join(f"{i};1\n" for i in ids)).encode()
    if kind in ("not UTF-8", "not UTF-8, the line named"):
        return "tiny-binary", ("id,label\n" + "".join(f"{i},1\n" for i in ids) + "1000,caf\xe9\n").encode(
            "latin-1"
        )
    if kind == "ragged rows":
        return "tiny-binary", (_binary(ws) + f"{ids[0]},1,1,1\n").encode()
    if kind == "a repeated column":
        return "tiny-binary", ("id,label,label,id\n" + "".join(f"{i},1,1,{i}\n" for i in ids)).encode()
    if kind == "a column repeated in another case":
        return "tiny-binary", ("id,label,Label\n" + "".join(f"{i},1,1\n" for i in ids)).encode()
    if kind == "a ragged row at the start":  # read_csv gives up sampling the dialect: no line number
        return "tiny-binary", _binary(ws, [(ids[0], "1,0"), *((i, "1") for i in ids[1:])]).encode()
    if kind == "a quote that never closes":
        return "tiny-binary", ('"id,label\n' + "".join(f"{i},1\n" for i in ids)).encode()
    if kind == "a file cut short":
        return "tiny-binary", _binary(ws)[:-3].encode()
    if kind == "a line before the header":
        return "tiny-binary", ("# my model\n" + _binary(ws)).encode()
    if kind == "semicolons and decimal commas":
        proba = _ids(ws, "tiny-proba")
        return "tiny-proba", ("id;label\n" + "".join(f"{i};0,5\n" for i in proba)).encode()
    if kind == "not UTF-8 far down the file":  # past what `sniff` samples
        rows = "".join(f"{i},1\n" for i in ids) + "#" * 70_000 + ",\n" + "1000,caf\xe9\n"
        return "tiny-binary", ("id,label\n" + rows).encode("latin-1")
    proba_ids = _ids(ws, "tiny-proba")
    if kind in ("NaN", "infinity", "text where numbers are expected", "probabilities outside [0, 1]"):
        bad = {"NaN": "NaN", "infinity": "inf", "text where numbers are expected": "high"}.get(kind, "1.5")
        rows = [(i, bad if k % 10 == 0 else "0.5") for k, i in enumerate(proba_ids)]
        return "tiny-proba", ("id,label\n" + "".join(f"{a},{b}\n" for a, b in rows)).encode()
    if kind == "all-zero probability rows":
        multi_ids = _ids(ws, "tiny-multiclass")
        rows = "".join(f"{i},{'0,0,0' if k < 2 else '0.2,0.3,0.5'}\n" for k, i in enumerate(multi_ids))
        return "tiny-multiclass", ("id,a,b,c\n" + rows).encode()
    raise AssertionError(kind)


REJECTIONS = {
    "empty": "empty",
    "binary junk": "neither CSV nor Parquet",
    "a zipped CSV": "a ZIP archive (an Excel .xlsx workbook is one too)",
    "JSON": "the file is JSON, not CSV or Parquet",
    "an old Excel workbook": "an Excel .xls workbook",
    "a pickle": "a Python pickle, not a CSV or Parquet file",
    "a Feather file": "an Arrow IPC (Feather) file",
    "a header that starts like a binary format": "'ARROND' (drop it)",
    "no header": "has no header",
    "header only": "no rows",
    "missing id column": "id column 'id' is missing",
    "missing prediction column": "1 prediction column is missing: 'label'",
    "extra column": "not part of a submission: 'notes'",
    "duplicated ids": "2 ids appear more than once",
    "ids not in the test set": "8 ids are not in the test set",
    "missing ids": "7 ids of the test set have no row",
    "nulls": "3 rows have an empty, null or NaN value in column 'label'",
    "NaN": "an empty, null or NaN value in column 'label'",
    "infinity": "infinity in column 'label'",
    "text where numbers are expected": "text where column 'label' expects a number",
    "probabilities outside [0, 1]": "probabilities outside [0, 1]",
    "unknown class labels": "4 rows have unknown class labels in column 'label'",
    "all-zero probability rows": "2 rows give probability 0 to every class",
    "ragged rows": "cannot be read as a comma-separated CSV",
    "a repeated column": "the header repeats a column name: 'id' (2 times), 'label' (2 times)",
    "a column repeated in another case": "'label' and 'Label' (one name, but for case)",
    "a ragged row at the start": "line 2 has 3 fields where the header (line 1) has 2: '",
    "a quote that never closes": 'a quote (") opens a field on line 1 and never closes',
    "a file cut short": "it is the file's last line and has no line end: the file may be cut short",
    "a line before the header": "if line 1 is not the header, delete the lines above the header",
    "semicolons and decimal commas": "separated by semicolons, not commas (the header reads 'id;label'); "
    "write the file with commas between columns and '.' as the decimal mark",
    "not UTF-8 far down the file": "is not UTF-8 text",
    "semicolons": "separated by semicolons, not commas",
    "not UTF-8": "not UTF-8 (line ",
    "not UTF-8, the line named": ": '1000,café') (perhaps Latin-1",
}


@pytest.mark.parametrize("kind", list(REJECTIONS))
def test_each_broken_file_is_rejected_recorded_and_costs_no_slot(tiny: Workspace, kind: str) -> None:
    slug, content = _case(tiny, kind)
    path = tiny.root / "broken.csv"
    path.write_bytes(content)
    result = cli("submit", slug, str(path), "-f", "json")
    assert result.exit_code == 1
    out = _json(result)
    assert out["status"] == "rejected" and out["public_score"] is None
    assert REJECTIONS[kind] in out["error"], out["error"]
    assert REJECTIONS[kind] in result.stderr
    assert "costs no submission" in out["error"]
    limit = out["daily_limit"]
    assert out["remaining_today"] == limit  # no slot used
    listed = json.loads(cli("submissions", slug, "-f", "json").stdout)
    assert [(r["ref"], r["status"]) for r in listed] == [(out["ref"], "rejected")]
    assert REJECTIONS[kind] in listed[0]["error"]


def test_a_parquet_file_with_a_repeated_column_is_told_so(tiny: Workspace) -> None:
    import pyarrow as pa
    import pyarrow.parquet as pq

    ids = [int(i) for i in _ids(tiny)]
    path = tiny.root / "repeated.parquet"
    pq.write_table(pa.table([ids, [1] * len(ids), [0] * len(ids)], names=["id", "label", "label"]), path)
    error = ledger.submit(tiny, "tiny-binary", path).submission.error or ""
    assert "has 1 problem" in error and "repeats a column name: 'label' (2 times)" in error, error


def test_examples_come_in_the_files_order_and_a_row_without_id_shows_no_value(tiny: Workspace) -> None:
    ids = _ids(tiny)
    strays = ["123456", "99999", "1000000", "555555", "2000000", "3000000"]
    path = tiny.root / "strays.csv"
    path.write_text(_binary(tiny, [*((i, "1") for i in ids), *((k, "1") for k in strays), ("", "1")]))
    error = ledger.submit(tiny, "tiny-binary", path).submission.error or ""
    assert "6 ids are not in the test set, e.g. 123456, 99999, 1000000, 555555, 2000000." in error, error
    assert (
        f"1 row has no id in 'id'; give every row the id of its test row. E.g. row {len(ids) + 7} (no id)."
        in (error)
    ), error


def test_a_rejection_gives_counts_and_at_most_five_examples(tiny: Workspace) -> None:
    slug, content = _case(tiny, "ids not in the test set")
    path = tiny.root / "broken.csv"
    path.write_bytes(content)
    outcome = ledger.submit(tiny, slug, path)
    error = outcome.submission.error or ""
    line = next(x for x in error.splitlines() if "not in the test set" in x)
    assert "e.g. 9000, 9001, 9002, 9003, 9004." in line and "9005" not in line
    assert "Predict only the ids of test.csv" in line


def test_several_problems_are_reported_together(tiny: Workspace) -> None:
    ids = _ids(tiny)
    rows = [(ids[0], "1"), (ids[0], "1"), *((i, "7") for i in ids[1:4])]
    path = tiny.root / "broken.csv"
    path.write_text(_binary(tiny, rows))
    error = ledger.submit(tiny, "tiny-binary", path).submission.error or ""
    assert (
        "1 id appears more than once" in error and "unknown class labels" in error and "have no row" in error
    )


@pytest.mark.parametrize(("separator", "shown"), [(";", "semicolons"), ("\t", "tabs")])
def test_another_separator_is_the_one_problem_named(tiny: Workspace, separator: str, shown: str) -> None:
    """Read with commas, such a file has one column; the missing and extra columns that follow are
    not problems of their own."""
    path = tiny.root / "broken.csv"
    path.write_text(_binary(tiny).replace(",", separator))
    error = ledger.submit(tiny, "tiny-binary", path).submission.error or ""
    assert "has 1 problem" in error, error
    assert f"separated by {shown}, not commas (the header reads {f'id{separator}label'!r})" in error
    assert "missing" not in error and "not part of a submission" not in error


def test_a_misspelt_column_is_named_with_the_name_it_should_have(tiny: Workspace) -> None:
    path = tiny.root / "broken.csv"
    path.write_text(_binary(tiny, header="id,lable"))
    error = ledger.submit(tiny, "tiny-binary", path).submission.error or ""
    assert "'lable' (a misspelling of 'label'? rename it)" in error, error
    path.write_text(_binary(tiny, header="id,notes"))
    assert "'notes' (drop it)" in (ledger.submit(tiny, "tiny-binary", path).submission.error or "")


def test_wrong_columns_and_the_ids_of_another_file_are_reported_together(tiny: Workspace) -> None:
    """train.csv submitted by mistake: one column too many, and none of test.csv's ids."""
    ids = _ids(tiny)
    rows = "".join(f"{9000 + k},1,0.5\n" for k in range(len(ids)))
    path = tiny.root / "train_like.csv"
    path.write_text("id,label,feature\n" + rows)
    error = ledger.submit(tiny, "tiny-binary", path).submission.error or ""
    assert "has 3 problems" in error, error
    assert "'feature' (drop it)" in error
    assert f"{len(ids)} ids are not in the test set, e.g. 9000, 9001" in error
    assert f"{len(ids)} ids of the test set have no row" in error


def test_pandas_index_in_a_parquet_file_is_named_with_the_fix(tiny: Workspace) -> None:
    frame = perfect(tiny, "tiny-proba")
    frame = frame.iloc[[*range(1, len(frame)), 0]]  # not a range index: to_parquet keeps it
    path = tiny.root / "with_index.parquet"
    frame.to_parquet(path)
    error = ledger.submit(tiny, "tiny-proba", path).submission.error or ""
    assert "'__index_level_0__' (pandas' index: use to_parquet(index=False))" in error, error


def test_booleans_for_labels_0_and_1_are_named_with_the_fix(tiny: Workspace) -> None:
    ids = _ids(tiny)
    rows = [
        (i, "True" if k < 2 else "false" if k == 2 else "2" if k == 3 else "1") for k, i in enumerate(ids)
    ]
    path = tiny.root / "broken.csv"
    path.write_text(_binary(tiny, rows))
    error = ledger.submit(tiny, "tiny-binary", path).submission.error or ""
    assert "has 2 problems" in error, error
    assert "3 rows have True or False in column 'label', whose labels are 0 and 1; write 1 for True" in error
    assert "1 row has unknown class labels in column 'label'" in error and "'2'" in error


def test_probabilities_where_labels_are_scored_are_named_apart_from_unknown_labels(tiny: Workspace) -> None:
    ids = _ids(tiny)
    rows = [(i, "0.73" if k < 3 else "yes" if k == 3 else "1") for k, i in enumerate(ids)]
    path = tiny.root / "broken.csv"
    path.write_text(_binary(tiny, rows))
    error = ledger.submit(tiny, "tiny-binary", path).submission.error or ""
    assert "has 2 problems" in error, error
    assert "3 rows have probabilities in column 'label', which is scored on class labels (0, 1)" in error
    assert "1 row has unknown class labels in column 'label'; the allowed values are 0, 1. E.g." in error
    assert "'yes'" in error and "probabilities)" not in error.split("unknown class labels")[1]


def test_a_comma_at_the_end_of_each_line_is_named_and_told_from_pandas_index(tiny: Workspace) -> None:
    trailing, indexed = tiny.root / "trailing.csv", tiny.root / "indexed.csv"
    trailing.write_text("".join(f"{line}," + "\n" for line in _binary(tiny).splitlines()))
    lines = _binary(tiny).splitlines()  # pandas writes its index first, with an empty header cell
    indexed.write_text("".join(f"{k - 1 if k else ''},{line}" + "\n" for k, line in enumerate(lines)))
    error = ledger.submit(tiny, "tiny-binary", trailing).submission.error or ""
    assert "(a column without a name at the end: does each line end with a comma?)" in error, error
    error = ledger.submit(tiny, "tiny-binary", indexed).submission.error or ""
    assert "(a column without a name: pandas' index? use to_csv(index=False))" in error, error


def test_a_broken_parquet_file_is_named_without_the_kept_copys_path(tiny: Workspace) -> None:
    path = tiny.root / "half.parquet"
    perfect(tiny, "tiny-proba").to_parquet(path, index=False)
    path.write_bytes(path.read_bytes()[:-100])
    outcome = ledger.submit(tiny, "tiny-proba", path)
    error = outcome.submission.error or ""
    assert error.startswith("the file starts like Parquet but cannot be read as Parquet"), error
    assert str(tiny.root) not in error and "submissions/" not in error


def test_class_columns_in_place_of_the_expected_ones_get_the_fix(tiny: Workspace) -> None:
    ids = _ids(tiny, "tiny-multiclass")
    numbered, labelled = tiny.root / "numbered.csv", tiny.root / "labelled.csv"
    numbered.write_text("id,0,1,2\n" + "".join(f"{i},0.2,0.3,0.5\n" for i in ids))
    labelled.write_text("id,label\n" + "".join(f"{i},a\n" for i in ids))
    error = ledger.submit(tiny, "tiny-multiclass", numbered).submission.error or ""
    assert "has 1 problem" in error and "The columns 0, 1, 2 look like predict_proba's" in error, error
    error = ledger.submit(tiny, "tiny-multiclass", labelled).submission.error or ""
    assert "has 1 problem" in error and "Instead of one column of predicted labels ('label')" in error, error
    both = tiny.root / "both.csv"
    both.write_text("id,0,1\n" + "".join(f"{i},0.3,0.7\n" for i in _ids(tiny, "tiny-proba")))
    error = ledger.submit(tiny, "tiny-proba", both).submission.error or ""
    assert "has 1 problem" in error and "Instead of a probability per class ('0', '1')" in error, error
    assert "`predict_proba(X)[:, 1]`" in error


@pytest.mark.parametrize(
    ("header", "hint"),
    [
        ("ID,Label", "'ID' (rename it 'id': names are case-sensitive)"),
        ("'id','label'", "\"'id'\" (rename it 'id': a CSV quotes a name with double quotes, if at all)"),
    ],
)
def test_two_misnamed_columns_are_not_taken_for_class_columns(
    tiny: Workspace, header: str, hint: str
) -> None:
    path = tiny.root / "misnamed.csv"
    path.write_text(header + "\n" + "".join(f"{i},0.5\n" for i in _ids(tiny, "tiny-proba")))
    error = ledger.submit(tiny, "tiny-proba", path).submission.error or ""
    assert hint in error and "probability per class" not in error, error


def test_text_in_a_column_of_class_labels_is_one_problem_that_names_the_labels(tiny: Workspace) -> None:
    ids = _ids(tiny)
    rows = [(i, "yes" if k == 0 else "inf" if k == 1 else "1") for k, i in enumerate(ids)]
    path = tiny.root / "broken.csv"
    path.write_text(_binary(tiny, rows))
    error = ledger.submit(tiny, "tiny-binary", path).submission.error or ""
    assert "has 1 problem" in error, error
    assert "2 rows have unknown class labels in column 'label'; the allowed values are 0, 1" in error
    assert "expects a number" not in error and "infinity" not in error


def test_text_in_a_number_column_shows_a_number_of_its_kind(tiny: Workspace) -> None:
    slug, content = _case(tiny, "text where numbers are expected")
    path = tiny.root / "broken.csv"
    path.write_bytes(content)
    error = ledger.submit(tiny, slug, path).submission.error or ""
    assert "write plain numbers such as 0.25" in error


def test_a_rejected_submission_raises_when_asked(tiny: Workspace) -> None:
    from harness.errors import SubmissionRejected

    path = tiny.root / "empty.csv"
    path.write_bytes(b"")
    outcome = ledger.submit(tiny, "tiny-binary", path)
    with pytest.raises(SubmissionRejected, match="empty"):
        outcome.raise_if_rejected()


@pytest.mark.parametrize("interrupt", [KeyboardInterrupt(), RuntimeError("Query interrupted")])
def test_ctrl_c_while_scoring_ends_submit_cleanly_and_records_nothing(
    tiny: Workspace, monkeypatch: pytest.MonkeyPatch, interrupt: BaseException
) -> None:
    """Ctrl-C in Python code raises KeyboardInterrupt; inside a DuckDB query, DuckDB raises a plain
    RuntimeError('Query interrupted') instead. Either ends `compete submit` with exit code 130."""
    from harness import scoring

    def interrupted(*args: object, **kwargs: object) -> None:
        raise interrupt

    ledger.submit(tiny, "tiny-binary", sample(tiny, "tiny-binary"))  # one recorded before
    monkeypatch.setattr(scoring, "score_file", interrupted)
    result = cli("submit", "tiny-binary", str(another_copy(tiny, sample(tiny, "tiny-binary"), 1)))
    assert result.exit_code == 130  # type: ignore[attr-defined]
    assert "interrupted: nothing half-done was recorded." in result.stderr  # type: ignore[attr-defined]
    assert result.exception is None or isinstance(result.exception, SystemExit)  # type: ignore[attr-defined]
    assert [s.ref for s in ledger.submissions(tiny, "tiny-binary")] == ["s0001"]
    assert [p.name for p in tiny.submissions_dir("tiny-binary").iterdir()] == ["s0001.csv"]


def test_duckdb_s_reports_of_an_interrupted_query_count_as_ctrl_c() -> None:
    import threading

    import duckdb

    from harness.errors import is_interrupt

    con = duckdb.connect()
    threading.Timer(0.2, con.interrupt).start()
    with pytest.raises(duckdb.Error) as stopped:  # an InterruptException
        con.execute("SELECT sum(hash(range)) FROM range(100000000000)").fetchall()
    assert is_interrupt(stopped.value)
    assert is_interrupt(RuntimeError("Query interrupted")) and is_interrupt(KeyboardInterrupt())
    assert not is_interrupt(RuntimeError("something else"))
    assert not is_interrupt(duckdb.Error("Query interrupted"))


@pytest.mark.parametrize("name", ["sample.csv", "sample.parquet"])
def test_an_interrupted_read_is_not_taken_for_a_broken_file(tiny: Workspace, name: str) -> None:
    import duckdb

    from harness import validation

    path = tiny.root / name
    frame = pd.read_csv(sample(tiny, "tiny-binary"))
    frame.to_csv(path, index=False) if name.endswith(".csv") else frame.to_parquet(path)

    class Interrupted:  # a connection whose query was interrupted
        def execute(self, *args: object, **kwargs: object) -> None:
            raise duckdb.InterruptException("INTERRUPT Error: Interrupted!")

    with pytest.raises(duckdb.InterruptException):  # not SubmissionRejected
        validation.read_file(Interrupted(), path)  # type: ignore[arg-type]


def test_a_missing_file_is_an_error_not_a_record(tiny: Workspace) -> None:
    result = cli("submit", "tiny-binary", "nowhere.csv")
    assert result.exit_code == 1 and "no file at" in result.stderr
    folder = cli("submit", "tiny-binary", str(tiny.root))
    assert folder.exit_code == 1 and f"{tiny.root} is a folder; give the path" in folder.stderr
    assert json.loads(cli("submissions", "tiny-binary", "-f", "json").stdout) == []


def test_sql_in_a_header_is_just_an_unknown_column(tiny: Workspace) -> None:
    ids = _ids(tiny)
    evil = 'id"; DROP TABLE labels; --'
    text = f'id,label,"{evil.replace(chr(34), chr(34) * 2)}"\n' + "".join(f"{i},1,x\n" for i in ids)
    path = tiny.root / "evil.csv"
    path.write_text(text)
    result = cli("submit", "tiny-binary", str(path), "-f", "json")
    assert result.exit_code == 1
    assert "not part of a submission" in _json(result)["error"] and "DROP TABLE" in _json(result)["error"]
    ok = cli("submit", "tiny-binary", str(sample(tiny, "tiny-binary")))
    assert ok.exit_code == 0, ok.output
    assert len(labels(tiny, "tiny-binary")) == len(ids)


def test_sql_in_the_id_column_header_is_harmless(tiny: Workspace) -> None:
    ids = _ids(tiny)
    path = tiny.root / "evil.csv"
    path.write_text('"label"" FROM labels; --",label\n' + "".join(f"{i},1\n" for i in ids))
    result = cli("submit", "tiny-binary", str(path), "-f", "json")
    assert result.exit_code == 1 and "id column 'id' is missing" in _json(result)["error"]
    assert len(labels(tiny, "tiny-binary")) == len(ids)


# ------------------------------------------------------------------------------------------ dialects
def _frame(ws: Workspace) -> pd.DataFrame:
    return perfect(ws, "tiny-binary")


def _dialects(ws: Workspace, folder: Path) -> dict[str, Path]:
    frame = _frame(ws)
    plain = frame.to_csv(index=False, lineterminator="\n")
    out: dict[str, Path] = {}

    def put(name: str, data: bytes) -> None:
        out[name] = folder / name
        out[name].write_bytes(data)

    put("plain.csv", plain.encode())
    put("bom.csv", b"\xef\xbb\xbf" + plain.encode())
    put("crlf.csv", plain.replace("\n", "\r\n").encode())
    put("blank-lines-first.csv", ("\n \n" + plain).encode())
    put("bom-blank-lines-crlf.csv", b"\xef\xbb\xbf\r\n\r\n" + plain.replace("\n", "\r\n").encode())
    put("gzipped-blank-line-first.csv.gz", gzip.compress(("\n" + plain).encode()))
    put("excel-sep-line.csv", ("sep=,\n" + plain).replace("\n", "\r\n").encode())
    put("excel-sep-line-and-blank-lines.csv", ("\nsep=,\n  \n\n" + plain).encode())
    put("quoted.csv", frame.to_csv(index=False, quoting=1, lineterminator="\n").encode())
    put("reordered.csv", frame[["label", "id"]].to_csv(index=False).encode())
    put("spaces.csv", plain.replace("id,label", "id , label").encode())
    put("floats.csv", frame.astype({"label": float}).to_csv(index=False).encode())
    put("gzipped.csv.gz", gzip.compress(plain.encode()))
    put("gzipped-without-extension", gzip.compress(plain.encode()))
    frame.to_parquet(folder / "preds.parquet", index=False)
    out["preds.parquet"] = folder / "preds.parquet"
    put("parquet-named.csv", (folder / "preds.parquet").read_bytes())
    return out


def test_harmless_dialects_are_accepted_and_score_alike(tiny: Workspace) -> None:
    folder = tiny.root / "dialects"
    folder.mkdir()
    scores = {}
    for name, path in _dialects(tiny, folder).items():
        outcome = ledger.submit(tiny, "tiny-binary", path, participant=name, now=None)
        assert outcome.submission.status == "scored", (name, outcome.submission.error)
        scores[name] = outcome.submission.public_score
    assert set(scores.values()) == {1.0}, scores


def test_kept_copy_keeps_the_extension(tiny: Workspace) -> None:
    folder = tiny.root / "dialects"
    folder.mkdir()
    files = _dialects(tiny, folder)
    outcome = ledger.submit(tiny, "tiny-binary", files["gzipped.csv.gz"])
    assert outcome.submission.stored_path == "submissions/tiny-binary/s0001.csv.gz"


# ------------------------------------------------------------------------------------- speed, imports
def test_rules_are_cached_so_submit_does_not_import_pandera(tiny: Workspace) -> None:
    first = cli("submit", "tiny-binary", str(sample(tiny, "tiny-binary")))
    assert first.exit_code == 0, first.output
    code = (
        "import sys, time\n"
        "from harness.cli import app\n"
        "t = time.perf_counter()\n"
        f"app(['submit', 'tiny-binary', {str(sample(tiny, 'tiny-binary'))!r}], standalone_mode=False)\n"
        "heavy = [m for m in ('pandas', 'numpy', 'pandera', 'sklearn', 'pyarrow') if m in sys.modules]\n"
        "print('HEAVY', heavy)\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, env=repo_python_env(), cwd=tiny.root
    )
    assert done.returncode == 0, done.stderr
    assert "HEAVY []" in done.stdout, done.stdout


def test_titanic_end_to_end_with_the_sample_submission(workspace: Workspace) -> None:
    """As a process, as a learner runs it (its speed is measured by `make bench`)."""
    assert cli("prepare", "titanic").exit_code == 0
    path = workspace.data_dir("titanic") / "sample_submission.csv"
    first = cli("submit", "titanic", str(path), "-m", "baseline", "-f", "json")
    assert first.exit_code == 0, first.output
    out = _json(first)
    assert out["status"] == "scored" and 0 < out["public_score"] < 1 and out["private_score"] is None
    again = subprocess.run(
        [
            sys.executable,
            "-c",
            "from harness.cli import main; main()",
            "submit",
            "titanic",
            str(another_copy(workspace, path, 1)),
        ],
        capture_output=True,
        text=True,
        cwd=workspace.root,
        env=repo_python_env(),
    )
    assert again.returncode == 0, again.stderr
    assert "s0002" in again.stdout


def test_cached_rules_follow_changes_to_schema_py(tiny: Workspace) -> None:
    ids = _ids(tiny, "tiny-regression")
    path = tiny.root / "negative.csv"
    path.write_text("id,y\n" + "".join(f"{i},-1\n" for i in ids))
    assert ledger.submit(tiny, "tiny-regression", path).submission.status == "scored"
    schema = tiny.competition_dir("tiny-regression") / "schema.py"
    schema.write_text(
        schema.read_text().replace(
            "    y: Series[float]\n\n    class", "    y: Series[float] = pa.Field(ge=0)\n\n    class"
        )
    )
    error = ledger.submit(tiny, "tiny-regression", another_copy(tiny, path, 1)).submission.error or ""
    assert "values outside [0, inf) in column 'y'" in error


@pytest.mark.slow
def test_a_million_row_file_is_checked_and_scored_in_duckdb(tmp_path: Path) -> None:
    """A large competition made directly in the store: the checks and the score stay fast."""
    import shutil

    from tests.conftest import FIXTURES, make_workspace

    ws = make_workspace(tmp_path / "ws", competitions=FIXTURES / "competitions")
    shutil.copytree(ws.competition_dir("tiny-regression"), ws.competition_dir("big"))
    n = 1_000_000
    with store.connect(ws, "big") as con:
        con.execute(
            f"CREATE TABLE labels AS SELECT range + 1 AS id, (range % 97) / 10.0 AS y, "
            f"CASE WHEN range % 3 = 0 THEN 'Public' ELSE 'Private' END AS usage FROM range({n})"
        )
        con.execute(
            "INSERT INTO preparations VALUES (?, 'test', 1, ?, ?, '{}')", [store.utc_now(), n, n // 3]
        )
        good, bad = tmp_path / "good.csv", tmp_path / "bad.csv"
        con.execute(
            f"COPY (SELECT range + 1 AS id, (range % 89) / 10.0 AS y FROM range({n}) ORDER BY random()) "
            f"TO '{good}' (HEADER)"
        )
        con.execute(
            f"COPY (SELECT range + 1 AS id, CASE WHEN range % 100000 = 5 THEN 'abc' "
            f"ELSE ((range % 89) / 10.0)::VARCHAR END AS y FROM range({n}) UNION ALL SELECT 7, '1') "
            f"TO '{bad}' (HEADER)"
        )
    scored = ledger.submit(ws, "big", good)
    assert scored.submission.status == "scored" and scored.submission.public_score is not None
    rejected = ledger.submit(ws, "big", bad).submission.error or ""
    assert "10 rows have text where column 'y' expects a number" in rejected
    assert "1 id appears more than once, e.g. 7 (2 times)" in rejected


# The rules as the store keeps them (`submission_rules`): rules cached by an earlier version read the same.
RULES_JSON = (
    '{"classes": ["no", "yes"], "columns": [{"allowed": null, "kind": "integer", "maximum": null, '
    '"maximum_inclusive": true, "minimum": null, "minimum_inclusive": true, "name": "id", '
    '"nullable": false, "unique": true}, {"allowed": ["no", "yes"], "kind": "string", "maximum": null, '
    '"maximum_inclusive": true, "minimum": null, "minimum_inclusive": true, "name": "label", '
    '"nullable": false, "unique": false}, {"allowed": null, "kind": "number", "maximum": 1.0, '
    '"maximum_inclusive": true, "minimum": -1.0, "minimum_inclusive": false, "name": "p", '
    '"nullable": false, "unique": false}], "id_column": "id", "prediction": "label", '
    '"row_sum_tolerance": 1e-06}'
)


def test_the_rules_json_keeps_its_format_and_reads_back_as_the_same_rules(tiny: Workspace) -> None:
    from harness.schemas import load_models
    from harness.validation import ColumnRule, SubmissionRules, rules_from_model

    rules = SubmissionRules(
        "id",
        (
            ColumnRule("id", "integer", unique=True),
            ColumnRule("label", "string", allowed=("no", "yes")),
            ColumnRule("p", "number", minimum=-1.0, minimum_inclusive=False, maximum=1.0),
        ),
        "label",
        ("no", "yes"),
        1e-06,
    )
    assert rules.to_json() == RULES_JSON
    assert SubmissionRules.from_json(RULES_JSON) == rules
    for slug in ("tiny-binary", "tiny-multiclass", "tiny-proba", "tiny-regression"):
        card = load_card(tiny, slug)
        derived = rules_from_model(card, load_models(card)["Submission"])
        assert SubmissionRules.from_json(derived.to_json()) == derived
        assert json.loads(derived.to_json())["columns"][0] == {
            **dict.fromkeys(("allowed", "maximum", "minimum")),
            "kind": derived.id_rule.kind,
            "maximum_inclusive": True,
            "minimum_inclusive": True,
            "name": card.id_column,
            "nullable": derived.id_rule.nullable,
            "unique": derived.id_rule.unique,
        }


def test_a_metric_s_own_bound_joins_the_submission_rules(tiny: Workspace) -> None:
    """RMSLE takes log(1 + p): a prediction of -1 or less is refused row by row, whatever the schema."""
    from harness.schemas import load_models
    from harness.validation import rules_from_model

    card = load_card(tiny, "tiny-regression")
    model = load_models(card)["Submission"]
    (plain,) = rules_from_model(card, model).prediction_rules  # rmse: no bound
    assert plain.minimum is None
    (bounded,) = rules_from_model(card._replace(metric="rmsle"), model).prediction_rules
    assert (bounded.minimum, bounded.minimum_inclusive) == (-1.0, False)
