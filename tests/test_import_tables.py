"""Tables given zipped or as JSON records are read as CSV by the import, and a file of another shape
is named with what the import expects."""

from __future__ import annotations

import json
import zipfile
from pathlib import Path

import pandas as pd
import pytest

from harness.errors import AuthoringError
from harness.import_tables import find_table, made_from


def test_a_zipped_csv_and_json_records_read_as_the_csv_they_hold(tmp_path: Path) -> None:
    folder, stage = tmp_path / "public", tmp_path / "stage"
    folder.mkdir()
    with zipfile.ZipFile(folder / "train.csv.zip", "w") as zf:
        zf.writestr("train.csv", "id,y\n1,a\n2,b\n")
    records = [{"id": 1, "tags": ["x", "y"], "ok": True}, {"id": 2, "note": "only here", "ok": False}]
    (folder / "test.json").write_text(json.dumps(records))
    train = find_table(folder, "train.csv", stage)
    assert train == stage / "train.csv" and train.read_text() == "id,y\n1,a\n2,b\n"
    assert made_from(train, folder) == "train.csv.zip"
    test = find_table(folder, "test.csv", stage)
    assert test is not None and made_from(test, folder) == "test.json"
    frame = pd.read_csv(test)
    assert list(frame.columns) == ["id", "tags", "ok", "note"]
    assert json.loads(frame.loc[0, "tags"]) == ["x", "y"] and pd.isna(frame.loc[0, "note"])
    assert list(frame["ok"]) == [True, False]
    (folder / "plain.csv").write_text("id\n1\n")
    assert find_table(folder, "plain.csv", stage) == folder / "plain.csv"  # a CSV is read where it is
    assert made_from(folder / "plain.csv", folder) is None
    assert find_table(folder, "missing.csv", stage) is None


@pytest.mark.parametrize(
    ("name", "content", "message"),
    [
        ("test.json", '{"id": [1, 2]}', "is not a table: the import reads JSON as a list of records"),
        ("test.json", "[]", "holds an empty list"),
        ("test.json", "[{", "is not JSON that reads"),
        ("test.csv.zip", b"not a zip", "is not a zip archive that reads"),
        ("test.csv.zip", None, "holds no single test.csv"),
    ],
)
def test_a_table_of_another_shape_is_named(
    tmp_path: Path, name: str, content: str | bytes | None, message: str
) -> None:
    path = tmp_path / name
    if content is None:
        with zipfile.ZipFile(path, "w") as zf:
            zf.writestr("other.csv", "id\n1\n")
    elif isinstance(content, bytes):
        path.write_bytes(content)
    else:
        path.write_text(content)
    with pytest.raises(AuthoringError, match=message):
        find_table(tmp_path, "test.csv", tmp_path / "stage")


def test_a_kaggle_download_with_zipped_tables_imports_as_the_unzipped_one(tmp_path: Path) -> None:
    from harness.checks import check_competition
    from harness.importers import import_kaggle
    from tests.conftest import make_workspace
    from tests.test_import import kaggle_folder

    folder, _ = kaggle_folder(tmp_path / "downloads")
    for name in ("train.csv", "test.csv"):  # as Kaggle's downloads often come
        with zipfile.ZipFile(folder / f"{name}.zip", "w", compression=zipfile.ZIP_DEFLATED) as zf:
            zf.write(folder / name, arcname=name)
        (folder / name).unlink()
    empty = tmp_path / "empty"
    empty.mkdir()
    ws = make_workspace(tmp_path / "ws", competitions=empty)
    authored = import_kaggle(ws, folder, metric="roc_auc")
    assert any("train.csv is read from train.csv.zip (unzipped)" in n for n in authored.notes)
    assert any("test.csv is read from test.csv.zip" in n for n in authored.notes)
    assert {"source/train.csv", "source/test.csv"} <= set(authored.files)
    assert all(r.ok for r in check_competition(ws, authored.slug))
