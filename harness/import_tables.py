"""The tables of an imported competition in the shapes Kaggle and MLE-bench ship them, read as CSV.

A table the import reads (`train.csv`, `test.csv`, the sample submission) may come as the CSV file
itself; as that CSV inside a zip archive of the same name plus `.zip` (`train.csv.zip`, as Kaggle
downloads and some MLE-bench preparations ship it); or as JSON records of the same stem
(`train.json`: a list of objects, one per row, as random-acts-of-pizza's). A zipped or JSON table is
written as CSV into a staging folder the import owns, and read from there; the original file is
still copied into `data/<slug>/` as it is, like every file the import does not read.

A table may also carry a language prefix and a stage suffix (`en_train.csv.zip`, `en_test_2.csv`,
`en_sample_submission_2.csv`, as the text-normalization competitions ship them): when the plain name
is not there, the one file named so is read (two such files are refused, naming both).

An id that is no column of the tables but is made from some of them (text normalization's
`sentence_id`_`token_id`) is declared as a template, `{sentence_id}_{token_id}`: `with_id` writes the
table with that column first.

JSON records become columns in the order their keys first appear; a row lacking a key leaves the
cell empty; a value that is a list or an object is kept as its JSON text (one cell).
"""

from __future__ import annotations

import json
import re
import string
import zipfile
from pathlib import Path
from typing import Any

from harness.errors import AuthoringError


def find_table(folder: Path, name: str, stage: Path) -> Path | None:
    """`folder/name` as a CSV file: the file itself, else the CSV made (in `stage`) from
    `folder/name.zip` or, for a `.csv` name, from `folder/<stem>.json`; None when none of them exists.
    Raises AuthoringError for an archive without that CSV or a JSON file that is not a list of records.
    """
    path = folder / name
    if path.is_file():
        return path
    zipped = folder / f"{name}.zip"
    if zipped.is_file():
        return _unzipped(zipped, name, stage)
    records = folder / f"{Path(name).stem}.json"
    if name.endswith(".csv") and records.is_file():
        return _from_json(records, stage / name)
    return None


def find_named(folder: Path, name: str, stage: Path) -> Path | None:
    """`find_table(folder, name)`, else the one table named `<prefix>_<stem>[_<n>].csv[.zip]`
    (`en_train.csv.zip` for train.csv); None when there is none, AuthoringError when several."""
    found = find_table(folder, name, stage)
    if found is not None or not name.endswith(".csv"):
        return found
    pattern = re.compile(rf"^[A-Za-z0-9]+_{re.escape(Path(name).stem)}(?:_\d+)?\.csv$")
    named = sorted(
        {p.name.removesuffix(".zip") for p in folder.iterdir() if pattern.match(p.name.removesuffix(".zip"))}
    )
    if len(named) > 1:
        raise AuthoringError(
            f"{folder} holds several tables that could be {name}: {', '.join(named)}; keep one of them "
            f"there (or name it {name})."
        )
    return find_table(folder, named[0], stage) if named else None


def with_id(path: Path, column: str, template: str, stage: Path) -> Path:
    """The table at `path` with a first column `column` made from `template` (`{a}_{b}`: the values
    of columns a and b joined by `_`), written in `stage`. Raises AuthoringError naming a column the
    table lacks, or a template that names none."""
    import pandas as pd

    parts = list(string.Formatter().parse(template))
    fields = [f for _, f, _, _ in parts if f]
    if not fields:
        raise AuthoringError(
            f"--id-from {template!r} names no column; write the id as a template of the table's columns, "
            "such as '{sentence_id}_{token_id}'."
        )
    frame = pd.read_csv(path, dtype=str, keep_default_na=False)
    missing = [f for f in fields if f not in frame.columns]
    if missing:
        raise AuthoringError(
            f"--id-from {template!r}: {path.name} has no column {', '.join(map(repr, missing))}; its "
            f"columns are: {', '.join(map(str, frame.columns))}."
        )
    if column in frame.columns:
        raise AuthoringError(f"--id-from: {path.name} already has a column {column!r}; leave --id-from out.")
    made = pd.Series("", index=frame.index, dtype=object)
    for literal, field, _, _ in parts:
        made = made + literal
        if field:
            made = made + frame[field]
    frame.insert(0, column, made)
    target = stage / "with-id" / path.name
    target.parent.mkdir(parents=True, exist_ok=True)
    frame.to_csv(target, index=False)
    return target


def made_from(path: Path, folder: Path) -> str | None:
    """The original file a staged table was made from (`train.csv.zip`, `train.json`), None if none."""
    if path.parent == folder:
        return None
    for original in (folder / f"{path.name}.zip", folder / f"{path.stem}.json"):
        if original.is_file():
            return original.name
    return None


def _unzipped(archive: Path, name: str, stage: Path) -> Path:
    try:
        with zipfile.ZipFile(archive) as zf:
            members = [m for m in zf.namelist() if Path(m).name == name and not m.endswith("/")]
            if len(members) != 1:
                listed = ", ".join(zf.namelist()[:5]) or "nothing"
                raise AuthoringError(
                    f"{archive.name} holds no single {name} (it holds {listed}); unzip it and give "
                    f"the folder with {name} in it."
                )
            target = stage / name
            stage.mkdir(parents=True, exist_ok=True)
            with zf.open(members[0]) as source, target.open("wb") as out:
                while chunk := source.read(1 << 20):
                    out.write(chunk)
    except zipfile.BadZipFile as exc:
        raise AuthoringError(f"{archive} is not a zip archive that reads: {exc}.") from None
    return target


def _from_json(path: Path, target: Path) -> Path:
    import pandas as pd

    try:
        records = json.loads(path.read_text(encoding="utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise AuthoringError(f"{path} is not JSON that reads: {exc}.") from None
    if not isinstance(records, list) or not records or not all(isinstance(r, dict) for r in records):
        raise AuthoringError(
            f"{path.name} is not a table: the import reads JSON as a list of records (one object per "
            "row, keys as columns), and this file holds "
            f"{'an empty list' if records == [] else type(records).__name__ + ' at the top'}."
        )
    columns: dict[str, None] = {}
    for record in records:
        columns.update(dict.fromkeys(record))
    frame = pd.DataFrame(
        {c: [_cell(r.get(c)) for r in records] for c in columns},
        columns=list(columns),
    )
    target.parent.mkdir(parents=True, exist_ok=True)
    frame.to_csv(target, index=False)
    return target


def _cell(value: Any) -> Any:
    return json.dumps(value, ensure_ascii=False) if isinstance(value, list | dict) else value
