"""The card is refused, with the file and the field named, whenever a field is missing or wrong."""

from __future__ import annotations

import shutil
import tomllib
from pathlib import Path
from typing import Any

import pytest

from harness.competition import load_card, parse_card
from harness.errors import CardError, UnknownName
from harness.workspace import Workspace
from tests.conftest import FIXTURES

TINY = FIXTURES / "competitions" / "tiny-binary"


def _toml(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, str):
        return '"' + value.replace("\\", "\\\\").replace('"', '\\"') + '"'
    if isinstance(value, list):
        return "[" + ", ".join(_toml(v) for v in value) + "]"
    return str(value)


def write_card(folder: Path, raw: dict[str, Any]) -> Path:
    lines = [f"{k} = {_toml(v)}" for k, v in raw.items() if not isinstance(v, dict)]
    for table, values in raw.items():
        if isinstance(values, dict):
            lines.append(f"\n[{table}]")
            lines += [f"{k} = {_toml(v)}" for k, v in values.items()]
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / "competition.toml"
    path.write_text("\n".join(lines) + "\n")
    return path


def base() -> dict[str, Any]:
    return tomllib.loads((TINY / "competition.toml").read_text())


def test_the_fixture_card_loads() -> None:
    card = parse_card(TINY / "competition.toml", "tiny-binary")
    assert card.metric == "accuracy" and card.cv.k == 3 and card.classes == ("0", "1")


def _mutated(path_parts: tuple[str, ...], value: Any) -> dict[str, Any]:
    raw = base()
    where = raw
    for part in path_parts[:-1]:
        where = where[part]
    if value is _DELETE:
        del where[path_parts[-1]]
    else:
        where[path_parts[-1]] = value
    return raw


_DELETE = object()

CASES = [
    (("metric",), _DELETE, "metric", "missing"),
    (("task",), "clustering", "task", "one of"),
    (("task",), 3, "task", "must be a string"),
    (("target_columns",), [], "target_columns", "non-empty list"),
    (("classes",), _DELETE, "classes", "required for a classification"),
    (("classes",), ["a", "b", "c"], "classes", "exactly 2"),
    (("split", "test_fraction"), 1.5, "split.test_fraction", "strictly between 0 and 1"),
    (("split", "public_seed"), "seven", "split.public_seed", "whole number"),
    (("cv", "scheme"), "random", "cv.scheme", "one of"),
    (("cv", "scheme"), "group", "cv.column", "missing"),
    (("cv", "k"), 1, "cv.k", "at least 2"),
    (("rules", "daily_limit"), 0, "rules.daily_limit", "at least 1"),
    (("rules", "final_selectons"), 2, "rules.final_selectons", "not a card field"),
    (("source", "licence"), _DELETE, "source.licence", "missing"),
    (("metric",), "accuracyy", "metric", "Did you mean 'accuracy'"),
    (("metric",), "rmse", "metric", "does not fit task 'binary'"),
    (("id_column",), "label", "id_column", "must not also be a target"),
]


@pytest.mark.parametrize(
    ("path", "value", "field", "message"), CASES, ids=[".".join(c[0]) + "-" + c[3] for c in CASES]
)
def test_a_wrong_field_is_named_with_its_file(
    tmp_path: Path, path: tuple[str, ...], value: Any, field: str, message: str
) -> None:
    card_path = write_card(tmp_path / "broken", _mutated(path, value))
    with pytest.raises(CardError) as info:
        parse_card(card_path, "broken")
    text = str(info.value)
    assert str(card_path) in text
    assert f"'{field}'" in text
    assert message in text


def test_invalid_toml_is_refused_with_the_file(tmp_path: Path) -> None:
    folder = tmp_path / "bad"
    folder.mkdir()
    (folder / "competition.toml").write_text("title = 'unterminated\n")
    with pytest.raises(CardError, match="not valid TOML"):
        parse_card(folder / "competition.toml", "bad")


def test_a_folder_name_that_is_not_kebab_case_is_refused(tmp_path: Path) -> None:
    path = write_card(tmp_path / "Bad_Name", base())
    with pytest.raises(CardError, match="kebab-case"):
        parse_card(path, "Bad_Name")


def test_an_unknown_slug_lists_the_valid_ones(tmp_path: Path) -> None:
    shutil.copytree(TINY, tmp_path / "competitions" / "tiny-binary")
    with pytest.raises(UnknownName) as info:
        load_card(Workspace(tmp_path), "tiny-binry")
    assert "tiny-binary" in str(info.value) and "Did you mean" in str(info.value)
